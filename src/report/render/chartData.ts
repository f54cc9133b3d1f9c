/**
 * What the idle-age chart and the timeline show, before any drawing: rows shared by the text and
 * markdown renderers.
 */
import type { IdleAgeBucket, KeepAliveEstimate, Timeline } from '../model.js';

export interface IdleAgeRow {
  fromMs: number;
  toMs: number | null;
  requests: number;
  races: number;
  /** races / requests */
  raceRate: number;
  /** The bucket holds the keep-alive estimate. */
  holdsEstimate: boolean;
}

/**
 * Buckets with requests, in order; a run of race-free buckets becomes one row, so the chart
 * shows "no races below 4.6 s" in one line and keeps its rows for where races are.
 */
export function idleAgeRows(buckets: readonly IdleAgeBucket[], keepAlive: KeepAliveEstimate): IdleAgeRow[] {
  const estimateMs = keepAlive.estimatedSeconds === null ? null : keepAlive.estimatedSeconds * 1000;
  const rows: IdleAgeRow[] = [];
  let run: IdleAgeBucket[] = [];
  const flushRun = (): void => {
    const first = run[0];
    const last = run[run.length - 1];
    if (first === undefined || last === undefined) return;
    pushRow(first.fromMs, last.toMs, run.reduce((n, b) => n + b.requests, 0), 0);
    run = [];
  };
  const pushRow = (fromMs: number, toMs: number | null, requests: number, races: number): void => {
    const holdsEstimate = estimateMs !== null && estimateMs >= fromMs && (toMs === null || estimateMs < toMs);
    rows.push({ fromMs, toMs, requests, races, raceRate: requests > 0 ? races / requests : 0, holdsEstimate });
  };
  for (const bucket of buckets) {
    if (bucket.requests === 0 && bucket.races === 0) continue;
    if (bucket.races === 0) {
      run.push(bucket);
      continue;
    }
    flushRun();
    pushRow(bucket.fromMs, bucket.toMs, bucket.requests, bucket.races);
  }
  flushRun();
  return rows;
}

export interface TimelineRange {
  startMs: number;
  endMs: number;
  buckets: number;
}

export function timelineRange(timeline: Timeline): TimelineRange | null {
  const buckets = Math.max(0, ...timeline.groups.map((g) => g.requests.length));
  if (buckets === 0 || !(timeline.bucketMs > 0)) return null;
  return { startMs: timeline.startMs, endMs: timeline.startMs + buckets * timeline.bucketMs, buckets };
}

/** Every finite bucket edge of the rows, for idleRangeDigits. */
export const rowEdges = (rows: readonly IdleAgeRow[]): number[] =>
  rows.flatMap((r) => (r.toMs === null ? [r.fromMs] : [r.fromMs, r.toMs]));
