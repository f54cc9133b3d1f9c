/**
 * The accumulated state of one shard or time window: plain data that serialises to JSON (the Lambda job
 * stores it, worker threads send it). accumulate.ts fills it, merge.ts combines two, conclude.ts decides
 * once. Nothing here is decided yet: race-shaped 502s are held with their context, and the requests at
 * the start of each (ALB node, target) pair whose idle gap lies in an earlier window are held too, with
 * the pair's tail that a later window needs.
 *
 * JSON has no NaN or Infinity: "none" is null throughout.
 */
import type { ErrorJson } from '../errors.js';
import type { CauseClass, ClassCounts, SkipReason } from '../types.js';
import type { RaceShape } from './classify.js';
import type { ConnectionStats } from './connections.js';

export const STATE_KIND = 'alb-doctor/analysis-state';
export const STATE_VERSION = 1;

export interface AnalysisState {
  kind: typeof STATE_KIND;
  version: typeof STATE_VERSION;
  /** The --from/--to (or the window's) bounds in epoch ms; null when open. */
  window: { fromMs: number | null; toMs: number | null };
  /** First and last `time` of the entries counted in the window; null when none. */
  firstTimeMs: number | null;
  lastTimeMs: number | null;
  input: InputAccount;
  /** Per target group (ARN `-` for entries with none), sorted by ARN. */
  groups: GroupAccount[];
  /** 504 target-timeout elapsed times, [10 ms step, count], ascending (albIdle.ts). */
  idleTimeoutElapsed: [number, number][];
  timeline: TimelineState;
  connections: ConnectionStats;
  counters: Counters;
  /** Race-shaped 502s, undecided until conclude (races.ts). */
  races: RaceRecord[];
  /** Errors with a final class whose idle gap was pending at the start of a pair: emitted by conclude. */
  events: EventRecord[];
  /** Per (node, target) pair: its pending head and its tail, sorted by key. */
  pairs: PairEdge[];
  /**
   * The first entries of each (group, final class) by time, file and line (samples.ts); races join them at
   * conclude. Absent in states stored before samples were kept: read as none.
   */
  samples?: SampleRecord[];
  /**
   * Per group over time: requests, and requests by idle gap, for finding when races stopped or started
   * (raceExposure.ts). Absent in states stored before it was kept: no race change is looked for.
   */
  raceExposure?: RaceExposureState;
  /**
   * Per target (`ip:port`), sorted: first and last appearance and answer, for drain windows (drain.ts); at
   * most MAX_TRACKED_TARGETS. Absent in states stored before drain windows were measured: read as none.
   */
  targets?: TargetActivity[];
  /** Targets past MAX_TRACKED_TARGETS, seen but not tracked. */
  untrackedTargets?: number;
  /** `target_reset` 502s on a target (requests cut while served), for drain bursts; at most MAX_HELD_RESETS. */
  resets?: HeldReset[];
  /** `target_reset` 502s past MAX_HELD_RESETS, counted only. */
  overflowResets?: number;
}

/** A request a target dropped while serving it (`target_reset`), where drain bursts need it. */
export interface HeldReset {
  arn: string;
  target: string;
  dispatchedMs: number;
  file: string;
  line: number;
}

/** One log object's lines, counted once however many windows read it. */
export interface FileAccount {
  name: string;
  /** The object's ETag where the source knows it (S3). */
  etag: string | null;
  bytes: number;
  plainBytes: number;
  lines: number;
  blankLines: number;
  /** Valid entries of the whole file. */
  entries: number;
  malformed: number;
  malformedByCode: Record<string, number>;
  /** Of `entries`, those inside this state's window (summed across windows). */
  inWindow: number;
  /** Of `entries`, those of another load balancer than --lb named (absent in states written before --lb filtered entries). */
  otherLoadBalancer?: number;
}

export interface InputAccount {
  files: FileAccount[];
  skipped: { name: string; reason: SkipReason }[];
  /** Skipped objects by reason, beyond the ones listed by name. */
  skippedByReason: Partial<Record<SkipReason, number>>;
  malformedSamples: ErrorJson[];
  unread: ErrorJson[];
}

export interface GroupAccount {
  arn: string;
  requests: number;
  classes: ClassCounts;
  /** Idle-gap histogram (histogram.ts edges): [bucket, requests] and [bucket, races], ascending. */
  idleRequests: [number, number][];
  idleRaces: [number, number][];
}

/** Requests and idle gaps per group and time bin (raceExposure.ts). */
export interface RaceExposureState {
  stepMs: number;
  minMs: number | null;
  maxMs: number | null;
  /** Per target group, sorted by ARN: [bin, bucket, count], ascending; bucket -1 counts all requests. */
  series: { arn: string; bins: [number, number, number][] }[];
}

export interface TimelineState {
  /** Internal step (timeline.ts ladder); buckets are [index·stepMs, +stepMs). */
  stepMs: number;
  /** First and last `time` added; null when empty. */
  minMs: number | null;
  maxMs: number | null;
  /** Per target group: [index, requests, races, otherErrors], ascending by index. */
  series: { arn: string; buckets: [number, number, number, number][] }[];
}

