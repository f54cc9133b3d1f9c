/**
 * Accuracy against the generator's truth labels beyond plain keep-alive races: groups set right (no
 * keep-alive advice, deploy 502s as deploys), request-count closes, every error class of the mixed
 * scenario, every race shape, 504s at the ALB idle timeout, and inputs that hide the node or come out of
 * order.
 */
import { describe, expect, it } from 'vitest';
import { analyse, groupPair, runScenario, score, type ClassScore } from './harness.js';
import type { TruthClass } from '../generator/index.js';

const describeScore = (s: ClassScore): string =>
  `tp ${s.truePositives}, fp ${s.falsePositives}, fn ${s.falseNegatives} (precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)})`;

const keepAliveAdvice = (run: Awaited<ReturnType<typeof runScenario>>): unknown[] =>
  run.report.recommendations.filter((r) => r.targetKeepAliveSeconds !== null);

describe('groups set right (65 s and 75 s behind a 60 s ALB) with deploys', () => {
  it.each([1, 2])('seed %i: no keep-alive race, no keep-alive advice, deploy 502s found and explained', async (seed) => {
    const run = await runScenario('healthy', seed);
    expect(run.events.filter((e) => e.class === 'keepalive_race')).toEqual([]);
    expect(keepAliveAdvice(run)).toEqual([]);
    for (const g of run.report.targetGroups) expect(g.keepAlive.confidence).toBe('none');
    const deploys = score(run.sim.labels, run.events, 'target_connection_error');
    expect(deploys.truePositives).toBeGreaterThan(20);
    expect(deploys.precision, describeScore(deploys)).toBeGreaterThanOrEqual(0.95);
    expect(deploys.recall, describeScore(deploys)).toBeGreaterThanOrEqual(0.95);
    expect(run.report.recommendations.some((r) => /Drain/.test(r.action))).toBe(true);
  });
});

describe('request-count closes (Gunicorn --max-requests, nginx keepalive_requests)', () => {
  it('reads them as closed-connection races, not keep-alive races', async () => {
    const run = await runScenario('maxRequests', 1, { durationMs: 3_600_000 });
    expect(run.events.filter((e) => e.class === 'keepalive_race')).toEqual([]);
    expect(keepAliveAdvice(run)).toEqual([]);
    const closed = score(run.sim.labels, run.events, 'closed_connection_race');
    expect(closed.truePositives).toBeGreaterThan(25);
    expect(closed.precision, describeScore(closed)).toBeGreaterThanOrEqual(0.95);
    expect(closed.recall, describeScore(closed)).toBeGreaterThanOrEqual(0.95);
    expect(run.report.recommendations.some((r) => /Connection: close/.test(r.action))).toBe(true);
  });
});

describe('every cause at once (Node, Gunicorn with --max-requests, nginx, a 60 s server, Lambda)', () => {
  const CLASSES: TruthClass[] = [
    'keepalive_race',
    'target_connection_error',
    'target_reset',
    'target_5xx',
    'target_timeout',
    'connect_timeout',
    'no_healthy_targets',
    'lambda_error',
    'client_closed',
    'alb_rejected',
  ];
  it.each(['mru', 'oldest'] as const)('%s pool: each class found with precision and recall ≥ 0.95; T for both racing groups', async (poolPolicy) => {
    const run = await runScenario('mixed', 1, { poolPolicy });
    for (const cls of CLASSES) {
      const s = score(run.sim.labels, run.events, cls);
      if (s.truePositives + s.falseNegatives < 5) continue;
      expect(s.precision, `${cls}: ${describeScore(s)}`).toBeGreaterThanOrEqual(cls === 'keepalive_race' ? 0.98 : 0.95);
      expect(s.recall, `${cls}: ${describeScore(s)}`).toBeGreaterThanOrEqual(0.95);
    }
    expect(run.report.albIdleTimeoutSeconds).toEqual({ value: 60, source: 'inferred' });
    for (const [group, server] of [['api', 'nodejs'], ['app', 'gunicorn']] as const) {
      const { truth, report } = groupPair(run, group);
      const t = truth.idleCloseMs! / 1000;
      const { estimatedSeconds, lowSeconds, highSeconds } = report!.keepAlive;
      if (server === 'nodejs') expect(Math.abs(estimatedSeconds! - t) / t).toBeLessThanOrEqual(0.05);
      else {
        // A late closer's few races spread over [T, T + 1 s]: T̂ sits at the lowest of them (within its
        // measurement error), so never below T by more than that nor above the spread, and the interval
        // runs below T̂ and up to the highest race.
        expect(estimatedSeconds!).toBeGreaterThanOrEqual(t * 0.999 - 0.003);
        expect(estimatedSeconds!).toBeLessThan(truth.raceIdleRangeMs![1] / 1000);
        expect(lowSeconds!).toBeLessThan(estimatedSeconds!);
        expect(highSeconds!).toBeGreaterThan(t);
      }
      expect(report!.suspectedServers).toContain(server);
    }
    for (const group of ['web', 'legacy', 'hooks']) {
      const { truth } = groupPair(run, group);
      expect(run.report.recommendations.filter((r) => r.targetGroup === truth.arn && r.targetKeepAliveSeconds !== null)).toEqual([]);
    }
  });
});

