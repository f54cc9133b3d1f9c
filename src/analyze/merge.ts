/**
 * merge(a, b): two accumulated states → the state of both, pure. `a` comes before `b`: time windows in
 * time order, or shards of disjoint ALB nodes (any order). Merging windows left to right gives the state
 * a single pass over all of them would have given, so one window can be redone (a late file) without
 * redoing the windows after it.
 *
 * Counts, histograms, timelines and held races add up. What crosses the boundary is settled per (node,
 * target) pair (accumulate.ts): the requests at the head of a pair in `b`, whose idle gap lies in `a`, are
 * measured against `a`'s tail; `b`'s race records get the requests and the last answer before them from
 * `a`'s tail where their own window had too few; `a`'s races still waiting for an answer get `b`'s first.
 * A head request's gap is the latest end in `a` at or before its dispatch. The tail keeps every end of
 * its last reordering window (connections.ts windowEndsMs), however many requests were in flight across
 * the join, and the latest end before that; a head request dispatched more than a window before `a`'s
 * last request, with a later end of `a` before the window, lasted longer than the window: it is measured
 * against what the tail has and counted (`unsettledGaps`, noted in the report), never silently off.
 */
import { AlbIdleTimeoutInference } from './albIdle.js';
import { FIRST_ANSWERS, gapOrNone, RECENT_REQUESTS, REORDER_WINDOW_MS } from './connections.js';
import { addSparse, IDLE_BUCKET_COUNT, idleBucketIndex, toSparse } from './histogram.js';
import { mergeInput } from './inputAccount.js';
import type { AnalysisState, GroupAccount, PairEdge, PairTail, RaceRecord, RecentJson } from './state.js';
import { TimelineCounter } from './timeline.js';
import { compareText } from './accumulate.js';
import { keepFirstSamples } from './samples.js';
import { emptyRaceExposure, RaceExposure } from './raceExposure.js';
import { mergeTargetActivity } from './drain.js';
import { MAX_HELD_RESETS } from './constants.js';
import type { ClassCounts } from '../types.js';

