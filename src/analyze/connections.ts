/**
 * Idle gap per (ALB node, target) pair, in one streaming pass (domain.md §6).
 *
 * For a request on a pair, the idle gap is `dispatched − latest end (time) of the requests on that pair
 * that finished before it`, with `dispatched = request_creation_time + request_processing_time`. That is
 * the idle age of the most recently used connection and a lower bound on the age of the connection the
 * ALB actually picked. Each ALB node is an independent proxy with its own pool, hence the node in the key.
 *
 * Ordering. The gap needs requests in dispatch order, the log gives them roughly in `time` order (a
 * response is logged when it ends), locally shuffled, per node per 5 minutes. Every request that ended
 * before request i dispatched has `time < dispatched_i`, so once the input has moved past
 * `dispatched_i + L` in `time`, where L is how far a line can arrive behind the newest `time` already
 * seen, nothing that could shorten i's gap is still to come. So each node's requests wait in a heap keyed
 * by dispatch time and leave it once the newest `time` of that node is REORDER_WINDOW_MS past their
 * dispatch: a 5-minute file shuffled end to end, plus a minute of margin. The window is fixed, not learnt
 * from the lateness seen so far: what is measured must not depend on what came before, or windows
 * accumulated apart would not merge into what one pass gives (merge.ts). (The generator's shuffled files
 * reach 4 minutes of lateness; a window learnt from the start of each stream measured fewer of those.)
 * Memory is the traffic of one window per node, whatever the time range (and each pair's request ends
 * of its last window, windowEndsMs, at most twice that). A file whose first line comes
 * after its node's window has already passed it (files out of time order, e.g. a late delivery filed in
 * the next day's folder) cannot join the node's stream and is measured on its own (`openSegment`), so
 * any file order still gives the gaps inside each file.
 *
 * What the window does not cover is counted, never hidden:
 * - a request that lasted longer than the window arrives after later-dispatched requests on its pair were
 *   measured: its own gap is unknown (`unknownGap`), its end still counts for the requests after it;
 * - a request whose END is older than what its pair already measured (files out of time order by more
 *   than the window) may have made earlier gaps too long (`outOfOrder`).
 */
import { KeyedHeap, NumberHeap } from './heaps.js';
import { ByteInterner } from './intern.js';

import { FORGET_PAIR_AFTER_MS, RECENT_REQUESTS, REORDER_WINDOW_MS } from './constants.js';

export { FORGET_PAIR_AFTER_MS, RECENT_REQUESTS, REORDER_WINDOW_MS };
const SWEEP_EVERY_DISPATCHES = 1 << 16;
const MAX_SPARE = 4096;

export interface PairState {
  readonly node: string | null;
  /** `ip:port` as logged. */
  readonly target: string;
  /** Latest end among the requests that finished before `cursorMs`; -Infinity before the first. */
  latestEndMs: number;
  /** Dispatch time of the last request measured on this pair. */
  cursorMs: number;
  /** Ends of requests still in flight at `cursorMs`. */
  readonly inFlightEndsMs: NumberHeap;
  /** Newest `time` seen on the pair, for forgetting idle pairs. */
  lastActivityMs: number;
  /** Ring of the last RECENT_REQUESTS measured requests: dispatch, and end when it freed a connection (NaN if not). */
  readonly recentDispatchedMs: Float64Array;
  readonly recentEndMs: Float64Array;
  recentNext: number;
  /** Dispatch time of the last measured request the target answered (NaN before any). */
  lastAnsweredDispatchMs: number;
  /** Requests measured on this pair in this accumulation. */
  measuredCount: number;
  /**
   * The pair's first appearance in this accumulation, on its node's stream, with no request ended yet: a
   * request measured now has its gap in an earlier window's requests (merge.ts), not none.
   */
  headOpen: boolean;
  /** Dispatch times of the first FIRST_ANSWERS answered requests: what races of an earlier window wait for. */
  readonly firstAnsweredDispatchesMs: number[];
  /** Earliest `time` (end) of a request on the pair in this accumulation. */
  firstEndMs: number;
  /**
   * Ends of the measured requests that freed a connection, unordered, at least those at or after
   * `lastActivityMs − REORDER_WINDOW_MS` (windowEnds): what a later window's head requests are measured
   * against when merged (merge.ts settleGap). Pruned as it grows, so it holds about one reordering window
   * of the pair's requests (at most twice that, and WINDOW_ENDS_MIN), whatever the time range.
   */
  readonly windowEndsMs: number[];
  /** Latest end pruned from `windowEndsMs` (-Infinity before any): every end older than the window is at most this. */
  windowEndsFloorMs: number;
  /** `windowEndsMs` is pruned again once it reaches this length. */
  windowEndsPruneAt: number;
}

