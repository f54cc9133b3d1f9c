/**
 * One scheduled run after another against s3rver (real S3 client, real listing), with a stand-in for the
 * analysis that records the log objects each window read and reports a race for chosen windows; SNS is
 * stubbed. Checks what the issue asks of the job: keys, re-runs, late objects, the deadline, concurrent
 * runs and alerts on verdict changes only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Analysis, ReportLike } from '../../src/lambda/analysis.js';
import { configFromEnv, type JobConfig } from '../../src/lambda/config.js';
import { runJob } from '../../src/lambda/job.js';
import { createLogger } from '../../src/lambda/log.js';
import { listLogObjects } from '../../src/lambda/logListing.js';
import { ReportStore } from '../../src/lambda/stateStore.js';
import { accessLogObjects, type LoadBalancer, writeBucket } from '../integration/albLogLayout.js';
import { S3RVER_CREDENTIALS, S3rverProcess } from '../integration/s3rverHarness.js';
import { reportWith } from './reports.js';

const at = (iso: string): number => Date.parse(iso);
const LB: LoadBalancer = { prefix: 'prod/', account: '111122223333', region: 'eu-west-1', name: 'shop', id: '50dc6c495c0c9188', nodes: ['10.1.2.3'] };
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:alb-alerts';

let root = '';
let server: S3rverProcess;
let client: S3Client;
const sns = mockClient(SNSClient);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'alb-doctor-job-'));
  await writeBucket(join(root, 'seed'), 'alb-logs', accessLogObjects(LB, { fromMs: at('2026-03-01T00:00:00Z'), toMs: at('2026-03-01T06:00:00Z'), seed: 5, lines: [1, 3], delayMinutes: [1, 4] }));
  server = await S3rverProcess.start(join(root, 'data'), join(root, 'seed'));
  client = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  await client.send(new CreateBucketCommand({ Bucket: 'reports' }));
});

afterAll(async () => {
  sns.restore();
  client?.destroy();
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
});

interface FakeState {
  window: { fromMs: number | null; toMs: number | null };
  input: { files: { name: string; etag: string | null }[] };
  racingWindowEnds: number[];
}

/** Reads nothing but the listing; a window "races" when the test says so. */
function fakeAnalysis(racing: Set<number>): Analysis<FakeState, ReportLike> & { accumulated: number[]; contexts: (number | null)[] } {
  const accumulated: number[] = [];
  const contexts: (number | null)[] = [];
  return {
    accumulated,
    contexts,
    asContext(state) {
      contexts.push(state.window.toMs);
      return { window: { fromMs: state.window.toMs, toMs: state.window.toMs }, input: { files: [] }, racingWindowEnds: [] };
    },
    async accumulateWindow(sources, { fromMs, toMs, s3 }) {
      accumulated.push(toMs);
      const logs = await listLogObjects(sources[0]!, { fromMs, toMs }, s3);
      return { state: { window: { fromMs, toMs }, input: { files: logs.map((l) => ({ name: l.name, etag: l.etag })) }, racingWindowEnds: racing.has(toMs) ? [toMs] : [] } };
    },
    mergeStates: (earlier, later) => ({
      window: { fromMs: earlier.window.fromMs, toMs: later.window.toMs },
      input: { files: [...earlier.input.files, ...later.input.files] },
      racingWindowEnds: [...earlier.racingWindowEnds, ...later.racingWindowEnds],
    }),
    reportFromState: (state) =>
      reportWith(state.racingWindowEnds.length > 0 ? { status: 'races', confidence: 'high', races: 12 } : { status: 'none', confidence: 'none' }),
    renderMarkdown: (report) => `# report\n${report.verdict?.targetGroups.map((g) => g.status).join(',')}\n`,
    renderHtml: (report) => `<p>${report.verdict?.status ?? ''}</p>\n`,
  };
}

function config(reportsPrefix: string): JobConfig {
  return configFromEnv({
    ALB_DOCTOR_LOGS: 's3://alb-logs/prod',
    ALB_DOCTOR_REPORTS: `s3://reports/${reportsPrefix}`,
    ALB_DOCTOR_HISTORY_HOURS: '3',
    ALB_DOCTOR_LB: 'shop',
    ALB_DOCTOR_SNS_TOPIC_ARN: TOPIC,
  });
}