export function mergeStates(a: AnalysisState, b: AnalysisState): AnalysisState {
  // Exposure over time only when both sides kept it: half of it would show a change that is not there.
  const exposure = a.raceExposure !== undefined && b.raceExposure !== undefined ? RaceExposure.fromState(a.raceExposure) : null;
  exposure?.addState(b.raceExposure);
  const groups = new GroupSums(a.groups, b.groups, exposure);
  const races = [...a.races.map((r) => ({ ...r })), ...b.races.map((r) => ({ ...r }))];
  const events = [...a.events.map((e) => ({ ...e })), ...b.events.map((e) => ({ ...e }))];
  const edgesA = new Map(a.pairs.map((p) => [p.key, p]));
  const pairs = new Map(a.pairs.map((p) => [p.key, p]));
  let overlappingPairs = 0;
  let unsettledGaps = 0;
  const gapAfter = (tail: PairTail, dispatchedMs: number): number | null => {
    const { gapMs, settled } = settleGap(tail, dispatchedMs);
    if (!settled) unsettledGaps++;
    return gapMs;
  };
  /** Gaps of `b`'s errors settled here, by file and line: their samples show them as a single pass would. */
  const settledGaps = new Map<string, number | null>();

  const bRacesByPair = byPair(races.slice(a.races.length));
  const aRacesByPair = byPair(races.slice(0, a.races.length));
  const bEventsByPair = byPair(events.slice(a.events.length));

  for (const later of b.pairs) {
    const earlier = edgesA.get(later.key);
    if (!earlier) {
      pairs.set(later.key, later);
      continue;
    }
    if (earlier.tail.lastActivityMs > later.firstEndMs) overlappingPairs++;
    const tail = earlier.tail;
    for (const [dispatchedMs, arn] of later.headRequests) {
      const gapMs = gapAfter(tail, dispatchedMs);
      if (gapMs !== null) groups.addRequest(arn, gapMs, dispatchedMs);
    }
    for (const event of bEventsByPair.get(later.key) ?? []) {
      if (!event.gapPending) continue;
      event.gapPending = false;
      event.idleGapMs = gapAfter(tail, event.dispatchedMs);
      if (event.idleGapMs !== null) groups.addRequest(event.arn, event.idleGapMs, event.dispatchedMs);
      settledGaps.set(`${event.file}\n${event.line}`, event.idleGapMs);
    }
    for (const race of bRacesByPair.get(later.key) ?? []) continueRace(race, tail, groups, gapAfter);
    for (const race of aRacesByPair.get(later.key) ?? []) {
      if (race.answeredAfterMs !== null) continue;
      const next = later.firstAnsweredDispatchesMs.find((d) => d > race.dispatchedMs);
      if (next !== undefined) race.answeredAfterMs = next;
    }
    pairs.set(later.key, joinEdges(earlier, later));
  }

  const unsettled = (a.counters.unsettledGaps ?? 0) + (b.counters.unsettledGaps ?? 0) + unsettledGaps;
  const timeline = TimelineCounter.fromState(a.timeline);
  timeline.addState(b.timeline);
  const targets = mergeTargetActivity(a.targets ?? [], b.targets ?? []);
  const untrackedTargets = (a.untrackedTargets ?? 0) + (b.untrackedTargets ?? 0) + targets.dropped;
  const allResets = [...(a.resets ?? []), ...(b.resets ?? [])];
  const overflowResets = (a.overflowResets ?? 0) + (b.overflowResets ?? 0) + Math.max(0, allResets.length - MAX_HELD_RESETS);
  return {
    kind: a.kind,
    version: a.version,
    window: {
      fromMs: a.window.fromMs === null || b.window.fromMs === null ? null : Math.min(a.window.fromMs, b.window.fromMs),
      toMs: a.window.toMs === null || b.window.toMs === null ? null : Math.max(a.window.toMs, b.window.toMs),
    },
    firstTimeMs: minOf(a.firstTimeMs, b.firstTimeMs),
    lastTimeMs: maxOf(a.lastTimeMs, b.lastTimeMs),
    input: mergeInput(a.input, b.input),
    groups: groups.toAccounts(),
    idleTimeoutElapsed: AlbIdleTimeoutInference.fromState([...a.idleTimeoutElapsed, ...b.idleTimeoutElapsed]).toState(),
    timeline: timeline.toState(),
    connections: {
      dispatches: a.connections.dispatches + b.connections.dispatches,
      unknownGap: a.connections.unknownGap + b.connections.unknownGap,
      outOfOrder: a.connections.outOfOrder + b.connections.outOfOrder,
      maxWindowMs: Math.max(a.connections.maxWindowMs, b.connections.maxWindowMs),
      forgottenPairs: a.connections.forgottenPairs + b.connections.forgottenPairs,
      detachedDispatches: a.connections.detachedDispatches + b.connections.detachedDispatches,
    },
    counters: {
      entriesWithoutNode: a.counters.entriesWithoutNode + b.counters.entriesWithoutNode,
      detachedFiles: a.counters.detachedFiles + b.counters.detachedFiles,
      unknownNodeChunks: a.counters.unknownNodeChunks + b.counters.unknownNodeChunks,
      overflowRaces: a.counters.overflowRaces + b.counters.overflowRaces,
      overlappingPairs: a.counters.overlappingPairs + b.counters.overlappingPairs + overlappingPairs,
      ...(unsettled > 0 && { unsettledGaps: unsettled }),
    },
    races,
    events,
    pairs: [...pairs.values()].sort((x, y) => compareText(x.key, y.key)),
    samples: keepFirstSamples([
      ...(a.samples ?? []),
      ...(b.samples ?? []).map((sample) => {
        const key = `${sample.file}\n${sample.line}`;
        return settledGaps.has(key) ? { ...sample, idleGapMs: settledGaps.get(key) ?? null } : sample;
      }),
    ]),
    ...(exposure !== null && { raceExposure: exposure.toState() }),
    targets: targets.targets,
    ...(untrackedTargets > 0 && { untrackedTargets }),
    resets: allResets.slice(0, MAX_HELD_RESETS),
    ...(overflowResets > 0 && { overflowResets }),
  };
}

/** Merges any number of states left to right (windows in time order). */
export function mergeAll(states: readonly AnalysisState[]): AnalysisState {
  if (states.length === 0) throw new Error('mergeAll needs at least one state');
  return states.reduce((merged, next) => mergeStates(merged, next));
}

/**
 * The idle gap of a request dispatched at `dispatchedMs` after the requests a tail remembers: to the
 * latest end at or before it (connections.ts measures the same way), none when nothing ended before it.
 * `settled`: the tail held that end for sure, i.e. the dispatch is not older than the ends it dropped
 * (always the case for a request shorter than the reordering window). A tail of a state written before
 * it kept its window's ends has only its last RECENT_REQUESTS requests, and is taken as it is.
 */
export function settleGap(tail: PairTail, dispatchedMs: number): { gapMs: number | null; settled: boolean } {
  let latestMs = -Infinity;
  const consider = (endMs: number | null | undefined): void => {
    if (endMs !== null && endMs !== undefined && endMs <= dispatchedMs && endMs > latestMs) latestMs = endMs;
  };
  consider(tail.latestEndMs);
  for (const endMs of tail.inFlightEndsMs) consider(endMs);
  for (const endMs of tail.recent.endMs) consider(endMs);
  consider(tail.windowEndsFloorMs);
  const ends = tail.windowEndsMs;
  if (ends !== undefined) {
    // Ascending: the last one at or before the dispatch.
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! <= dispatchedMs) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) consider(ends[lo - 1]!);
  }
  const floorMs = tail.windowEndsFloorMs ?? null;
  const settled = ends === undefined || floorMs === null || floorMs <= dispatchedMs;
  return { gapMs: latestMs === -Infinity ? null : gapOrNone(dispatchedMs - latestMs), settled };
}

