/**
 * Every S3 example of the README, run by the real CLI against a bucket laid out exactly as ALB writes it
 * and nothing more: log objects only in the day folders, and ELBAccessLogTestFile at `AWSLogs/<account>/`.
 * No object sits directly in a folder above the day folders, so folder discovery only works if the server
 * derives common prefixes from the keys below them, as S3 does (s3rverListing.test.ts checks that it does).
 * Each run is compared with the same argv on the local copy of the objects it should read: the whole
 * bucket, the prefix or the folder named, or for --lb a copy of that load balancer's objects alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, type CliRun } from '../support/runCli.js';
import { accessLogObjects, type LoadBalancer, regionFolder, type SeedObject, testFileObject, writeBucket } from './albLogLayout.js';
import { S3rverProcess } from './s3rverHarness.js';
import { stubS3rverEnvironment } from './s3rverBucket.js';
import { mapNames, mapParseLine, mapSourceNames, type Rename, s3ToLocal } from './sourceNames.js';

const BUCKET = 'my-alb-logs';
const NOW_MS = Date.parse('2026-03-01T12:00:00Z');
const HOUR_MS = 3_600_000;

// Two load balancers logging to prod/ (sharing its day folders) and one to staging/ in another account.
const CHECKOUT: LoadBalancer = { prefix: 'prod/', account: '123456789012', region: 'eu-west-1', name: 'checkout-prod', id: '50dc6c495c0c9188', nodes: ['172.31.10.11', '172.31.20.12'] };
const SEARCH: LoadBalancer = { prefix: 'prod/', account: '123456789012', region: 'eu-west-1', name: 'search-prod', id: '7f3e2a1b9c8d6e5f', nodes: ['172.31.10.40'] };
const STAGING: LoadBalancer = { prefix: 'staging/', account: '210987654321', region: 'us-east-1', name: 'checkout-staging', id: '0a1b2c3d4e5f6a7b', nodes: ['172.31.5.5'] };
const CHECKOUT_ARN = `arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/checkout-prod/${CHECKOUT.id}`;
const REGION = regionFolder(CHECKOUT);
const DAY = `${REGION}2026/03/01/`;
const README_RANGE = ['--from', '2026-03-01T10:00Z', '--to', '2026-03-01T11:00Z'];

let root = '';
let seedDir = '';
let checkoutDir = '';
let server: S3rverProcess;

/** prod: 26 hours up to NOW (across midnight, so --from 1d spans two day folders); staging: the last 8. */
function seedObjects(): { all: SeedObject[]; checkout: SeedObject[] } {
  const lastEndMs = NOW_MS - 10 * 60_000;
  const logs = (lb: LoadBalancer, fromMs: number, seed: number): SeedObject[] => accessLogObjects(lb, { fromMs, toMs: lastEndMs, seed, lines: [4, 12] });
  const checkout = logs(CHECKOUT, NOW_MS - 26 * HOUR_MS, 21);
  const enabledMs = NOW_MS - 30 * 24 * HOUR_MS;
  const all = [...checkout, ...logs(SEARCH, NOW_MS - 26 * HOUR_MS, 22), ...logs(STAGING, NOW_MS - 8 * HOUR_MS, 23), testFileObject(CHECKOUT, enabledMs), testFileObject(STAGING, enabledMs)];
  return { all, checkout: [...checkout, testFileObject(CHECKOUT, enabledMs)] };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'alb-doctor-s3-readme-'));
  seedDir = join(root, 'seed');
  checkoutDir = join(root, 'checkout-only');
  const { all, checkout } = seedObjects();
  await writeBucket(seedDir, BUCKET, all);
  await writeBucket(checkoutDir, BUCKET, checkout);
  server = await S3rverProcess.start(join(root, 'data'), seedDir);
  stubS3rverEnvironment();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

interface Example {
  /** After `s3://my-alb-logs/`; the local copy is the same path under the seed folder. */
  path: string;
  args: string[];
  /** Compare with the local copy of checkout-prod's objects alone. */
  checkoutOnly?: boolean;
}

/** The example on s3:// and the same argv on the local copy of the objects it names. */
async function both(command: 'report' | 'parse', example: Example): Promise<{ s3: CliRun; local: CliRun; rename: Rename }> {
  const localRoot = example.checkoutOnly ? checkoutDir : seedDir;
  const s3Flags = ['--endpoint-url', server.endpoint, '--concurrency', '4'];
  const run = (target: string): Promise<CliRun> => runCli([command, target, ...example.args, ...s3Flags], { env: process.env, now: () => NOW_MS });
  const s3 = await run(`s3://${BUCKET}/${example.path}`);
  const local = await run(join(localRoot, BUCKET, example.path));
  return { s3, local, rename: s3ToLocal(localRoot) };
}

const reportOf = (run: CliRun): Report => {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Report;
};

const timeOf = (record: string): number => Date.parse((JSON.parse(record) as { time: string }).time);

