/**
 * Idle gaps by fixed log-scale buckets. The edges are one constant table, so histograms from different
 * runs, target groups or Lambda invocations merge by adding counts, and the JSON `idleAge.buckets` list
 * means the same thing in every report.
 *
 * Resolution follows what the keep-alive estimate needs (domain.md §1, §6); the recipe and its reasons
 * are in constants.ts (IDLE_BUCKET_*), which the Athena templates read too.
 */
import type { IdleAgeBucket } from '../types.js';
import {
  IDLE_BUCKET_COARSE_FROM_MS,
  IDLE_BUCKET_COARSE_OCTAVES,
  IDLE_BUCKET_COARSE_PER_OCTAVE,
  IDLE_BUCKET_FINE_FROM_MS,
  IDLE_BUCKET_FINE_OCTAVES,
  IDLE_BUCKET_FINE_PER_OCTAVE,
  IDLE_BUCKET_SMALL_EDGES_MS,
} from './constants.js';

function buildEdges(): number[] {
  const edges = [...IDLE_BUCKET_SMALL_EDGES_MS];
  for (let k = 0; k < IDLE_BUCKET_FINE_OCTAVES * IDLE_BUCKET_FINE_PER_OCTAVE; k++) {
    edges.push(Math.round(IDLE_BUCKET_FINE_FROM_MS * 2 ** (k / IDLE_BUCKET_FINE_PER_OCTAVE)));
  }
  for (let k = 0; k <= IDLE_BUCKET_COARSE_OCTAVES * IDLE_BUCKET_COARSE_PER_OCTAVE; k++) {
    edges.push(Math.round(IDLE_BUCKET_COARSE_FROM_MS * 2 ** (k / IDLE_BUCKET_COARSE_PER_OCTAVE)));
  }
  return edges;
}

/** Lower edges in ms; bucket i is [EDGES[i], EDGES[i + 1]), the last one is open. */
export const IDLE_BUCKET_EDGES_MS: readonly number[] = buildEdges();
export const IDLE_BUCKET_COUNT = IDLE_BUCKET_EDGES_MS.length;

/** Bucket of an idle gap; negative gaps (clock rounding between fields) go to the first bucket. */
export function idleBucketIndex(gapMs: number): number {
  const edges = IDLE_BUCKET_EDGES_MS;
  if (!(gapMs >= edges[1]!)) return 0;
  let lo = 1;
  let hi = edges.length - 1;
  // Invariant: edges[lo] <= gapMs, and gapMs < edges[hi + 1] (or hi is the open bucket).
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid]! <= gapMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export const bucketFromMs = (index: number): number => IDLE_BUCKET_EDGES_MS[index]!;
export const bucketToMs = (index: number): number | null => IDLE_BUCKET_EDGES_MS[index + 1] ?? null;

/** Requests by idle gap, and (filled in once races are final) keep-alive races by idle gap. */
export class IdleGapHistogram {
  readonly requests = new Float64Array(IDLE_BUCKET_COUNT);
  readonly races = new Float64Array(IDLE_BUCKET_COUNT);

  addRequest(gapMs: number): void {
    this.requests[idleBucketIndex(gapMs)]! += 1;
  }

  addRace(gapMs: number): void {
    this.races[idleBucketIndex(gapMs)]! += 1;
  }

  merge(other: IdleGapHistogram): void {
    for (let i = 0; i < IDLE_BUCKET_COUNT; i++) {
      this.requests[i]! += other.requests[i]!;
      this.races[i]! += other.races[i]!;
    }
  }

  /**
   * Requests whose gap lies in [fromMs, toMs): whole buckets inside, and the covered fraction of the
   * buckets at the ends (requests taken as spread evenly inside a bucket).
   */
  requestsBetween(fromMs: number, toMs: number): number {
    if (!(toMs > fromMs)) return 0;
    let sum = 0;
    for (let i = idleBucketIndex(fromMs); i < IDLE_BUCKET_COUNT && bucketFromMs(i) < toMs; i++) {
      const lo = bucketFromMs(i);
      const hi = bucketToMs(i);
      if (hi === null) {
        sum += this.requests[i]!;
        continue;
      }
      const covered = (Math.min(hi, toMs) - Math.max(lo, fromMs)) / (hi - lo);
      sum += this.requests[i]! * Math.max(0, Math.min(1, covered));
    }
    return sum;
  }

  get totalRequests(): number {
    let sum = 0;
    for (const n of this.requests) sum += n;
    return sum;
  }

  /**
   * The report's bucket list: every bucket from the first to the last one holding a request or a race,
   * so a chart has no holes and no long empty tails; empty when nothing was measured.
   */
  toBuckets(): IdleAgeBucket[] {
    let first = -1;
    let last = -1;
    for (let i = 0; i < IDLE_BUCKET_COUNT; i++) {
      if (this.requests[i]! > 0 || this.races[i]! > 0) {
        if (first < 0) first = i;
        last = i;
      }
    }
    const out: IdleAgeBucket[] = [];
    if (first < 0) return out;
    for (let i = first; i <= last; i++) {
      out.push({ fromMs: bucketFromMs(i), toMs: bucketToMs(i), requests: this.requests[i]!, races: this.races[i]! });
    }
    return out;
  }
}

/** Non-zero buckets as [index, count], ascending: the state's form (state.ts). */
export function toSparse(counts: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! !== 0) out.push([i, counts[i]!]);
  return out;
}

export function addSparse(counts: Float64Array, sparse: readonly [number, number][]): void {
  for (const [i, n] of sparse) counts[i]! += n;
}

/** Adds two sparse histograms. */
export function mergeSparse(a: readonly [number, number][], b: readonly [number, number][]): [number, number][] {
  const counts = new Float64Array(IDLE_BUCKET_COUNT);
  addSparse(counts, a);
  addSparse(counts, b);
  return toSparse(counts);
}