/** A later window's race record, completed from the earlier window's tail of its pair. */
function continueRace(race: RaceRecord, tail: PairTail, groups: GroupSums, gapAfter: (tail: PairTail, dispatchedMs: number) => number | null): void {
  if (race.gapPending) {
    race.gapPending = false;
    race.idleGapMs = gapAfter(tail, race.dispatchedMs);
    if (race.idleGapMs !== null) groups.addRequest(race.arn, race.idleGapMs, race.dispatchedMs);
  }
  const earlierCursorMs = tail.cursorMs ?? -Infinity;
  if (race.recent !== null && (race.recent.dispatchedMs.length < RECENT_REQUESTS || race.recent.dispatchedMs[0]! < earlierCursorMs)) {
    race.recent = lastRecent(joinRecent(before(tail.recent, race.dispatchedMs), race.recent));
  }
  if (race.answeredBeforeMs === null || race.answeredBeforeMs < earlierCursorMs) {
    const earlier = lastAnsweredBefore(tail, race.dispatchedMs);
    if (earlier !== null && (race.answeredBeforeMs === null || earlier > race.answeredBeforeMs)) race.answeredBeforeMs = earlier;
  }
}

function lastAnsweredBefore(tail: PairTail, dispatchedMs: number): number | null {
  if (tail.lastAnsweredDispatchMs !== null && tail.lastAnsweredDispatchMs < dispatchedMs) return tail.lastAnsweredDispatchMs;
  let best: number | null = null;
  tail.recent.dispatchedMs.forEach((d, i) => {
    if (tail.recent.endMs[i] !== null && d < dispatchedMs && (best === null || d > best)) best = d;
  });
  return best;
}

/** One pair's edge across both states: the earlier head, the later tail, both joined where they continue. */
function joinEdges(earlier: PairEdge, later: PairEdge): PairEdge {
  const a = earlier.tail;
  const b = later.tail;
  const cursorMs = maxOf(a.cursorMs, b.cursorMs);
  const cursor = cursorMs ?? -Infinity;
  let latestEndMs = b.latestEndMs;
  const inFlightEndsMs = [...b.inFlightEndsMs];
  for (const endMs of [a.latestEndMs, ...a.inFlightEndsMs]) {
    if (endMs === null) continue;
    if (endMs <= cursor) latestEndMs = maxOf(latestEndMs, endMs);
    else inFlightEndsMs.push(endMs);
  }
  return {
    key: earlier.key,
    node: earlier.node,
    target: earlier.target,
    headRequests: earlier.headRequests,
    firstAnsweredDispatchesMs: [...earlier.firstAnsweredDispatchesMs, ...later.firstAnsweredDispatchesMs].slice(0, FIRST_ANSWERS),
    firstEndMs: Math.min(earlier.firstEndMs, later.firstEndMs),
    tail: {
      latestEndMs,
      cursorMs,
      inFlightEndsMs: inFlightEndsMs.sort((x, y) => x - y),
      lastActivityMs: Math.max(a.lastActivityMs, b.lastActivityMs),
      lastAnsweredDispatchMs: maxOf(a.lastAnsweredDispatchMs, b.lastAnsweredDispatchMs),
      measuredCount: a.measuredCount + b.measuredCount,
      recent: lastRecent(joinRecent(a.recent, b.recent)),
      ...joinWindowEnds(a, b),
    },
  };
}

/** Both tails' window ends, pruned to one reordering window before the later activity (connections.ts pruneWindowEnds). */
function joinWindowEnds(a: PairTail, b: PairTail): Pick<PairTail, 'windowEndsMs' | 'windowEndsFloorMs'> {
  if (a.windowEndsMs === undefined || b.windowEndsMs === undefined) return {};
  const horizonMs = Math.max(a.lastActivityMs, b.lastActivityMs) - REORDER_WINDOW_MS;
  let floorMs = maxOf(a.windowEndsFloorMs ?? null, b.windowEndsFloorMs ?? null);
  const windowEndsMs: number[] = [];
  for (const endMs of [...a.windowEndsMs, ...b.windowEndsMs].sort((x, y) => x - y)) {
    if (endMs >= horizonMs) windowEndsMs.push(endMs);
    else floorMs = maxOf(floorMs, endMs);
  }
  return { windowEndsMs, windowEndsFloorMs: floorMs };
}

