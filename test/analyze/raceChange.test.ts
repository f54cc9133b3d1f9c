/**
 * Race changes against the generator's truth: a Node.js group whose keep-alive timeout goes from 5 s to
 * 65 s at a known moment (the fix), traffic that halves with nothing fixed, too little data, and races
 * that start mid-window (65 s → 5 s), each over several seeds, through `report` (raceChange, verdict,
 * advice) and `compare`. The moments and what happened at them come from the scenario and the generator's
 * per-line labels, never from the analyzer.
 */
import { describe, expect, it } from 'vitest';
import { runCompare } from '../../src/run.js';
import { render } from '../../src/report/render/index.js';
import { analyse, itemsOf } from './harness.js';
import { scenario, simulate, type DeepPartial, type Scenario, type SimulationResult } from '../generator/index.js';

const HOUR_MS = 3_600_000;
const START_ISO = '2026-03-14T00:00:00Z';
const START_MS = Date.parse(START_ISO);
const DURATION_MS = 8 * HOUR_MS;
const CHANGE_HOURS = 4;
const CHANGE_MS = START_MS + CHANGE_HOURS * HOUR_MS;
const SEEDS = [1, 2, 3];

/**
 * Enough idle reuse to race tens of times an hour: 3 nodes × 7 targets, each pair seeing a request every
 * few seconds (connections sit idle about as long as Node's 6 s close), a flat day, and an ALB that takes
 * 5–20 ms to process a FIN (a wider race window than the default 1–8 ms, so a few hours hold enough races
 * for the compare test's power).
 */
function run(seed: number, api: DeepPartial<Scenario['groups'][string]>, traffic: DeepPartial<Scenario['traffic']> = {}): SimulationResult {
  const override = {
    startIso: START_ISO,
    nodeCount: 3,
    finDelayMs: [5, 20],
    traffic: { diurnalAmplitude: 0, ...traffic },
    groups: { api: { targetCount: 7, ...api } },
  } as DeepPartial<Scenario>;
  return simulate(scenario('node', override, { durationMs: DURATION_MS, ratePerSec: 4.5 }), seed);
}

/** `time` of each keep-alive race the generator labelled in `group`, from the logged line itself. */
function trueRaceTimes(sim: SimulationResult, group: string): number[] {
  const arn = sim.truth.groups.find((g) => g.name === group)!.arn;
  const lines = new Map(sim.files.map((f) => [f.key, f.lines]));
  return sim.labels
    .filter((l) => l.class === 'keepalive_race' && l.targetGroup === arn)
    .map((l) => Date.parse(lines.get(l.file)![l.line - 1]!.split(' ')[1]!));
}

const apiArn = (sim: SimulationResult): string => sim.truth.groups.find((g) => g.name === 'api')!.arn;

async function compare(sim: SimulationResult, before: [number, number], after: [number, number]) {
  const { comparison } = await runCompare(
    { before: itemsOf(sim), after: itemsOf(sim) },
    { before: { fromMs: before[0], toMs: before[1] }, after: { fromMs: after[0], toMs: after[1] } },
  );
  return comparison.targetGroups.find((g) => g.arn === apiArn(sim))!;
}

