/**
 * A state (accumulate.ts, merge.ts) → the diagnosis, once: pending gaps are found to have none, the held
 * race-shaped 502s are decided per group (deploy runs, keep-alive fit, pool replay), the ALB idle timeout
 * is resolved, and everything a report needs is returned as plain values and group states. No I/O, no
 * wording: report/build.ts turns this into the Report.
 */
import type { ErrorJson } from '../errors.js';
import type { CauseClass, DescribedSettings } from '../types.js';
import { AlbIdleTimeoutInference, type IdleTimeoutSource } from './albIdle.js';
import type { ConnectionStats } from './connections.js';
import { eventOf, type CauseEvent } from './events.js';
import { GroupState } from './groups.js';
import { keepFirstSamples, sampleOf, type SampleRecord } from './samples.js';
import type { BandExposure } from './knownCloses.js';
import type { AnalysisState, Counters, HeldReset, RaceRecord } from './state.js';
import { TimelineCounter } from './timeline.js';
import { RaceExposure } from './raceExposure.js';
import { detectRaceChange, type RaceChange } from './raceChange.js';
import type { Timeline } from '../types.js';
import { drainEpisodes, type DrainEpisode, type TargetActivity } from './drain.js';

export interface ConcludeOptions {
  /** --alb-idle-timeout; when absent it is inferred from 504s, else the default. */
  albIdleTimeoutSeconds?: number;
  /** What --describe read from AWS: its idle timeout is used when the flag is absent and the load balancers agree. */
  described?: DescribedSettings;
  /** Each event not emitted while accumulating: the decided races and the errors whose gap was pending. */
  onEvent?: (event: CauseEvent) => void;
}

export interface InputSummary {
  files: number;
  bytes: number;
  plainBytes: number;
  lines: number;
  entries: number;
  malformed: number;
  blankLines: number;
  skippedFiles: number;
  /** Entries whose `time` fell outside the window. */
  outsideWindow: number;
  /** Entries of another load balancer than --lb named: left out. */
  otherLoadBalancer: number;
  malformedByCode: Record<string, number>;
  malformedSamples: ErrorJson[];
  skippedByReason: Record<string, number>;
  unread: ErrorJson[];
}

export interface Diagnosis {
  input: InputSummary;
  /** The window asked for (epoch ms), null when open. */
  window: { fromMs: number | null; toMs: number | null };
  /** Time the analysed entries cover (first to last `time` in the window), for per-day rates. */
  dataSpanMs: number;
  idleTimeout: { value: number; source: IdleTimeoutSource };
  idleTimeoutSamples: number;
  /** What --describe read (and could not); null without --describe. */
  described: DescribedSettings | null;
  /** Evidence in the logs against the --alb-idle-timeout given; null without the flag or without such evidence. */
  idleTimeoutConflict: IdleTimeoutConflict | null;
  /** Groups with requests or explained entries (the `-` group only with the latter), unordered. */
  groups: GroupState[];
  /** Per group (by ARN): what the traffic allowed at each known close time (knownCloses.ts). */
  exposure: Map<string, BandExposure[]>;
  /** The timeline over the window for the given groups, in that order. */
  timeline: (targetGroups: readonly string[]) => Timeline;
  connections: ConnectionStats;
  counters: Counters;
  /** The first entries of each (group, class) by time, file and line, races included (samples.ts). */
  samples: SampleRecord[];
  /** Per group (by ARN): bursts of refused connections with their drain windows and kind (drain.ts); groups without any are absent. */
  drain: Map<string, DrainEpisode[]>;
  /** Per target: first and last appearance and answer (drain.ts), by target. */
  targets: Map<string, TargetActivity>;
  /** Targets seen past the cap, not tracked. */
  untrackedTargets: number;
  /** Per group (by ARN) whose keep-alive races stopped or started during the window (raceChange.ts). */
  raceChanges: Map<string, RaceChange>;
  /** Every decided race-shaped 502 (keep-alive and closed-connection races): for comparing periods. */
  raceShaped: DecidedRace[];
}

export interface DecidedRace {
  arn: string;
  cls: CauseClass;
  idleGapMs: number | null;
  dispatchedMs: number;
}

/**
 * The logs say the ALB's idle timeout is not what --alb-idle-timeout says: the 504 target timeouts waited
 * another whole number of seconds (an ALB gives up on a silent target at its idle timeout), or a group
 * races at idle ages longer than the flag (an ALB closes an idle connection at its timeout, so it could
 * never have reused one that old).
 */
export interface IdleTimeoutConflict {
  flagSeconds: number;
  /** What the 504s give, with how many there were; null when they give nothing or agree with the flag. */
  inferredSeconds: number | null;
  timeoutSamples: number;
  /** Groups whose keep-alive estimate T̂ is longer than the flag, with T̂. */
  racingAboveFlag: { name: string; estimatedSeconds: number }[];
}

