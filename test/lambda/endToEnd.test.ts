/**
 * The scheduled job end to end: the bundled handler (built here by infra/bundle.mjs into a folder of this
 * test's own, so never a bundle left over from an earlier run) runs in a child Node process from a folder
 * with no node_modules, as Lambda runs it, against a generated day of access logs served by s3rver in the
 * layout ALB writes, with SNS replaced by a loopback stub that records what is published.
 *
 * The bundle runs in a child process rather than imported: it reads its configuration from the
 * environment at import, and only a process of its own proves it resolves nothing from node_modules.
 *
 * Expected values come from another path: the real CLI, in-process, run as `report --format json` over the
 * local copy of the same log objects and the same range. The generated day has no traffic before its
 * first hour, so the CLI's ten-minute look-back before --from sees nothing the job's first window lacks.
 */
import { execFile } from 'node:child_process';
import { access, copyFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobResult } from '../../src/lambda/job.js';
import { ReportStore } from '../../src/lambda/stateStore.js';
import type { Report } from '../../src/report/model.js';
import { scenario, writeScenario } from '../generator/index.js';
import { S3RVER_CREDENTIALS, S3rverProcess } from '../integration/s3rverHarness.js';
import { repoRoot } from '../support/paths.js';
import { mapSourceNames, s3ToLocal } from '../integration/sourceNames.js';
import { runCli } from '../support/runCli.js';
import { SnsStub } from './snsStub.js';

const execFileAsync = promisify(execFile);

const HOUR_MS = 3_600_000;
const DAY = '2026-03-14';
const DAY_MS = Date.parse(`${DAY}T00:00:00Z`);
const LOG_BUCKET = 'alb-logs';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alb-doctor-alerts';
const REGION_FOLDER = 'prod/AWSLogs/123456789012/elasticloadbalancing/us-east-1/';
/** Held back from the bucket until after its windows were analysed: the object of 05:00–05:05. */
const LATE_STAMP = '_20260314T0505Z_';
/** The hour (window end) before whose run the late object is delivered. */
const LATE_DELIVERY_HOUR = 8;

let root = '';
/** The whole day as generated: `<localDir>/alb-logs/prod/AWSLogs/…`. */
let localDir = '';
/** The same less the late object: what s3rver starts with. */
let importDir = '';
let lateKey = '';
let bundle = '';
let server: S3rverProcess;
let sns: SnsStub;
let client: S3Client;
let store: ReportStore;
/** Every invocation's result, by the hour (window end, hours after DAY 00:00) its event names. */
const results: { hour: number; result: JobResult }[] = [];

const iso = (ms: number): string => new Date(ms).toISOString();
/** ALB_DOCTOR_DELAY_MINUTES is 15: the event 20 minutes past hour h analyses the window ending at h. */
const eventFor = (hour: number) => ({
  version: '0',
  id: `event-${hour}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: iso(DAY_MS + hour * HOUR_MS + 20 * 60_000).replace('.000Z', 'Z'),
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/alb-doctor'],
  detail: {},
});

interface Invocation {
  hour: number;
  remainingMs?: number;
  remainingStepMs?: number;
}

/** One cold start of the bundle, then each event in turn (a warm container); `reports` is the job's prefix in the reports bucket. */
async function invoke(invocations: Invocation[], reports = 'job'): Promise<JobResult[]> {
  const folder = dirname(bundle);
  const batch = await mkdtemp(join(root, 'batch-'));
  const invocationsFile = join(batch, 'invocations.json');
  const resultsFile = join(batch, 'results.json');
  await writeFile(invocationsFile, JSON.stringify(invocations.map(({ hour, ...rest }) => ({ event: eventFor(hour), ...rest }))));
  try {
    await execFileAsync(process.execPath, [join(folder, 'invokeBundle.mjs'), bundle, invocationsFile, resultsFile], {
      cwd: folder,
      maxBuffer: 64 * 1024 * 1024,
      // What the Lambda runtime and the stack give the function, and nothing of this machine's.
      env: {
        HOME: folder,
        AWS_CONFIG_FILE: join(folder, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(folder, 'no-aws-credentials'),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_S3: server.endpoint,
        AWS_ENDPOINT_URL_SNS: sns.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ALB_DOCTOR_LOGS: `s3://${LOG_BUCKET}/prod`,
        ALB_DOCTOR_REPORTS: `s3://reports/${reports}`,
        ALB_DOCTOR_LB: 'shop-prod',
        ALB_DOCTOR_SNS_TOPIC_ARN: TOPIC,
      },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`the bundled handler failed:\n${stderr ?? ''}\n${(stdout ?? '').split('\n').slice(-20).join('\n')}`);
  }
  const out = JSON.parse(await readFile(resultsFile, 'utf8')) as JobResult[];
  if (reports === 'job') out.forEach((result, i) => results.push({ hour: invocations[i]!.hour, result }));
  return out;
}

