// The discrete-event simulation: requests arrive, are dispatched in dispatch-time
// order onto per-(node, target) keep-alive pools, and every outcome — race, refusal,
// timeout — follows from the connection and target state at that moment. Truth
// labels are the mechanism's own record, never a pattern rule over the log.

import { Rng, cumulativeOf, type Seed } from './prng.js';
import type { CloseCause, GroupSpec, RaceShape, RequestInfo, RouteSpec, Scenario, SimEntry, TruthClass } from './model.js';
import { ArrivalProcess, ClientPool, makeMalformedRequest, makeRequest, type Client } from './traffic.js';
import { EventHeap, type Timed } from './heap.js';
import { Pools, dropConnection, newWorker, type Connection, type TargetState } from './pool.js';
import { buildIdentity, type DownWindow, type GroupIdentity, type Identity } from './setup.js';
import { TruthRecorder } from './truth.js';

/** Bytes of the ALB's own error page, as seen in published 4xx/5xx lines. */
const ALB_ERROR_PAGE_BYTES = 272;
const LAMBDA_ERRORS = ['LambdaUnhandled', 'LambdaUnhandled', 'LambdaUnhandled', 'LambdaInvalidResponse'] as const;

interface Target extends TargetState {
  index: number;
  downWindows: DownWindow[];
  /** First down window that may still matter; dispatch times only grow. */
  windowCursor: number;
}

interface Group {
  identity: GroupIdentity;
  spec: GroupSpec;
  targets: Target[];
  routeCumulative: number[];
  roundRobinByNode: number[];
}

interface Pending {
  receivedMs: number;
  rptMs: number;
  nodeIndex: number;
  group: Group | null;
  route: RouteSpec | null;
  client: Client;
  request: RequestInfo;
}

type SimEvent = Timed & ({ kind: 'request'; pending: Pending } | { kind: 'shutdown'; target: Target });

export type EntrySink = (entry: SimEntry) => void;

export class Simulator {
  readonly identity: Identity;
  readonly truth: TruthRecorder;
  readonly startEpochMs: number;
  private readonly groups: Group[];
  private readonly groupCumulative: number[];
  private readonly arrivals: ArrivalProcess;
  private readonly clients: ClientPool;
  private readonly pools: Pools;
  private readonly poolByNodeTarget: Connection[][][];
  private readonly heap = new EventHeap<SimEvent>();
  private readonly rngRequests: Rng;
  private readonly rngOutcomes: Rng;
  private readonly raceShapeCumulative: number[];
  private nextArrivalMs: number | null;
  private arrivalsStopMs: number;
  private clockMs = 0;
  private pendingRequests = 0;

  constructor(
    private readonly scenario: Scenario,
    seed: Seed,
  ) {
    const root = new Rng(seed, 'alb-doctor-generator');
    this.startEpochMs = Date.parse(scenario.startIso);
    if (Number.isNaN(this.startEpochMs)) throw new Error(`Scenario start "${scenario.startIso}" is not an ISO-8601 time.`);
    this.identity = buildIdentity(scenario, scenario.durationMs, root.fork('identity'));
    this.arrivals = new ArrivalProcess(scenario.traffic, this.startEpochMs, scenario.durationMs, root.fork('arrivals'));
    this.clients = new ClientPool(scenario.traffic, scenario.nodeCount, root.fork('clients'));
    this.pools = new Pools(scenario.albIdleTimeoutMs, scenario.finDelayMs, root.fork('servers'));
    this.rngRequests = root.fork('requests');
    this.rngOutcomes = root.fork('outcomes');
    const workerRng = root.fork('workers');
    let targetIndex = 0;
    this.groups = this.identity.groups.map((identity) => ({
      identity,
      spec: identity.spec,
      routeCumulative: cumulativeOf(identity.spec.routes.map((r) => r.weight)),
      roundRobinByNode: new Array<number>(scenario.nodeCount).fill(0),
      targets: identity.targets.map((t) => ({
        index: targetIndex++,
        ipPort: t.ipPort,
        server: identity.spec.server,
        connections: new Set<Connection>(),
        workers: Array.from({ length: Math.max(1, identity.spec.server.workersPerTarget) }, () => newWorker(identity.spec.server, workerRng)),
        lastDispatchMs: -Infinity,
        meanGapMs: 1000,
        downWindows: t.downWindows,
        windowCursor: 0,
      })),
    }));
    this.groupCumulative = cumulativeOf(this.groups.map((g) => g.spec.share));
    this.poolByNodeTarget = Array.from({ length: scenario.nodeCount }, () => Array.from({ length: targetIndex }, () => []));
    this.raceShapeCumulative = cumulativeOf([scenario.raceShapeWeights.A, scenario.raceShapeWeights.B, scenario.raceShapeWeights.C]);
    for (const group of this.groups) {
      for (const target of group.targets) {
        for (const w of target.downWindows) this.heap.push({ atMs: w.downFromMs, kind: 'shutdown', target });
      }
    }
    this.truth = new TruthRecorder(this.identity, scenario, this.startEpochMs);
    this.arrivalsStopMs = scenario.durationMs;
    this.nextArrivalMs = this.arrivals.next();
  }

