/**
 * The S3 source against a real S3-compatible server (s3rver, in its own process) through the real
 * client: the same stats and records as reading the same files locally, day-folder listings for a time
 * range (checked on the requests the server saw), paging past 1,000 keys, and the listing errors a local
 * server can produce.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlbDoctorError } from '../../src/errors.js';
import { readInput } from '../../src/run.js';
import { openSources, type S3Listing, type SourceOptions } from '../../src/sources/index.js';
import type { SourceItem } from '../../src/sources/logObject.js';
import { scenario, writeScenario } from '../generator/index.js';
import { accessLogObjects, type LoadBalancer, writeBucket, type SeedObject } from './albLogLayout.js';
import { readAll, type ReadResult } from './readAll.js';
import { S3RVER_CREDENTIALS, S3rverProcess } from './s3rverHarness.js';

const YEARLY: LoadBalancer = { prefix: '', account: '999988887777', region: 'ap-southeast-2', name: 'yearly', id: 'aa11bb22cc33dd44', nodes: ['172.31.9.9'] };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Three simulated load balancers under one prefix, written by the project's generator: web and api share
 * an account and region (so the same day folders), edge has its own. 25 hours on 4 nodes put more than
 * 1,000 keys in one day folder; files of 1 March's last minutes are delivered into the 2 March folder.
 */
async function writeAlbLogsBucket(logDir: string, truthRoot: string): Promise<void> {
  const runs = [
    { name: 'web', account: '111122223333', region: 'eu-west-1', nodeCount: 3, startIso: '2026-03-01T00:00:00Z', durationMs: DAY + HOUR, seed: 11 },
    { name: 'api', account: '111122223333', region: 'eu-west-1', nodeCount: 1, startIso: '2026-03-01T00:00:00Z', durationMs: DAY + HOUR, seed: 12 },
    { name: 'edge', account: '444455556666', region: 'us-east-2', nodeCount: 2, startIso: '2026-03-01T23:00:00Z', durationMs: 2 * HOUR, seed: 13 },
  ];
  for (const run of runs) {
    const simulated = scenario(
      'healthy',
      { lbName: run.name, account: run.account, region: run.region, nodeCount: run.nodeCount },
      { startIso: run.startIso, durationMs: run.durationMs, ratePerSec: 0.1 },
    );
    await writeScenario(simulated, { seed: run.seed, logDir, truthDir: join(truthRoot, run.name), junk: true, labels: false });
  }
}

const JAN_1_2025 = Date.parse('2025-01-01T00:00:00Z');
const JUN_15_2025 = Date.parse('2025-06-15T00:00:00Z');

function yearBucket(): SeedObject[] {
  const objects: SeedObject[] = [];
  for (let day = 0; day < 365; day++) {
    const noon = JAN_1_2025 + day * DAY + 12 * HOUR;
    if (noon - 12 * HOUR === JUN_15_2025) continue;
    objects.push(...accessLogObjects(YEARLY, { fromMs: noon - 5 * 60_000, toMs: noon, seed: 100 + day, lines: [1, 2] }));
  }
  objects.push(...accessLogObjects(YEARLY, { fromMs: JUN_15_2025 + 9 * HOUR, toMs: JUN_15_2025 + 12 * HOUR, seed: 7, lines: [2, 4] }));
  return objects;
}

let root = '';
let seedDir = '';
let server: S3rverProcess;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'alb-doctor-s3-'));
  seedDir = join(root, 'seed');
  await writeAlbLogsBucket(join(seedDir, 'alb-logs', 'prod'), join(root, 'truth'));
  await writeBucket(seedDir, 'year-logs', yearBucket());
  server = await S3rverProcess.start(join(root, 'data'), seedDir);
});

