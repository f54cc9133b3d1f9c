/**
 * Drain windows: how long the ALB kept routing requests to targets that no longer listened, per target
 * and burst of refused connections (`target_connection_error`), and what kind of event left them:
 *
 * - `deploy`: targets fail one after another and each answers again (restarted) or is replaced (new
 *   targets appear in the group around it): a rolling deploy whose drain was too short.
 * - `scale-in`: the targets of one burst fail at once (their first refusals within SIMULTANEOUS_MS), none
 *   answers again and no target joins the group: scale-in or node removal with no deploy running.
 * - `misconfiguration`: every target in the burst failed from its first appearance in the log, never
 *   answered before: wrong port or protocol, a security group that refuses the ALB, HTTP to an HTTPS group.
 *
 * Per target and burst: the last answered request before it, the first and last refused one, and when the
 * target answered again (or its last appearance, when it vanished); and the requests it dropped while
 * serving them around the burst (`target_reset`: killed with requests in flight). The window is last refusal − first
 * refusal (dispatch times): the target had stopped listening by the first, the ALB routed to it until the
 * last. The advice sizes the drain from the longest window of a rollout.
 *
 * What this needs beyond the held race records (whose classes, pair context and answers conclude.ts
 * decides) is a small record per target: first and last appearance and answer (TargetActivity), kept in
 * the plain-JSON state and merged by min/max/sum. Memory: one record per target, at most
 * MAX_TRACKED_TARGETS (later targets are counted, not tracked: their bursts get no appearance times).
 */
import { BURST_GAP_MS, MAX_DRAIN_BURSTS, MAX_TRACKED_TARGETS, ROLLOUT_GAP_MS, SIMULTANEOUS_MS } from './constants.js';
import type { HeldReset, RaceRecord, TargetActivity } from './state.js';

export type { TargetActivity } from './state.js';

export { BURST_GAP_MS, MAX_DRAIN_BURSTS, MAX_TRACKED_TARGETS, ROLLOUT_GAP_MS, SIMULTANEOUS_MS } from './constants.js';

export type DrainKind = 'deploy' | 'scale-in' | 'misconfiguration';

/** One target's refusals in one burst. */
export interface TargetBurst {
  target: string;
  /** Dispatch of the last request it answered before the burst; null when none was seen. */
  lastAnsweredMs: number | null;
  firstFailureMs: number;
  lastFailureMs: number;
  /** Dispatch of the first request it answered after the burst; null when it never did. */
  answeredAgainMs: number | null;
  /** Its last appearance in the log (null when not tracked). */
  lastSeenMs: number | null;
  failures: number;
  /**
   * Requests the target dropped while serving them (`target_reset`) within BURST_GAP_MS of the burst: the
   * target was killed with requests in flight, its grace before the forced stop shorter than they took.
   */
  resets: number;
  /** lastFailureMs − firstFailureMs, in seconds. */
  windowSeconds: number;
}

/** Bursts of one target group that belong together (a rollout, a scale-in), with their kind. */
export interface DrainEpisode {
  kind: DrainKind;
  firstFailureMs: number;
  lastFailureMs: number;
  /** The longest window of its targets, in seconds. */
  windowSeconds: number;
  failures: number;
  /** The targets' resets (TargetBurst.resets), summed. */
  resets: number;
  targets: TargetBurst[];
}

/** Live per-target records while accumulating: one object per target, updated in place. */
export class TargetActivityKeeper {
  private readonly byTarget = new Map<string, TargetActivity>();
  untracked = 0;
  private readonly untrackedTargets = new Set<string>();

  /** One in-window request to `target` of group `arn`, dispatched at `dispatchedMs`. */
  add(target: string, arn: string, dispatchedMs: number, answered: boolean): void {
    let a = this.byTarget.get(target);
    if (a === undefined) {
      if (this.byTarget.size >= MAX_TRACKED_TARGETS) {
        if (!this.untrackedTargets.has(target)) {
          this.untrackedTargets.add(target);
          this.untracked++;
        }
        return;
      }
      a = { target, arn, firstSeenMs: dispatchedMs, lastSeenMs: dispatchedMs, requests: 0, answered: 0, firstAnsweredMs: null, lastAnsweredMs: null };
      this.byTarget.set(target, a);
    }
    if (arn !== a.arn && arn < a.arn) a.arn = arn;
    a.requests++;
    if (dispatchedMs < a.firstSeenMs) a.firstSeenMs = dispatchedMs;
    if (dispatchedMs > a.lastSeenMs) a.lastSeenMs = dispatchedMs;
    if (answered) {
      a.answered++;
      if (a.firstAnsweredMs === null || dispatchedMs < a.firstAnsweredMs) a.firstAnsweredMs = dispatchedMs;
      if (a.lastAnsweredMs === null || dispatchedMs > a.lastAnsweredMs) a.lastAnsweredMs = dispatchedMs;
    }
  }