  /** Simulation time of the last processed event, ms since the start. */
  get nowMs(): number {
    return this.clockMs;
  }

  get finished(): boolean {
    // Shutdown events scheduled past the end do not keep the run alive.
    return this.pendingRequests === 0 && (this.nextArrivalMs === null || this.nextArrivalMs >= this.arrivalsStopMs);
  }

  /** No new requests from `ms` on (used to stop at a target size); in-flight ones finish. */
  stopArrivalsAt(ms: number): void {
    this.arrivalsStopMs = Math.min(this.arrivalsStopMs, ms);
  }

  /** End of generated traffic: the requested duration, or where stopArrivalsAt cut it. */
  get arrivalsEndMs(): number {
    return this.arrivalsStopMs;
  }

  /**
   * Process every event dispatched before `limitMs`. Each entry's `time` is at or after
   * its dispatch, so afterwards no entry with time < limitMs can still appear.
   */
  runUntil(limitMs: number, sink: EntrySink): void {
    for (;;) {
      const top = this.heap.peek();
      const arrival = this.nextArrivalMs;
      if (arrival !== null && arrival < this.arrivalsStopMs && arrival <= (top?.atMs ?? Infinity) && arrival < limitMs) {
        this.admit(arrival);
        this.nextArrivalMs = this.arrivals.next();
        continue;
      }
      if (!top || top.atMs >= limitMs) return;
      this.heap.pop();
      this.clockMs = top.atMs;
      if (top.kind === 'shutdown') this.pools.shutdown(top.target, top.atMs);
      else {
        this.pendingRequests--;
        this.dispatch(top.pending, top.atMs, sink);
      }
    }
  }

  /** A request arrives: pick client, node, route; queue its dispatch. */
  private admit(receivedMs: number): void {
    const rng = this.rngRequests;
    const traffic = this.scenario.traffic;
    const client = this.clients.pick();
    const connection = this.clients.connectionFor(client, receivedMs);
    const receivedEpochMs = this.startEpochMs + receivedMs;
    // Request processing time: usually well under a millisecond, a few ms on a TLS resumption.
    const rptMs = rng.chance(0.85) ? rng.uniform(0.05, 0.95) : rng.uniform(1, 6);
    let pending: Pending;
    if (rng.chance(traffic.malformedRate)) {
      const request = makeMalformedRequest(rng, client, connection);
      pending = { receivedMs, rptMs: 0, nodeIndex: connection.nodeIndex, group: null, route: null, client, request };
    } else {
      const group = this.groups[rng.pickCumulative(this.groupCumulative)] as Group;
      const route = group.spec.routes[rng.pickCumulative(group.routeCumulative)] as RouteSpec;
      const request = makeRequest(rng, client, connection, route, this.scenario.hostname, receivedEpochMs);
      pending = { receivedMs, rptMs, nodeIndex: connection.nodeIndex, group, route, client, request };
    }
    this.pendingRequests++;
    this.heap.push({ atMs: receivedMs + pending.rptMs, kind: 'request', pending });
  }

