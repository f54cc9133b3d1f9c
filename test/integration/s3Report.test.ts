/**
 * The real CLI, in-process, on the same generated logs twice: served by s3rver (its own process) and read
 * as `s3://bucket/prefix`, and read from the local folder they were seeded from. The argv differs only in
 * the source, so `report` JSON, `--events` and `parse` JSONL must agree except where they name the source
 * (and, with --from/--to, in the input counts: S3 downloads only the objects the window needs).
 * Then the built command (bin/ on dist/, with its S3 worker thread) against the in-process CLI, and the
 * CLI's error paths against a real server: a missing bucket and an endpoint nobody listens on.
 *
 * Credentials: the CLI hands none to the S3 source, so the SDK's default chain finds them in the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION), as it would for a user.
 */
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { scenario, writeScenario } from '../generator/index.js';
import { repoRoot } from '../support/paths.js';
import { runCli, type CliRun } from '../support/runCli.js';
import { S3rverProcess } from './s3rverHarness.js';
import { stubS3rverEnvironment } from './s3rverBucket.js';
import { mapNames as mapS3Names, mapParseLine as mapParseLineNames, mapSourceNames as mapReportNames, s3ToLocal } from './sourceNames.js';

const execFileAsync = promisify(execFile);

const BUCKET = 'alb-logs';
const PREFIX = 'prod';
const S3_TARGET = `s3://${BUCKET}/${PREFIX}`;
const NOW_MS = Date.parse('2026-03-16T12:00:00Z');
/** Across midnight, so files of the 14th delivered into the 15th's folder are needed; holds the deploy (23:12). */
const WINDOW = ['--from', '2026-03-14T23:00:00Z', '--to', '2026-03-15T01:00:00Z'];
const REGION_FOLDER = 'AWSLogs/123456789012/elasticloadbalancing/us-east-1/';
/** The interval of the damaged object (inside WINDOW), and the node it claims to come from. */
const DAMAGED_STAMP = '20260315T0030Z';
const DAMAGED_NODE = '172.31.250.10';

let root = '';
let seedDir = '';
let localTarget = '';
let server: S3rverProcess;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'alb-doctor-s3-report-'));
  seedDir = join(root, 'seed');
  localTarget = join(seedDir, BUCKET, PREFIX);
  // Six night hours on two nodes from 21:00: keep-alive races on a Node.js service, its rolling deploy at
  // 23:12, a few 504s and 460s; junk objects and a 0-byte object beside the logs.
  await writeScenario(scenario('sample'), { seed: 7, logDir: localTarget, truthDir: join(root, 'truth'), junk: true, labels: false });
  await addDamagedObject();
  server = await S3rverProcess.start(join(root, 'data'), seedDir);
  stubS3rverEnvironment();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

/**
 * The generator writes well-formed lines only. One more object, from a third node, holds a copy of a
 * real file's lines with a line that is not an access-log entry among them, and its gzip stream is cut
 * short: a malformed-line sample and an unread error, both naming the object.
 */
async function addDamagedObject(): Promise<void> {
  const files = await filesUnder(join(localTarget, REGION_FOLDER));
  const model = files.find((f) => f.includes(`_${DAMAGED_STAMP}_`))!;
  const lines = gunzipSync(await readFile(model)).toString().split('\n');
  lines.splice(20, 0, 'this is not an access log entry');
  const gzip = gzipSync(lines.join('\n'));
  const name = basename(model).replace(/_[\d.]+_[a-z0-9]+\.log\.gz$/, `_${DAMAGED_NODE}_cut0cut0.log.gz`);
  await writeFile(join(dirname(model), name), gzip.subarray(0, Math.floor(gzip.length * 0.7)));
}

type Run = CliRun;

/** `main` as bin/alb-doctor.js calls it, minus the terminal: the environment is the process's. */
const cli = (argv: string[]): Promise<Run> => runCli(argv, { env: process.env, now: () => NOW_MS });

/** The same argv, once with the s3:// target (S3 flags apply), once with the local folder (S3 flags ignored). */
async function both(command: 'report' | 'parse', extra: (side: 's3' | 'local') => string[] = () => []): Promise<{ s3: Run; local: Run }> {
  const s3Flags = ['--endpoint-url', server.endpoint, '--concurrency', '4'];
  const s3 = await cli([command, S3_TARGET, ...s3Flags, ...extra('s3')]);
  const local = await cli([command, localTarget, ...s3Flags, ...extra('local')]);
  return { s3, local };
}