const event = (time: string) => ({ 'detail-type': 'Scheduled Event', source: 'aws.events', time, detail: {} });
const ample = { getRemainingTimeInMillis: () => 900_000 };

function run(prefix: string, analysis: ReturnType<typeof fakeAnalysis>, time: string, context = ample) {
  return runJob(
    config(prefix),
    {
      analysis,
      store: new ReportStore(client, 'reports', `${prefix}/`),
      sns: new SNSClient({ region: 'eu-west-1' }),
      s3Read: { endpointUrl: server.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1', lbName: 'shop', s3OnThisThread: true },
      log: createLogger({}, () => {}),
      emitMetrics: () => {},
    },
    event(time),
    context,
  );
}

const read = async (prefix: string, key: string) => (await new ReportStore(client, 'reports', `${prefix}/`).get(key))?.body.toString('base64');

describe('a run', () => {
  it('writes every window state of the history, the rolling report and latest.json, named by the window end', async () => {
    const analysis = fakeAnalysis(new Set());
    const result = await run('first', analysis, '2026-03-01T03:20:00Z');
    expect(result).toMatchObject({
      windowEnd: '2026-03-01T03:00:00.000Z',
      alerts: [],
      windowsAccumulated: ['2026-03-01T03:00:00.000Z', '2026-03-01T02:00:00.000Z', '2026-03-01T01:00:00.000Z'],
      pendingWindows: [],
    });
    expect(result.keysWritten).toEqual([
      'first/state/2026/03/01/0300.json.gz',
      'first/state/2026/03/01/0200.json.gz',
      'first/state/2026/03/01/0100.json.gz',
      'first/reports/2026/03/01/0300.json',
      'first/reports/2026/03/01/0300.md',
      'first/reports/2026/03/01/0300.html',
      'first/latest.json',
    ]);
    // Each window reads its 12 five-minute objects and those of the 10 minutes before it.
    expect(result.objectsRead).toBeGreaterThanOrEqual(36);
  });

  it('re-run with the same event: the same keys with the same bytes, no window read again, no second alert', async () => {
    const analysis = fakeAnalysis(new Set([at('2026-03-01T03:00:00Z')]));
    const first = await run('rerun', analysis, '2026-03-01T03:20:00Z');
    expect(first.alerts).toEqual([{ targetGroup: expect.any(String), change: 'started-racing' }]);
    const keys = ['rerun/reports/2026/03/01/0300.json', 'rerun/reports/2026/03/01/0300.md', 'rerun/reports/2026/03/01/0300.html', 'rerun/latest.json', 'rerun/state/2026/03/01/0300.json.gz'];
    const before = await Promise.all(keys.map((k) => read('rerun', k)));

    const again = await run('rerun', analysis, '2026-03-01T03:20:00Z');
    expect(again).toMatchObject({ alerts: [], windowsAccumulated: [], objectsRead: 0 });
    expect(again.keysWritten).toEqual(['rerun/reports/2026/03/01/0300.json', 'rerun/reports/2026/03/01/0300.md', 'rerun/reports/2026/03/01/0300.html', 'rerun/latest.json']);
    expect(await Promise.all(keys.map((k) => read('rerun', k)))).toEqual(before);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(analysis.accumulated).toHaveLength(3);
  });
});

describe('the look-back', () => {
  it('takes the stored state of the window just before the history as context, and none when there is none', async () => {
    const analysis = fakeAnalysis(new Set());
    await run('context', analysis, '2026-03-01T03:20:00Z');
    // History 00:00–03:00: the window ending 00:00 was never stored.
    expect(analysis.contexts).toEqual([]);
    await run('context', analysis, '2026-03-01T04:20:00Z');
    // History 01:00–04:00: the state of the window ending 01:00 gives the look-back.
    expect(analysis.contexts).toEqual([at('2026-03-01T01:00:00Z')]);
  });
});

describe('alerts', () => {
  it('are sent when a group starts racing and when it stops, once each, not on every run', async () => {
    const analysis = fakeAnalysis(new Set([at('2026-03-01T03:00:00Z')]));
    const runs = [];
    for (const time of ['2026-03-01T02:20:00Z', '2026-03-01T03:20:00Z', '2026-03-01T04:20:00Z', '2026-03-01T05:20:00Z', '2026-03-01T06:20:00Z']) {
      runs.push((await run('alerts', analysis, time)).alerts.map((a) => a.change));
    }
    // The race of the 02:00–03:00 window stays in the 3-hour rolling report until 06:00.
    expect(runs).toEqual([[], ['started-racing'], [], [], ['stopped-racing']]);
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(2);
    expect(published[0]).toMatchObject({ TopicArn: TOPIC, Subject: expect.stringContaining('shop-api keep-alive races started') });
    expect(published[0]!.Message).toContain('server.keepAliveTimeout = 65000;');
    expect(published[1]!.Subject).toContain('races stopped');
  });

  it('is sent once when two runs of one event race', async () => {
    const analysis = fakeAnalysis(new Set([at('2026-03-01T03:00:00Z')]));
    const results = await Promise.all([run('together', analysis, '2026-03-01T03:20:00Z'), run('together', analysis, '2026-03-01T03:20:00Z')]);
    expect(results.flatMap((r) => r.alerts)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    // Both saw consistent states: a third run finds nothing to redo.
    expect((await run('together', analysis, '2026-03-01T03:20:00Z')).windowsAccumulated).toEqual([]);
  });
});

describe('latest.json', () => {
  it('stays on the newest window when an older one is re-run', async () => {
    const analysis = fakeAnalysis(new Set());
    await run('latest', analysis, '2026-03-01T04:20:00Z');
    const older = await run('latest', analysis, '2026-03-01T03:20:00Z');
    expect(older.keysWritten).not.toContain('latest/latest.json');
    const latest = await new ReportStore(client, 'reports', 'latest/').get('latest/latest.json');
    expect(latest!.metadata['window-end']).toBe('2026-03-01T04:00:00.000Z');
  });
});

describe('late log objects', () => {
  it('send their window back to be accumulated by the next run, which records them', async () => {
    const analysis = fakeAnalysis(new Set());
    await run('late', analysis, '2026-03-01T04:20:00Z');
    // An object for 02:30–02:35 delivered after the 03:00 window was analysed.
    const [late] = accessLogObjects({ ...LB, nodes: ['10.9.9.9'] }, { fromMs: at('2026-03-01T02:30:00Z'), toMs: at('2026-03-01T02:35:00Z'), seed: 9, lines: [2, 2] });
    await client.send(new PutObjectCommand({ Bucket: 'alb-logs', Key: late!.key, Body: late!.body }));
    const next = await run('late', analysis, '2026-03-01T05:20:00Z');
    expect(next.windowsAccumulated).toEqual(['2026-03-01T05:00:00.000Z', '2026-03-01T03:00:00.000Z']);
    const state = await new ReportStore(client, 'reports', 'late/').getJson<{ files: { name: string }[] }>('late/state/2026/03/01/0300.json.gz');
    expect(state!.value.files.map((f) => f.name)).toContain(`s3://alb-logs/${late!.key}`);
  });
});

describe('the deadline', () => {
  it('stops a run between windows, and the next run finishes the work', async () => {
    const analysis = fakeAnalysis(new Set());
    let remainingMs = 70_000;
    const short = { getRemainingTimeInMillis: () => ((remainingMs -= 15_000), remainingMs + 15_000) };
    const cut = await run('deadline', analysis, '2026-03-01T03:20:00Z', short);
    expect(cut.windowsAccumulated).toEqual(['2026-03-01T03:00:00.000Z']);
    expect(cut.pendingWindows).toEqual(['2026-03-01T02:00:00.000Z', '2026-03-01T01:00:00.000Z']);
    expect(cut.keysWritten).toEqual(['deadline/state/2026/03/01/0300.json.gz']);

    const next = await run('deadline', analysis, '2026-03-01T03:20:00Z');
    expect(next.windowsAccumulated).toEqual(['2026-03-01T02:00:00.000Z', '2026-03-01T01:00:00.000Z']);
    expect(next.keysWritten).toContain('deadline/latest.json');
  });
});