  private dispatch(p: Pending, dispatchMs: number, sink: EntrySink): void {
    const rng = this.rngOutcomes;
    const group = p.group;
    const route = p.route;
    const base = this.baseEntry(p);
    if (!group || !route) {
      return this.emit(sink, base, 'alb_rejected', { elbStatus: 400, rptMs: -1, timeMs: p.receivedMs + rng.uniform(0.05, 1) });
    }
    base.groupName = group.identity.name;
    const clientGiveUpMs = p.receivedMs + p.client.timeoutMs;
    if (this.inWindow(group.identity.noTargetWindows, dispatchMs)) {
      return this.emit(sink, base, 'no_healthy_targets', { elbStatus: 503, rptMs: -1, timeMs: dispatchMs + rng.uniform(0.1, 1.5) });
    }
    if (group.spec.kind === 'lambda') return this.invokeLambda(p, route, group, dispatchMs, sink, base);

    const target = this.selectTarget(group, p.nodeIndex, dispatchMs);
    base.target = target.ipPort;
    const gapMs = Math.min(60_000, dispatchMs - target.lastDispatchMs);
    target.meanGapMs = Number.isFinite(gapMs) ? 0.9 * target.meanGapMs + 0.1 * gapMs : target.meanGapMs;
    target.lastDispatchMs = dispatchMs;

    const pool = this.poolByNodeTarget[p.nodeIndex]?.[target.index] as Connection[];
    const take = this.pools.take(pool, group.spec.poolPolicy, dispatchMs);
    if (take.kind === 'race') {
      return this.emitRace(sink, base, dispatchMs, take.connection.id, take.idleMs, take.cause);
    }
    let connection: Connection;
    let idleMs: number | null = null;
    if (take.kind === 'reuse') {
      connection = take.connection;
      idleMs = take.idleMs;
    } else {
      if (this.isDown(target, dispatchMs)) {
        // Nothing listens: the SYN is answered with a RST at once.
        return this.emit(sink, base, 'target_connection_error', { elbStatus: 502, rptMs: -1, timeMs: dispatchMs + rng.uniform(0.2, 2) });
      }
      if (rng.chance(group.spec.connectTimeoutRate)) {
        const timeoutAtMs = dispatchMs + this.scenario.connectTimeoutMs + rng.uniform(0, 4);
        if (clientGiveUpMs < timeoutAtMs) return this.emit(sink, base, 'client_closed', { elbStatus: 460, rptMs: -1, timeMs: clientGiveUpMs, sentBytes: 0 });
        return this.emit(sink, base, 'connect_timeout', { elbStatus: 504, rptMs: -1, timeMs: timeoutAtMs });
      }
      connection = this.pools.open(pool, target, dispatchMs);
    }
    base.connectionId = connection.id;
    base.connectionIdleMs = idleMs;
    this.serve(p, route, group, connection, dispatchMs, sink, base);
  }

