/**
 * The mergeable analysis: shards and windows accumulated apart, stored as JSON, merged and concluded give
 * the report a single pass gives, to the byte. Ground truth is the single pass itself (a different path:
 * one accumulator sees every entry), on the generator's scenarios.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asContext, mergeAll, mergeStates, settleGap } from '../../src/analyze/merge.js';
import type { PairTail } from '../../src/analyze/state.js';
import { accumulateInput, reportFromState, runReport, type AnalysisState, type CauseEvent } from '../../src/run.js';
import { classifyLogName } from '../../src/sources/logNames.js';
import { scenario, simulate, type DeepPartial, type PoolPolicy, type PresetName, type Scenario, type SimulationResult } from '../generator/index.js';
import { itemsOf } from './harness.js';

const HOUR_MS = 3_600_000;

interface Case {
  preset: PresetName;
  seed: number;
  poolPolicy?: PoolPolicy;
  /** Scenario changes; a case with one has a name for it. */
  override?: DeepPartial<Scenario>;
  variant?: string;
}

const CASES: Case[] = [
  { preset: 'node', seed: 1 },
  { preset: 'node', seed: 2, poolPolicy: 'oldest' },
  { preset: 'gunicorn', seed: 1 },
  { preset: 'mixed', seed: 1 },
  { preset: 'healthy', seed: 1 },
  { preset: 'maxRequests', seed: 1, poolPolicy: 'oldest' },
  // A fix (5 s → 65 s) mid-run, with an ALB slower to see FINs so the races before it are many: the merged
  // report must find the same race change as the single pass.
  {
    preset: 'node',
    seed: 3,
    variant: 'fixed at 3 h',
    override: { finDelayMs: [5, 20], groups: { api: { server: { keepAliveChange: { atHours: 3, keepAliveTimeoutMs: 65_000 } } } } },
  },
  // Drain windows across the joins, at the presets' 25 requests/s: a rolling deploy whose first target
  // stops 108 s before the hour, and a scale-in 18 s before it, so bursts span both windows and both shards.
  { preset: 'rollout', seed: 1, variant: 'deploy across the hour', override: { durationMs: 2 * HOUR_MS, groups: { api: { deploys: { atHours: [0.97] } } } } },
  { preset: 'scaleIn', seed: 2, variant: 'scale-in across the hour', override: { durationMs: 2 * HOUR_MS, groups: { api: { scaleIn: { atHours: [0.995], targets: 2 } } } } },
];

const simulations = new Map<string, SimulationResult>();
function simulated(c: Case): SimulationResult {
  const key = `${c.preset}/${c.seed}/${c.poolPolicy ?? 'mru'}/${c.variant ?? ''}`;
  let sim = simulations.get(key);
  if (!sim) simulations.set(key, (sim = simulate(scenario(c.preset, c.override, c.poolPolicy ? { poolPolicy: c.poolPolicy } : {}), c.seed)));
  return sim;
}

/** A state as the Lambda job stores it and a worker sends it: through JSON and back. */
const stored = (state: AnalysisState): AnalysisState => JSON.parse(JSON.stringify(state)) as AnalysisState;

const nodeOf = (key: string): string | null => {
  const verdict = classifyLogName(basename(key), true);
  return verdict.kind === 'alb' ? verdict.nodeIp : null;
};

const sortedEvents = (events: CauseEvent[]): string[] => events.map((e) => JSON.stringify(e)).sort();

