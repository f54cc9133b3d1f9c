/**
 * Seeds for the S3 tests that the project's generator (test/generator/) is not built for: a year of
 * sparse day folders, and one very large object. Access-log objects in the real key layout (domain.md §4)
 * with realistic lines (the AWS page's layouts, escapes, IPv6 clients, multi-byte user agents, a few
 * malformed lines). Imports nothing from src/. Deterministic from a seed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const INTERVAL_MS = 5 * 60_000;

export interface LoadBalancer {
  /** Bucket prefix above AWSLogs/, '' or ending in '/'. */
  prefix: string;
  account: string;
  region: string;
  name: string;
  id: string;
  nodes: string[];
}

export interface SeedObject {
  key: string;
  body: Buffer;
}

/** mulberry32: small, fast, good enough for test data. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(16)];
    return s;
  }
  alnum(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += 'abcdefghijklmnopqrstuvwxyz0123456789'[this.int(36)];
    return s;
  }
}

const two = (n: number): string => String(n).padStart(2, '0');

export function keyStamp(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}T${two(d.getUTCHours())}${two(d.getUTCMinutes())}Z`;
}

export function regionFolder(lb: LoadBalancer): string {
  return `${lb.prefix}AWSLogs/${lb.account}/elasticloadbalancing/${lb.region}/`;
}

export function dayFolder(lb: LoadBalancer, epochMs: number): string {
  const d = new Date(epochMs);
  return `${regionFolder(lb)}${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/`;
}

const fileBase = (lb: LoadBalancer, endMs: number): string =>
  `${lb.account}_elasticloadbalancing_${lb.region}_app.${lb.name}.${lb.id}_${keyStamp(endMs)}`;

const isoMicros = (epochMs: number, micros: number): string => new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, `.$1${String(micros).padStart(3, '0')}Z`);

const USER_AGENTS = ['curl/8.5.0', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0', 'okhttp/4.12.0', 'Bücherwurm/1.0 (naïve)', 'python-requests/2.32.3', 'say \\x22hi\\x22'];
const PATHS = ['/', '/api/orders', '/api/orders/42', '/health', '/search?q=a b', '/static/app.js'];

/** One access-log line, 2024 layout (30 fields) or the 2016 one (20 fields, bare domain and cert). */
export function accessLogLine(lb: LoadBalancer, timeMs: number, rng: Rng, layout: '2016' | '2024' = '2024'): string {
  const elb = `app/${lb.name}/${lb.id}`;
  const client = rng.int(5) === 0 ? `2001:db8::${rng.hex(4)}:${1024 + rng.int(60000)}` : `203.0.113.${rng.int(250)}:${1024 + rng.int(60000)}`;
  const race = rng.int(40) === 0;
  const target = `10.0.${rng.int(4)}.${10 + rng.int(40)}:8080`;
  const elbStatus = race ? 502 : rng.pick([200, 200, 200, 201, 304, 404, 500]);
  const targetStatus = race ? '-' : String(elbStatus);
  const tpt = race ? '0.001' : (rng.int(900) / 1000).toFixed(3);
  const https = rng.int(3) > 0;
  const method = rng.pick(['GET', 'GET', 'POST', 'DELETE']);
  const request = `${method} ${https ? 'https' : 'http'}://shop.example.com:${https ? 443 : 80}${rng.pick(PATHS)} HTTP/1.1`;
  const tg = `arn:aws:elasticloadbalancing:${lb.region}:${lb.account}:targetgroup/${lb.name}-tg/${lb.id.slice(0, 16)}`;
  const trace = `Root=1-${Math.floor(timeMs / 1000).toString(16)}-${rng.hex(24)}`;
  const created = isoMicros(timeMs - 1 - rng.int(800), 0);
  const cipher = https ? 'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2' : '- -';
  const head =
    `${https ? 'https' : 'http'} ${isoMicros(timeMs, rng.int(1000))} ${elb} ${client} ${target} 0.000 ${tpt} 0.000 ` +
    `${elbStatus} ${targetStatus} ${rng.int(900)} ${race ? 272 : rng.int(40000)} "${request}" "${rng.pick(USER_AGENTS)}" ${cipher} ${tg} "${trace}"`;
  if (layout === '2016') return `${head} ${https ? 'shop.example.com' : '-'} -`;
  return (
    `${head} "${https ? 'shop.example.com' : '-'}" "-" 1 ${created} "forward" "-" "-" "${target}" "${targetStatus}" "-" "-" ` +
    `TID_${rng.hex(32)}`
  );
}

export interface AccessLogOptions {
  fromMs: number;
  toMs: number;
  seed: number;
  /** Lines per file, drawn from [min, max]. */
  lines: [number, number];
  /** Minutes between an interval's end and delivery (the folder is the delivery date). */
  delayMinutes?: [number, number];
}

/**
 * One object per node per 5-minute interval whose end lies in (fromMs, toMs]; entries inside the
 * interval, a few of them up to 4 minutes before it (logged late), some files with a malformed line.
 */
export function accessLogObjects(lb: LoadBalancer, options: AccessLogOptions): SeedObject[] {
  const rng = new Rng(options.seed);
  const [minDelay, maxDelay] = options.delayMinutes ?? [1, 9];
  const objects: SeedObject[] = [];
  const firstEnd = Math.floor(options.fromMs / INTERVAL_MS) * INTERVAL_MS + INTERVAL_MS;
  for (let endMs = firstEnd; endMs <= options.toMs; endMs += INTERVAL_MS) {
    for (const node of lb.nodes) {
      const lines: string[] = [];
      const count = options.lines[0] + rng.int(options.lines[1] - options.lines[0] + 1);
      for (let i = 0; i < count; i++) {
        const late = rng.int(25) === 0;
        const timeMs = endMs - INTERVAL_MS + rng.int(INTERVAL_MS) - (late ? 1 + rng.int(4 * 60_000) : 0);
        lines.push(accessLogLine(lb, timeMs, rng, rng.int(30) === 0 ? '2016' : '2024'));
      }
      if (rng.int(50) === 0) lines.splice(rng.int(lines.length + 1), 0, 'this is not an access log entry');
      const deliveredMs = endMs + (minDelay + rng.next() * (maxDelay - minDelay)) * 60_000;
      objects.push({
        key: `${dayFolder(lb, deliveredMs)}${fileBase(lb, endMs)}_${node}_${rng.alnum(8)}.log.gz`,
        body: gzipSync(lines.join('\n') + '\n'),
      });
    }
  }
  return objects;
}

/** Writes `root/<bucket>/<key>` files: the local copy, and the import folder for the server. */
export async function writeBucket(root: string, bucket: string, objects: readonly SeedObject[]): Promise<void> {
  const folders = new Set(objects.map((o) => dirname(join(root, bucket, o.key))));
  for (const folder of folders) await mkdir(folder, { recursive: true });
  for (let i = 0; i < objects.length; i += 64) {
    await Promise.all(objects.slice(i, i + 64).map((o) => writeFile(join(root, bucket, o.key), o.body)));
  }
}

/** The object AWS writes at `AWSLogs/<account>/` when access logging is turned on. */
export function testFileObject(lb: LoadBalancer, atMs: number): SeedObject {
  return {
    key: `${lb.prefix}AWSLogs/${lb.account}/ELBAccessLogTestFile`,
    body: Buffer.from(`Enable AccessLog for ELB: ${lb.name} at ${new Date(atMs).toISOString()}\n`),
  };
}
