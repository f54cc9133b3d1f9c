/**
 * Accuracy against the generator's truth labels (never against the analyzer's own output): keep-alive
 * races found with precision ≥ 0.98 and recall ≥ 0.95 per scenario and pool policy (summed over seeds),
 * T̂ within ±5 % of the true close time per seed, and no keep-alive advice for groups that do not race.
 * The generator's lines go through the real parser (readInput) into Analysis.
 */
import { describe, expect, it } from 'vitest';
import { groupPair, runScenario, score, sumScores, type ClassScore, type ScenarioRun } from './harness.js';
import type { PoolPolicy, PresetName } from '../generator/index.js';

const POLICIES: PoolPolicy[] = ['mru', 'oldest'];

interface Expectation {
  preset: PresetName;
  /** Short name of the racing group. */
  group: string;
  seeds: number[];
  /** A server id suspectedServers must name. */
  server: string;
}

const RACING: Expectation[] = [
  // Node's default keepAliveTimeout of 5 s: it closes at 6 s.
  { preset: 'node', group: 'api', seeds: [1, 2, 3], server: 'nodejs' },
  // Gunicorn --keep-alive 2 with its late closes over [2 s, 3 s].
  { preset: 'gunicorn', group: 'app', seeds: [1, 2], server: 'gunicorn' },
];

const describeScore = (s: ClassScore): string =>
  `tp ${s.truePositives}, fp ${s.falsePositives}, fn ${s.falseNegatives} (precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)})`;

for (const { preset, group, seeds, server } of RACING) {
  for (const poolPolicy of POLICIES) {
    describe(`${preset} targets, ${poolPolicy} pool`, () => {
      const runs: ScenarioRun[] = [];
      const scores: ClassScore[] = [];

      it.each(seeds)('seed %i: estimates T within 5 % and names the server and the fix', async (seed) => {
        const run = await runScenario(preset, seed, { poolPolicy });
        runs.push(run);
        const { truth, report } = groupPair(run, group);
        scores.push(score(run.sim.labels, run.events, 'keepalive_race', truth.arn));
        const trueSeconds = truth.idleCloseMs! / 1000;
        const estimate = report!.keepAlive.estimatedSeconds;
        expect(estimate, `T̂ for T = ${trueSeconds} s`).not.toBeNull();
        expect(Math.abs(estimate! - trueSeconds) / trueSeconds, `T̂ ${estimate} s for T = ${trueSeconds} s`).toBeLessThanOrEqual(0.05);
        expect(report!.suspectedServers).toContain(server);
        const advice = run.report.recommendations.filter((r) => r.targetGroup === truth.arn && r.targetKeepAliveSeconds !== null);
        expect(advice).toHaveLength(1);
        expect(advice[0]!.targetKeepAliveSeconds).toBe(65);
        // Groups that do not race get no keep-alive advice.
        for (const other of run.sim.truth.groups.filter((g) => g.arn !== truth.arn)) {
          expect(run.report.recommendations.filter((r) => r.targetGroup === other.arn && r.targetKeepAliveSeconds !== null)).toEqual([]);
        }
      });

      it(`finds keep-alive races with precision ≥ 0.98 and recall ≥ 0.95 over seeds ${seeds.join(', ')}`, () => {
        expect(scores).toHaveLength(seeds.length);
        const total = sumScores(scores);
        expect(total.truePositives).toBeGreaterThan(10 * seeds.length);
        expect(total.precision, describeScore(total)).toBeGreaterThanOrEqual(0.98);
        expect(total.recall, describeScore(total)).toBeGreaterThanOrEqual(0.95);
      });
    });
  }
}