describe.each(CASES)('$preset, seed $seed, $poolPolicy pool $variant', (c) => {
  it('shards by ALB node, accumulated apart and merged, give the single-pass report and events', async () => {
    const sim = simulated(c);
    const singleEvents: CauseEvent[] = [];
    const single = await runReport(itemsOf(sim), {}, { onEvent: (e) => singleEvents.push(e) });

    const nodes = [...new Set(sim.files.map((f) => nodeOf(f.key)))].sort();
    expect(nodes.length).toBeGreaterThan(1);
    const shardOf = (key: string): number => nodes.indexOf(nodeOf(key)) % 2;
    const shardEvents: CauseEvent[] = [];
    const states: AnalysisState[] = [];
    for (const shard of [0, 1]) {
      const files = { ...sim, files: sim.files.filter((f) => shardOf(f.key) === shard) };
      const { state } = await accumulateInput(itemsOf(files), {}, { onEvent: (e) => shardEvents.push(e) });
      states.push(stored(state));
    }
    // Shards of different nodes merge in either order.
    for (const merged of [mergeStates(states[0]!, states[1]!), mergeStates(states[1]!, states[0]!)]) {
      const events = [...shardEvents];
      const report = reportFromState(merged, { onEvent: (e) => events.push(e) });
      expect(JSON.stringify(report)).toBe(JSON.stringify(single.report));
      expect(sortedEvents(events)).toEqual(sortedEvents(singleEvents));
    }
  });

  it('hourly windows accumulated in any order, merged in time order, give the single-pass report', async () => {
    const sim = simulated(c);
    const startMs = Date.parse(sim.truth.start);
    const endMs = startMs + sim.truth.durationMs;
    const single = await runReport(itemsOf(sim), { fromMs: startMs, toMs: endMs });
    expect(single.report.classes).not.toEqual({});
    if (c.variant === 'fixed at 3 h') expect(single.report.targetGroups.map((g) => g.raceChange?.verdict)).toContain('stopped');

    const windows: { fromMs: number; toMs: number }[] = [];
    for (let fromMs = startMs; fromMs < endMs; fromMs += HOUR_MS) windows.push({ fromMs, toMs: Math.min(endMs, fromMs + HOUR_MS) });
    expect(windows.length).toBeGreaterThan(1);
    const states = new Map<number, AnalysisState>();
    // Accumulated last window first: each stands alone until merged.
    for (const window of [...windows].reverse()) {
      const { state } = await accumulateInput(itemsOf(sim), { ...window, contextBeforeMs: 0 });
      states.set(window.fromMs, stored(state));
    }
    const merged = mergeAll(windows.map((w) => states.get(w.fromMs)!));
    expect(merged.counters.overlappingPairs).toBe(0);
    expect(JSON.stringify(reportFromState(merged))).toBe(JSON.stringify(single.report));
    if (c.variant?.endsWith('across the hour') === true) {
      // The burst that straddles the join is one burst, measured as a single pass measures it.
      const bursts = single.report.targetGroups.flatMap((g) => g.drain ?? []);
      expect(bursts.length).toBe(1);
      expect(bursts[0]!.firstFailure < new Date(startMs + HOUR_MS).toISOString()).toBe(true);
      expect(bursts[0]!.lastFailure > new Date(startMs + HOUR_MS).toISOString()).toBe(true);
    }
  });
});

/**
 * The presets' real traffic (25 requests/s and more): a pair then has dozens of requests in flight across
 * a join, more than the last RECENT_REQUESTS it replays for races. Windows split at the hour and at
 * awkward moments: mid-burst (halfway through the first target's drain window), a few seconds after
 * the hour, and three windows at once.
 */
interface BusyCase {
  preset: PresetName;
  seed: number;
  variant: string;
  override: DeepPartial<Scenario>;
}

const BUSY: BusyCase[] = [
  { preset: 'rollout', seed: 3, variant: 'deploy across the hour at 25/s', override: { durationMs: 2 * HOUR_MS, groups: { api: { deploys: { atHours: [0.97] } } } } },
  { preset: 'scaleIn', seed: 4, variant: 'scale-in across the hour at 25/s', override: { durationMs: 2 * HOUR_MS, groups: { api: { scaleIn: { atHours: [0.995], targets: 2 } } } } },
  { preset: 'sample', seed: 5, variant: 'sample at 25/s', override: { durationMs: 2 * HOUR_MS, traffic: { ratePerSec: 25 } } },
];

/** Split points (epoch ms) inside the run: the hour, mid-burst, just after the hour, and two at once. */
function splitsOf(sim: SimulationResult): number[][] {
  const startMs = Date.parse(sim.truth.start);
  const deploy = sim.truth.groups.flatMap((g) => g.deploys)[0];
  const midBurstMs = deploy ? Date.parse(deploy.downFrom) + (deploy.routedWhileDownSeconds * 1000) / 2 : startMs + 1.5 * HOUR_MS + 1234;
  return [[startMs + HOUR_MS], [Math.round(midBurstMs)], [startMs + HOUR_MS + 7_321], [startMs + 37 * 60_000 + 11, Math.round(midBurstMs) + 2_500]];
}

