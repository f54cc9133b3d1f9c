// Client traffic: a non-homogeneous Poisson process (diurnal curve × quiet periods ×
// bursts) and the clients behind it. Races need idle connections, so quiet hours and
// bursts matter more here than the mean rate.

import { Rng } from './prng.js';
import type { RequestInfo, RouteSpec, TrafficSpec } from './model.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface RateSegment {
  startMs: number;
  endMs: number;
  factor: number;
}

interface Window {
  startMs: number;
  endMs: number;
  factor: number;
}

/** Poisson event times in [0, horizonMs) at `perDay` events per day. */
function poissonTimes(rng: Rng, perDay: number, horizonMs: number): number[] {
  const times: number[] = [];
  if (perDay <= 0) return times;
  const meanGapMs = DAY_MS / perDay;
  for (let t = rng.exponential(meanGapMs); t < horizonMs; t += rng.exponential(meanGapMs)) times.push(t);
  return times;
}

/**
 * Piecewise-constant multiplier from quiet periods and bursts, precomputed over the
 * horizon: windows may overlap, so factors multiply on the elementary segments.
 */
function buildSegments(traffic: TrafficSpec, rng: Rng, horizonMs: number): RateSegment[] {
  const windows: Window[] = [];
  for (const startMs of poissonTimes(rng, traffic.quietPerDay, horizonMs)) {
    const lengthMs = rng.uniform(traffic.quietMinutes[0], traffic.quietMinutes[1]) * 60_000;
    windows.push({ startMs, endMs: startMs + lengthMs, factor: traffic.quietFactor });
  }
  for (const startMs of poissonTimes(rng, traffic.burstsPerHour * 24, horizonMs)) {
    const lengthMs = rng.uniform(traffic.burstSeconds[0], traffic.burstSeconds[1]) * 1000;
    windows.push({ startMs, endMs: startMs + lengthMs, factor: rng.uniform(traffic.burstFactor[0], traffic.burstFactor[1]) });
  }
  for (const change of traffic.rateChanges ?? []) windows.push({ startMs: change.atHours * 3_600_000, endMs: Infinity, factor: change.factor });
  const edges = new Set<number>([0, horizonMs]);
  for (const w of windows) {
    if (w.startMs < horizonMs) edges.add(w.startMs);
    if (w.endMs < horizonMs) edges.add(w.endMs);
  }
  const sorted = [...edges].sort((a, b) => a - b);
  windows.sort((a, b) => a.startMs - b.startMs);
  const segments: RateSegment[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const startMs = sorted[i] as number;
    const endMs = sorted[i + 1] as number;
    let factor = 1;
    for (const w of windows) {
      if (w.startMs > startMs) break;
      if (w.endMs > startMs) factor *= w.factor;
    }
    segments.push({ startMs, endMs, factor });
  }
  return segments;
}

/** Request arrival times by thinning, segment by segment (the process is memoryless). */
export class ArrivalProcess {
  private readonly segments: RateSegment[];
  private segmentIndex = 0;
  private nowMs = 0;

  constructor(
    private readonly traffic: TrafficSpec,
    private readonly startEpochMs: number,
    horizonMs: number,
    private readonly rng: Rng,
  ) {
    this.segments = buildSegments(traffic, rng.fork('windows'), horizonMs);
  }

  /** Rate multiplier of the diurnal curve at a simulation time. */
  diurnal(tMs: number): number {
    const hourUtc = (((this.startEpochMs + tMs) % DAY_MS) + DAY_MS) % DAY_MS / HOUR_MS;
    const phase = (2 * Math.PI * (hourUtc - this.traffic.peakHourUtc)) / 24;
    return 1 + this.traffic.diurnalAmplitude * Math.cos(phase);
  }

  /** Next arrival time, or null past the horizon. */
  next(): number | null {
    const maxDiurnal = 1 + Math.abs(this.traffic.diurnalAmplitude);
    for (;;) {
      const segment = this.segments[this.segmentIndex];
      if (!segment) return null;
      const maxRatePerMs = (this.traffic.ratePerSec * maxDiurnal * segment.factor) / 1000;
      if (maxRatePerMs <= 0) {
        this.nowMs = segment.endMs;
        this.segmentIndex++;
        continue;
      }
      const candidateMs = this.nowMs + this.rng.exponential(1 / maxRatePerMs);
      if (candidateMs >= segment.endMs) {
        this.nowMs = segment.endMs;
        this.segmentIndex++;
        continue;
      }
      this.nowMs = candidateMs;
      if (this.rng.next() * maxDiurnal < this.diurnal(candidateMs)) return candidateMs;
    }
  }
}

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 ShopApp/4.2.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'okhttp/4.12.0',
  'python-requests/2.32.3',
  'curl/8.5.0',
  'Go-http-client/1.1',
  'axios/1.7.7',
  'Amazon CloudFront',
  '-',
  // AWS writes non-ASCII bytes and a double quote inside quoted fields as \xHH.
  'Caf\\xC3\\xA9Client/1.0 (Android 14)',
  'Mozilla/5.0 (compatible; \\x22Bot\\x22/2.1)',
] as const;

