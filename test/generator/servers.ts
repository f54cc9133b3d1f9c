// When a target server closes an idle keep-alive connection. Numbers come from the
// loopback measurements in domain.md §1 (Node 20, nginx 1.22, Gunicorn 20.1 gthread).

import type { Rng } from './prng.js';
import type { ServerProfile, ServerSpec } from './model.js';

/** Node's server arms the socket timeout at keepAliveTimeout + a fixed 1 s buffer. */
export const NODE_KEEP_ALIVE_BUFFER_MS = 1000;
/** Gunicorn's gthread loop polls with a 1 s timeout, so an idle worker notices late. */
export const GUNICORN_POLL_MS = 1000;
/** Under load Node and nginx occasionally stall 5–11 ms before closing. */
const STALL_CHANCE = 0.01;
const STALL_MS: [number, number] = [5, 11];
const PRECISE_JITTER_MS = 1;

/** The server as configured at simulation time `atMs` (ms since the start): after a keep-alive change, the new timeout. */
export function serverAt(server: ServerSpec, atMs: number): ServerSpec {
  const change = server.keepAliveChange;
  if (change === undefined || atMs < change.atHours * 3_600_000) return server;
  return { ...server, keepAliveTimeoutMs: change.keepAliveTimeoutMs, keepAliveChange: undefined };
}

/** The true T: idle age at which the server nominally closes. */
export function idleCloseMs(server: ServerSpec): number {
  return server.profile === 'node'
    ? server.keepAliveTimeoutMs + NODE_KEEP_ALIVE_BUFFER_MS
    : server.keepAliveTimeoutMs;
}

/** Range of idle ages at which the server can actually close, jitter included. */
export function idleCloseRangeMs(server: ServerSpec): [number, number] {
  const nominal = idleCloseMs(server);
  if (server.profile === 'gunicorn') return [nominal, nominal + GUNICORN_POLL_MS];
  return [nominal - PRECISE_JITTER_MS, nominal + STALL_MS[1] + PRECISE_JITTER_MS];
}

/**
 * Idle age (ms) at which this server closes a connection that just went idle.
 * `workerEventGapMs` is the mean time between events on the worker: Gunicorn only
 * notices an expired keep-alive when its poll loop wakes, on the next event or the
 * 1 s poll timeout, whichever comes first.
 */
export function drawIdleCloseAfterMs(server: ServerSpec, rng: Rng, workerEventGapMs: number): number {
  const nominal = idleCloseMs(server);
  switch (server.profile) {
    case 'node':
    case 'nginx': {
      const stall = rng.chance(STALL_CHANCE) ? rng.uniform(STALL_MS[0], STALL_MS[1]) : 0;
      return nominal + rng.uniform(-PRECISE_JITTER_MS, PRECISE_JITTER_MS) + stall;
    }
    case 'gunicorn': {
      const nextEventMs = rng.exponential(Math.max(0.5, workerEventGapMs));
      const pollTimeoutMs = rng.uniform(0, GUNICORN_POLL_MS);
      return nominal + Math.min(nextEventMs, pollTimeoutMs);
    }
  }
}

/** Delay between the response that triggers a forced close and the close itself. */
export function drawForcedCloseDelayMs(rng: Rng): number {
  return rng.uniform(0.05, 1.5);
}

/** A worker restart (--max-requests) takes a moment: it finishes and exits. */
export function drawWorkerRestartDelayMs(rng: Rng): number {
  return rng.uniform(2, 60);
}

export function describeProfile(profile: ServerProfile): string {
  switch (profile) {
    case 'node':
      return 'Node.js http server: closes at keepAliveTimeout + 1000 ms, ±1 ms, rare 5–11 ms stalls';
    case 'nginx':
      return 'nginx: closes at keepalive_timeout ±1 ms, rare 5–11 ms stalls';
    case 'gunicorn':
      return 'Gunicorn gthread: never early; late by the next worker event or up to the 1 s poll';
  }
}