afterAll(async () => {
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

const s3Options = (extra: Partial<SourceOptions> = {}): SourceOptions => ({
  stdin: Readable.from([]),
  endpointUrl: server.endpoint,
  region: 'eu-west-1',
  credentials: S3RVER_CREDENTIALS,
  ...extra,
});

/** Local file names → the S3 names of the same objects. */
const asS3Name = (name: string): string => (name.startsWith(seedDir) ? `s3:/${name.slice(seedDir.length)}` : name);

const localReads = new Map<string, Promise<ReadResult>>();
/** The same folder read locally (once per folder: the local copy never changes). */
function readLocal(path: string): Promise<ReadResult> {
  if (!localReads.has(path)) localReads.set(path, readAll(openSources([join(seedDir, path)], s3Options()), asS3Name));
  return localReads.get(path)!;
}

async function readS3(uri: string, extra: Partial<SourceOptions> = {}): Promise<ReadResult & { listings: S3Listing[] }> {
  const listings: S3Listing[] = [];
  const result = await readAll(openSources([uri], s3Options({ ...extra, onListed: (l) => listings.push(l) })), (n) => n);
  return { ...result, listings };
}

async function collectBytes(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const timeOf = (record: string): number => Date.parse((JSON.parse(record) as { time: string }).time);
const elbOf = (record: string): string => (JSON.parse(record) as { elb: string }).elb;
const endOf = (name: string): number => {
  const m = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/.exec(name)!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
};

describe('S3 source against s3rver', () => {
  it('reads a prefix like the same files read locally: same items in key order, stats and records; pages past 1,000 keys', async () => {
    await server.clearRequests();
    const local = await readLocal('alb-logs/prod');
    const s3 = await readS3('s3://alb-logs/prod/');

    expect(s3.items).toEqual(local.items);
    expect(s3.stats).toEqual(local.stats);
    expect(s3.records).toEqual(local.records);
    // The seed holds every kind of object that is not an access log.
    expect(Object.keys(s3.raw.skippedByReason).sort()).toEqual(['connection_log', 'empty_object', 'health_check_log', 'nlb_log', 'test_file']);
    expect(s3.raw.files).toBeGreaterThan(1200);
    expect(s3.raw.unread).toEqual([]);
    // Progress totals known after listing match what was read.
    expect(s3.listings).toHaveLength(1);
    expect(s3.listings[0]).toMatchObject({ objects: s3.raw.files, bytes: s3.raw.bytes, skipped: s3.raw.skippedFiles });
    const lists = await server.listRequests();
    expect(lists.some((l) => l.continued)).toBe(true);
  });

  it('reads the same on a worker thread (the default) as on this thread, and with a credentials provider function', async () => {
    const uri = 's3://alb-logs/prod/AWSLogs/444455556666/';
    const onThread = await readS3(uri);
    const onThisThread = await readS3(uri, { s3OnThisThread: true });
    // A provider function cannot cross to a thread: the source runs here instead.
    const provided = await readS3(uri, { credentials: async () => S3RVER_CREDENTIALS });
    expect(onThread.raw.files).toBeGreaterThan(10);
    for (const other of [onThisThread, provided]) {
      expect(other.items).toEqual(onThread.items);
      expect(other.stats).toEqual(onThread.stats);
      expect(other.records).toEqual(onThread.records);
      expect(other.listings).toEqual(onThread.listings);
    }
  });

  it.each([false, true])('an object opened after the source moved on is a bug, not a silent empty read (this thread: %s)', async (s3OnThisThread) => {
    const items = openSources(['s3://alb-logs/prod/AWSLogs/444455556666/'], s3Options({ s3OnThisThread }))[Symbol.asyncIterator]();
    let first: SourceItem | undefined;
    while (first?.kind !== 'log') first = (await items.next()).value as SourceItem;
    let next: SourceItem | undefined;
    while (next?.kind !== 'log') next = (await items.next()).value as SourceItem;
    const late = await collectBytes(first.open()).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(Error);
    expect(isAlbDoctorError(late)).toBe(false);
    expect((late as Error).message).toContain('before the next item');
    // The current object still reads, and stopping early ends the source (and its thread) cleanly.
    expect((await collectBytes(next.open())).length).toBe(next.sizeBytes);
    await items.return?.(undefined);
  });

  it.each([
    ['a region folder without its trailing slash', 's3://alb-logs/prod/AWSLogs/444455556666/elasticloadbalancing/us-east-2', 'alb-logs/prod/AWSLogs/444455556666/elasticloadbalancing/us-east-2'],
    ['an account folder', 's3://alb-logs/prod/AWSLogs/444455556666', 'alb-logs/prod/AWSLogs/444455556666'],
    ['a region folder', 's3://alb-logs/prod/AWSLogs/444455556666/elasticloadbalancing/us-east-2/', 'alb-logs/prod/AWSLogs/444455556666/elasticloadbalancing/us-east-2'],
    ['a day folder', 's3://alb-logs/prod/AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2026/03/02/', 'alb-logs/prod/AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2026/03/02'],
  ])('reads %s like its local folder', async (_label, uri, path) => {
    const local = await readLocal(path);
    const s3 = await readS3(uri);
    expect(s3.items).toEqual(local.items);
    expect(s3.stats).toEqual(local.stats);
    expect(s3.records).toEqual(local.records);
  });

  it('finds accounts and regions under a bucket root, lists only the range\'s day folders for one load balancer, and misses no entry in the range', async () => {
    const from = new Date('2026-03-01T23:40:00Z');
    const to = new Date('2026-03-02T00:20:00Z');
    await server.clearRequests();
    const s3 = await readS3('s3://alb-logs', { from, to, lbName: 'web' });
    const lists = await server.listRequests();

    // Discovery: the root, the one folder below it, AWSLogs/, then each account's regions.
    expect(lists.filter((l) => l.delimiter === '/').map((l) => l.prefix)).toEqual([
      '',
      'prod/',
      'prod/AWSLogs/',
      'prod/AWSLogs/111122223333/elasticloadbalancing/',
      'prod/AWSLogs/444455556666/elasticloadbalancing/',
    ]);
    // Content: one day folder either side of the range, narrowed to web's files.
    const days = ['2026/02/28', '2026/03/01', '2026/03/02', '2026/03/03'];
    expect(lists.filter((l) => l.delimiter === null && !l.continued).map((l) => l.prefix)).toEqual([
      ...days.map((d) => `prod/AWSLogs/111122223333/elasticloadbalancing/eu-west-1/${d}/111122223333_elasticloadbalancing_eu-west-1_app.web.`),
      ...days.map((d) => `prod/AWSLogs/444455556666/elasticloadbalancing/us-east-2/${d}/444455556666_elasticloadbalancing_us-east-2_app.web.`),
    ]);

    // Only files whose 5-minute interval can hold the range (plus one late interval) were downloaded…
    const fetched = await server.getRequests();
    expect(fetched.length).toBe(s3.raw.files);
    for (const key of fetched) {
      expect(key).toContain('_app.web.');
      expect(endOf(key)).toBeGreaterThan(from.getTime());
      expect(endOf(key)).toBeLessThanOrEqual(to.getTime() + 10 * 60_000);
    }
    // …including those delivered into the next day's folder,
    expect(fetched.some((k) => k.includes('/2026/03/02/') && endOf(k) < Date.parse('2026-03-02T00:00:00Z'))).toBe(true);
    // …and every entry of the range is there, as the whole local copy has it.
    const local = await readLocal('alb-logs/prod');
    const inRange = (r: string): boolean => timeOf(r) >= from.getTime() && timeOf(r) < to.getTime() && elbOf(r).startsWith('app/web/');
    const expected = local.records.filter(inRange);
    expect(expected.length).toBeGreaterThan(50);
    expect(s3.records.filter(inRange)).toEqual(expected);
  });

  it('lists only three day folders for a one-hour range in a bucket holding a year of them', async () => {
    const from = new Date('2025-06-15T10:00:00Z');
    const to = new Date('2025-06-15T11:00:00Z');
    await server.clearRequests();
    const s3 = await readS3('s3://year-logs', { from, to });
    const lists = await server.listRequests();
    const region = 'AWSLogs/999988887777/elasticloadbalancing/ap-southeast-2/';
    expect(lists.map((l) => [l.prefix, l.delimiter])).toEqual([
      ['', '/'],
      ['AWSLogs/', '/'],
      [`AWSLogs/999988887777/elasticloadbalancing/`, '/'],
      [`${region}2025/06/14/`, null],
      [`${region}2025/06/15/`, null],
      [`${region}2025/06/16/`, null],
    ]);
    const fetched = await server.getRequests();
    // Intervals ending 10:05 … 11:05 (the last one for entries logged late): 13 of the 38 keys listed.
    expect(fetched.map(endOf).sort()).toEqual(Array.from({ length: 13 }, (_, i) => from.getTime() + (i + 1) * 5 * 60_000));
    const local = await readLocal('year-logs');
    const inRange = (r: string): boolean => timeOf(r) >= from.getTime() && timeOf(r) < to.getTime();
    expect(s3.records.filter(inRange)).toEqual(local.records.filter(inRange));
    expect(s3.listings[0]).toMatchObject({ keys: 38, objects: 13 });
  });

  it("downloads without asking for S3's checksum (gzip's CRC-32 covers the bytes)", async () => {
    await server.clearRequests();
    await readS3('s3://year-logs', { from: new Date('2025-06-15T10:00:00Z'), to: new Date('2025-06-15T10:30:00Z') });
    const gets = await server.getObjectRequests();
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.map((g) => g.checksumMode)).toEqual(gets.map(() => null));
  });

  it.each([
    ['a missing bucket', 's3://no-such-bucket/logs/', {}, 'S3_NO_SUCH_BUCKET', /s3:\/\/no-such-bucket/],
    ['rejected credentials', 's3://alb-logs/prod/', { credentials: { accessKeyId: 'AKIAEXAMPLEUNKNOWN', secretAccessKey: 'x' } }, 'S3_CREDENTIALS_REJECTED', /InvalidAccessKeyId/],
    ['an empty range', 's3://year-logs', { from: new Date('2024-02-01T10:00:00Z'), to: new Date('2024-02-01T11:00:00Z') }, 'S3_NO_LOGS', /between 2024-02-01T10:00:00Z and 2024-02-01T11:00:00Z \(listed 3 prefixes: .*2024\/01\/31\/, .*2024\/02\/01\/, .*2024\/02\/02\/ with 0 object/],
    ['a load balancer with no logs', 's3://alb-logs/prod/', { lbName: 'app/nope/0123456789abcdef' }, 'S3_NO_LOGS', /load balancer nope/],
    ['a prefix with no AWSLogs folder', 's3://alb-logs/staging', { from: new Date('2026-03-01T10:00:00Z'), to: new Date('2026-03-01T11:00:00Z') }, 'S3_NO_LOGS', /no AWSLogs\/.*staging\//],
  ] as const)('stops with one sentence for %s', async (_label, uri, extra, code, message) => {
    const error = await readS3(uri, extra).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAlbDoctorError(error)).toBe(true);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('says the endpoint cannot be reached when nothing listens there', async () => {
    const closed = await S3rverProcess.start(join(root, 'data-closed'));
    const endpoint = closed.endpoint;
    await closed.stop();
    const error = await readAll(openSources(['s3://alb-logs/prod/'], s3Options({ endpointUrl: endpoint })), (n) => n).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'S3_UNREACHABLE' });
    expect((error as Error).message).toContain(endpoint);
  });
});
