/**
 * The job's read-modify-write steps on S3, each safe against a second run doing the same at the same
 * time (conditional writes, stateStore.ts): a window's state, and latest.json.
 */
import type { AnalysisStateLike } from './analysis.js';
import type { ReportStore } from './stateStore.js';

export const WINDOW_RECORD_KIND = 'alb-doctor/window-state';

/** What state/<…>.json.gz holds: the analysis state wrapped with what the job itself needs to know. */
export interface WindowRecord<S extends AnalysisStateLike> {
  kind: typeof WINDOW_RECORD_KIND;
  version: 1;
  window: { fromMs: number; toMs: number };
  /** The log objects read for this window, with their ETags: a later listing that shows more re-opens it. */
  files: { name: string; etag: string | null }[];
  /** null when no log object could hold an entry of the window (a quiet load balancer writes none). */
  state: S | null;
}

/** Whether `a` read every object `b` read, in the same version. */
export function covers(a: WindowRecord<AnalysisStateLike>['files'], b: WindowRecord<AnalysisStateLike>['files']): boolean {
  const etags = new Map(a.map((f) => [f.name, f.etag]));
  return b.every((f) => etags.has(f.name) && (f.etag === null || etags.get(f.name) === null || etags.get(f.name) === f.etag));
}

const MAX_WRITE_ATTEMPTS = 3;

/**
 * Writes a window's record, replacing only the version this run started from (`knownEtag`), or creating
 * it. When another run got there first, the record that read more objects is kept: theirs when it read
 * everything ours did, ours (replacing theirs) when ours read strictly more, theirs otherwise, for the next
 * run's listing to settle.
 */
export async function saveWindowRecord<S extends AnalysisStateLike>(
  store: ReportStore,
  key: string,
  record: WindowRecord<S>,
  knownEtag: string | undefined,
): Promise<{ record: WindowRecord<S>; etag: string; written: boolean }> {
  let etag = knownEtag;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const result = await store.putJson(key, record, etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag });
    if (result.written) return { record, etag: result.etag, written: true };
    const theirs = await store.getJson<WindowRecord<S>>(key);
    if (theirs === null) {
      etag = undefined;
      continue;
    }
    if (covers(theirs.value.files, record.files) || !covers(record.files, theirs.value.files)) {
      return { record: theirs.value, etag: theirs.etag, written: false };
    }
    etag = theirs.etag;
  }
  throw new Error(`s3://${store.bucket}/${key}: other runs kept replacing this window's state; the next run will retry.`);
}

/** S3 user metadata (x-amz-meta-window-end) on latest.json: the window end of the report it holds. */
export const WINDOW_END_METADATA = 'window-end';

/**
 * Makes `body` latest.json unless it already holds a report with a later window end: re-running an older
 * window leaves it alone, and of two runs racing the newer window wins.
 */
export async function updateLatest(store: ReportStore, body: string, windowEndMs: number): Promise<boolean> {
  const key = store.latestKey;
  const metadata = { [WINDOW_END_METADATA]: new Date(windowEndMs).toISOString() };
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const listed = (await store.list(key)).some((o) => o.key === key);
    const current = listed ? await store.get(key) : null;
    if (listed && current === null) continue; // replaced or removed between the listing and the read
    if (current !== null) {
      const currentEndMs = Date.parse(current.metadata[WINDOW_END_METADATA] ?? '');
      if (currentEndMs > windowEndMs) return false;
    }
    const precondition = current === null ? ({ ifNoneMatch: '*' } as const) : { ifMatch: current.etag };
    const result = await store.put(key, body, { precondition, contentType: 'application/json', metadata });
    if (result.written) return true;
  }
  throw new Error(`s3://${store.bucket}/${key}: other runs kept replacing latest.json; the next run will retry.`);
}
