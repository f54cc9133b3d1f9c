/**
 * Per target group, over time: requests, and the requests by idle gap (the exposure to a race), in
 * bounded memory and mergeable, so that conclude can ask "did the race rate change during the window?"
 * once the race band is known (raceChange.ts).
 *
 * The band is only known at the end, so each time bin keeps its own sparse idle-gap histogram (the
 * histogram.ts buckets from MIN_RACE_GAP_MS up: nothing closes idle connections faster). Bins follow the
 * timeline's ladder (each step divides the next; the step is the smallest at which everything added fits
 * MAX_EXPOSURE_BINS), so states merge exactly whatever order they come in: the step depends only on the
 * first and last time added. Gaps are binned by dispatch (a head request settled by merge.ts knows only
 * that), requests by their `time`; the bins are minutes wide, so the two agree.
 */
import { MIN_RACE_GAP_MS } from './constants.js';
import { bucketFromMs, bucketToMs, idleBucketIndex } from './histogram.js';
import type { RaceExposureState } from './state.js';
import { LADDER_MS, stepIndexFor } from './timeline.js';

/**
 * Bins over the whole range: 24 h in 10-minute bins, 6 h in 5-minute bins, an hour (the Lambda's window)
 * in 30-second bins. Each bin holds a sparse histogram, so this bounds the state: fine enough to place a
 * change within a few percent of the window, coarse enough to stay small.
 */
export const MAX_EXPOSURE_BINS = 200;
/** The first idle-gap bucket kept per bin. */
const FIRST_BUCKET = idleBucketIndex(MIN_RACE_GAP_MS);
/** The bucket slot that counts every request of the group, whatever its gap. */
const ALL_REQUESTS = -1;

export type { RaceExposureState };

export const emptyRaceExposure = (): RaceExposureState => ({ stepMs: LADDER_MS[0]!, minMs: null, maxMs: null, series: [] });

export class RaceExposure {
  private stepIndex = 0;
  /** arn → bin → bucket → count. */
  private readonly byGroup = new Map<string, Map<number, Map<number, number>>>();
  private minMs = Infinity;
  private maxMs = -Infinity;

  get stepMs(): number {
    return LADDER_MS[this.stepIndex]!;
  }

  /** A request of the group, at its `time`. */
  addRequest(arn: string, timeMs: number): void {
    this.add(arn, timeMs, ALL_REQUESTS, 1);
  }

  /** A measured idle gap of a request dispatched at `dispatchedMs`. */
  addGap(arn: string, dispatchedMs: number, gapMs: number): void {
    const bucket = idleBucketIndex(gapMs);
    if (bucket >= FIRST_BUCKET) this.add(arn, dispatchedMs, bucket, 1);
  }

  private add(arn: string, timeMs: number, bucket: number, count: number): void {
    if (!Number.isFinite(timeMs)) return;
    if (timeMs < this.minMs || timeMs > this.maxMs) this.extend(Math.min(this.minMs, timeMs), Math.max(this.maxMs, timeMs));
    this.put(arn, Math.floor(timeMs / this.stepMs), bucket, count);
  }

  private put(arn: string, bin: number, bucket: number, count: number): void {
    // Entries come in bursts of one group and one bin: the last bin's map is kept at hand (once per line).
    let buckets = this.last !== null && this.last.arn === arn && this.last.bin === bin ? this.last.buckets : undefined;
    if (buckets === undefined) {
      let bins = this.byGroup.get(arn);
      if (!bins) this.byGroup.set(arn, (bins = new Map()));
      buckets = bins.get(bin);
      if (!buckets) bins.set(bin, (buckets = new Map()));
      this.last = { arn, bin, buckets };
    }
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + count);
  }

  private last: { arn: string; bin: number; buckets: Map<number, number> } | null = null;

  private extend(minMs: number, maxMs: number): void {
    this.minMs = minMs;
    this.maxMs = maxMs;
    const index = stepIndexFor(minMs, maxMs, MAX_EXPOSURE_BINS);
    if (index <= this.stepIndex) return;
    const factor = LADDER_MS[index]! / this.stepMs;
    this.stepIndex = index;
    this.last = null;
    for (const [arn, bins] of this.byGroup) {
      const merged = new Map<number, Map<number, number>>();
      for (const [bin, buckets] of bins) {
        const to = Math.floor(bin / factor);
        const target = merged.get(to);
        if (!target) merged.set(to, buckets);
        else for (const [bucket, n] of buckets) target.set(bucket, (target.get(bucket) ?? 0) + n);
      }
      this.byGroup.set(arn, merged);
    }
  }

  toState(): RaceExposureState {
    const series = [...this.byGroup.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([arn, bins]) => ({
        arn,
        bins: [...bins.entries()]
          .sort((a, b) => a[0] - b[0])
          .flatMap(([bin, buckets]) => [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([bucket, n]): [number, number, number] => [bin, bucket, n])),
      }));
    return { stepMs: this.stepMs, minMs: Number.isFinite(this.minMs) ? this.minMs : null, maxMs: Number.isFinite(this.maxMs) ? this.maxMs : null, series };
  }

  /** Adds a stored state's counts (at any step of the ladder). */
  addState(state: RaceExposureState | undefined): void {
    if (state === undefined || state.minMs === null || state.maxMs === null) return;
    this.extend(Math.min(this.minMs, state.minMs), Math.max(this.maxMs, state.maxMs));
    const factor = this.stepMs / state.stepMs;
    for (const { arn, bins } of state.series) {
      for (const [bin, bucket, n] of bins) this.put(arn, Math.floor(bin / factor), bucket, n);
    }
  }

  static fromState(state: RaceExposureState | undefined): RaceExposure {
    const exposure = new RaceExposure();
    exposure.addState(state);
    return exposure;
  }

  /**
   * One group's bins in time order: start, requests, and exposed requests (gaps in the idle-gap buckets
   * that overlap [fromMs, toMs], the race band: whole buckets, so counts stay whole).
   */
  binsOf(arn: string, fromMs: number, toMs: number): ExposureBin[] {
    const bins = this.byGroup.get(arn);
    if (!bins) return [];
    return [...bins.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([bin, buckets]) => {
        let exposed = 0;
        for (const [bucket, n] of buckets) if (bucket >= 0 && overlaps(bucket, fromMs, toMs)) exposed += n;
        return { startMs: bin * this.stepMs, requests: buckets.get(ALL_REQUESTS) ?? 0, exposed, races: 0 };
      });
  }
}

export interface ExposureBin {
  startMs: number;
  requests: number;
  exposed: number;
  races: number;
}

/** Whether idle-gap bucket `bucket` holds gaps of [fromMs, toMs]. */
export function overlaps(bucket: number, fromMs: number, toMs: number): boolean {
  const hi = bucketToMs(bucket);
  return bucketFromMs(bucket) <= toMs && (hi === null || hi > fromMs);
}
