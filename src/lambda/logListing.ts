/**
 * The log objects of a time span, with their ETags, in one listing: the job compares them with what each
 * window's state says it read, so an object delivered late (or rewritten) sends its window back to be
 * accumulated again. The listing is the S3 source's own (same day folders, same key judgement), so the job
 * sees the objects an analysis of the span reads.
 */
import { isAlbDoctorError } from '../errors.js';
import { classifyLogName } from '../sources/logNames.js';
import type { S3SourceOptions } from '../sources/s3.js';
import { DEFAULT_RESPONSE_TIMEOUT_MS, endpointOf, S3Session } from '../sources/s3Client.js';
import { mayHoldRange, s3Uri, stampToEpochMs } from '../sources/s3Keys.js';
import { listTarget } from '../sources/s3List.js';
import type { Window } from './windows.js';

export interface ListedLog {
  /** `s3://bucket/key`, as the S3 source names an object. */
  name: string;
  etag: string | null;
  /** End of the object's 5-minute interval (from its name). */
  intervalEndMs: number;
}

const LISTING_CONCURRENCY = 8;

/** Access-log objects that can hold entries of [fromMs, toMs); none (not an error) when there are none. */
export async function listLogObjects(uri: string, span: Window, options: Pick<S3SourceOptions, 'region' | 'endpointUrl' | 'credentials' | 'lbName' | 'env'>): Promise<ListedLog[]> {
  const bucket = /^s3:\/\/([^/]+)/.exec(uri)?.[1] ?? '';
  const session = await S3Session.open(
    { profile: undefined, endpoint: endpointOf(options), credentials: options.credentials, maxSockets: LISTING_CONCURRENCY * 2, responseTimeoutMs: DEFAULT_RESPONSE_TIMEOUT_MS },
    bucket,
    options.region,
  );
  try {
    const range = { from: new Date(span.fromMs), to: new Date(span.toMs) };
    const { listed } = await listTarget(uri, session, { range, ...(options.lbName !== undefined && { lbName: options.lbName }) }, undefined, LISTING_CONCURRENCY, new Date());
    const logs: ListedLog[] = [];
    for (const l of listed) {
      if (l.verdict.kind !== 'read') continue;
      const name = classifyLogName(l.key.slice(l.key.lastIndexOf('/') + 1), false);
      const intervalEndMs = name.kind === 'alb' && name.endTime !== null ? stampToEpochMs(name.endTime) : NaN;
      logs.push({ name: s3Uri(bucket, l.key), etag: l.etag, intervalEndMs });
    }
    return logs;
  } catch (error) {
    // A quiet load balancer writes no objects: an empty span, not a failure.
    if (isAlbDoctorError(error) && error.code === 'S3_NO_LOGS') return [];
    throw error;
  } finally {
    session.destroy();
  }
}

/** Whether the window's state misses an object the listing shows for it, or read another version of one. */
export function missedObjects(logs: readonly ListedLog[], window: Window, read: readonly { name: string; etag?: string | null }[]): ListedLog[] {
  const readEtags = new Map(read.map((f) => [f.name, f.etag?.replace(/"/g, '') ?? null]));
  const range = { from: new Date(window.fromMs), to: new Date(window.toMs) };
  return logs.filter((log) => {
    // Objects without an interval in their name are read whatever the range, so belong to every window.
    if (!Number.isNaN(log.intervalEndMs) && !mayHoldRange(log.intervalEndMs, range)) return false;
    if (!readEtags.has(log.name)) return true;
    const etag = readEtags.get(log.name);
    return etag !== null && etag !== undefined && log.etag !== null && etag !== log.etag;
  });
}