  toState(): TargetActivity[] {
    return [...this.byTarget.values()].map((a) => ({ ...a })).sort(byTarget);
  }
}

const byTarget = (x: { target: string }, y: { target: string }): number => (x.target < y.target ? -1 : x.target > y.target ? 1 : 0);
const minOf = (x: number | null, y: number | null): number | null => (x === null ? y : y === null ? x : Math.min(x, y));
const maxOf = (x: number | null, y: number | null): number | null => (x === null ? y : y === null ? x : Math.max(x, y));

/** Two states' target records combined (any order: shards or windows); past the cap, the first targets by name stay. */
export function mergeTargetActivity(a: readonly TargetActivity[], b: readonly TargetActivity[]): { targets: TargetActivity[]; dropped: number } {
  const out = new Map<string, TargetActivity>(a.map((t) => [t.target, { ...t }]));
  for (const t of b) {
    const x = out.get(t.target);
    if (!x) {
      out.set(t.target, { ...t });
      continue;
    }
    x.arn = t.arn < x.arn ? t.arn : x.arn;
    x.firstSeenMs = Math.min(x.firstSeenMs, t.firstSeenMs);
    x.lastSeenMs = Math.max(x.lastSeenMs, t.lastSeenMs);
    x.requests += t.requests;
    x.answered += t.answered;
    x.firstAnsweredMs = minOf(x.firstAnsweredMs, t.firstAnsweredMs);
    x.lastAnsweredMs = maxOf(x.lastAnsweredMs, t.lastAnsweredMs);
  }
  const targets = [...out.values()].sort(byTarget);
  return { targets: targets.slice(0, MAX_TRACKED_TARGETS), dropped: Math.max(0, targets.length - MAX_TRACKED_TARGETS) };
}

/**
 * The drain episodes of one target group from its refused connections (race records decided
 * `target_connection_error`, any order) and the per-target records of the whole input.
 */
export function drainEpisodes(
  refusals: readonly RaceRecord[],
  activity: ReadonlyMap<string, TargetActivity>,
  arn: string,
  resets: readonly HeldReset[] = [],
): DrainEpisode[] {
  const byTargetRecords = new Map<string, RaceRecord[]>();
  for (const r of refusals) {
    if (r.target === null) continue;
    const list = byTargetRecords.get(r.target);
    if (list) list.push(r);
    else byTargetRecords.set(r.target, [r]);
  }
  const bursts: TargetBurst[] = [];
  for (const [target, records] of byTargetRecords) {
    records.sort((x, y) => x.dispatchedMs - y.dispatchedMs || (x.file < y.file ? -1 : x.file > y.file ? 1 : 0) || x.line - y.line);
    let start = 0;
    for (let k = 1; k <= records.length; k++) {
      if (k < records.length) {
        const previous = records[k - 1]!;
        const current = records[k]!;
        // An answer on any of the target's pairs in between ends the burst: the target listened again.
        const answeredBetween =
          (current.answeredBeforeMs !== null && current.answeredBeforeMs > previous.dispatchedMs) ||
          (previous.answeredAfterMs !== null && previous.answeredAfterMs < current.dispatchedMs);
        if (current.dispatchedMs - previous.dispatchedMs <= BURST_GAP_MS && !answeredBetween) continue;
      }
      bursts.push(burstOf(target, records.slice(start, k), activity.get(target)));
      start = k;
    }
  }
  bursts.sort((x, y) => x.firstFailureMs - y.firstFailureMs || (x.target < y.target ? -1 : x.target > y.target ? 1 : 0));
  // A reset joins the nearest burst of its target within BURST_GAP_MS: a request cut as the target was killed.
  for (const reset of resets) {
    let best: TargetBurst | null = null;
    let bestDistance = Infinity;
    for (const burst of bursts) {
      if (burst.target !== reset.target) continue;
      const distance = Math.max(0, burst.firstFailureMs - reset.dispatchedMs, reset.dispatchedMs - burst.lastFailureMs);
      if (distance <= BURST_GAP_MS && distance < bestDistance) {
        best = burst;
        bestDistance = distance;
      }
    }
    if (best !== null) best.resets++;
  }

  const groupTargets = [...activity.values()].filter((t) => t.arn === arn);
  const groupFirstSeenMs = groupTargets.reduce((m, t) => Math.min(m, t.firstSeenMs), Infinity);
  const episodes: DrainEpisode[] = [];
  let current: TargetBurst[] = [];
  let currentEndMs = -Infinity;
  const close = (): void => {
    if (current.length > 0) episodes.push(episodeOf(current, activity, groupTargets, groupFirstSeenMs));
    current = [];
  };
  for (const burst of bursts) {
    if (current.length > 0 && burst.firstFailureMs > currentEndMs + ROLLOUT_GAP_MS) close();
    current.push(burst);
    currentEndMs = current.length === 1 ? burst.lastFailureMs : Math.max(currentEndMs, burst.lastFailureMs);
  }
  close();
  return episodes.slice(0, MAX_DRAIN_BURSTS);
}

