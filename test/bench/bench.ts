/**
 * `npm run bench`: parse throughput against zcat on the same files in the same run, and peak RSS.
 *
 * 1. Generates ≥ 500 MB of uncompressed logs with the project's generator (once; cached outside the
 *    repo in $ALB_DOCTOR_BENCH_DIR or the OS temp folder, reused while its parameters match).
 * 2. Starts s3rver in its own process on 127.0.0.1, serving the same files as bucket `alb-doctor-bench`
 *    (imported through a temporary folder whose `alb-doctor-bench` entry links to the cached logs).
 * 3. Times `zcat <files> > /dev/null`, the parser into a null sink in a child process, the same with the
 *    AWS SDK loaded (as the CLI loads it), and the parser reading `s3://alb-doctor-bench` from that server
 *    in a child process (s3Worker.ts), alternating, best of N runs each; once, for reference, the local
 *    parse building every `parse` record as JSON. The S3 run must read the same lines and bytes.
 * 4. Prints MB/s of uncompressed log, lines/s, the ratios (parse to zcat, S3 to the local parse) and peak
 *    RSS; writes bench/results.json. Never part of `npm test`: timings belong in a benchmark, not in
 *    assertions. ALB_DOCTOR_BENCH_RUNS sets N (default 3), ALB_DOCTOR_BENCH_S3_CONCURRENCY the downloads
 *    at once (default: the CLI's).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONCURRENCY } from '../../src/sources/index.js';
import { S3RVER_CREDENTIALS, S3rverProcess } from '../integration/s3rverHarness.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const targetMb = Number(process.env.ALB_DOCTOR_BENCH_MB ?? 520);
const runs = Number(process.env.ALB_DOCTOR_BENCH_RUNS ?? 3);
const seed = 20261124;
const dataDir = resolve(process.env.ALB_DOCTOR_BENCH_DIR ?? join(tmpdir(), 'alb-doctor-bench'), `bench-${targetMb}mb-${seed}`);

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else if (name.endsWith('.log.gz')) out.push(path);
  }
  return out;
}

function ensureData(): string[] {
  const marker = join(dataDir, '.complete');
  if (!existsSync(marker)) {
    mkdirSync(dataDir, { recursive: true });
    console.log(`generating ≥ ${targetMb} MB of logs into ${dataDir} (once) …`);
    execFileSync(
      'npx',
      ['tsx', 'test/generator/cli.ts', '--scenario', 'bench', '--seed', String(seed), '--target-mb', String(targetMb),
        '--out', join(dataDir, 'logs'), '--truth', join(dataDir, 'truth')],
      { cwd: repoRoot, stdio: 'inherit' },
    );
    writeFileSync(marker, new Date().toISOString());
  }
  return listFiles(join(dataDir, 'logs'));
}

const timeMs = async (command: string, args: string[], stdout: 'ignore' | 'pipe', env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; out: string }> =>
  new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', stdout, 'inherit'], env });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${command} exited with ${code}`));
      else resolvePromise({ ms: Number(process.hrtime.bigint() - started) / 1e6, out });
    });
  });

interface WorkerResult {
  seconds: number;
  lines: number;
  entries: number;
  malformed: number;
  plainBytes: number;
  storedBytes: number;
  unread: number;
  maxRssBytes: number;
}

/**
 * Loads the AWS SDK into a worker that does not use it. The CLI imports it whatever the source, and a heap
 * holding it makes V8 mark the old generation far more often while the parser runs (about 40 full
 * collections instead of 4 here), so this reference run separates that cost from the transport's.
 */
const SDK_PRELOAD = ['--require', '@aws-sdk/client-s3'];

