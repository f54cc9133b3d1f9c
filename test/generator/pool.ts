// Target-side state and the ALB's per-(node, target) keep-alive pools. Closes are
// evaluated lazily at dispatch: every close time is fixed by events that happened
// before it, so a pool scan at dispatch time d sees exactly what the ALB would.

import type { Rng } from './prng.js';
import type { CloseCause, PoolPolicy, ServerSpec } from './model.js';
import { drawForcedCloseDelayMs, drawIdleCloseAfterMs, drawWorkerRestartDelayMs, serverAt } from './servers.js';

/** A client that checks the socket before writing still loses requests sent this close before the FIN. */
export const PRE_CLOSE_RACE_MS = 0.4;

export interface Worker {
  served: number;
  limit: number;
}

export interface TargetState {
  ipPort: string;
  server: ServerSpec;
  connections: Set<Connection>;
  workers: Worker[];
  lastDispatchMs: number;
  /** Smoothed gap between dispatches to this target, for Gunicorn's poll wake-ups. */
  meanGapMs: number;
}

export interface Connection {
  id: number;
  target: TargetState;
  pool: Connection[];
  worker: Worker;
  /** End (`time`) of the response in flight or last sent. */
  busyUntilMs: number;
  lastUseMs: number;
  requestsServed: number;
  /** When the target's idle timer closes it. */
  idleCloseAtMs: number;
  /** Close forced by a request limit, a worker restart or a shutdown; Infinity if none. */
  forcedCloseAtMs: number;
  forcedCause: CloseCause;
  /** Time the ALB needs to process this close's FIN. */
  finDelayMs: number;
}

export type TakeResult =
  | { kind: 'none' }
  | { kind: 'reuse'; connection: Connection; idleMs: number }
  | { kind: 'race'; connection: Connection; idleMs: number; cause: CloseCause };

export function newWorker(server: ServerSpec, rng: Rng): Worker {
  const limit = server.workerMaxRequests > 0 ? server.workerMaxRequests + rng.intBetween(0, server.workerMaxRequestsJitter) : 0;
  return { served: 0, limit };
}

export function closeAtMs(connection: Connection): number {
  return Math.min(connection.idleCloseAtMs, connection.forcedCloseAtMs);
}

function closeCause(connection: Connection): CloseCause {
  return connection.forcedCloseAtMs <= connection.idleCloseAtMs ? connection.forcedCause : 'idle';
}

export function dropConnection(connection: Connection): void {
  const pool = connection.pool;
  const index = pool.indexOf(connection);
  if (index >= 0) {
    pool[index] = pool[pool.length - 1] as Connection;
    pool.pop();
  }
  connection.target.connections.delete(connection);
}

export class Pools {
  private nextConnectionId = 1;

  constructor(
    private readonly albIdleTimeoutMs: number,
    private readonly finDelayMs: [number, number],
    private readonly rng: Rng,
  ) {}

  /**
   * Take an idle connection at dispatch time d. Connections the ALB knows are closed
   * (FIN processed, or its own idle timeout) leave the pool; the chosen one races if
   * the target closed it within the window the ALB cannot see yet.
   */
  take(pool: Connection[], policy: PoolPolicy, dispatchMs: number): TakeResult {
    let best: Connection | null = null;
    for (let i = pool.length - 1; i >= 0; i--) {
      const c = pool[i] as Connection;
      if (c.busyUntilMs > dispatchMs) continue;
      const knownClosed = dispatchMs >= closeAtMs(c) + c.finDelayMs || dispatchMs >= c.lastUseMs + this.albIdleTimeoutMs;
      if (knownClosed) {
        pool[i] = pool[pool.length - 1] as Connection;
        pool.pop();
        c.target.connections.delete(c);
        continue;
      }
      if (!best || (policy === 'mru' ? c.lastUseMs > best.lastUseMs : c.lastUseMs < best.lastUseMs)) best = c;
    }
    if (!best) return { kind: 'none' };
    const idleMs = dispatchMs - best.lastUseMs;
    if (dispatchMs >= closeAtMs(best) - PRE_CLOSE_RACE_MS) {
      const cause = closeCause(best);
      dropConnection(best);
      return { kind: 'race', connection: best, idleMs, cause };
    }
    // Drawn only when the knob is set, so scenarios without it keep their random streams.
    const dropsPerHour = best.target.server.silentDropsPerIdleHour ?? 0;
    if (dropsPerHour > 0 && this.rng.chance(1 - Math.exp((-dropsPerHour * idleMs) / 3_600_000))) {
      dropConnection(best);
      return { kind: 'race', connection: best, idleMs, cause: 'silent_drop' };
    }
    return { kind: 'reuse', connection: best, idleMs };
  }