/** Ends kept per pair before `windowEndsMs` is first pruned. */
const WINDOW_ENDS_MIN = 64;

/**
 * Prunes the pair's ends older than one reordering window before its newest `time`: keeps every end at or
 * after `lastActivityMs − REORDER_WINDOW_MS`, and the latest pruned one as the floor. Amortised O(1) a request.
 */
export function pruneWindowEnds(pair: PairState): void {
  const horizonMs = pair.lastActivityMs - REORDER_WINDOW_MS;
  const ends = pair.windowEndsMs;
  let kept = 0;
  for (let i = 0; i < ends.length; i++) {
    const endMs = ends[i]!;
    if (endMs >= horizonMs) ends[kept++] = endMs;
    else if (endMs > pair.windowEndsFloorMs) pair.windowEndsFloorMs = endMs;
  }
  ends.length = kept;
  pair.windowEndsPruneAt = Math.max(WINDOW_ENDS_MIN, 2 * kept);
}

function keepEnd(pair: PairState, endMs: number): void {
  pair.windowEndsMs.push(endMs);
  if (pair.windowEndsMs.length >= pair.windowEndsPruneAt) pruneWindowEnds(pair);
}

/** Answered requests remembered from the start of a pair, for the races of the window before (merge.ts). */
export const FIRST_ANSWERS = 8;

/** The pair's recent requests, oldest first: what races.ts needs to replay its pool. */
export interface RecentRequests {
  dispatchedMs: Float64Array;
  /** NaN where the request did not free a connection (race, timeout, refusal). */
  endMs: Float64Array;
}

export function recentRequests(pair: PairState): RecentRequests {
  const n = RECENT_REQUESTS;
  const dispatchedMs: number[] = [];
  const endMs: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = (pair.recentNext + k) % n;
    if (Number.isNaN(pair.recentDispatchedMs[i]!)) continue;
    dispatchedMs.push(pair.recentDispatchedMs[i]!);
    endMs.push(pair.recentEndMs[i]!);
  }
  return { dispatchedMs: Float64Array.from(dispatchedMs), endMs: Float64Array.from(endMs) };
}

export interface Dispatch<T> {
  dispatchedMs: number;
  endMs: number;
  /** The target answered on a connection that goes back to the pool (not a race, timeout or WebSocket). */
  freesConnection: boolean;
  pair: PairState;
  tag: T;
}

export interface NodeStream<T> {
  readonly node: string | null;
  /** Newest `time` pushed; public so callers can tell where a stretch of input jumps back. */
  readonly waiting: KeyedHeap<Dispatch<T>>;
  readonly pairs: ByteInterner<PairState>;
  newestTimeMs: number;
  windowMs: number;
}

export interface ConnectionStats {
  dispatches: number;
  /** Requests whose own gap could not be measured (they lasted longer than the window). */
  unknownGap: number;
  /** Requests that arrived after later requests on their pair were measured with their end missing. */
  outOfOrder: number;
  /** The reordering window (REORDER_WINDOW_MS; the key predates its being fixed). */
  maxWindowMs: number;
  /** Pairs forgotten after FORGET_PAIR_AFTER_MS without traffic. */
  forgottenPairs: number;
  /** Requests measured in a segment of their own (openSegment). */
  detachedDispatches: number;
}

/**
 * Receives each request once measured. `pair` reflects the requests dispatched before it, except that
 * `lastAnsweredDispatchMs` already counts this one when the target answered it. `pending`: the pair has
 * had no request end yet in this accumulation, so the gap (null here) lies in an earlier window's
 * requests and is settled when the states are merged (merge.ts), or found to be none (conclude.ts).
 */
export type GapSink<T> = (tag: T, idleGapMs: number | null, pair: PairState, pending: boolean) => void;

export class ConnectionTracker<T> {
  private readonly streams = new Map<string | null, NodeStream<T>>();
  readonly stats: ConnectionStats = {
    dispatches: 0,
    unknownGap: 0,
    outOfOrder: 0,
    maxWindowMs: REORDER_WINDOW_MS,
    forgottenPairs: 0,
    detachedDispatches: 0,
  };
  private readonly segments = new Set<NodeStream<T>>();
  /** Measured dispatch records, reused: one object per line was most of the analysis's garbage. */
  private readonly spare: Dispatch<T>[] = [];
  private sinceSweep = 0;

