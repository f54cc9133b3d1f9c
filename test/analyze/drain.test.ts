/**
 * Drain windows against the generator's truth: how long the ALB kept routing to targets that had stopped
 * listening (the simulation knows when each stopped and when its health check took it out), what kind of
 * event it was, and the platform rows the advice picks. Across seeds; the truth comes from the simulated
 * targets and health checks, never from the analyzer.
 */
import { describe, expect, it } from 'vitest';
import { runReport } from '../../src/run.js';
import type { DrainRecommendation, Report } from '../../src/report/model.js';
import { scenario, simulate, type DeepPartial, type PresetName, type Scenario, type SimulationResult } from '../generator/index.js';
import { itemsOf } from './harness.js';

const SEEDS = [1, 2, 3];

async function analysed(preset: PresetName, seed: number, override?: DeepPartial<Scenario>): Promise<{ sim: SimulationResult; report: Report }> {
  const sim = simulate(scenario(preset, override), seed);
  const { report } = await runReport(itemsOf(sim), {});
  return { sim, report };
}

const drainAdvice = (report: Report, arn: string): DrainRecommendation | undefined =>
  (report.recommendations.find((r) => r.targetGroup === arn && (r as { kind?: string }).kind === 'deploy') as { drain?: DrainRecommendation } | undefined)?.drain;

/** Each true outage matched to the measured target burst that starts within 5 s of it. */
function matched(sim: SimulationResult, report: Report, groupName: string) {
  const truth = sim.truth.groups.find((g) => g.name === groupName)!;
  const group = report.targetGroups.find((g) => g.arn === truth.arn)!;
  const measured = (group.drain ?? []).flatMap((burst) => burst.perTarget.map((t) => ({ burst, t })));
  return {
    truth,
    group,
    pairs: truth.deploys.map((d) => {
      const hit = measured.find(({ t }) => t.target === d.target && Math.abs(Date.parse(t.firstFailure) - Date.parse(d.downFrom)) < 5000);
      return { d, hit };
    }),
  };
}

