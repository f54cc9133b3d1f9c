/**
 * The final class of race-shaped 502s (classify.ts: shapes A, B, C), decided once the whole input is read
 * because it depends on context no single line has (domain.md §5):
 *
 * 1. Deploy runs. A target that stops listening (deploy, crash, scale-in without draining) refuses new
 *    connections: `-1 -1 -1` 502s in a run on that one target, across ALB nodes, with nothing served in
 *    between. Races are isolated: the target keeps answering other requests around them. A run is
 *    RUN_MIN_EVENTS or more shape-B 502s on one target, each within RUN_GAP_MS of the previous one and
 *    with no answered request on its (node, target) pair since. Inside a run (and RUN_MARGIN_MS around it,
 *    where a graceful shutdown closes the idle connections) shape B is a `target_connection_error` and
 *    shapes A/C are `closed_connection_race`.
 * 2. Keep-alive races by idle gap: outside runs, a gap inside the group's keep-alive band (keepalive.ts).
 * 3. Keep-alive races by replay, for gaps below the band. The gap is the idle age of the connection that
 *    finished last; the ALB may have used another one: with an oldest-first pool the oldest idle
 *    connection, and with either pool an older one when the last one was taken again by a request still
 *    in flight. So the pair's last RECENT_REQUESTS requests are replayed through a pool, oldest-first and
 *    newest-first, whose target closes connections idle past the band; if the connection such a pool
 *    would have handed out had an idle age inside the band, the 502 is a keep-alive race. A stray close
 *    (request-count limit, worker recycling) matches only if it happens to hit the moment a connection
 *    of racing age was next in line, which the replay makes rare (measured on the generator's
 *    request-count scenarios: no such match).
 * 4. A lone shape-B 502 after which its pair got no answer for REFUSAL_SILENCE_MS is a
 *    `target_connection_error` (a deploy too quiet to leave a run). Such 502s are also left out of the
 *    keep-alive fit and of the replay: a refusal's gap is wherever the last request happened to end.
 * 5. Everything else race-shaped is a `closed_connection_race`: the target closed the connection for a
 *    reason with no timing signature (request-count limits, worker recycling, shutdown).
 */
import type { CauseClass } from '../types.js';
import type { RaceShape } from './classify.js';
import { REFUSAL_SILENCE_MS, RUN_GAP_MS, RUN_MARGIN_MS, RUN_MIN_EVENTS } from './constants.js';
import { NumberHeap } from './heaps.js';
import type { RecentRequests } from './connections.js';
import { isKeepAliveGap, type KeepAliveFit } from './keepalive.js';

export { REFUSAL_SILENCE_MS, RUN_GAP_MS, RUN_MARGIN_MS, RUN_MIN_EVENTS } from './constants.js';

/** What final classification needs of a race-shaped 502, and no more. */
export interface RaceCandidate {
  shape: RaceShape;
  dispatchedMs: number;
  idleGapMs: number | null;
  target: string;
  /** Dispatch of the last answered request on the same (node, target) pair before this one; NaN if none. */
  answeredBeforeMs: number;
  /** Dispatch of the first answered request on the pair after this one; NaN if none followed. */
  answeredAfterMs: number;
  /** The pair's requests just before this one (connections.ts), to replay its pool. */
  recent: RecentRequests | null;
}

/** Shape B and no answer on its pair for REFUSAL_SILENCE_MS after: more likely a refusal than a race. */
export function looksRefused(c: RaceCandidate): boolean {
  return c.shape === 'B' && !(c.answeredAfterMs - c.dispatchedMs < REFUSAL_SILENCE_MS);
}

/** For each candidate, whether it lies in a deploy run of its target (same order as the input). */
export function markDeployRuns(candidates: readonly RaceCandidate[]): boolean[] {
  const inRun = new Array<boolean>(candidates.length).fill(false);
  const byTarget = new Map<string, number[]>();
  candidates.forEach((c, i) => {
    let list = byTarget.get(c.target);
    if (!list) byTarget.set(c.target, (list = []));
    list.push(i);
  });
  for (const indexes of byTarget.values()) {
    indexes.sort((a, b) => candidates[a]!.dispatchedMs - candidates[b]!.dispatchedMs);
    const refusals = indexes.map((i) => candidates[i]!).filter((c) => c.shape === 'B');
    const spans: [number, number][] = [];
    let runStart = 0;
    for (let k = 1; k <= refusals.length; k++) {
      if (k < refusals.length) {
        const previous = refusals[k - 1]!;
        const current = refusals[k]!;
        const chained = current.dispatchedMs - previous.dispatchedMs <= RUN_GAP_MS && !(current.answeredBeforeMs > previous.dispatchedMs);
        if (chained) continue;
      }
      if (k - runStart >= RUN_MIN_EVENTS) spans.push([refusals[runStart]!.dispatchedMs - RUN_MARGIN_MS, refusals[k - 1]!.dispatchedMs + RUN_MARGIN_MS]);
      runStart = k;
    }
    if (spans.length === 0) continue;
    for (const i of indexes) {
      const t = candidates[i]!.dispatchedMs;
      if (spans.some(([from, to]) => t >= from && t <= to)) inRun[i] = true;
    }
  }
  return inRun;
}