describe.each(BUSY)('$preset, seed $seed, $variant', (c) => {
  const sim = (): SimulationResult => simulated({ preset: c.preset, seed: c.seed, override: c.override, variant: c.variant });

  it('windows split at the hour and mid-burst, merged in time order, give the single-pass report', async () => {
    const s = sim();
    const startMs = Date.parse(s.truth.start);
    const endMs = startMs + s.truth.durationMs;
    const single = await runReport(itemsOf(s), { fromMs: startMs, toMs: endMs });
    for (const splits of splitsOf(s)) {
      const bounds = [startMs, ...splits, endMs];
      const windows = bounds.slice(1).map((toMs, i) => ({ fromMs: bounds[i]!, toMs }));
      const states: AnalysisState[] = [];
      for (const window of windows) states.push(stored((await accumulateInput(itemsOf(s), { ...window, contextBeforeMs: 0 })).state));
      const merged = mergeAll(states);
      expect(merged.counters.overlappingPairs).toBe(0);
      expect(JSON.stringify(reportFromState(merged)), `split at ${splits.map((t) => new Date(t).toISOString()).join(', ')}`).toBe(JSON.stringify(single.report));
    }
  }, 240_000);

  it('shards by ALB node give the single-pass report', async () => {
    const s = sim();
    const single = await runReport(itemsOf(s), {});
    const nodes = [...new Set(s.files.map((f) => nodeOf(f.key)))].sort();
    const states: AnalysisState[] = [];
    for (const shard of [0, 1]) {
      const files = { ...s, files: s.files.filter((f) => nodes.indexOf(nodeOf(f.key)) % 2 === shard) };
      states.push(stored((await accumulateInput(itemsOf(files), {})).state));
    }
    expect(JSON.stringify(reportFromState(mergeStates(states[0]!, states[1]!)))).toBe(JSON.stringify(single.report));
  }, 120_000);
});

