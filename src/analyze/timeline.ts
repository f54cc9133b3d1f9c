/**
 * Requests, keep-alive races and other errors over time, per target group, in bounded memory.
 *
 * The time range is only known at the end (and lines arrive out of order), so counts are kept in
 * buckets of a step from a ladder where each step divides the next; when the buckets would span more than
 * MAX_INTERNAL_BUCKETS the step moves up the ladder and buckets merge exactly. At the end the report's
 * bucket is the round duration (a multiple of the internal step) that cuts the window into 60–120
 * buckets where one exists.
 */
import type { Timeline } from '../types.js';
import type { TimelineState } from './state.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Each divides the next, so re-bucketing never splits a bucket. */
export const LADDER_MS = [SECOND, 5 * SECOND, 10 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 7 * DAY, 28 * DAY, 336 * DAY];
const MAX_INTERNAL_BUCKETS = 1200;
const NICE_MS = [
  SECOND, 2 * SECOND, 3 * SECOND, 4 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 20 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 3 * MINUTE, 4 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 20 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR, 6 * HOUR, 8 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 4 * DAY, 7 * DAY, 14 * DAY, 28 * DAY,
];
export const TARGET_BUCKETS: readonly [number, number] = [60, 120];

export type Series = 'requests' | 'races' | 'otherErrors';
const SERIES_INDEX: Record<Series, number> = { requests: 0, races: 1, otherErrors: 2 };

export class TimelineCounter {
  private stepIndex = 0;
  /** Per series key (target group), bucket index → [requests, races, otherErrors]. */
  private readonly byKey = new Map<string, Map<number, Float64Array>>();
  private minMs = Infinity;
  private maxMs = -Infinity;

  get stepMs(): number {
    return LADDER_MS[this.stepIndex]!;
  }

  add(key: string, timeMs: number, series: Series): void {
    if (timeMs < this.minMs || timeMs > this.maxMs) this.extend(Math.min(this.minMs, timeMs), Math.max(this.maxMs, timeMs));
    const index = Math.floor(timeMs / this.stepMs);
    let buckets = this.byKey.get(key);
    if (!buckets) this.byKey.set(key, (buckets = new Map()));
    let counts = buckets.get(index);
    if (!counts) buckets.set(index, (counts = new Float64Array(3)));
    counts[SERIES_INDEX[series]]! += 1;
  }

  /**
   * Widens the covered range, moving up the ladder when it no longer fits. The step is always the
   * smallest that fits the range seen, whatever order times came in, so counters merge exactly
   * (shards, windows: merge.ts) and give the timeline a single pass would.
   */
  private extend(minMs: number, maxMs: number): void {
    this.minMs = minMs;
    this.maxMs = maxMs;
    const index = stepIndexFor(minMs, maxMs);
    if (index > this.stepIndex) this.coarsen(index);
  }

  /** Moves to a coarser step of the ladder, merging buckets (each step divides the next). */
  private coarsen(stepIndex: number): void {
    const factor = LADDER_MS[stepIndex]! / this.stepMs;
    this.stepIndex = stepIndex;
    for (const [key, buckets] of this.byKey) {
      const merged = new Map<number, Float64Array>();
      for (const [index, counts] of buckets) {
        const to = Math.floor(index / factor);
        const target = merged.get(to);
        if (target) for (let i = 0; i < 3; i++) target[i]! += counts[i]!;
        else merged.set(to, counts);
      }
      this.byKey.set(key, merged);
    }
  }

  toState(): TimelineState {
    const series = [...this.byKey.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([arn, buckets]) => ({
        arn,
        buckets: [...buckets.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([index, c]): [number, number, number, number] => [index, c[0]!, c[1]!, c[2]!]),
      }));
    return { stepMs: this.stepMs, minMs: Number.isFinite(this.minMs) ? this.minMs : null, maxMs: Number.isFinite(this.maxMs) ? this.maxMs : null, series };
  }

  /** Adds a stored counter's counts (at any step of the ladder). */
  addState(state: TimelineState): void {
    if (state.minMs === null || state.maxMs === null) return;
    this.extend(Math.min(this.minMs, state.minMs), Math.max(this.maxMs, state.maxMs));
    const factor = this.stepMs / state.stepMs;
    for (const { arn, buckets: from } of state.series) {
      let buckets = this.byKey.get(arn);
      if (!buckets) this.byKey.set(arn, (buckets = new Map()));
      for (const [index, requests, races, other] of from) {
        const to = Math.floor(index / factor);
        let counts = buckets.get(to);
        if (!counts) buckets.set(to, (counts = new Float64Array(3)));
        counts[0]! += requests;
        counts[1]! += races;
        counts[2]! += other;
      }
    }
  }

  static fromState(state: TimelineState): TimelineCounter {
    const counter = new TimelineCounter();
    counter.addState(state);
    return counter;
  }

  /**
   * The report's timeline over [fromMs, toMs) (the --from/--to window, else the first and last entry),
   * for the given keys in order.
   */
  build(fromMs: number, toMs: number, keys: readonly string[]): Timeline {
    const internalMs = this.stepMs;
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) {
      return { startMs: Number.isFinite(fromMs) ? fromMs : 0, bucketMs: internalMs, groups: keys.map((k) => emptyGroup(k, 0)) };
    }
    const bucketMs = chooseBucketMs(fromMs, toMs, internalMs);
    const startMs = Math.floor(fromMs / bucketMs) * bucketMs;
    const count = Math.max(1, Math.ceil((toMs - startMs) / bucketMs));
    const groups = keys.map((key) => {
      const group = emptyGroup(key, count);
      for (const [index, counts] of this.byKey.get(key) ?? []) {
        const i = Math.floor((index * internalMs - startMs) / bucketMs);
        if (i < 0 || i >= count) continue;
        group.requests[i]! += counts[0]!;
        group.races[i]! += counts[1]!;
        group.otherErrors[i]! += counts[2]!;
      }
      return group;
    });
    return { startMs, bucketMs, groups };
  }
}

/** The smallest ladder step at which [minMs, maxMs] spans at most MAX_INTERNAL_BUCKETS buckets. */
export function stepIndexFor(minMs: number, maxMs: number, maxBuckets = MAX_INTERNAL_BUCKETS): number {
  let index = 0;
  while (index < LADDER_MS.length - 1 && Math.floor(maxMs / LADDER_MS[index]!) - Math.floor(minMs / LADDER_MS[index]!) + 1 > maxBuckets) index++;
  return index;
}

/** The smallest round duration (a multiple of the internal step) giving at most 120 buckets. */
export function chooseBucketMs(fromMs: number, toMs: number, internalMs: number): number {
  for (const niceMs of NICE_MS) {
    if (niceMs < internalMs || niceMs % internalMs !== 0) continue;
    const startMs = Math.floor(fromMs / niceMs) * niceMs;
    if (Math.ceil((toMs - startMs) / niceMs) <= TARGET_BUCKETS[1]) return niceMs;
  }
  // Longer than the nice list covers: whole multiples of the internal step.
  return internalMs * Math.max(1, Math.ceil((toMs - fromMs) / internalMs / TARGET_BUCKETS[1]));
}

function emptyGroup(targetGroup: string, count: number): Timeline['groups'][number] {
  return {
    targetGroup,
    requests: new Array<number>(count).fill(0),
    races: new Array<number>(count).fill(0),
    otherErrors: new Array<number>(count).fill(0),
  };
}
