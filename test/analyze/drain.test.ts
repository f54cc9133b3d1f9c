/**
 * Drain windows against the generator's truth: how long the ALB kept routing to targets that had stopped
 * listening (the simulation knows when each stopped and when its health check took it out), what kind of
 * event it was, and the platform rows the advice picks. Across seeds; the truth comes from the simulated
 * targets and health checks, never from the analyzer.
 */
import { describe, expect, it } from 'vitest';
import { drainEpisodes, mergeTargetActivity } from '../../src/analyze/drain.js';
import type { HeldReset, RaceRecord, TargetActivity } from '../../src/analyze/state.js';
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

describe('drainEpisodes, by hand', () => {
  const T0 = Date.parse('2026-03-14T21:00:00Z');
  const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef';
  let line = 0;
  /** A refused request on `target` at `s` seconds, with the pair's answers around it (seconds, or null). */
  const refusal = (target: string, s: number, before: number | null, after: number | null): RaceRecord => ({
    file: 'f.log', line: ++line, time: new Date(T0 + s * 1000).toISOString(), timeMs: T0 + s * 1000 + 1, dispatchedMs: T0 + s * 1000,
    arn: ARN, target, node: '172.31.0.1', pairKey: `172.31.0.1 ${target}`, idleGapMs: null, gapPending: false, shape: 'B',
    answeredBeforeMs: before === null ? null : T0 + before * 1000, answeredAfterMs: after === null ? null : T0 + after * 1000, recent: null,
  });
  const seen = (target: string, first: number, last: number, firstAnswer: number | null, lastAnswer: number | null): [string, TargetActivity] => [
    target,
    { target, arn: ARN, firstSeenMs: T0 + first * 1000, lastSeenMs: T0 + last * 1000, requests: 100, answered: firstAnswer === null ? 0 : 90,
      firstAnsweredMs: firstAnswer === null ? null : T0 + firstAnswer * 1000, lastAnsweredMs: lastAnswer === null ? null : T0 + lastAnswer * 1000 },
  ];

  it('calls a rollout that replaces its targets with new ones a deploy, though none of the old ones comes back', () => {
    const refusals = [refusal('10.0.0.1:80', 600, 599, null), refusal('10.0.0.1:80', 615, 599, null), refusal('10.0.0.2:80', 700, 699, null), refusal('10.0.0.2:80', 712, 699, null)];
    const activity = new Map([seen('10.0.0.1:80', 0, 615, 0, 599), seen('10.0.0.2:80', 0, 712, 0, 699), seen('10.0.0.9:80', 640, 3600, 640, 3600), seen('10.0.0.8:80', 730, 3600, 730, 3600)]);
    const [episode] = drainEpisodes(refusals, activity, ARN);
    expect(episode!.kind).toBe('deploy');
    expect(episode!.windowSeconds).toBe(15);
    expect(episode!.targets.map((t) => [t.target, t.answeredAgainMs])).toEqual([['10.0.0.1:80', null], ['10.0.0.2:80', null]]);
  });

  it('calls one target that stops for good with nothing joining a scale-in, and splits bursts at an answer in between', () => {
    const refusals = [
      refusal('10.0.0.1:80', 100, 99, 130), refusal('10.0.0.1:80', 110, 99, 130),
      // answered at 130 on its pair: the next refusals are another burst, 2 h later another event
      refusal('10.0.0.1:80', 7300, 7299, null), refusal('10.0.0.1:80', 7320, 7299, null),
    ];
    const activity = new Map([seen('10.0.0.1:80', 0, 7320, 0, 7299), seen('10.0.0.2:80', 0, 9000, 0, 9000)]);
    const episodes = drainEpisodes(refusals, activity, ARN);
    expect(episodes.map((e) => [e.kind, e.windowSeconds, e.failures])).toEqual([['deploy', 10, 2], ['scale-in', 20, 2]]);
  });

  it('counts the requests a target dropped while serving them around its burst, and none elsewhere', () => {
    const refusals = [refusal('10.0.0.1:80', 100, 99, 200), refusal('10.0.0.1:80', 120, 99, 200)];
    const activity = new Map([seen('10.0.0.1:80', 0, 3600, 0, 3600), seen('10.0.0.2:80', 0, 3600, 0, 3600)]);
    const reset = (target: string, s: number): HeldReset => ({ arn: ARN, target, dispatchedMs: T0 + s * 1000, file: 'f.log', line: ++line });
    const [episode] = drainEpisodes(refusals, activity, ARN, [reset('10.0.0.1:80', 125), reset('10.0.0.1:80', 60), reset('10.0.0.1:80', 900), reset('10.0.0.2:80', 121)]);
    expect(episode!.resets).toBe(2);
    expect(episode!.targets[0]!.resets).toBe(2);
  });

  it('merges per-target records in either order to the same result', () => {
    const a = [seen('10.0.0.1:80', 10, 20, 10, 19)[1], seen('10.0.0.2:80', 5, 50, null, null)[1]];
    const b = [seen('10.0.0.1:80', 30, 40, 31, 40)[1], seen('10.0.0.3:80', 1, 2, 1, 2)[1]];
    const ab = mergeTargetActivity(a, b);
    expect(ab).toEqual(mergeTargetActivity(b, a));
    expect(ab.targets.map((t) => [t.target, t.firstSeenMs - T0, t.lastSeenMs - T0, t.requests, t.answered])).toEqual([
      ['10.0.0.1:80', 10_000, 40_000, 200, 180],
      ['10.0.0.2:80', 5_000, 50_000, 100, 0],
      ['10.0.0.3:80', 1_000, 2_000, 100, 90],
    ]);
  });
});