export interface Counters {
  entriesWithoutNode: number;
  detachedFiles: number;
  unknownNodeChunks: number;
  overflowRaces: number;
  /** Pairs whose requests in two merged states overlapped in time (merge needs windows in order or disjoint nodes). */
  overlappingPairs: number;
  /**
   * Requests at the head of a later window whose idle gap needed an end of the earlier window older than
   * what its tail keeps (one reordering window): measured against what it has (merge.ts settleGap).
   */
  unsettledGaps?: number;
}

/** Where an event sits, for --events and samples. */
export interface EventPlace {
  file: string;
  line: number;
  /** `time` as logged (microseconds kept). */
  time: string;
  timeMs: number;
  dispatchedMs: number;
  arn: string;
  target: string | null;
  node: string | null;
  /** The (node, target) pair it was measured on, when its node stream was (connections.ts pairKey). */
  pairKey: string | null;
  idleGapMs: number | null;
  /** The gap lies in an earlier window: settled by merge, or none at conclude. */
  gapPending: boolean;
}

export interface EventRecord extends EventPlace {
  cls: CauseClass;
}

export interface RaceRecord extends EventPlace {
  shape: RaceShape;
  /** Dispatch of the last answered request on the pair before this one; null if none seen. */
  answeredBeforeMs: number | null;
  /** Dispatch of the first answered request on the pair after this one; null if none seen (yet). */
  answeredAfterMs: number | null;
  /** The pair's last requests before this one, oldest first (connections.ts RECENT_REQUESTS). */
  recent: RecentJson | null;
  /** The line's client, request and answers, for the report's samples once the race is decided. */
  detail?: SampleDetail;
}

export interface RecentJson {
  dispatchedMs: number[];
  /** null where the request did not free a connection. */
  endMs: (number | null)[];
}

/** What a pair carries across a window boundary. */
export interface PairEdge {
  key: string;
  node: string | null;
  target: string;
  /** Plain requests whose gap is pending: [dispatchedMs, group ARN]. */
  headRequests: [number, string][];
  /** Dispatches of the first answered requests (connections.ts FIRST_ANSWERS): for the races of the window before. */
  firstAnsweredDispatchesMs: number[];
  /** Earliest end on the pair in this state. */
  firstEndMs: number;
  tail: PairTail;
}

/** The pair as the last request left it (connections.ts PairState). */
export interface PairTail {
  latestEndMs: number | null;
  cursorMs: number | null;
  inFlightEndsMs: number[];
  lastActivityMs: number;
  lastAnsweredDispatchMs: number | null;
  measuredCount: number;
  recent: RecentJson;
  /**
   * Ends of the requests that freed a connection, ascending, from one reordering window before
   * `lastActivityMs` on (connections.ts windowEndsMs): a later window's head requests are measured against
   * them, however many requests were in flight across the join. Absent in states written before.
   */
  windowEndsMs?: number[];
  /** The latest end before those (null: none). */
  windowEndsFloorMs?: number | null;
}

export const emptyConnectionStats = (): ConnectionStats => ({
  dispatches: 0,
  unknownGap: 0,
  outOfOrder: 0,
  maxWindowMs: 0,
  forgottenPairs: 0,
  detachedDispatches: 0,
});

/** Throws when `value` is not a state this version can read: a clear message for a stored file of another version. */
export function assertAnalysisState(value: unknown, source: string): asserts value is AnalysisState {
  const v = value as Partial<AnalysisState> | null;
  if (v === null || typeof v !== 'object' || v.kind !== STATE_KIND) throw new Error(`${source} is not an alb-doctor analysis state.`);
  if (v.version !== STATE_VERSION) throw new Error(`${source} is an analysis state of version ${String(v.version)}; this alb-doctor reads version ${STATE_VERSION}.`);
}

/** NaN and ±Infinity (the live structures' "none") → null, for JSON. */
export const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** What a sample entry shows of its line (samples.ts fills it). */
export interface SampleDetail {
  client: string | null;
  verb: string | null;
  url: string | null;
  protocol: string | null;
  elbStatusCode: number | null;
  targetStatusCode: number | null;
  /** request, target and response processing times in seconds, as logged (-1: none). */
  processingTimes: [number | null, number | null, number | null];
}

export interface SampleRecord extends SampleDetail {
  cls: CauseClass;
  arn: string;
  file: string;
  line: number;
  time: string;
  timeMs: number;
  target: string | null;
  node: string | null;
  idleGapMs: number | null;
}

/** One target's appearances in the window (dispatch times, epoch ms), for drain windows (drain.ts). */
export interface TargetActivity {
  /** `ip:port` as logged. */
  target: string;
  /** Its target group (the lowest ARN in code-unit order when the same ip:port is in several). */
  arn: string;
  firstSeenMs: number;
  lastSeenMs: number;
  requests: number;
  /** Requests the target answered (it sent a status). */
  answered: number;
  firstAnsweredMs: number | null;
  lastAnsweredMs: number | null;
}