const hours = (from: number, to: number): Invocation[] => Array.from({ length: to - from + 1 }, (_, i) => ({ hour: from + i }));
const resultOf = (hour: number): JobResult => results.filter((r) => r.hour === hour).at(-1)!.result;

/**
 * `report --format json` of the real CLI over a local copy of the bucket: the whole day, or the day less the
 * late object (what the bucket held before its delivery). A folder is read in name order, as S3 lists.
 */
async function cliReport(fromMs: number, toMs: number, withLate: boolean): Promise<Report> {
  const source = join(withLate ? localDir : importDir, LOG_BUCKET, 'prod');
  const run = await runCli(['report', source, '--from', iso(fromMs), '--to', iso(toMs), '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

async function storedReport(key: string, from = store): Promise<Report> {
  const got = await from.get(key);
  expect(got, key).not.toBeNull();
  return JSON.parse(got!.body.toString('utf8')) as Report;
}

/** Every object under the reports prefix with its bytes. */
async function snapshot(from = store): Promise<Map<string, string>> {
  const objects = await from.list(from.prefix);
  const out = new Map<string, string>();
  for (const o of objects) out.set(o.key, (await from.get(o.key))!.body.toString('base64'));
  return out;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out.sort();
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'alb-doctor-e2e-'));
  // A folder with no node_modules anywhere above it, as a Lambda's /var/task.
  const functionDir = join(root, 'function');
  for (let dir = functionDir; dir !== dirname(dir); dir = dirname(dir)) {
    await expect(access(join(dir, 'node_modules'))).rejects.toThrow();
  }
  await execFileAsync(process.execPath, ['infra/bundle.mjs', functionDir], { cwd: repoRoot });
  bundle = join(functionDir, 'index.mjs');
  await copyFile(join(repoRoot, 'test/lambda/invokeBundle.mjs'), join(functionDir, 'invokeBundle.mjs'));

  // One day on two ALB nodes from 00:00: a Node.js API that races the ALB on idle keep-alive connections
  // (and has a rolling deploy at 10:30), an nginx group that never races, a few 504s and 460s. 1 request/s:
  // about 100,000 lines in 576 objects, a dozen keep-alive races found.
  localDir = join(root, 'local');
  await writeScenario(
    scenario('node', { nodeCount: 2, groups: { api: { deploys: { atHours: [10.5] } } } }, { startIso: `${DAY}T00:00:00Z`, durationMs: 24 * HOUR_MS, ratePerSec: 1 }),
    { seed: 3, logDir: join(localDir, LOG_BUCKET, 'prod'), truthDir: join(root, 'truth'), labels: false },
  );
  importDir = join(root, 'import');
  await cp(localDir, importDir, { recursive: true });
  const late = (await filesUnder(join(importDir, LOG_BUCKET, REGION_FOLDER))).find((f) => f.includes(LATE_STAMP))!;
  lateKey = relative(join(importDir, LOG_BUCKET), late);
  await rm(late);

  server = await S3rverProcess.start(join(root, 'data'), importDir);
  sns = await SnsStub.start();
  client = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  await client.send(new CreateBucketCommand({ Bucket: 'reports' }));
  store = new ReportStore(client, 'reports', 'job/');

  // The first run of the day is cut by its deadline after one window; the same event again carries on.
  await invoke([{ hour: 1, remainingMs: 70_000, remainingStepMs: 15_000 }, ...hours(1, LATE_DELIVERY_HOUR - 1)]);
  await client.send(new PutObjectCommand({ Bucket: LOG_BUCKET, Key: lateKey, Body: await readFile(join(localDir, LOG_BUCKET, lateKey)) }));
  await invoke(hours(LATE_DELIVERY_HOUR, 24));
}, 240_000);