/** `s3://alb-logs/prod/AWSLogs/…` → the local file it was seeded from. */
const toLocal = (name: string): string => s3ToLocal(seedDir)(name);
const mapNames = (text: string): string => mapS3Names(text, toLocal);
const mapSourceNames = (report: Report): Report => mapReportNames(report, toLocal);

/** `--events` lines with `file` mapped. */
const eventsOf = async (path: string): Promise<unknown[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const event = JSON.parse(line) as { file: string };
      return { ...event, file: toLocal(event.file) };
    });

const mapParseLine = (line: string): string => mapParseLineNames(line, toLocal);

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe('the CLI on s3:// and on the local copy of the same objects', () => {
  it('seeds what the comparison needs: junk, a 0-byte object, a damaged object, a file delivered into the next day folder', async () => {
    const files = await filesUnder(join(localTarget, REGION_FOLDER));
    const names = files.map((f) => f.slice(f.lastIndexOf('/') + 1));
    expect(names.some((n) => n.startsWith('conn_log.'))).toBe(true);
    expect(names.some((n) => n.startsWith('health_check_log_'))).toBe(true);
    expect(names).toContain('ELBAccessLogTestFile');
    expect((await Promise.all(files.map((f) => stat(f)))).some((s) => s.size === 0)).toBe(true);
    expect(files.some((f) => f.includes('/2026/03/15/') && /_20260314T\d{4}Z_/.test(f))).toBe(true);
    expect(names.some((n) => n.includes(`_${DAMAGED_NODE}_`))).toBe(true);
  });

  it('report: the same JSON, apart from the file names in malformed-line samples and unread errors', async () => {
    const { s3, local } = await both('report', () => ['--format', 'json']);
    // Exit 1 and one line on stderr for the damaged object, the report all the same.
    expect(s3.code).toBe(1);
    expect(local.code).toBe(1);
    expect(s3.stderr).toMatch(/^alb-doctor: s3:\/\/alb-logs\/prod\/AWSLogs\/.*_cut0cut0\.log\.gz: the gzip data ends early .*\n$/);
    expect(mapNames(s3.stderr)).toBe(local.stderr);
    const s3Report = JSON.parse(s3.stdout) as Report;
    const localReport = JSON.parse(local.stdout) as Report;

    // The scenario's causes all show up, and every kind of object that is not a log was skipped.
    expect(localReport.classes.keepalive_race).toBeGreaterThan(0);
    expect(localReport.classes.target_timeout).toBeGreaterThan(0);
    expect(localReport.classes.target_connection_error).toBeGreaterThan(0);
    expect(localReport.input.malformedSamples.map((s) => s.code)).toEqual(['TOO_FEW_FIELDS', 'TRUNCATED_LINE']);
    expect(localReport.input.unread).toMatchObject([{ code: 'TRUNCATED_GZIP' }]);
    expect(Object.keys(localReport.input.skippedByReason).sort()).toEqual(['connection_log', 'empty_object', 'health_check_log', 'nlb_log', 'test_file']);

    const mapped = mapSourceNames(s3Report);
    // Nothing else names the source…
    expect(JSON.stringify(mapped)).not.toContain('s3://');
    // …and the rest is equal, stored bytes included.
    expect(mapped).toEqual(localReport);
    expect(s3Report.input.bytes).toBe(localReport.input.bytes);
  });

  it('report --from --to --events: the same analysis and events; S3 reads only the objects the window needs', async () => {
    const events = { s3: join(root, 'events-s3.jsonl'), local: join(root, 'events-local.jsonl') };
    await server.clearRequests();
    const { s3, local } = await both('report', (side) => ['--format', 'json', ...WINDOW, '--lb', 'shop-prod', '--events', events[side]]);
    expect(s3.code).toBe(1);
    expect(local.code).toBe(1);
    expect(mapNames(s3.stderr)).toBe(local.stderr);
    const s3Report = JSON.parse(s3.stdout) as Report;
    const localReport = JSON.parse(local.stdout) as Report;

    // `input` counts what was read: the local folder is read whole (entries outside the window are
    // counted in outsideWindow), S3 only the objects whose 5-minute interval can hold the window and, with
    // --lb, only that load balancer's. The entries inside the window are the same.
    const { input: s3Input, ...s3Analysis } = mapSourceNames(s3Report);
    const { input: localInput, ...localAnalysis } = localReport;
    expect(s3Input.files).toBeLessThan(localInput.files / 2);
    expect(s3Input.bytes).toBeLessThan(localInput.bytes / 2);
    expect(s3Input.entries - s3Input.outsideWindow).toBe(localInput.entries - localInput.outsideWindow);
    expect(s3Input.unread).toEqual(localInput.unread);
    expect(s3Input.malformedSamples).toEqual(localInput.malformedSamples);
    // Everything the analysis says is equal.
    expect(s3Analysis).toEqual(localAnalysis);
    expect(localReport.window).toEqual({ from: '2026-03-14T23:00:00.000Z', to: '2026-03-15T01:00:00.000Z' });
    expect(localReport.classes.keepalive_race).toBeGreaterThan(0);
    expect(localReport.classes.target_connection_error).toBeGreaterThan(0);

    const s3Events = await eventsOf(events.s3);
    expect(s3Events.length).toBeGreaterThan(0);
    expect(s3Events).toEqual(await eventsOf(events.local));

    // The window's last minutes before midnight came from a file delivered into the 15th's folder.
    const fetched = await server.getRequests();
    expect(fetched.length).toBe(s3Input.files);
    expect(fetched.some((key) => key.includes('/2026/03/15/') && /_20260314T2\d{3}Z_/.test(key))).toBe(true);
  });

  it('parse: the same JSONL once `_file` is mapped, and the same summary on stderr', async () => {
    const { s3, local } = await both('parse');
    expect(s3.code).toBe(1);
    expect(local.code).toBe(1);
    const s3Lines = s3.stdout.split('\n');
    const localLines = local.stdout.split('\n');
    expect(s3Lines.length).toBeGreaterThan(20_000);
    expect(s3Lines.map((line) => (line === '' ? line : mapParseLine(line)))).toEqual(localLines);
    expect(mapNames(s3.stderr)).toBe(local.stderr);
    expect(local.stderr).toMatch(/malformed lines by reason: TOO_FEW_FIELDS 1, TRUNCATED_LINE 1\n/);
  });
});