describe('the README S3 examples on the layout ALB writes, against the local copy', () => {
  it.each([
    ['the bucket root', { path: '', args: [] }],
    ['the access_logs.s3.prefix', { path: 'prod', args: [] }],
    ['the region folder', { path: REGION, args: [] }],
    ['one day folder', { path: DAY, args: [] }],
  ])('report on %s, no range: the same JSON', async (_label, example) => {
    const { s3, local, rename } = await both('report', { ...example, args: ['--format', 'json'] });
    const localReport = reportOf(local);
    expect(localReport.input.entries).toBeGreaterThan(1000);
    expect(localReport.input.skippedByReason).toEqual(example.path === '' || example.path === 'prod' ? { test_file: example.path === '' ? 2 : 1 } : {});
    expect(mapSourceNames(reportOf(s3), rename)).toEqual(localReport);
    expect(mapNames(s3.stderr, rename)).toBe(local.stderr);
  });

  it.each([
    ['the bucket root --from 6h', { path: '', args: ['--from', '6h'] }],
    ['the access_logs.s3.prefix, --from and --to', { path: 'prod', args: README_RANGE }],
    ['the region folder --from 2h', { path: REGION, args: ['--from', '2h'] }],
    ['one day folder, --from and --to', { path: DAY, args: README_RANGE }],
    ['the bucket root --lb by name --from 1d', { path: '', args: ['--lb', 'checkout-prod', '--from', '1d'], checkoutOnly: true }],
    ['the bucket root --from 1d --lb by ARN', { path: '', args: ['--from', '1d', '--lb', CHECKOUT_ARN], checkoutOnly: true }],
  ])('report on %s: the same analysis of the window, from fewer objects', async (_label, example) => {
    const { s3, local, rename } = await both('report', { ...example, args: [...example.args, '--format', 'json'] });
    const { input: s3Input, ...s3Analysis } = mapSourceNames(reportOf(s3), rename);
    const { input: localInput, ...localAnalysis } = reportOf(local);
    // The local copy is read whole and its entries outside the window counted; S3 reads only the objects
    // whose intervals can hold the window.
    expect(s3Input.files).toBeLessThan(localInput.files);
    expect(localInput.entries - localInput.outsideWindow).toBeGreaterThan(100);
    expect(s3Input.entries - s3Input.outsideWindow).toBe(localInput.entries - localInput.outsideWindow);
    expect(s3Analysis).toEqual(localAnalysis);
  });

  it('finds both prefixes under the bucket root, and lists an open range up to the clock its relative --from was read on', async () => {
    await server.clearRequests();
    const { s3 } = await both('report', { path: '', args: ['--from', '6h', '--format', 'json'] });
    expect(s3.code, s3.stderr).toBe(0);
    const lists = (await server.listRequests()).filter((l) => !l.continued);
    expect(lists.filter((l) => l.delimiter === '/').map((l) => l.prefix)).toEqual([
      '',
      'prod/',
      'prod/AWSLogs/',
      'prod/AWSLogs/123456789012/elasticloadbalancing/',
      'staging/',
      'staging/AWSLogs/',
      'staging/AWSLogs/210987654321/elasticloadbalancing/',
    ]);
    // From 05:50 (6 hours and the 10 minutes before them) to 12:00 on 1 March: a day folder either side.
    const days = ['2026/02/28/', '2026/03/01/', '2026/03/02/'];
    expect(lists.filter((l) => l.delimiter === null).map((l) => l.prefix)).toEqual([
      ...days.map((d) => `${REGION}${d}`),
      ...days.map((d) => `${regionFolder(STAGING)}${d}`),
    ]);
  });

  it('parse on one day folder: the same records', async () => {
    const { s3, local, rename } = await both('parse', { path: DAY, args: [] });
    expect(s3.code).toBe(0);
    const lines = s3.stdout.split('\n');
    expect(lines.length).toBeGreaterThan(1000);
    expect(lines.map((line) => (line === '' ? line : mapParseLine(line, rename)))).toEqual(local.stdout.split('\n'));
    expect(mapNames(s3.stderr, rename)).toBe(local.stderr);
  });

  it('parse on one day folder with --from and --to: the entries of the range, as from the local copy', async () => {
    const { s3, local, rename } = await both('parse', { path: DAY, args: README_RANGE });
    expect(s3.code).toBe(0);
    const s3Records = s3.stdout.split('\n').filter((l) => l !== '').map((l) => mapParseLine(l, rename));
    const localRecords = local.stdout.split('\n').filter((l) => l !== '');
    const [fromMs, toMs] = [Date.parse('2026-03-01T10:00Z'), Date.parse('2026-03-01T11:00Z')];
    const inRange = (record: string): boolean => timeOf(record) >= fromMs && timeOf(record) < toMs;
    expect(localRecords.filter(inRange).length).toBeGreaterThan(100);
    // Only the entries of the range are written, from S3 as from files.
    expect(s3Records).toEqual(localRecords);
    expect(localRecords.every(inRange)).toBe(true);
  });
});