  /** `onForget`: a node-stream pair about to be forgotten (sweep), so its edge can be kept for the state. */
  constructor(
    private readonly sink: GapSink<T>,
    private readonly onForget: (pair: PairState) => void = () => {},
  ) {}

  isSegment(stream: NodeStream<T>): boolean {
    return this.segments.has(stream);
  }

  /** Pair keys ever seen on a node's stream: a pair forgotten and seen again starts with no gap, not a pending one. */
  private readonly seenPairs = new Set<string>();

  /** The stream of one ALB node (null: node unknown, pairs are keyed on the target alone). */
  stream(node: string | null): NodeStream<T> {
    let stream = this.streams.get(node);
    if (!stream) this.streams.set(node, (stream = newStream(node, (pair) => this.opened(pair))));
    return stream;
  }

  private opened(pair: PairState): void {
    const key = pairKey(pair.node, pair.target);
    if (!this.seenPairs.has(key)) {
      this.seenPairs.add(key);
      pair.headOpen = true;
    }
  }

  /** The live pairs of the node streams (not of segments), for the state's tails. */
  *nodePairs(): Generator<PairState> {
    for (const stream of this.streams.values()) yield* stream.pairs.values();
  }

  /** Whether an entry with this `time` comes after the node's window has moved past it (its file is out of order). */
  isBehindWindow(stream: NodeStream<T>, timeMs: number): boolean {
    return timeMs < stream.newestTimeMs - stream.windowMs;
  }

  /**
   * A separate stream for one stretch of input that cannot join its node's stream: a file that came after
   * the node's window had moved past it, or (node unknown) one node's 5 minutes inside a concatenated
   * file. Its requests are measured against each other only (the first request of each pair in it has no
   * gap), instead of all arriving too late. Files are 5 minutes of one node, so this keeps almost all of
   * their gaps whatever order they come in. Closed (measured and dropped) when the stretch ends.
   */
  openSegment(node: string | null): NodeStream<T> {
    const segment = newStream<T>(node, () => {});
    this.segments.add(segment);
    return segment;
  }

  closeSegment(segment: NodeStream<T>): void {
    this.drain(segment);
    this.segments.delete(segment);
  }

  /** The pair of a node stream and the target whose `ip:port` is `buf[start, end)`. */
  pair(stream: NodeStream<T>, buf: Buffer, start: number, end: number): PairState {
    return stream.pairs.get(buf, start, end);
  }

  /** One request on a pair; `timeMs` is the entry's `time` (its end), which drives the window. */
  push(stream: NodeStream<T>, pair: PairState, dispatchedMs: number, endMs: number, freesConnection: boolean, tag: T): void {
    this.stats.dispatches++;
    if (this.segments.has(stream)) this.stats.detachedDispatches++;
    if (endMs > pair.lastActivityMs) pair.lastActivityMs = endMs;
    if (endMs < pair.firstEndMs) pair.firstEndMs = endMs;
    if (endMs > stream.newestTimeMs) stream.newestTimeMs = endMs;
    const d = this.spare.pop();
    if (d) {
      d.dispatchedMs = dispatchedMs;
      d.endMs = endMs;
      d.freesConnection = freesConnection;
      d.pair = pair;
      d.tag = tag;
      stream.waiting.push(d);
    } else {
      stream.waiting.push({ dispatchedMs, endMs, freesConnection, pair, tag });
    }
    const releaseBeforeMs = stream.newestTimeMs - stream.windowMs;
    for (let d = stream.waiting.peek(); d !== undefined && d.dispatchedMs < releaseBeforeMs; d = stream.waiting.peek()) {
      stream.waiting.pop();
      this.measure(d);
    }
    if (++this.sinceSweep >= SWEEP_EVERY_DISPATCHES) this.sweep();
  }

  /** Measures everything still waiting (end of input). */
  flush(): void {
    for (const segment of [...this.segments]) this.closeSegment(segment);
    for (const stream of this.streams.values()) this.drain(stream);
  }

  private drain(stream: NodeStream<T>): void {
    for (let d = stream.waiting.pop(); d !== undefined; d = stream.waiting.pop()) this.measure(d);
  }

  get pairCount(): number {
    let n = 0;
    for (const stream of this.streams.values()) n += stream.pairs.size;
    return n;
  }