const TLS_CHOICES = [
  { cipher: 'ECDHE-RSA-AES128-GCM-SHA256', protocol: 'TLSv1.2' },
  { cipher: 'TLS_AES_128_GCM_SHA256', protocol: 'TLSv1.3' },
  { cipher: 'TLS_AES_256_GCM_SHA384', protocol: 'TLSv1.3' },
] as const;

const SEARCH_WORDS = ['shoes', 'red', 'running', 'gift card', 'laptop', 'usb-c', 'winter jacket', 'tea'];

interface ClientConnection {
  port: number;
  connTraceId: string;
  nodeIndex: number;
  lastUseMs: number;
}

export interface Client {
  ip: string;
  userAgent: string;
  type: 'http' | 'https' | 'h2';
  /** The client's own request timeout, or Infinity. */
  timeoutMs: number;
  connection: ClientConnection | null;
}

function ipv4(rng: Rng): string {
  return `${rng.intBetween(1, 223)}.${rng.int(256)}.${rng.int(256)}.${rng.intBetween(1, 254)}`;
}

function ipv6(rng: Rng): string {
  const groups: string[] = ['2001', 'db8'];
  for (let i = 0; i < 6; i++) groups.push(rng.int(0x10000).toString(16));
  return groups.join(':');
}

export class ClientPool {
  private readonly clients: Client[] = [];

  constructor(
    private readonly traffic: TrafficSpec,
    private readonly nodeCount: number,
    private readonly rng: Rng,
  ) {
    const typeWeights: ('http' | 'https' | 'h2')[] = ['https', 'https', 'https', 'h2', 'h2', 'http'];
    for (let i = 0; i < Math.max(1, traffic.clientCount); i++) {
      const hasTimeout = rng.chance(traffic.clientTimeoutShare);
      this.clients.push({
        ip: rng.chance(traffic.ipv6Share) ? ipv6(rng) : ipv4(rng),
        userAgent: rng.pick(USER_AGENTS),
        type: rng.pick(typeWeights),
        timeoutMs: hasTimeout ? rng.uniform(traffic.clientTimeoutSeconds[0], traffic.clientTimeoutSeconds[1]) * 1000 : Infinity,
        connection: null,
      });
    }
  }

  /** A client for a new request: skewed so a few clients send most traffic. */
  pick(): Client {
    const u = this.rng.next();
    return this.clients[Math.floor(u * u * this.clients.length)] as Client;
  }

  /** The client connection (and so the ALB node) this request arrives on. */
  connectionFor(client: Client, receivedMs: number): ClientConnection {
    const current = client.connection;
    // The ALB closes idle client connections after its idle timeout (60 s by default).
    if (current && receivedMs - current.lastUseMs < 55_000 && this.rng.chance(this.traffic.clientKeepAliveShare)) {
      current.lastUseMs = receivedMs;
      return current;
    }
    const tidLength = this.rng.chance(0.9) ? 32 : this.rng.pick([16, 24, 31]);
    const fresh: ClientConnection = {
      port: this.rng.intBetween(1024, 65535),
      connTraceId: `TID_${this.rng.hex(tidLength)}`,
      nodeIndex: this.rng.int(this.nodeCount),
      lastUseMs: receivedMs,
    };
    client.connection = fresh;
    return fresh;
  }
}

function fillPath(template: string, rng: Rng): string {
  return template
    .replace('{id}', () => String(rng.intBetween(1, 999_999)))
    .replace('{hex}', () => rng.hex(8))
    .replace('{q}', () => {
      const word = rng.pick(SEARCH_WORDS);
      // ALB writes the URI as received: a raw space can appear in it.
      return rng.chance(0.5) ? word : word.replace(' ', '+');
    });
}

/** What the ALB logs about the request itself, decided when it arrives. */
export function makeRequest(
  rng: Rng,
  client: Client,
  connection: ClientConnection,
  route: RouteSpec,
  hostname: string,
  receivedEpochMs: number,
): RequestInfo {
  const secure = client.type !== 'http';
  const port = secure ? 443 : 80;
  const uri = `${secure ? 'https' : 'http'}://${hostname}:${port}${fillPath(route.path, rng)}`;
  const bodyBytes = route.method === 'GET' || route.method === 'DELETE' ? 0 : rng.intBetween(60, 4000);
  const ipPort = `${client.ip}:${connection.port}`;
  const epochSecondsHex = Math.floor(receivedEpochMs / 1000).toString(16).padStart(8, '0');
  return {
    type: client.type,
    method: route.method,
    uri,
    userAgent: client.userAgent,
    clientIpPort: ipPort,
    tls: secure ? rng.pick(TLS_CHOICES) : null,
    receivedBytes: rng.intBetween(180, 900) + bodyBytes,
    traceId: `Root=1-${epochSecondsHex}-${rng.hex(24)}`,
    connTraceId: connection.connTraceId,
    certSessionReused: secure && rng.chance(0.1),
  };
}

/** A request the ALB cannot parse: written as `"- http://host:80- -"`. */
export function makeMalformedRequest(rng: Rng, client: Client, connection: ClientConnection): RequestInfo {
  return {
    type: 'http',
    method: '-',
    uri: '',
    userAgent: '-',
    clientIpPort: `${client.ip}:${connection.port}`,
    tls: null,
    receivedBytes: rng.intBetween(0, 400),
    traceId: '-',
    connTraceId: connection.connTraceId,
    certSessionReused: false,
  };
}