function burstOf(target: string, records: readonly RaceRecord[], activity: TargetActivity | undefined): TargetBurst {
  const firstFailureMs = records[0]!.dispatchedMs;
  const lastFailureMs = records[records.length - 1]!.dispatchedMs;
  let lastAnsweredMs: number | null = null;
  let answeredAgainMs: number | null = null;
  for (const r of records) {
    if (r.answeredBeforeMs !== null && r.answeredBeforeMs < firstFailureMs) lastAnsweredMs = maxOf(lastAnsweredMs, r.answeredBeforeMs);
    if (r.answeredAfterMs !== null && r.answeredAfterMs > lastFailureMs) answeredAgainMs = minOf(answeredAgainMs, r.answeredAfterMs);
  }
  return {
    target,
    lastAnsweredMs,
    firstFailureMs,
    lastFailureMs,
    answeredAgainMs,
    lastSeenMs: activity?.lastSeenMs ?? null,
    failures: records.length,
    resets: 0,
    windowSeconds: Math.round(lastFailureMs - firstFailureMs) / 1000,
  };
}

function episodeOf(bursts: TargetBurst[], activity: ReadonlyMap<string, TargetActivity>, groupTargets: readonly TargetActivity[], groupFirstSeenMs: number): DrainEpisode {
  const firstFailureMs = bursts[0]!.firstFailureMs;
  const lastFailureMs = bursts.reduce((m, b) => Math.max(m, b.lastFailureMs), -Infinity);
  const cameBack = bursts.some((b) => b.answeredAgainMs !== null);
  // Failed from its first appearance: nothing answered before, and the first refusal is (about) its first request.
  const failedFromStart = !cameBack && bursts.every((b) => {
    const a = activity.get(b.target);
    return b.lastAnsweredMs === null && a !== undefined && (a.firstAnsweredMs === null || a.firstAnsweredMs > b.lastFailureMs) && b.firstFailureMs - a.firstSeenMs <= SIMULTANEOUS_MS;
  });
  const inBurst = new Set(bursts.map((b) => b.target));
  // Targets that joined the group around the burst (not at the log's start): replacements of a deploy.
  const joined = groupTargets.some(
    (t) => !inBurst.has(t.target) && t.firstSeenMs > groupFirstSeenMs + ROLLOUT_GAP_MS / 5 && t.firstSeenMs >= firstFailureMs - ROLLOUT_GAP_MS && t.firstSeenMs <= lastFailureMs + ROLLOUT_GAP_MS,
  );
  const atOnce = bursts.every((b) => b.firstFailureMs - firstFailureMs <= SIMULTANEOUS_MS);
  const kind: DrainKind = failedFromStart ? 'misconfiguration' : !cameBack && !joined && atOnce ? 'scale-in' : 'deploy';
  return {
    kind,
    firstFailureMs,
    lastFailureMs,
    windowSeconds: bursts.reduce((m, b) => Math.max(m, b.windowSeconds), 0),
    failures: bursts.reduce((n, b) => n + b.failures, 0),
    resets: bursts.reduce((n, b) => n + b.resets, 0),
    targets: bursts,
  };
}
