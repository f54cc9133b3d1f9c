/**
 * Sends a window end's alert at most once however often its run is repeated, and again only when an
 * earlier attempt is known to have failed or died. alerts/<…>.json is claimed with a conditional create
 * before publishing and marked sent after; a run that finds it claimed stays silent.
 */
import type { ReportStore } from './stateStore.js';

/** Longer than a Lambda can run (15 minutes): a claim this old belongs to a run that is gone. */
export const CLAIM_EXPIRES_MS = 16 * 60_000;

export interface AlertRecord {
  windowEnd: string;
  status: 'sending' | 'sent' | 'failed';
  subject: string;
  message: string;
  targetGroups: { arn: string; change: string }[];
  messageId?: string;
}

export type SendOutcome = 'sent' | 'already-sent' | 'claimed-by-another-run';

export async function sendOnce(
  store: ReportStore,
  key: string,
  record: Omit<AlertRecord, 'status'>,
  publish: () => Promise<string>,
  nowMs: number,
): Promise<SendOutcome> {
  const listed = (await store.list(key)).find((o) => o.key === key);
  let claim;
  if (listed === undefined) {
    claim = await store.putJson(key, { ...record, status: 'sending' }, { ifNoneMatch: '*' });
  } else {
    const current = await store.getJson<AlertRecord>(key);
    if (current === null) return 'claimed-by-another-run';
    if (current.value.status === 'sent') return 'already-sent';
    if (current.value.status === 'sending' && nowMs - listed.lastModifiedMs < CLAIM_EXPIRES_MS) return 'claimed-by-another-run';
    claim = await store.putJson(key, { ...record, status: 'sending' }, { ifMatch: current.etag });
  }
  if (!claim.written) return 'claimed-by-another-run';
  let messageId: string;
  try {
    messageId = await publish();
  } catch (error) {
    // Released for the retry of this invocation (or a re-run) to send.
    await store.putJson(key, { ...record, status: 'failed' }, { ifMatch: claim.etag });
    throw error;
  }
  await store.putJson(key, { ...record, status: 'sent', messageId }, { ifMatch: claim.etag });
  return 'sent';
}