function before(recent: RecentJson, dispatchedMs: number): RecentJson {
  const keep = recent.dispatchedMs.map((d, i) => i).filter((i) => recent.dispatchedMs[i]! < dispatchedMs);
  return { dispatchedMs: keep.map((i) => recent.dispatchedMs[i]!), endMs: keep.map((i) => recent.endMs[i]!) };
}

/** Both lists in dispatch order (the earlier list first among equal times), as the pair measured them. */
function joinRecent(a: RecentJson, b: RecentJson): RecentJson {
  const rows = [
    ...a.dispatchedMs.map((d, i) => ({ d, e: a.endMs[i]!, from: 0, i })),
    ...b.dispatchedMs.map((d, i) => ({ d, e: b.endMs[i]!, from: 1, i })),
  ].sort((x, y) => x.d - y.d || x.from - y.from || x.i - y.i);
  return { dispatchedMs: rows.map((r) => r.d), endMs: rows.map((r) => r.e) };
}

const lastRecent = (r: RecentJson): RecentJson => ({ dispatchedMs: r.dispatchedMs.slice(-RECENT_REQUESTS), endMs: r.endMs.slice(-RECENT_REQUESTS) });

function byPair<T extends { pairKey: string | null }>(records: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of records) {
    if (r.pairKey === null) continue;
    const list = out.get(r.pairKey);
    if (list) list.push(r);
    else out.set(r.pairKey, [r]);
  }
  return out;
}

/** Target groups of both states, added up, with room for the gaps settled at the boundary. */
class GroupSums {
  private readonly sums = new Map<string, { requests: number; classes: ClassCounts; idleRequests: Float64Array; idleRaces: Float64Array }>();

  constructor(a: readonly GroupAccount[], b: readonly GroupAccount[], private readonly exposure: RaceExposure | null) {
    for (const list of [a, b]) {
      for (const g of list) {
        const sum = this.get(g.arn);
        sum.requests += g.requests;
        for (const [cls, n] of Object.entries(g.classes)) sum.classes[cls as keyof ClassCounts] = (sum.classes[cls as keyof ClassCounts] ?? 0) + n;
        addSparse(sum.idleRequests, g.idleRequests);
        addSparse(sum.idleRaces, g.idleRaces);
      }
    }
  }

  private get(arn: string) {
    let sum = this.sums.get(arn);
    if (!sum) this.sums.set(arn, (sum = { requests: 0, classes: {}, idleRequests: new Float64Array(IDLE_BUCKET_COUNT), idleRaces: new Float64Array(IDLE_BUCKET_COUNT) }));
    return sum;
  }

  addRequest(arn: string, gapMs: number, dispatchedMs: number): void {
    this.get(arn).idleRequests[idleBucketIndex(gapMs)]! += 1;
    this.exposure?.addGap(arn, dispatchedMs, gapMs);
  }

  toAccounts(): GroupAccount[] {
    return [...this.sums.entries()]
      .sort((x, y) => compareText(x[0], y[0]))
      .map(([arn, s]) => ({
        arn,
        requests: s.requests,
        classes: Object.fromEntries(Object.entries(s.classes).sort()),
        idleRequests: toSparse(s.idleRequests),
        idleRaces: toSparse(s.idleRaces),
      }));
  }
}

const minOf = (x: number | null, y: number | null): number | null => (x === null ? y : y === null ? x : Math.min(x, y));
const maxOf = (x: number | null, y: number | null): number | null => (x === null ? y : y === null ? x : Math.max(x, y));

/**
 * A state reduced to what a later window needs of it: its pairs' tails, none of its counts. Merged before
 * the first window of a report (`mergeStates(asContext(before), first)`), it settles that window's
 * pending idle gaps as the look-back before --from does for a single pass, without adding the earlier
 * window's requests, errors or input to the report.
 */
export function asContext(state: AnalysisState): AnalysisState {
  return {
    kind: state.kind,
    version: state.version,
    // A point at its end: the union with the next window is that window's bounds (open stays open).
    window: { fromMs: state.window.toMs, toMs: state.window.toMs },
    firstTimeMs: null,
    lastTimeMs: null,
    input: { files: [], skipped: [], skippedByReason: {}, malformedSamples: [], unread: [] },
    groups: [],
    idleTimeoutElapsed: [],
    timeline: { stepMs: state.timeline.stepMs, minMs: null, maxMs: null, series: [] },
    connections: { dispatches: 0, unknownGap: 0, outOfOrder: 0, maxWindowMs: 0, forgottenPairs: 0, detachedDispatches: 0 },
    counters: { entriesWithoutNode: 0, detachedFiles: 0, unknownNodeChunks: 0, overflowRaces: 0, overlappingPairs: 0 },
    races: [],
    events: [],
    pairs: state.pairs.map((p) => ({ ...p, headRequests: [], firstAnsweredDispatchesMs: [] })),
    ...(state.raceExposure !== undefined && { raceExposure: emptyRaceExposure() }),
  };
}