/** How many race-shaped 502s below the band the pool replay looked at, and how many it explained. */
export interface HistoryEvidence {
  belowBand: number;
  matched: number;
}

/** Classes for candidates, in input order, given deploy runs and the group's keep-alive fit. */
export function classifyRaces(candidates: readonly RaceCandidate[], inRun: readonly boolean[], fit: KeepAliveFit): { classes: CauseClass[]; history: HistoryEvidence } {
  const classes: CauseClass[] = candidates.map((c, i) => {
    if (inRun[i]) return c.shape === 'B' ? 'target_connection_error' : 'closed_connection_race';
    return c.idleGapMs !== null && isKeepAliveGap(c.idleGapMs, fit) ? 'keepalive_race' : 'closed_connection_race';
  });
  const history: HistoryEvidence = { belowBand: 0, matched: 0 };
  const band = fit.raceGapRangeMs;
  const lonelyRefusals = (): void => {
    candidates.forEach((c, i) => {
      if (!inRun[i] && classes[i] === 'closed_connection_race' && looksRefused(c)) classes[i] = 'target_connection_error';
    });
  };
  if (band === null) {
    lonelyRefusals();
    return { classes, history };
  }
  const matchedIndexes: number[] = [];
  candidates.forEach((c, i) => {
    if (inRun[i] || classes[i] === 'keepalive_race' || c.recent === null) return;
    if (c.idleGapMs !== null && c.idleGapMs > band[0]) return;
    // A refusal replays like anything else; its dead target's silence gives it away.
    if (looksRefused(c)) return;
    history.belowBand++;
    const inBand = (ageMs: number): boolean => ageMs >= band[0] && ageMs <= band[1];
    if (inBand(replayIdleAgeMs(c.recent, c.dispatchedMs, band[1], 'oldest')) || inBand(replayIdleAgeMs(c.recent, c.dispatchedMs, band[1], 'newest'))) {
      matchedIndexes.push(i);
    }
  });
  history.matched = matchedIndexes.length;
  for (const i of matchedIndexes) classes[i] = 'keepalive_race';
  lonelyRefusals();
  return { classes, history };
}

/**
 * Replays the pair's recent requests through a pool (oldest idle connection first, or newest) whose target
 * closes connections idle longer than `closedAfterMs`, and returns the idle age of the connection such a
 * pool would hand the request dispatched at `dispatchedMs` (NaN when it would open a new one). The pool
 * starts empty at the first remembered request; a connection idle since before that is missed, which
 * only loses matches. The newest-first replay differs from the plain idle gap when the connection that
 * finished last was taken again by a request still in flight.
 */
export function replayIdleAgeMs(recent: RecentRequests, dispatchedMs: number, closedAfterMs: number, pick: 'oldest' | 'newest'): number {
  const idleSinceMs: number[] = [];
  const busyUntilMs = new NumberHeap();
  const take = (atMs: number): number => {
    while (busyUntilMs.size > 0 && busyUntilMs.peek() <= atMs) idleSinceMs.push(busyUntilMs.pop());
    let head = 0;
    while (head < idleSinceMs.length && atMs - idleSinceMs[head]! > closedAfterMs) head++;
    idleSinceMs.splice(0, head);
    const since = pick === 'oldest' ? idleSinceMs.shift() : idleSinceMs.pop();
    return since === undefined ? NaN : atMs - since;
  };
  for (let i = 0; i < recent.dispatchedMs.length; i++) {
    take(recent.dispatchedMs[i]!);
    const endMs = recent.endMs[i]!;
    if (!Number.isNaN(endMs)) busyUntilMs.push(endMs);
  }
  return take(dispatchedMs);
}