  /** The request is on a live connection: the first of response, reset, ALB timeout or client give-up wins. */
  private serve(p: Pending, route: RouteSpec, group: Group, connection: Connection, dispatchMs: number, sink: EntrySink, base: SimEntry): void {
    const rng = this.rngOutcomes;
    const idleTimeoutMs = this.scenario.albIdleTimeoutMs;
    const hang = rng.chance(group.spec.hangRate);
    const latencyMs = hang ? idleTimeoutMs + rng.uniform(1000, 120_000) : rng.lognormal(route.latencyMedianMs, route.latencySigma);
    // A doomed request: the target crashes or kills it (worker timeout) seconds in.
    const resetAfterMs = rng.chance(group.spec.targetResetRate) ? rng.uniform(3000, 30_000) : Infinity;
    const rsptMs = rng.chance(0.9) ? rng.uniform(0, 0.9) : rng.uniform(1, 4);
    const responseAtMs = latencyMs < idleTimeoutMs && resetAfterMs === Infinity ? dispatchMs + latencyMs + rsptMs + rng.uniform(0.01, 0.3) : Infinity;
    const resetAtMs = resetAfterMs < idleTimeoutMs ? dispatchMs + resetAfterMs : Infinity;
    const albTimeoutAtMs = dispatchMs + idleTimeoutMs + rng.uniform(0.1, 3);
    const clientGiveUpMs = p.receivedMs + p.client.timeoutMs;
    const firstMs = Math.min(responseAtMs, resetAtMs, albTimeoutAtMs, clientGiveUpMs);
    // Drawn only when the knobs are set, so scenarios without them keep their random streams.
    const fastResetRate = group.spec.fastResetRate ?? 0;
    const malformedRate = group.spec.malformedResponseRate ?? 0;
    if (firstMs === responseAtMs && fastResetRate > 0 && rng.chance(fastResetRate)) {
      // The worker dies as it reads the request: the RST comes back within a few ms, like a race's.
      dropConnection(connection);
      const tptMs = Math.min(50, rng.lognormal(3, 1));
      return this.emit(sink, base, 'target_reset', { elbStatus: 502, tptMs, timeMs: dispatchMs + tptMs + rng.uniform(0.05, 0.5) });
    }
    if (firstMs === responseAtMs && malformedRate > 0 && rng.chance(malformedRate)) {
      // Headers the ALB cannot parse: it answers 502 itself, with the target's time and no status.
      dropConnection(connection);
      return this.emit(sink, base, 'target_malformed_response', { elbStatus: 502, tptMs: latencyMs, timeMs: dispatchMs + latencyMs + rng.uniform(0.05, 0.5) });
    }

    if (firstMs === responseAtMs) {
      this.pools.complete(connection, responseAtMs);
      const failed = rng.chance(group.spec.target5xxRate);
      const status = failed ? (rng.chance(0.7) ? 500 : 503) : this.okStatus(route);
      const sentBytes = Math.round(rng.lognormal(route.responseBytesMedian, 0.8)) + rng.intBetween(180, 420);
      return this.emit(sink, base, failed ? 'target_5xx' : 'ok', {
        elbStatus: status, targetStatus: status, tptMs: latencyMs, rsptMs, timeMs: responseAtMs, sentBytes,
      });
    }
    dropConnection(connection);
    if (firstMs === clientGiveUpMs) {
      return this.emit(sink, base, 'client_closed', { elbStatus: 460, timeMs: clientGiveUpMs, sentBytes: 0 });
    }
    if (firstMs === resetAtMs) {
      return this.emit(sink, base, 'target_reset', { elbStatus: 502, tptMs: resetAfterMs, timeMs: resetAtMs + rng.uniform(0.05, 0.5) });
    }
    // AWS logs an idle-timeout 504 with -1 -1 -1 and a target present.
    return this.emit(sink, base, 'target_timeout', { elbStatus: 504, rptMs: -1, timeMs: albTimeoutAtMs });
  }

  private invokeLambda(p: Pending, route: RouteSpec, group: Group, dispatchMs: number, sink: EntrySink, base: SimEntry): void {
    const rng = this.rngOutcomes;
    const latencyMs = rng.lognormal(route.latencyMedianMs, route.latencySigma);
    const rsptMs = rng.uniform(0, 0.9);
    const timeMs = dispatchMs + latencyMs + rsptMs + rng.uniform(0.01, 0.3);
    const clientGiveUpMs = p.receivedMs + p.client.timeoutMs;
    if (clientGiveUpMs < timeMs) return this.emit(sink, base, 'client_closed', { elbStatus: 460, tptMs: -1, timeMs: clientGiveUpMs, sentBytes: 0 });
    if (rng.chance(group.spec.lambdaErrorRate)) {
      // Lambda failures keep real timings: the ALB did invoke the function.
      return this.emit(sink, base, 'lambda_error', { elbStatus: 502, tptMs: latencyMs, rsptMs, timeMs, errorReason: rng.pick(LAMBDA_ERRORS) });
    }
    const sentBytes = Math.round(rng.lognormal(route.responseBytesMedian, 0.6)) + 200;
    return this.emit(sink, base, 'ok', { elbStatus: 200, targetStatus: 200, tptMs: latencyMs, rsptMs, timeMs, sentBytes });
  }