  private measure(d: Dispatch<T>): void {
    this.measureOne(d);
    if (this.spare.length < MAX_SPARE) {
      d.tag = undefined as T;
      this.spare.push(d);
    }
  }

  private measureOne(d: Dispatch<T>): void {
    const pair = d.pair;
    if (d.dispatchedMs < pair.cursorMs) {
      // Arrived after later requests on the pair were measured: its own gap is unknown. Its end still
      // matters to the requests after it, unless they were measured already.
      if (d.freesConnection) {
        keepEnd(pair, d.endMs);
        if (d.endMs > pair.cursorMs) pair.inFlightEndsMs.push(d.endMs);
        else {
          if (d.endMs > pair.latestEndMs) pair.latestEndMs = d.endMs;
          this.stats.outOfOrder++;
        }
      }
      this.stats.unknownGap++;
      this.sink(d.tag, null, pair, false);
      return;
    }
    const ends = pair.inFlightEndsMs;
    while (ends.size > 0 && ends.peek() <= d.dispatchedMs) {
      const endMs = ends.pop();
      if (endMs > pair.latestEndMs) pair.latestEndMs = endMs;
    }
    if (pair.latestEndMs !== -Infinity) pair.headOpen = false;
    const pending = pair.headOpen;
    const idleGapMs = pair.latestEndMs === -Infinity ? null : gapOrNone(d.dispatchedMs - pair.latestEndMs);
    pair.cursorMs = d.dispatchedMs;
    pair.measuredCount++;
    if (d.freesConnection) {
      pair.lastAnsweredDispatchMs = d.dispatchedMs;
      if (pair.firstAnsweredDispatchesMs.length < FIRST_ANSWERS) pair.firstAnsweredDispatchesMs.push(d.dispatchedMs);
    }
    this.sink(d.tag, idleGapMs, pair, pending);
    pair.recentDispatchedMs[pair.recentNext] = d.dispatchedMs;
    pair.recentEndMs[pair.recentNext] = d.freesConnection ? d.endMs : NaN;
    pair.recentNext = (pair.recentNext + 1) % RECENT_REQUESTS;
    if (d.freesConnection) {
      ends.push(d.endMs);
      keepEnd(pair, d.endMs);
    }
  }

  /** Forgets pairs idle for hours (targets replaced by autoscaling or deploys), so memory follows live pairs. */
  private sweep(): void {
    this.sinceSweep = 0;
    for (const stream of this.streams.values()) {
      const before = stream.pairs.size;
      const horizonMs = stream.newestTimeMs - FORGET_PAIR_AFTER_MS;
      stream.pairs.retain((pair) => {
        if (pair.lastActivityMs >= horizonMs || pair.inFlightEndsMs.size > 0) return true;
        this.onForget(pair);
        return false;
      });
      this.stats.forgottenPairs += before - stream.pairs.size;
    }
  }
}

/**
 * An idle gap longer than FORGET_PAIR_AFTER_MS counts as none: the ALB's longest idle timeout (4000 s) has
 * closed that connection, and the answer must not depend on whether the pair was forgotten in between.
 */
export function gapOrNone(gapMs: number): number | null {
  return gapMs > FORGET_PAIR_AFTER_MS ? null : gapMs;
}

export const pairKey = (node: string | null, target: string): string => `${node ?? '-'} ${target}`;

function newStream<T>(node: string | null, opened: (pair: PairState) => void): NodeStream<T> {
  return {
    node,
    waiting: new KeyedHeap<Dispatch<T>>((d) => d.dispatchedMs),
    pairs: new ByteInterner<PairState>((target) => {
      const pair = newPair(node, target);
      opened(pair);
      return pair;
    }),
    newestTimeMs: -Infinity,
    windowMs: REORDER_WINDOW_MS,
  };
}

function newPair(node: string | null, target: string): PairState {
  return {
    node,
    target,
    latestEndMs: -Infinity,
    cursorMs: -Infinity,
    inFlightEndsMs: new NumberHeap(),
    lastActivityMs: -Infinity,
    recentDispatchedMs: new Float64Array(RECENT_REQUESTS).fill(NaN),
    recentEndMs: new Float64Array(RECENT_REQUESTS).fill(NaN),
    recentNext: 0,
    lastAnsweredDispatchMs: NaN,
    measuredCount: 0,
    headOpen: false,
    firstAnsweredDispatchesMs: [],
    firstEndMs: Infinity,
    windowEndsMs: [],
    windowEndsFloorMs: -Infinity,
    windowEndsPruneAt: WINDOW_ENDS_MIN,
  };
}