describe('merge', () => {
  it('settles a pair whose only earlier request was in the window before, and says so when windows overlap', async () => {
    const sim = simulated(CASES[0]!);
    const startMs = Date.parse(sim.truth.start);
    const first = (await accumulateInput(itemsOf(sim), { fromMs: startMs, toMs: startMs + HOUR_MS, contextBeforeMs: 0 })).state;
    const second = (await accumulateInput(itemsOf(sim), { fromMs: startMs + HOUR_MS, toMs: startMs + 2 * HOUR_MS, contextBeforeMs: 0 })).state;
    // The second window alone leaves its pairs' first requests pending; the merge measures them.
    const pendingHeads = second.pairs.reduce((n, p) => n + p.headRequests.length, 0);
    expect(pendingHeads).toBeGreaterThan(0);
    const alone = reportFromState(second);
    const merged = mergeStates(first, second);
    const requestsWithGap = (s: AnalysisState): number => s.groups.reduce((n, g) => n + g.idleRequests.reduce((m, [, k]) => m + k, 0), 0);
    expect(requestsWithGap(merged)).toBe(requestsWithGap(first) + requestsWithGap(second) + pendingHeads);
    expect(alone.notes.join(' ')).not.toMatch(/overlap/);
    // Merged the wrong way round, the pairs' times overlap: counted and noted, never silent.
    const wrong = mergeStates(second, first);
    expect(wrong.counters.overlappingPairs).toBeGreaterThan(0);
    expect(reportFromState(wrong).notes.join(' ')).toMatch(/overlap in time/);
  });

  it('measures a head request against the ends the tail keeps, and says when it needed an older one', () => {
    const tail: PairTail = {
      latestEndMs: 3_000,
      cursorMs: 3_100,
      inFlightEndsMs: [3_500],
      lastActivityMs: 3_500,
      lastAnsweredDispatchMs: 3_100,
      measuredCount: 50,
      recent: { dispatchedMs: [2_900, 3_100], endMs: [3_000, 3_500] },
      windowEndsMs: [1_000, 2_000, 3_000, 3_500],
      windowEndsFloorMs: 500,
    };
    // Older than the recent requests, still in the window's ends: exact.
    expect(settleGap(tail, 2_500)).toEqual({ gapMs: 500, settled: true });
    expect(settleGap(tail, 600)).toEqual({ gapMs: 100, settled: true });
    // Before the floor: the end it needed was dropped with the requests older than the window.
    expect(settleGap(tail, 400)).toEqual({ gapMs: null, settled: false });
    // A tail written before it kept its window's ends has only its last requests: taken as it is.
    const older: PairTail = { ...tail };
    delete older.windowEndsMs;
    delete older.windowEndsFloorMs;
    expect(settleGap(older, 2_500)).toEqual({ gapMs: null, settled: true });
  });

  it('counts and notes the head requests it could not settle exactly', async () => {
    const sim = simulated(CASES[0]!);
    const startMs = Date.parse(sim.truth.start);
    const first = stored((await accumulateInput(itemsOf(sim), { fromMs: startMs, toMs: startMs + HOUR_MS, contextBeforeMs: 0 })).state);
    const second = (await accumulateInput(itemsOf(sim), { fromMs: startMs + HOUR_MS, toMs: startMs + 2 * HOUR_MS, contextBeforeMs: 0 })).state;
    expect(reportFromState(mergeStates(first, second)).notes.join(' ')).not.toMatch(/reordering window \(360 s\) before/);
    // As if the first window had dropped an end later than the head requests of a pair (a request longer than the window).
    const head = second.pairs.find((p) => p.headRequests.length > 0)!;
    const edge = first.pairs.find((p) => p.key === head.key)!;
    edge.tail.windowEndsFloorMs = Math.max(...head.headRequests.map(([d]) => d)) + 1;
    const merged = mergeStates(first, second);
    expect(merged.counters.unsettledGaps).toBeGreaterThanOrEqual(head.headRequests.length);
    expect(reportFromState(merged).notes.join(' ')).toMatch(/at the start of a merged window began more than the reordering window \(360 s\) before/);
  });

  it('takes the window before as context only: the report a single pass gives with that hour as look-back', async () => {
    const sim = simulated(CASES[0]!);
    const startMs = Date.parse(sim.truth.start);
    const windows = [0, 1, 2].map((h) => ({ fromMs: startMs + h * HOUR_MS, toMs: startMs + (h + 1) * HOUR_MS, contextBeforeMs: 0 }));
    const [before, ...rest] = await Promise.all(windows.map(async (w) => (await accumulateInput(itemsOf(sim), w)).state));
    const single = await runReport(itemsOf(sim), { fromMs: windows[1]!.fromMs, toMs: windows[2]!.toMs, contextBeforeMs: HOUR_MS });
    const merged = reportFromState(mergeAll([asContext(stored(before!)), ...rest]));
    expect(JSON.stringify(merged)).toBe(JSON.stringify(single.report));
    // Without the context the first requests of each pair have no gap: fewer requests in the idle-age histogram.
    const withoutContext = reportFromState(mergeAll(rest));
    const measured = (r: typeof merged): number => r.targetGroups.reduce((n, g) => n + g.idleAge.buckets.reduce((m, b) => m + b.requests, 0), 0);
    expect(measured(withoutContext)).toBeLessThan(measured(merged));
  });

  it('counts a file read by two windows once, with its entries split between them', async () => {
    const sim = simulated(CASES[0]!);
    const startMs = Date.parse(sim.truth.start);
    const a = (await accumulateInput(itemsOf(sim), { fromMs: startMs, toMs: startMs + HOUR_MS, contextBeforeMs: 0 })).state;
    const b = (await accumulateInput(itemsOf(sim), { fromMs: startMs + HOUR_MS, toMs: startMs + 2 * HOUR_MS, contextBeforeMs: 0 })).state;
    const merged = reportFromState(mergeStates(a, b));
    const lines = sim.files.reduce((n, f) => n + f.lines.length, 0);
    expect(merged.input.files).toBe(sim.files.length);
    expect(merged.input.lines).toBe(lines);
    const inWindow = sim.files
      .flatMap((f) => f.lines)
      .filter((text) => {
        const t = Date.parse(text.split(' ')[1]!);
        return t >= startMs && t < startMs + 2 * HOUR_MS;
      }).length;
    expect(merged.input.entries - merged.input.outsideWindow).toBe(inWindow);
  });
});