describe('a fix at a known moment (keep-alive 5 s → 65 s)', () => {
  it.each(SEEDS)('seed %i: report says the races stopped there, compare says fixed; a few minutes each say cannot-tell', async (seed) => {
    const sim = run(seed, { server: { keepAliveChange: { atHours: CHANGE_HOURS, keepAliveTimeoutMs: 65_000 } } });
    // The generator's truth: races before the fix only (a connection idle at the fix still closes at 6 s).
    const races = trueRaceTimes(sim, 'api');
    expect(races.length).toBeGreaterThan(60);
    expect(Math.max(...races)).toBeLessThan(CHANGE_MS + 10_000);

    const { report } = await analyse(sim);
    const group = report.targetGroups.find((g) => g.arn === apiArn(sim))!;
    expect(group.raceChange?.verdict).toBe('stopped');
    expect(Math.abs(Date.parse(group.raceChange!.at) - CHANGE_MS)).toBeLessThanOrEqual(15 * 60_000);
    expect(group.raceChange!.after.races).toBe(0);
    expect(group.raceChange!.after.exposedRequests).toBeGreaterThan(0);
    expect(group.raceChange!.pValue).toBeLessThan(0.001);
    const verdict = report.verdict.targetGroups.find((g) => g.arn === group.arn)!;
    expect(verdict.status).toBe('stopped');
    expect(verdict.reasons[0]!.code).toBe('RACES_STOPPED');
    expect(report.verdict.status).toBe('stopped');
    const advice = report.recommendations.filter((r) => r.targetGroup === group.arn && r.targetKeepAliveSeconds !== null);
    expect(advice.map((r) => (r as { kind?: string }).kind)).toEqual(['keepalive_verify']);
    // The verdict leads with it, and the timelines mark the moment.
    const text = render.text(report, { color: false });
    expect(text.slice(text.indexOf('VERDICT'), text.indexOf('INPUT'))).toMatch(/^VERDICT\n {2}▸ shop-prod-api: Races stopped at about/);
    for (const format of ['text', 'markdown', 'html'] as const) expect(render[format](report, { color: false })).toContain('▲ races stopped about');

    const fixed = await compare(sim, [START_MS, CHANGE_MS], [CHANGE_MS + 60_000, START_MS + DURATION_MS]);
    expect(fixed.verdict).toBe('fixed');
    expect(fixed.after.races).toBe(0);
    expect(fixed.rateRatio.high!).toBeLessThan(0.5);

    // Ten minutes either side hold a handful of races: far too few to see even a halving.
    const short = await compare(sim, [CHANGE_MS - 20 * 60_000, CHANGE_MS - 10 * 60_000], [CHANGE_MS + 60_000, CHANGE_MS + 11 * 60_000]);
    expect(short.verdict).toBe('cannot-tell');
  }, 240_000);
});

describe('traffic that halves with nothing fixed', () => {
  it.each(SEEDS)('seed %i: no race change, and compare never claims an improvement', async (seed) => {
    const sim = run(seed, {}, { rateChanges: [{ atHours: CHANGE_HOURS, factor: 0.5 }] });
    const races = trueRaceTimes(sim, 'api');
    // The generator's truth: the targets still race after the traffic halves.
    expect(races.filter((t) => t >= CHANGE_MS).length).toBeGreaterThan(0);

    const { report } = await analyse(sim);
    const group = report.targetGroups.find((g) => g.arn === apiArn(sim))!;
    expect(group.raceChange).toBeNull();
    expect(report.verdict.targetGroups.find((g) => g.arn === group.arn)!.status).toBe('races');

    const result = await compare(sim, [START_MS, CHANGE_MS], [CHANGE_MS, START_MS + DURATION_MS]);
    expect(['unchanged', 'cannot-tell']).toContain(result.verdict);
    // Fewer requests after, but not fewer races per exposed request.
    expect(result.after.requests).toBeLessThan(0.7 * result.before.requests);
  }, 240_000);
});

describe('races that start mid-window (keep-alive 65 s → 5 s)', () => {
  it.each(SEEDS)('seed %i: report says the races started there; compare, with no race before, cannot tell', async (seed) => {
    const sim = run(seed, { server: { keepAliveTimeoutMs: 65_000, keepAliveChange: { atHours: CHANGE_HOURS, keepAliveTimeoutMs: 5000 } } });
    const races = trueRaceTimes(sim, 'api');
    expect(races.length).toBeGreaterThan(60);
    expect(Math.min(...races)).toBeGreaterThanOrEqual(CHANGE_MS);

    const { report } = await analyse(sim);
    const group = report.targetGroups.find((g) => g.arn === apiArn(sim))!;
    expect(group.raceChange?.verdict).toBe('started');
    expect(Math.abs(Date.parse(group.raceChange!.at) - CHANGE_MS)).toBeLessThanOrEqual(15 * 60_000);
    expect(group.raceChange!.before.races).toBe(0);
    const verdict = report.verdict.targetGroups.find((g) => g.arn === group.arn)!;
    expect(verdict.status).toBe('races');
    expect(verdict.reasons[0]!.code).toBe('RACES_STARTED');
    expect(report.recommendations.some((r) => r.targetGroup === group.arn && (r as { kind?: string }).kind === 'keepalive')).toBe(true);

    const result = await compare(sim, [START_MS, CHANGE_MS], [CHANGE_MS, START_MS + DURATION_MS]);
    expect(result.before.races).toBe(0);
    expect(result.after.races).toBeGreaterThan(0);
    expect(result.verdict).toBe('cannot-tell');
  }, 240_000);
});