  open(pool: Connection[], target: TargetState, dispatchMs: number): Connection {
    const connection: Connection = {
      id: this.nextConnectionId++,
      target,
      pool,
      worker: target.workers[this.rng.int(target.workers.length)] as Worker,
      busyUntilMs: dispatchMs,
      lastUseMs: dispatchMs,
      requestsServed: 0,
      idleCloseAtMs: Infinity,
      forcedCloseAtMs: Infinity,
      forcedCause: 'idle',
      finDelayMs: 0,
    };
    pool.push(connection);
    target.connections.add(connection);
    return connection;
  }

  /** The target answered: the connection is busy until `endMs`, then idle and on the target's timers. */
  complete(connection: Connection, endMs: number): void {
    const target = connection.target;
    const server = target.server;
    connection.busyUntilMs = endMs;
    connection.lastUseMs = endMs;
    connection.requestsServed++;
    const workerGapMs = target.meanGapMs * Math.max(1, server.workersPerTarget);
    // The timeout in force when the connection goes idle (keepAliveChange: a fix rolled out at a known moment).
    connection.idleCloseAtMs = endMs + drawIdleCloseAfterMs(serverAt(server, endMs), this.rng, workerGapMs);
    connection.finDelayMs = this.rng.uniform(this.finDelayMs[0], this.finDelayMs[1]);
    // A pending forced close waits for the response in flight (servers close gracefully).
    if (connection.forcedCloseAtMs < endMs) connection.forcedCloseAtMs = endMs + drawForcedCloseDelayMs(this.rng);
    if (server.maxRequestsPerConnection > 0 && connection.requestsServed >= server.maxRequestsPerConnection) {
      this.force(connection, endMs + drawForcedCloseDelayMs(this.rng), 'max_requests');
    }
    const worker = connection.worker;
    worker.served++;
    if (worker.limit > 0 && worker.served >= worker.limit) this.recycleWorker(target, worker, endMs + drawWorkerRestartDelayMs(this.rng));
  }

  /** Gunicorn --max-requests: the worker exits and takes all its connections with it. */
  private recycleWorker(target: TargetState, worker: Worker, restartMs: number): void {
    const slot = target.workers.indexOf(worker);
    if (slot >= 0) target.workers[slot] = newWorker(target.server, this.rng);
    for (const c of target.connections) {
      if (c.worker === worker) this.force(c, Math.max(restartMs, c.busyUntilMs) + drawForcedCloseDelayMs(this.rng), 'max_requests');
    }
  }

  /** Graceful shutdown at `shutdownMs`: idle connections close now, busy ones after their response. */
  shutdown(target: TargetState, shutdownMs: number): void {
    for (const c of target.connections) {
      this.force(c, Math.max(shutdownMs, c.busyUntilMs) + drawForcedCloseDelayMs(this.rng), 'shutdown');
    }
    for (let i = 0; i < target.workers.length; i++) target.workers[i] = newWorker(target.server, this.rng);
  }

  private force(connection: Connection, atMs: number, cause: CloseCause): void {
    if (atMs < connection.forcedCloseAtMs) {
      connection.forcedCloseAtMs = atMs;
      connection.forcedCause = cause;
      // A forced close gets its own FIN-processing delay (only the earliest close counts).
      if (atMs < connection.idleCloseAtMs) connection.finDelayMs = this.rng.uniform(this.finDelayMs[0], this.finDelayMs[1]);
    }
  }
}
