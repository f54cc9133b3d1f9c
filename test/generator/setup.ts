// Fixed facts of one simulated load balancer, drawn once from the seed: names, IPs,
// ARNs, and the deploy / no-target windows of every target group.

import type { Rng } from './prng.js';
import type { GroupSpec, OutageKind, Scenario } from './model.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface DownWindow {
  /** Graceful shutdown, then nothing listens until downUntilMs. */
  downFromMs: number;
  downUntilMs: number;
  /** The health check takes it out of service (10–30 s after the shutdown)… */
  outOfServiceFromMs: number;
  /** …and back in once it passes checks again. */
  backInServiceMs: number;
  kind: OutageKind;
}

export interface TargetIdentity {
  ip: string;
  port: number;
  ipPort: string;
  downWindows: DownWindow[];
}

export interface GroupIdentity {
  name: string;
  spec: GroupSpec;
  arn: string;
  targets: TargetIdentity[];
  noTargetWindows: [number, number][];
}

export interface Identity {
  account: string;
  region: string;
  lbName: string;
  lbId: string;
  /** `app/<name>/<id>`, the log's elb field. */
  elb: string;
  nodeIps: string[];
  groups: GroupIdentity[];
}

function distinctIps(rng: Rng, count: number, make: () => string): string[] {
  const seen = new Set<string>();
  while (seen.size < count) seen.add(make());
  return [...seen];
}

function deployTimes(spec: GroupSpec, horizonMs: number, rng: Rng): number[] {
  const times = spec.deploys.atHours.map((h) => h * HOUR_MS).filter((t) => t >= 0 && t < horizonMs);
  if (spec.deploys.perDay > 0) {
    const meanGapMs = DAY_MS / spec.deploys.perDay;
    for (let t = rng.exponential(meanGapMs); t < horizonMs; t += rng.exponential(meanGapMs)) times.push(t);
  }
  return times.sort((a, b) => a - b);
}

/** Rolling deploy: one target at a time; the next waits until the previous is back in service. */
function scheduleDeploys(scenario: Scenario, spec: GroupSpec, targets: TargetIdentity[], horizonMs: number, rng: Rng): void {
  let busyUntilMs = -Infinity;
  for (const startMs of deployTimes(spec, horizonMs, rng)) {
    let t = Math.max(startMs, busyUntilMs);
    for (const target of targets) {
      const downMs = rng.uniform(spec.deploys.downSeconds[0], spec.deploys.downSeconds[1]) * 1000;
      const detectMs = rng.uniform(scenario.healthCheck.detectSeconds[0], scenario.healthCheck.detectSeconds[1]) * 1000;
      const recoverMs = rng.uniform(scenario.healthCheck.recoverSeconds[0], scenario.healthCheck.recoverSeconds[1]) * 1000;
      const downUntilMs = t + downMs;
      // A restart faster than the health check is never noticed: no out-of-service time.
      const noticed = detectMs < downMs;
      target.downWindows.push({
        downFromMs: t,
        downUntilMs,
        outOfServiceFromMs: noticed ? t + detectMs : downUntilMs,
        backInServiceMs: noticed ? downUntilMs + recoverMs : downUntilMs,
        kind: 'deploy',
      });
      t = downUntilMs + (noticed ? recoverMs : 0) + rng.uniform(spec.deploys.gapSeconds[0], spec.deploys.gapSeconds[1]) * 1000;
    }
    busyUntilMs = t;
  }
}

/**
 * Scale-in or node removal with no deploy: the first `targets` targets stop listening at the same moment
 * and never listen again; the health check takes each out of service on its own schedule.
 */
function scheduleScaleIn(scenario: Scenario, spec: GroupSpec, targets: TargetIdentity[], horizonMs: number, rng: Rng): void {
  for (const atMs of (spec.scaleIn?.atHours ?? []).map((h) => h * HOUR_MS).filter((t) => t >= 0 && t < horizonMs)) {
    for (const target of targets.slice(0, spec.scaleIn!.targets)) {
      const detectMs = rng.uniform(scenario.healthCheck.detectSeconds[0], scenario.healthCheck.detectSeconds[1]) * 1000;
      target.downWindows.push({ downFromMs: atMs, downUntilMs: Infinity, outOfServiceFromMs: atMs + detectMs, backInServiceMs: Infinity, kind: 'scale-in' });
    }
  }
}

/** A misconfigured group: no target ever listens, none is ever healthy (the ALB routes to all of them). */
function misconfigure(targets: TargetIdentity[]): void {
  for (const target of targets) {
    target.downWindows = [{ downFromMs: 0, downUntilMs: Infinity, outOfServiceFromMs: 0, backInServiceMs: Infinity, kind: 'misconfiguration' }];
  }
}

export function buildIdentity(scenario: Scenario, horizonMs: number, rng: Rng): Identity {
  const lbId = rng.hex(16);
  const nodeIps = distinctIps(rng, scenario.nodeCount, () => `172.31.${rng.intBetween(0, 95)}.${rng.intBetween(4, 250)}`);
  const targetIps = new Set<string>();
  const groups: GroupIdentity[] = [];
  let subnet = 0;
  for (const [name, spec] of Object.entries(scenario.groups)) {
    const tgName = `${scenario.lbName}-${name}`.slice(0, 32).replace(/-+$/, '');
    const arn = `arn:aws:elasticloadbalancing:${scenario.region}:${scenario.account}:targetgroup/${tgName}/${rng.hex(16)}`;
    const targets: TargetIdentity[] = [];
    subnet++;
    if (spec.kind === 'instance') {
      for (let i = 0; i < spec.targetCount; i++) {
        let ip: string;
        do ip = `10.0.${(subnet * 16 + rng.int(16)) % 256}.${rng.intBetween(4, 250)}`;
        while (targetIps.has(ip));
        targetIps.add(ip);
        targets.push({ ip, port: spec.targetPort, ipPort: `${ip}:${spec.targetPort}`, downWindows: [] });
      }
      scheduleDeploys(scenario, spec, targets, horizonMs, rng.fork(`deploys/${name}`));
      // Drawn only when set, so scenarios without them keep their random streams.
      if (spec.scaleIn) scheduleScaleIn(scenario, spec, targets, horizonMs, rng.fork(`scale-in/${name}`));
      if (spec.misconfigured === true) misconfigure(targets);
      for (const target of targets) target.downWindows.sort((a, b) => a.downFromMs - b.downFromMs);
    }
    const noTargetWindows: [number, number][] = spec.noTargetWindows.atHours
      .map((h): [number, number] => [h * HOUR_MS, h * HOUR_MS + spec.noTargetWindows.minutes * 60_000])
      .filter(([from]) => from < horizonMs);
    groups.push({ name, spec, arn, targets, noTargetWindows });
  }
  return {
    account: scenario.account,
    region: scenario.region,
    lbName: scenario.lbName,
    lbId,
    elb: `app/${scenario.lbName}/${lbId}`,
    nodeIps,
    groups,
  };
}