/** A child as `npm run bench` compiled it (tsconfig.bench.json): tsc's output, as in dist/, not tsx's. */
const child = (name: 'parseWorker' | 's3Worker'): string => {
  const path = join(repoRoot, 'bench/build/test/bench', `${name}.js`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run the benchmark as 'npm run bench', which compiles it first.`);
  return path;
};

const worker = async (mode: 'entries' | 'records', files: string[], preload: string[] = []): Promise<{ wallMs: number; result: WorkerResult }> => {
  const { ms, out } = await timeMs(process.execPath, [...preload, child('parseWorker'), mode, ...files], 'pipe');
  return { wallMs: ms, result: JSON.parse(out) as WorkerResult };
};

const BUCKET = 'alb-doctor-bench';
const S3_GOAL_RATIO = 0.8;
const s3Concurrency = Number(process.env.ALB_DOCTOR_BENCH_S3_CONCURRENCY ?? DEFAULT_CONCURRENCY);

interface S3Run {
  wallMs: number;
  result: WorkerResult & { listedObjects: number; listedBytes: number };
  /** CPU the server process used during the run. */
  serverCpuSeconds: number;
}

/**
 * s3rver serving the cached logs as `BUCKET`: its importer reads `<import dir>/<bucket>/…`, so the import
 * folder holds a link named after the bucket (a copy where links cannot be made). The server stores its
 * own copy of every object in its data folder; both folders are removed by `stop`.
 */
async function startS3(logsDir: string): Promise<{ server: S3rverProcess; stop: () => Promise<void> }> {
  const scratch = mkdtempSync(join(tmpdir(), 'alb-doctor-bench-s3-'));
  const importDir = join(scratch, 'import');
  mkdirSync(importDir);
  const link = join(importDir, BUCKET);
  let linked = true;
  try {
    symlinkSync(logsDir, link, process.platform === 'win32' ? 'junction' : 'dir');
  } catch {
    linked = false;
    cpSync(logsDir, link, { recursive: true });
  }
  const server = await S3rverProcess.start(join(scratch, 'data'), importDir);
  return {
    server,
    async stop() {
      await server.stop();
      if (linked) unlinkSync(link); // the link only: the cached logs stay
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

async function s3Worker(server: S3rverProcess): Promise<S3Run> {
  // s3rver's own account, whatever credentials the environment holds for AWS.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    ALB_DOCTOR_BENCH_S3_CONCURRENCY: String(s3Concurrency),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
  const cpuBefore = await server.cpuSeconds();
  const args = [child('s3Worker'), 'entries', server.endpoint, `s3://${BUCKET}`];
  const { ms, out } = await timeMs(process.execPath, args, 'pipe', env);
  const serverCpuSeconds = (await server.cpuSeconds()) - cpuBefore;
  return { wallMs: ms, result: JSON.parse(out) as S3Run['result'], serverCpuSeconds };
}

const files = ensureData();
const storedBytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
// Line count checked independently of the parser (not timed).
const expectedLines = Number(execFileSync('sh', ['-c', 'zcat "$@" | wc -l', 'sh', ...files], { maxBuffer: 1 << 20 }).toString().trim());

const s3 = await startS3(join(dataDir, 'logs'));
const zcatMs: number[] = [];
const parseRuns: { wallMs: number; result: WorkerResult }[] = [];
const parseSdkRuns: { wallMs: number; result: WorkerResult }[] = [];
const recordRuns: { wallMs: number; result: WorkerResult }[] = [];
const s3Runs: S3Run[] = [];
try {
  for (let i = 0; i < runs; i++) {
    zcatMs.push((await timeMs('zcat', files, 'ignore')).ms);
    parseRuns.push(await worker('entries', files));
    parseSdkRuns.push(await worker('entries', files, SDK_PRELOAD));
    s3Runs.push(await s3Worker(s3.server));
    if (i === 0) recordRuns.push(await worker('records', files));
  }
} finally {
  await s3.stop();
}
const best = <T>(xs: T[], key: (x: T) => number): T => xs.reduce((a, b) => (key(b) < key(a) ? b : a));
const zcatBestMs = Math.min(...zcatMs);
const parseBest = best(parseRuns, (r) => r.wallMs);
const recordsBest = best(recordRuns, (r) => r.wallMs);
const parseSdkBest = best(parseSdkRuns, (r) => r.wallMs);
const s3Best = best(s3Runs, (r) => r.wallMs);
const plainMb = parseBest.result.plainBytes / 1e6;

if (parseBest.result.lines !== expectedLines) {
  throw new Error(`line count mismatch: parser read ${parseBest.result.lines}, zcat | wc -l says ${expectedLines}`);
}
for (const run of s3Runs) {
  const r = run.result;
  if (r.lines !== expectedLines || r.plainBytes !== parseBest.result.plainBytes || r.unread !== 0 || r.listedObjects !== files.length) {
    throw new Error(
      `S3 read mismatch: ${r.lines} lines, ${r.plainBytes} plain bytes, ${r.unread} unread, ${r.listedObjects} objects listed; ` +
        `the local read has ${expectedLines} lines, ${parseBest.result.plainBytes} plain bytes in ${files.length} files`,
    );
  }
}
const s3Ratio = parseBest.wallMs / s3Best.wallMs;
const s3RatioSdk = parseSdkBest.wallMs / s3Best.wallMs;

const summary = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  input: { files: files.length, storedMB: +(storedBytes / 1e6).toFixed(1), plainMB: +plainMb.toFixed(1), lines: expectedLines },
  zcat: { bestSeconds: +(zcatBestMs / 1000).toFixed(2), mbPerSecond: +(plainMb / (zcatBestMs / 1000)).toFixed(1) },
  parse: {
    bestSeconds: +(parseBest.wallMs / 1000).toFixed(2),
    mbPerSecond: +(plainMb / (parseBest.wallMs / 1000)).toFixed(1),
    linesPerSecond: Math.round(parseBest.result.lines / (parseBest.wallMs / 1000)),
    ratioToZcat: +(zcatBestMs / parseBest.wallMs).toFixed(2),
    peakRssMB: +(parseBest.result.maxRssBytes / 1e6).toFixed(1),
    malformed: parseBest.result.malformed,
  },
  s3: {
    note:
      `the same files read as s3://${BUCKET} from s3rver on 127.0.0.1 (its own process) into the same null sink; ` +
      `s3rver's CPU (serverCpuSeconds) competes with the parser for the ${cpus().length} cores, so this understates what S3 itself allows`,
    concurrency: s3Concurrency,
    bestSeconds: +(s3Best.wallMs / 1000).toFixed(2),
    mbPerSecond: +(plainMb / (s3Best.wallMs / 1000)).toFixed(1),
    linesPerSecond: Math.round(s3Best.result.lines / (s3Best.wallMs / 1000)),
    ratioToParse: +s3Ratio.toFixed(2),
    goalRatioToParse: S3_GOAL_RATIO,
    ratioToParseWithSdk: +s3RatioSdk.toFixed(2),
    peakRssMB: +(s3Best.result.maxRssBytes / 1e6).toFixed(1),
    serverCpuSeconds: +s3Best.serverCpuSeconds.toFixed(2),
    lines: s3Best.result.lines,
  },
  parseWithSdk: {
    note: 'the local parse with the AWS SDK loaded, as every S3 read must (the CLI loads it only for s3:// targets): s3.ratioToParseWithSdk compares S3 with it, so it shows what the transport alone costs',
    bestSeconds: +(parseSdkBest.wallMs / 1000).toFixed(2),
    mbPerSecond: +(plainMb / (parseSdkBest.wallMs / 1000)).toFixed(1),
    peakRssMB: +(parseSdkBest.result.maxRssBytes / 1e6).toFixed(1),
  },
  parseRecords: {
    note: 'the same, also building every parse-output record as JSON (what `alb-doctor parse` does before writing)',
    bestSeconds: +(recordsBest.wallMs / 1000).toFixed(2),
    mbPerSecond: +(plainMb / (recordsBest.wallMs / 1000)).toFixed(1),
    ratioToZcat: +(zcatBestMs / recordsBest.wallMs).toFixed(2),
    peakRssMB: +(recordsBest.result.maxRssBytes / 1e6).toFixed(1),
  },
  runs,
};
mkdirSync(join(repoRoot, 'bench'), { recursive: true });
writeFileSync(join(repoRoot, 'bench/results.json'), JSON.stringify(summary, null, 2) + '\n');
console.log(
  [
    `input: ${files.length} files, ${summary.input.storedMB} MB gzip, ${summary.input.plainMB} MB plain, ${expectedLines} lines`,
    `zcat:  ${summary.zcat.mbPerSecond} MB/s (${summary.zcat.bestSeconds} s)`,
    `parse: ${summary.parse.mbPerSecond} MB/s, ${summary.parse.linesPerSecond} lines/s, ${summary.parse.ratioToZcat}× zcat, peak RSS ${summary.parse.peakRssMB} MB`,
    `s3:    ${summary.s3.mbPerSecond} MB/s, ${summary.s3.linesPerSecond} lines/s, ${summary.s3.ratioToParse}× local parse ` +
      `(goal ≥ ${S3_GOAL_RATIO}×${s3Ratio >= S3_GOAL_RATIO ? ', met' : ', NOT met'}), peak RSS ${summary.s3.peakRssMB} MB, ` +
      `${summary.s3.lines} lines as local (concurrency ${s3Concurrency})`,
    `       ${summary.s3.ratioToParseWithSdk}× the local parse with the AWS SDK loaded (${summary.parseWithSdk.mbPerSecond} MB/s), as every S3 read must`,
    `       s3rver on loopback used ${summary.s3.serverCpuSeconds} s of CPU in that ${summary.s3.bestSeconds} s run, ` +
      `competing with the parser and gunzip for the ${cpus().length} cores (against real S3 that work is not on this machine)`,
    `parse + JSON records: ${summary.parseRecords.mbPerSecond} MB/s, ${summary.parseRecords.ratioToZcat}× zcat, peak RSS ${summary.parseRecords.peakRssMB} MB`,
    'written: bench/results.json',
  ].join('\n'),
);