describe.each(SEEDS)('seed %i', (seed) => {
  it('rolling deploy with too short a drain: one deploy burst, each window within 1 s of the truth, EKS rows', async () => {
    const { sim, report } = await analysed('rollout', seed);
    const { truth, group, pairs } = matched(sim, report, 'api');
    expect(group.drain!.map((b) => b.kind)).toEqual(['deploy']);
    expect(pairs.length).toBe(3);
    for (const { d, hit } of pairs) {
      expect(hit, `${d.target} at ${d.downFrom}`).toBeDefined();
      expect(Math.abs(hit!.t.windowSeconds - d.routedWhileDownSeconds), `${d.target}: ${hit!.t.windowSeconds} s vs ${d.routedWhileDownSeconds} s`).toBeLessThan(1);
      expect(hit!.t.answeredAgain).not.toBeNull();
    }
    const longestTruth = Math.max(...truth.deploys.map((d) => d.routedWhileDownSeconds));
    expect(Math.abs(group.drain![0]!.windowSeconds - longestTruth)).toBeLessThan(1);

    const advice = drainAdvice(report, truth.arn)!;
    expect(advice.kinds).toEqual(['deploy']);
    expect(advice.platform).toBe('eks');
    expect(advice.preStopSleepSeconds).toBe(Math.ceil(advice.windowSeconds!) + 5);
    expect(advice.preStopSleepSeconds! - 5).toBeGreaterThanOrEqual(longestTruth - 1);
    expect(advice.platforms.map((p) => p.platform)).toEqual(['eks-prestop', 'eks-load-balancer-controller', 'istio']);
    expect(advice.platforms[0]!.snippet).toContain(`command: ["sleep", "${advice.preStopSleepSeconds}"]`);
    expect(advice.platforms[0]!.snippet).toContain(`terminationGracePeriodSeconds: ${advice.terminationGracePeriodSeconds}`);
    expect(advice.platforms[1]!.snippet).toContain(`deregistration_delay.timeout_seconds=${advice.deregistrationDelaySeconds}`);
    expect(advice.platforms[2]!.snippet).toContain('EXIT_ON_ZERO_ACTIVE_CONNECTIONS');
    const rec = report.recommendations.find((r) => r.targetGroup === truth.arn && (r as { kind?: string }).kind === 'deploy')!;
    expect(rec.action).toContain(`a preStop sleep of at least ${advice.preStopSleepSeconds} s`);
  });

  it('scale-in of two targets with no deploy: told apart, windows within 1 s, ECS rows from the ephemeral ports', async () => {
    const { sim, report } = await analysed('scaleIn', seed);
    const { truth, group, pairs } = matched(sim, report, 'api');
    expect(group.drain!.map((b) => [b.kind, b.targets.length])).toEqual([['scale-in', 2]]);
    for (const { d, hit } of pairs) {
      expect(hit, `${d.target} at ${d.downFrom}`).toBeDefined();
      expect(Math.abs(hit!.t.windowSeconds - d.routedWhileDownSeconds), `${d.target}: ${hit!.t.windowSeconds} s vs ${d.routedWhileDownSeconds} s`).toBeLessThan(1);
      expect(hit!.t.vanished).toBe(true);
    }
    const advice = drainAdvice(report, truth.arn)!;
    expect(advice.kinds).toEqual(['scale-in']);
    expect(advice.platform).toBe('ecs');
    expect(advice.platformEvidence).toMatch(/ephemeral ports/);
    expect(advice.platforms.map((p) => p.platform)).toEqual(['ecs', 'ec2-auto-scaling']);
    expect(advice.platforms[0]!.snippet).toContain(`"stopTimeout": ${advice.terminationGracePeriodSeconds}`);
  });

  it('a group that fails from its first request: misconfiguration, not a drain; the healthy group has none', async () => {
    const { sim, report } = await analysed('misconfigured', seed);
    const { truth, group } = matched(sim, report, 'admin');
    expect(group.drain!.map((b) => [b.kind, b.targets.length])).toEqual([['misconfiguration', 2]]);
    expect(group.drain![0]!.perTarget.every((t) => t.lastAnswered === null && t.answeredAgain === null)).toBe(true);
    const advice = drainAdvice(report, truth.arn)!;
    expect(advice.windowSeconds).toBeNull();
    expect(advice.preStopSleepSeconds).toBeNull();
    expect(advice.platforms.map((p) => p.platform)).toEqual(['target-health']);
    const rec = report.recommendations.find((r) => r.targetGroup === truth.arn && (r as { kind?: string }).kind === 'deploy')!;
    expect(rec.action).toMatch(/port and protocol/);
    expect(rec.action).not.toMatch(/preStop/);
    const api = sim.truth.groups.find((g) => g.name === 'api')!;
    expect(report.targetGroups.find((g) => g.arn === api.arn)!.drain).toEqual([]);
  });
});

describe('platform rows when the log cannot tell', () => {
  it('lists every platform as an option for a group named neither k8s- nor ecs- on ordinary ports', async () => {
    const { sim, report } = await analysed('rollout', 1, { lbName: 'shop' });
    const advice = drainAdvice(report, sim.truth.groups[0]!.arn)!;
    expect(advice.platform).toBeNull();
    expect(advice.platformEvidence).toBeNull();
    expect(advice.platforms.map((p) => p.platform)).toEqual(['eks-prestop', 'eks-load-balancer-controller', 'istio', 'ecs', 'ec2-auto-scaling']);
    for (const p of advice.platforms) expect(p.source).toMatch(/^https:\/\//);
    const rec = report.recommendations.find((r) => (r as { kind?: string }).kind === 'deploy')!;
    expect(rec.action).toMatch(/preStop sleep, a SIGTERM handler that keeps listening, or a termination lifecycle hook/);
  });
});