afterAll(async () => {
  client?.destroy();
  await sns?.stop();
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('24 hourly runs of the bundled handler over a generated day', () => {
  it('give a latest.json equal to `alb-doctor report` over the same files and day', async () => {
    const latest = await storedReport('job/latest.json');
    const cli = await cliReport(DAY_MS, DAY_MS + 24 * HOUR_MS, true);
    // The day is one the CLI finds races in, with T̂ and a fix: the comparison is not between two empties.
    const api = cli.targetGroups.find((g) => g.name === 'shop-prod-api')!;
    expect(api.classes.keepalive_race).toBeGreaterThanOrEqual(10);
    expect(api.keepAlive.confidence).toMatch(/medium|high/);
    expect(cli.classes.target_connection_error).toBeGreaterThan(0);
    expect(cli.verdict.status).toBe('races');

    // The whole report: classes, requests and idle ages per target group, T̂, advice, verdict, timeline, and
    // the input (every object of the bucket, each counted once however many windows read it).
    expect(mapSourceNames(latest, s3ToLocal(localDir))).toEqual(cli);
  });

  it('name every key by the window end, and the last report is latest.json', async () => {
    const last = resultOf(24);
    expect(last.windowEnd).toBe('2026-03-15T00:00:00.000Z');
    expect(last.pendingWindows).toEqual([]);
    expect(last.keysWritten).toEqual(['job/state/2026/03/15/0000.json.gz', 'job/reports/2026/03/15/0000.json', 'job/reports/2026/03/15/0000.md', 'job/reports/2026/03/15/0000.html', 'job/latest.json']);
    const latest = await store.get('job/latest.json');
    expect(latest!.body.toString('utf8')).toBe((await store.get('job/reports/2026/03/15/0000.json'))!.body.toString('utf8'));
    expect(latest!.metadata['window-end']).toBe('2026-03-15T00:00:00.000Z');
  });

  it('stop a run near its deadline between windows; the next run finishes the history', () => {
    const [cut, again] = results.filter((r) => r.hour === 1).map((r) => r.result);
    expect(cut).toMatchObject({ windowsAccumulated: ['2026-03-14T01:00:00.000Z'], keysWritten: ['job/state/2026/03/14/0100.json.gz'] });
    expect(cut!.pendingWindows).toHaveLength(23);
    expect(again!.windowsAccumulated).toEqual(cut!.pendingWindows);
    expect(again!.keysWritten).toContain('job/latest.json');
  });

  it('redo the windows of a log object delivered late, and only those', () => {
    // The object of 05:00–05:05 can hold entries of both windows around 05:00 (entries logged late).
    expect(resultOf(LATE_DELIVERY_HOUR).windowsAccumulated).toEqual(['2026-03-14T08:00:00.000Z', '2026-03-14T06:00:00.000Z', '2026-03-14T05:00:00.000Z']);
    for (const hour of [2, 3, 4, 5, 6, 7, 9, 10, 23, 24]) expect(resultOf(hour).windowsAccumulated).toEqual([iso(DAY_MS + hour * HOUR_MS)]);
  });

  it('send one alert, through SNS, at the first report in which the API races', async () => {
    expect(sns.unexpected).toEqual([]);
    expect(sns.published).toHaveLength(1);
    const [alert] = sns.published;
    expect(alert).toMatchObject({ topicArn: TOPIC, subject: 'alb-doctor shop-prod: shop-prod-api keep-alive races started' });
    const alertHours = results.filter((r) => r.result.alerts.length > 0);
    expect(alertHours).toHaveLength(1);
    const hour = alertHours[0]!.hour;
    expect(alertHours[0]!.result.alerts).toEqual([{ targetGroup: expect.stringContaining('targetgroup/shop-prod-api/'), change: 'started-racing' }]);
    const reportKey = `job/reports/${DAY.replaceAll('-', '/')}/${String(hour).padStart(2, '0')}00.json`;
    expect(alert!.message).toContain(`Rolling report up to ${iso(DAY_MS + hour * HOUR_MS)}: s3://reports/${reportKey}`);
    expect(alert!.message).toMatch(/The targets close idle connections after about 6\.\d s \(T̂, confidence (medium|high)\)/);
    const alertRecord = await store.getJson<{ status: string }>(reportKey.replace('/reports/', '/alerts/'));
    expect(alertRecord!.value.status).toBe('sent');

    // "Started" exactly then, by the CLI over the same files: racing with a confident T̂ up to that hour, not
    // up to the hour before. (The history has no traffic before the day, so a report up to hour h is the
    // CLI's from the day's start to h.)
    const racing = (r: Report): boolean => {
      const g = r.targetGroups.find((t) => t.name === 'shop-prod-api')!;
      const status = r.verdict.targetGroups.find((t) => t.arn === g.arn)?.status;
      return status === 'races' && (g.keepAlive.confidence === 'medium' || g.keepAlive.confidence === 'high');
    };
    const withLate = (h: number) => h >= LATE_DELIVERY_HOUR;
    expect(racing(await cliReport(DAY_MS, DAY_MS + hour * HOUR_MS, withLate(hour)))).toBe(true);
    expect(racing(await cliReport(DAY_MS, DAY_MS + (hour - 1) * HOUR_MS, withLate(hour - 1)))).toBe(false);
  });

  it('runs again any hour without changing a byte or alerting twice', async () => {
    const before = await snapshot();
    const published = sns.published.length;
    const again = await invoke([{ hour: 24 }, { hour: 16 }, { hour: LATE_DELIVERY_HOUR }]);
    for (const result of again) expect(result).toMatchObject({ windowsAccumulated: [], pendingWindows: [], objectsRead: 0, alerts: [] });
    expect(again[1]!.keysWritten).toEqual(['job/reports/2026/03/14/1600.json', 'job/reports/2026/03/14/1600.md', 'job/reports/2026/03/14/1600.html']);
    expect(await snapshot()).toEqual(before);
    expect(sns.published).toHaveLength(published);
  }, 120_000);

  it('run twice at once for one event (a retry beside a late run): one alert, and the report one run gives', async () => {
    const twice = new ReportStore(client, 'reports', 'twice/');
    const published = sns.published.length;
    const both = await Promise.all([invoke([{ hour: 24 }], 'twice'), invoke([{ hour: 24 }], 'twice')]);
    expect(both.flat().flatMap((r) => r.alerts)).toHaveLength(1);
    // Each window's state is written once: the run that finds it written (conditional create) keeps it.
    const statesWritten = both.flat().flatMap((r) => r.keysWritten.filter((k) => k.startsWith('twice/state/')));
    expect(statesWritten).toHaveLength(24);
    expect(new Set(statesWritten).size).toBe(24);
    expect(sns.published).toHaveLength(published + 1);
    expect(sns.published.at(-1)!.message).toContain('s3://reports/twice/reports/2026/03/15/0000.json');
    expect(await storedReport('twice/latest.json', twice)).toEqual(await storedReport('job/latest.json'));
    // The states both saved are complete: a third run finds nothing to redo and changes nothing.
    const before = await snapshot(twice);
    const [third] = await invoke([{ hour: 24 }], 'twice');
    expect(third).toMatchObject({ windowsAccumulated: [], alerts: [] });
    expect(await snapshot(twice)).toEqual(before);
  }, 180_000);
});
