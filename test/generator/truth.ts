// Counts what the simulation did, per target group and class, and assembles truth.json.

import type { ClassCounts, FileTruth, GroupTruth, LayoutOption, LineOrder, RaceShape, Scenario, SimEntry, Truth } from './model.js';
import { emptyCounts } from './model.js';
import { idleCloseMs, idleCloseRangeMs } from './servers.js';
import type { Identity } from './setup.js';

interface GroupTally {
  requests: number;
  counts: ClassCounts;
  raceShapes: Record<RaceShape, number>;
  keepaliveRaceIdleMs: number[];
}

export interface TruthExtras {
  seed: string;
  layout: LayoutOption;
  order: LineOrder;
  nodeInLogs: boolean;
  endMs: number;
  files: FileTruth[];
  junk: string[];
  uncompressedBytes: number;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export class TruthRecorder {
  private readonly tallies = new Map<string, GroupTally>();
  private readonly unrouted = emptyCounts();
  private readonly totals = emptyCounts();
  private lines = 0;

  constructor(
    private readonly identity: Identity,
    private readonly scenario: Scenario,
    private readonly startEpochMs: number,
  ) {
    for (const g of identity.groups) {
      this.tallies.set(g.name, { requests: 0, counts: emptyCounts(), raceShapes: { A: 0, B: 0, C: 0 }, keepaliveRaceIdleMs: [] });
    }
  }

  record(entry: SimEntry): void {
    this.lines++;
    this.totals[entry.cls]++;
    const tally = entry.groupName === null ? undefined : this.tallies.get(entry.groupName);
    if (!tally) {
      this.unrouted[entry.cls]++;
      return;
    }
    tally.requests++;
    tally.counts[entry.cls]++;
    if (entry.raceShape) tally.raceShapes[entry.raceShape]++;
    if (entry.cls === 'keepalive_race' && entry.connectionIdleMs !== null) tally.keepaliveRaceIdleMs.push(entry.connectionIdleMs);
  }

  get lineCount(): number {
    return this.lines;
  }

  private iso(ms: number): string {
    return new Date(this.startEpochMs + ms).toISOString();
  }

  build(extras: TruthExtras): Truth {
    const groups: GroupTruth[] = this.identity.groups.map((g) => {
      const tally = this.tallies.get(g.name) as GroupTally;
      const instance = g.spec.kind === 'instance';
      const server = g.spec.server;
      const idles = [...tally.keepaliveRaceIdleMs].sort((a, b) => a - b);
      const closeMs = instance ? idleCloseMs(server) : null;
      return {
        name: g.name,
        arn: g.arn,
        kind: g.spec.kind,
        serverProfile: instance ? server.profile : null,
        keepAliveTimeoutMs: instance ? server.keepAliveTimeoutMs : null,
        idleCloseMs: closeMs,
        raceIdleRangeMs: instance ? idleCloseRangeMs(server) : null,
        // The ALB closes at its idle timeout; a target that waits longer never races on idle.
        keepaliveRacesPossible: closeMs !== null && idleCloseRangeMs(server)[0] - 0.4 < this.scenario.albIdleTimeoutMs,
        poolPolicy: instance ? g.spec.poolPolicy : null,
        targetSelection: instance ? g.spec.targetSelection : null,
        maxRequestsPerConnection: instance ? server.maxRequestsPerConnection : 0,
        workersPerTarget: instance ? server.workersPerTarget : 0,
        workerMaxRequests: instance ? server.workerMaxRequests : 0,
        targets: g.targets.map((t) => t.ipPort),
        requests: tally.requests,
        counts: tally.counts,
        raceShapes: tally.raceShapes,
        keepaliveRaceIdleMs: idles.length
          ? { min: round3(idles[0] as number), median: round3(idles[idles.length >> 1] as number), max: round3(idles[idles.length - 1] as number) }
          : null,
        deploys: g.targets.flatMap((t) =>
          t.downWindows
            .filter((w) => w.downFromMs < extras.endMs)
            .map((w) => ({
              target: t.ipPort,
              kind: w.kind,
              downFrom: this.iso(w.downFromMs),
              downUntil: Number.isFinite(w.downUntilMs) ? this.iso(w.downUntilMs) : null,
              outOfServiceFrom: this.iso(w.outOfServiceFromMs),
              backInServiceAt: Number.isFinite(w.backInServiceMs) ? this.iso(w.backInServiceMs) : null,
              // The ALB routes to a target until its health check fails (all of them, failing open, when none
              // is healthy: a misconfigured group) or it listens again, within the scenario.
              routedWhileDownSeconds: round3(
                (Math.min(w.kind === 'misconfiguration' ? Infinity : w.outOfServiceFromMs, w.downUntilMs, extras.endMs) - w.downFromMs) / 1000,
              ),
            })),
        ),
        noTargetWindows: g.noTargetWindows
          .filter(([from]) => from < extras.endMs)
          .map(([from, until]) => ({ from: this.iso(from), until: this.iso(until) })),
      };
    });
    return {
      generator: 'alb-doctor test generator (discrete-event ALB simulation)',
      scenario: this.scenario.name,
      description: this.scenario.description,
      seed: extras.seed,
      start: this.iso(0),
      end: this.iso(extras.endMs),
      durationMs: extras.endMs,
      albIdleTimeoutMs: this.scenario.albIdleTimeoutMs,
      layout: extras.layout,
      order: extras.order,
      nodeInLogs: extras.nodeInLogs,
      loadBalancer: {
        name: this.identity.lbName,
        id: this.identity.lbId,
        account: this.identity.account,
        region: this.identity.region,
        elb: this.identity.elb,
        nodes: this.identity.nodeIps,
      },
      groups,
      unrouted: this.unrouted,
      totals: { lines: this.lines, counts: this.totals, uncompressedBytes: extras.uncompressedBytes },
      files: extras.files,
      junk: extras.junk,
      config: this.scenario,
    };
  }
}