function idleTimeoutConflict(flagSeconds: number | undefined, inference: AlbIdleTimeoutInference, groups: Iterable<GroupState>): IdleTimeoutConflict | null {
  if (flagSeconds === undefined) return null;
  const inferred = inference.inferSeconds();
  const inferredSeconds = inferred !== null && inferred !== flagSeconds ? inferred : null;
  const racingAboveFlag: IdleTimeoutConflict['racingAboveFlag'] = [];
  for (const group of groups) {
    const estimate = group.fit.estimate.estimatedSeconds;
    if (group.classCount('keepalive_race') > 0 && estimate !== null && estimate > flagSeconds) racingAboveFlag.push({ name: group.name, estimatedSeconds: estimate });
  }
  if (inferredSeconds === null && racingAboveFlag.length === 0) return null;
  racingAboveFlag.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { flagSeconds, inferredSeconds, timeoutSamples: inference.samples, racingAboveFlag };
}

export function conclude(state: AnalysisState, options: ConcludeOptions = {}): Diagnosis {
  const idleTimeoutInference = AlbIdleTimeoutInference.fromState(state.idleTimeoutElapsed);
  const idleTimeout = idleTimeoutInference.resolve(options.albIdleTimeoutSeconds, describedIdleTimeout(options.described));
  const timeline = TimelineCounter.fromState(state.timeline);
  const groups = new Map(state.groups.map((g) => [g.arn, new GroupState(g)]));

  // What no earlier window settled has no gap: the pair's first requests of the whole input.
  for (const event of state.events) options.onEvent?.(eventOf({ ...event, idleGapMs: event.gapPending ? null : event.idleGapMs }, event.cls));

  const heldByGroup = new Map<string, RaceRecord[]>();
  for (const race of state.races) {
    const settled = race.gapPending ? { ...race, idleGapMs: null, gapPending: false } : race;
    const list = heldByGroup.get(race.arn);
    if (list) list.push(settled);
    else heldByGroup.set(race.arn, [settled]);
  }
  const decided: { race: RaceRecord; cls: CauseClass; group: GroupState }[] = [];
  const idleTimeoutMs = idleTimeout.value * 1000;
  const sortedHeld = [...heldByGroup.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  // Band fits first, so that a group with too few races for a band of its own can be tested at the T̂
  // another group of the same load balancer shows (knownCloses.ts).
  const fitted = sortedHeld.map(([arn, held]) => {
    // One order for every way the state was built (shards, windows, threads).
    held.sort(raceOrder);
    const group = groups.get(arn)!;
    return { held, group, races: group.fitBand(held, idleTimeoutMs) };
  });
  const otherEstimates = (group: GroupState): number[] =>
    [...groups.values()].filter((g) => g !== group && g.fit.method === 'band' && g.fit.estimate.confidence !== 'low').map((g) => g.fit.estimate.estimatedSeconds!);
  for (const { held, group, races } of fitted) {
    const classes = group.decide(races, idleTimeoutMs, otherEstimates(group));
    held.forEach((race, i) => decided.push({ race, cls: classes[i]!, group }));
  }
  decided.sort((a, b) => raceOrder(a.race, b.race));
  const samples = [...(state.samples ?? [])];
  for (const { race, cls, group } of decided) {
    if (race.detail !== undefined) samples.push(sampleOf(race, cls, race.detail));
    group.count(cls);
    if (cls === 'keepalive_race' && race.idleGapMs !== null) group.histogram.addRace(race.idleGapMs);
    timeline.add(race.arn, race.timeMs, cls === 'keepalive_race' ? 'races' : 'otherErrors');
    options.onEvent?.(eventOf(race, cls));
  }

  const refusalsByGroup = new Map<string, RaceRecord[]>();
  for (const { race, cls } of decided) {
    if (cls !== 'target_connection_error') continue;
    const list = refusalsByGroup.get(race.arn);
    if (list) list.push(race);
    else refusalsByGroup.set(race.arn, [race]);
  }
  const targets = new Map((state.targets ?? []).map((t) => [t.target, t]));
  const resetsByGroup = new Map<string, HeldReset[]>();
  for (const reset of state.resets ?? []) {
    const list = resetsByGroup.get(reset.arn);
    if (list) list.push(reset);
    else resetsByGroup.set(reset.arn, [reset]);
  }
  const drain = new Map([...refusalsByGroup.entries()].map(([arn, refusals]) => [arn, drainEpisodes(refusals, targets, arn, resetsByGroup.get(arn) ?? [])]));

  const first = state.firstTimeMs;
  const last = state.lastTimeMs;
  // The timeline shows the window asked for; rates per day use the time the entries actually cover.
  const windowFromMs = state.window.fromMs ?? first ?? Infinity;
  const windowToMs = state.window.toMs ?? (last === null ? -Infinity : last + 1);
  const dataSpanMs = first === null || last === null ? 0 : last - first;
  const exposure = new Map([...groups.values()].map((g) => [g.arn, g.exposure(idleTimeoutMs, dataSpanMs, otherEstimates(g))]));
  const raceChanges = findRaceChanges(state, groups, decided, first, last);
  return {
    input: summarizeInput(state),
    window: state.window,
    dataSpanMs,
    idleTimeout,
    idleTimeoutSamples: idleTimeoutInference.samples,
    described: options.described ?? null,
    idleTimeoutConflict: idleTimeoutConflict(options.albIdleTimeoutSeconds, idleTimeoutInference, groups.values()),
    groups: [...groups.values()].filter((g) => g.arn !== '-' || g.eventCount() > 0),
    exposure,
    timeline: (keys) => timeline.build(windowFromMs, windowToMs, keys),
    connections: state.connections,
    counters: state.counters,
    samples: keepFirstSamples(samples),
    raceChanges,
    raceShaped: decided
      .filter((d) => d.cls === 'keepalive_race' || d.cls === 'closed_connection_race')
      .map((d) => ({ arn: d.race.arn, cls: d.cls, idleGapMs: d.race.idleGapMs, dispatchedMs: d.race.dispatchedMs })),
    drain,
    targets,
    untrackedTargets: state.untrackedTargets ?? 0,
  };
}

/** Per group with keep-alive races: did they stop or start, measured on the exposure in its race band. */
function findRaceChanges(
  state: AnalysisState,
  groups: Map<string, GroupState>,
  decided: readonly { race: RaceRecord; cls: CauseClass }[],
  firstMs: number | null,
  lastMs: number | null,
): Map<string, RaceChange> {
  const out = new Map<string, RaceChange>();
  if (state.raceExposure === undefined || firstMs === null || lastMs === null) return out;
  const exposure = RaceExposure.fromState(state.raceExposure);
  const stepMs = exposure.stepMs;
  for (const group of groups.values()) {
    const range = group.fit.raceGapRangeMs;
    if (range === null || group.classCount('keepalive_race') === 0) continue;
    const bins = exposure.binsOf(group.arn, range[0], range[1]);
    const byStart = new Map(bins.map((b) => [b.startMs, b]));
    for (const { race, cls } of decided) {
      if (cls !== 'keepalive_race' || race.arn !== group.arn) continue;
      const bin = byStart.get(Math.floor(race.dispatchedMs / stepMs) * stepMs);
      if (bin) bin.races++;
    }
    const change = detectRaceChange(bins, firstMs, lastMs);
    if (change !== null) out.set(group.arn, change);
  }
  return out;
}

/** The idle timeout every described load balancer has; undefined when none was read or they differ (logs of several). */
export function describedIdleTimeout(described: DescribedSettings | undefined): number | undefined {
  const values = new Set((described?.loadBalancers ?? []).map((lb) => lb.idleTimeoutSeconds));
  return values.size === 1 ? [...values][0] : undefined;
}

function raceOrder(a: RaceRecord, b: RaceRecord): number {
  return a.timeMs - b.timeMs || a.dispatchedMs - b.dispatchedMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line;
}

function summarizeInput(state: AnalysisState): InputSummary {
  const out: InputSummary = {
    files: state.input.files.length,
    bytes: 0,
    plainBytes: 0,
    lines: 0,
    entries: 0,
    malformed: 0,
    blankLines: 0,
    skippedFiles: 0,
    outsideWindow: 0,
    otherLoadBalancer: 0,
    malformedByCode: {},
    malformedSamples: state.input.malformedSamples,
    skippedByReason: { ...state.input.skippedByReason } as Record<string, number>,
    unread: state.input.unread,
  };
  let inWindow = 0;
  for (const f of state.input.files) {
    out.bytes += f.bytes;
    out.plainBytes += f.plainBytes;
    out.lines += f.lines;
    out.entries += f.entries;
    out.malformed += f.malformed;
    out.blankLines += f.blankLines;
    inWindow += f.inWindow;
    out.otherLoadBalancer += f.otherLoadBalancer ?? 0;
    for (const [code, n] of Object.entries(f.malformedByCode)) out.malformedByCode[code] = (out.malformedByCode[code] ?? 0) + n;
  }
  for (const n of Object.values(state.input.skippedByReason)) out.skippedFiles += n ?? 0;
  out.outsideWindow = out.entries - inWindow - out.otherLoadBalancer;
  // Keys in one order whatever order the files came in (shards, windows).
  out.malformedByCode = sortedKeys(out.malformedByCode);
  out.skippedByReason = sortedKeys(out.skippedByReason);
  return out;
}

const sortedKeys = (record: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