describe('race shapes', () => {
  it.each([
    ['B only (-1 -1 -1, like refusals), with deploys on the same group', { A: 0, B: 1, C: 0 }],
    ['C only (tpt -1)', { A: 0, B: 0, C: 1 }],
  ] as const)('%s', async (_name, raceShapeWeights) => {
    const run = await runScenario('node', 1, {}, { raceShapeWeights, groups: { api: { deploys: { atHours: [1, 3, 5] } } } });
    const { truth, report } = groupPair(run, 'api');
    const races = score(run.sim.labels, run.events, 'keepalive_race', truth.arn);
    expect(races.precision, describeScore(races)).toBeGreaterThanOrEqual(0.98);
    expect(races.recall, describeScore(races)).toBeGreaterThanOrEqual(0.95);
    const deploys = score(run.sim.labels, run.events, 'target_connection_error', truth.arn);
    expect(deploys.recall, describeScore(deploys)).toBeGreaterThanOrEqual(0.95);
    expect(Math.abs(report!.keepAlive.estimatedSeconds! - 6) / 6).toBeLessThanOrEqual(0.05);
  });
});

describe('504s at another ALB idle timeout', () => {
  it('infers 30 s from them and recommends 35 s', async () => {
    const run = await runScenario('node', 1, {}, { albIdleTimeoutMs: 30_000, groups: { api: { hangRate: 0.002 } } });
    expect(run.report.albIdleTimeoutSeconds).toEqual({ value: 30, source: 'inferred' });
    const timeouts = score(run.sim.labels, run.events, 'target_timeout');
    expect(timeouts.recall, describeScore(timeouts)).toBeGreaterThanOrEqual(0.95);
    const { truth } = groupPair(run, 'api');
    const advice = run.report.recommendations.find((r) => r.targetGroup === truth.arn && r.targetKeepAliveSeconds !== null);
    expect(advice?.targetKeepAliveSeconds).toBe(35);
  });
});

describe('inputs that hide the node or come out of order', () => {
  it('one concatenated file without node: parts cut at jumps back in time, races still found', async () => {
    const run = await runScenario('node', 1, {}, undefined, { noNode: true });
    const { truth, report } = groupPair(run, 'api');
    const races = score(run.sim.labels, run.events, 'keepalive_race', truth.arn);
    expect(races.precision, describeScore(races)).toBeGreaterThanOrEqual(0.98);
    expect(races.recall, describeScore(races)).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(report!.keepAlive.estimatedSeconds! - 6) / 6).toBeLessThanOrEqual(0.05);
    expect(run.report.notes.some((n) => n.includes('name no ALB node'))).toBe(true);
  });

  it('files in reverse order: each measured on its own, most races still found', async () => {
    // A file measured on its own loses the gap of the first request of each connection in it, which is
    // where quiet pairs race; in time order (as S3 lists them) nothing is lost.
    const run = await runScenario('node', 2);
    run.sim.files.reverse();
    const { report, events } = await analyse(run.sim);
    const { truth } = groupPair(run, 'api');
    const races = score(run.sim.labels, events, 'keepalive_race', truth.arn);
    expect(races.precision, describeScore(races)).toBeGreaterThanOrEqual(0.98);
    expect(races.recall, describeScore(races)).toBeGreaterThanOrEqual(0.85);
    expect(report.notes.some((n) => n.includes('measured on their own'))).toBe(true);
  });
});