describe('the installed command (bin/alb-doctor.js on the tsc build) on s3://', () => {
  // The build's S3 thread is dist/sources/s3Thread.js, loaded by file next to its host: only a built run
  // takes that path (the tests above run the TypeScript sources in-process).
  it('reads through its S3 thread: parse gives the JSONL the in-process CLI gives', async () => {
    await execFileAsync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(repoRoot, 'tsconfig.build.json')], { cwd: repoRoot });
    const argv = ['parse', `${S3_TARGET}/${REGION_FOLDER}2026/03/15/`, '--endpoint-url', server.endpoint];
    const built = await execFileAsync(process.execPath, [join(repoRoot, 'bin/alb-doctor.js'), ...argv], { cwd: repoRoot, env: process.env, maxBuffer: 1 << 28 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    const inProcess = await cli(argv);
    expect(built.stdout.split('\n').length).toBeGreaterThan(1000);
    expect(built).toEqual(inProcess);
  });

  it('is importable as a package by its name (exports → dist/index.js)', async () => {
    const script = "const m = await import('alb-doctor'); console.log(typeof m.runReport, typeof m.mergeStates, typeof m.render.text);";
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot });
    expect(stdout.trim()).toBe('function function function');
  });
});

describe('the CLI against a real S3 endpoint that fails', () => {
  const oneLine = (run: Run): string => {
    expect(run.stdout).toBe('');
    expect(run.stderr.endsWith('\n')).toBe(true);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    return lines[0]!;
  };

  it.each(['report', 'parse'])('%s: a missing bucket is exit 1 and one sentence', async (command) => {
    const run = await cli([command, 's3://no-such-bucket/logs/', '--endpoint-url', server.endpoint]);
    expect(run.code).toBe(1);
    expect(oneLine(run)).toBe(`alb-doctor: s3://no-such-bucket: no such bucket on ${server.endpoint}; check the bucket name (aws s3 ls lists yours).`);
  });

  it.each(['report', 'parse'])('%s: a stopped server is exit 1 and the sentence for an unreachable endpoint', async (command) => {
    const stopped = await S3rverProcess.start(join(root, `data-stopped-${command}`));
    const endpoint = stopped.endpoint;
    await stopped.stop();
    const run = await cli([command, S3_TARGET, '--endpoint-url', endpoint]);
    expect(run.code).toBe(1);
    expect(oneLine(run)).toMatch(
      new RegExp(`^alb-doctor: ${S3_TARGET}/: cannot reach ${endpoint.replaceAll('.', '\\.')} \\(.*ECONNREFUSED.*\\); check --endpoint-url, the network and any proxy\\.$`),
    );
  });
});