  private emitRace(sink: EntrySink, base: SimEntry, dispatchMs: number, connectionId: number, idleMs: number, cause: CloseCause): void {
    const rng = this.rngOutcomes;
    const shape = (['A', 'B', 'C'] as const)[rng.pickCumulative(this.raceShapeCumulative)] as RaceShape;
    base.connectionId = connectionId;
    base.connectionIdleMs = idleMs;
    base.closeCause = cause;
    base.raceShape = shape;
    const cls: TruthClass = cause === 'idle' ? 'keepalive_race' : 'closed_connection_race';
    if (shape === 'A') {
      // The request was written, the RST came back within a few ms (rarely tens).
      const tptMs = Math.min(50, rng.lognormal(1, 1.1));
      return this.emit(sink, base, cls, { elbStatus: 502, tptMs, timeMs: dispatchMs + tptMs + rng.uniform(0.05, 0.5) });
    }
    const timeMs = dispatchMs + rng.uniform(0.2, 3);
    return this.emit(sink, base, cls, { elbStatus: 502, rptMs: shape === 'B' ? -1 : base.rptMs, timeMs });
  }

  private okStatus(route: RouteSpec): number {
    const x = this.rngOutcomes.next();
    if (route.method === 'POST') return x < 0.7 ? 201 : x < 0.95 ? 200 : 400;
    if (route.method === 'DELETE') return x < 0.9 ? 204 : 404;
    return x < 0.86 ? 200 : x < 0.9 ? 304 : x < 0.93 ? 302 : x < 0.98 ? 404 : 401;
  }

  private selectTarget(group: Group, nodeIndex: number, dispatchMs: number): Target {
    const targets = group.targets;
    const n = targets.length;
    const random = group.spec.targetSelection === 'random';
    const start = random ? this.rngOutcomes.int(n) : (group.roundRobinByNode[nodeIndex] ?? 0);
    for (let i = 0; i < n; i++) {
      const target = targets[(start + i) % n] as Target;
      if (this.inService(target, dispatchMs)) {
        if (!random) group.roundRobinByNode[nodeIndex] = (start + i + 1) % n;
        return target;
      }
    }
    // Fail open: with every target unhealthy the ALB routes to all of them.
    if (!random) group.roundRobinByNode[nodeIndex] = (start + 1) % n;
    return targets[start % n] as Target;
  }

  private currentWindow(target: Target, atMs: number): DownWindow | undefined {
    let w = target.downWindows[target.windowCursor];
    while (w && atMs >= Math.max(w.backInServiceMs, w.downUntilMs)) w = target.downWindows[++target.windowCursor];
    return w;
  }

  private inService(target: Target, atMs: number): boolean {
    const w = this.currentWindow(target, atMs);
    return !w || atMs < w.outOfServiceFromMs || atMs >= w.backInServiceMs;
  }

  private isDown(target: Target, atMs: number): boolean {
    const w = this.currentWindow(target, atMs);
    return !!w && atMs >= w.downFromMs && atMs < w.downUntilMs;
  }

  private inWindow(windows: [number, number][], atMs: number): boolean {
    for (const [from, until] of windows) if (atMs >= from && atMs < until) return true;
    return false;
  }

  private baseEntry(p: Pending): SimEntry {
    return {
      cls: 'ok', groupName: null, nodeIndex: p.nodeIndex, target: null,
      receivedMs: p.receivedMs, rptMs: p.rptMs, tptMs: -1, rsptMs: -1, timeMs: p.receivedMs,
      elbStatus: 0, targetStatus: null, sentBytes: ALB_ERROR_PAGE_BYTES, errorReason: '-',
      request: p.request, connectionId: null, connectionIdleMs: null, closeCause: null, raceShape: null,
    };
  }

  private emit(sink: EntrySink, entry: SimEntry, cls: TruthClass, fields: Partial<SimEntry>): void {
    Object.assign(entry, fields);
    entry.cls = cls;
    if (entry.rptMs === -1) {
      entry.tptMs = -1;
      entry.rsptMs = -1;
    }
    this.truth.record(entry);
    sink(entry);
  }
}
