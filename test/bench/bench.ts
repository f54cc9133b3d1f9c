/**
 * `npm run bench`: parse throughput against zcat on the same files in the same run, and peak RSS.
 *
 * 1. Generates ≥ 500 MB of uncompressed logs with the project's generator (once; cached outside the
 *    repo in $ALB_DOCTOR_BENCH_DIR or the OS temp folder, reused while its parameters match).
 * 2. Starts s3rver in its own process on 127.0.0.1, serving the same files as bucket `alb-doctor-bench`
 *    (imported through a temporary folder whose `alb-doctor-bench` entry links to the cached logs).
 * 3. Times `zcat <files> > /dev/null`, the parser into a null sink in a child process, the parser reading
 *    `s3://alb-doctor-bench` from that server in a child process (s3Worker.ts), the same with the S3 client
 *    on the parser's thread, and the same S3 objects only downloaded (the transport alone), alternating, best of N runs each; once, for reference, the local
 *    parse building every `parse` record as JSON. The S3 runs must read the same lines and bytes. The
 *    children are tsc's build of the sources (tsconfig.bench.json), as users run dist/.
 * 4. Prints MB/s of uncompressed log, lines/s, the ratios (parse to zcat, S3 to the local parse), CPU
 *    seconds (each child's and the server's, and the ceiling they put on the S3 ratio) and peak RSS;
 *    writes bench/results.json. Never part of `npm test`: timings belong in a benchmark, not in
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
  /** CPU of the whole child process (all its threads). */
  cpuSeconds: number;
  lines: number;
  entries: number;
  malformed: number;
  plainBytes: number;
  storedBytes: number;
  unread: number;
  maxRssBytes: number;
}

/** A child as `npm run bench` compiled it (tsconfig.bench.json): tsc's output, as in dist/, not tsx's. */
const child = (name: 'parseWorker' | 's3Worker'): string => {
  const path = join(repoRoot, 'bench/build/test/bench', `${name}.js`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run the benchmark as 'npm run bench', which compiles it first.`);
  return path;
};

const worker = async (mode: 'entries' | 'records', files: string[]): Promise<{ wallMs: number; result: WorkerResult }> => {
  const { ms, out } = await timeMs(process.execPath, [child('parseWorker'), mode, ...files], 'pipe');
  return { wallMs: ms, result: JSON.parse(out) as WorkerResult };
};

const BUCKET = 'alb-doctor-bench';
const S3_GOAL_RATIO = 0.8;
const s3Concurrency = Number(process.env.ALB_DOCTOR_BENCH_S3_CONCURRENCY ?? DEFAULT_CONCURRENCY);

interface S3Run<R = WorkerResult> {
  wallMs: number;
  result: R & { listedObjects: number; listedBytes: number };
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

interface DownloadResult {
  seconds: number;
  cpuSeconds: number;
  objects: number;
  storedBytes: number;
  maxRssBytes: number;
}

async function s3Worker<M extends 'entries' | 'download'>(
  server: S3rverProcess,
  mode: M,
  onThisThread = false,
): Promise<S3Run<M extends 'entries' ? WorkerResult : DownloadResult>> {
  // s3rver's own account, whatever credentials the environment holds for AWS.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    ALB_DOCTOR_BENCH_S3_CONCURRENCY: String(s3Concurrency),
    ALB_DOCTOR_BENCH_S3_THIS_THREAD: onThisThread ? '1' : '0',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
  const cpuBefore = await server.cpuSeconds();
  const args = [child('s3Worker'), mode, server.endpoint, `s3://${BUCKET}`];
  const { ms, out } = await timeMs(process.execPath, args, 'pipe', env);
  const serverCpuSeconds = (await server.cpuSeconds()) - cpuBefore;
  return { wallMs: ms, result: JSON.parse(out), serverCpuSeconds };
}

const files = ensureData();
const storedBytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
// Line count checked independently of the parser (not timed).
const expectedLines = Number(execFileSync('sh', ['-c', 'zcat "$@" | wc -l', 'sh', ...files], { maxBuffer: 1 << 20 }).toString().trim());

const s3 = await startS3(join(dataDir, 'logs'));
const zcatMs: number[] = [];
const parseRuns: { wallMs: number; result: WorkerResult }[] = [];
const recordRuns: { wallMs: number; result: WorkerResult }[] = [];
const s3Runs: S3Run[] = [];
const downloadRuns: S3Run<DownloadResult>[] = [];
const s3ThisThreadRuns: S3Run[] = [];
try {
  for (let i = 0; i < runs; i++) {
    zcatMs.push((await timeMs('zcat', files, 'ignore')).ms);
    parseRuns.push(await worker('entries', files));
    s3Runs.push(await s3Worker(s3.server, 'entries'));
    downloadRuns.push(await s3Worker(s3.server, 'download'));
    s3ThisThreadRuns.push(await s3Worker(s3.server, 'entries', true));
    if (i === 0) recordRuns.push(await worker('records', files));
  }
} finally {
  await s3.stop();
}
const best = <T>(xs: T[], key: (x: T) => number): T => xs.reduce((a, b) => (key(b) < key(a) ? b : a));
const zcatBestMs = Math.min(...zcatMs);
const parseBest = best(parseRuns, (r) => r.wallMs);
const recordsBest = best(recordRuns, (r) => r.wallMs);
const s3Best = best(s3Runs, (r) => r.wallMs);
const downloadBest = best(downloadRuns, (r) => r.wallMs);
const s3ThisThreadBest = best(s3ThisThreadRuns, (r) => r.wallMs);
const plainMb = parseBest.result.plainBytes / 1e6;

if (parseBest.result.lines !== expectedLines) {
  throw new Error(`line count mismatch: parser read ${parseBest.result.lines}, zcat | wc -l says ${expectedLines}`);
}
for (const run of [...s3Runs, ...s3ThisThreadRuns]) {
  const r = run.result;
  if (r.lines !== expectedLines || r.plainBytes !== parseBest.result.plainBytes || r.unread !== 0 || r.listedObjects !== files.length) {
    throw new Error(
      `S3 read mismatch: ${r.lines} lines, ${r.plainBytes} plain bytes, ${r.unread} unread, ${r.listedObjects} objects listed; ` +
        `the local read has ${expectedLines} lines, ${parseBest.result.plainBytes} plain bytes in ${files.length} files`,
    );
  }
}
for (const run of downloadRuns) {
  if (run.result.storedBytes !== storedBytes || run.result.objects !== files.length) {
    throw new Error(`S3 download mismatch: ${run.result.objects} objects, ${run.result.storedBytes} bytes; the local copy has ${files.length} files, ${storedBytes} bytes`);
  }
}
const s3Ratio = parseBest.wallMs / s3Best.wallMs;
// A lower bound from CPU time alone: the S3 run's work (its own and the server's) spread perfectly over
// every core. A ratio above the goal here says the machine could meet it; below, that it cannot.
const cores = cpus().length;
const s3CpuSeconds = s3Best.result.cpuSeconds + s3Best.serverCpuSeconds;
const s3FloorSeconds = Math.max(s3CpuSeconds / cores, parseBest.wallMs / 1000);

const seconds = (ms: number): number => +(ms / 1000).toFixed(2);
/** CPU of the S3 child and of the server during it, and the child's peak RSS. */
const costs = (run: S3Run<{ cpuSeconds: number; maxRssBytes: number }>) => ({
  cpuSeconds: +run.result.cpuSeconds.toFixed(2),
  serverCpuSeconds: +run.serverCpuSeconds.toFixed(2),
  peakRssMB: +(run.result.maxRssBytes / 1e6).toFixed(1),
});
const summary = {
  date: new Date().toISOString(),
  machine: { cpus: cores, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  input: { files: files.length, storedMB: +(storedBytes / 1e6).toFixed(1), plainMB: +plainMb.toFixed(1), lines: expectedLines },
  zcat: { bestSeconds: seconds(zcatBestMs), mbPerSecond: +(plainMb / (zcatBestMs / 1000)).toFixed(1) },
  parse: {
    bestSeconds: seconds(parseBest.wallMs),
    mbPerSecond: +(plainMb / (parseBest.wallMs / 1000)).toFixed(1),
    linesPerSecond: Math.round(parseBest.result.lines / (parseBest.wallMs / 1000)),
    ratioToZcat: +(zcatBestMs / parseBest.wallMs).toFixed(2),
    cpuSeconds: +parseBest.result.cpuSeconds.toFixed(2),
    peakRssMB: +(parseBest.result.maxRssBytes / 1e6).toFixed(1),
    malformed: parseBest.result.malformed,
  },
  s3: {
    note:
      `the same files read as s3://${BUCKET} from s3rver on 127.0.0.1 (its own process) into the same null sink, the S3 client on its worker thread; ` +
      `s3rver's CPU (serverCpuSeconds) competes with the parser, gunzip and the client for the ${cores} cores, so this understates what S3 itself allows`,
    concurrency: s3Concurrency,
    bestSeconds: seconds(s3Best.wallMs),
    mbPerSecond: +(plainMb / (s3Best.wallMs / 1000)).toFixed(1),
    linesPerSecond: Math.round(s3Best.result.lines / (s3Best.wallMs / 1000)),
    ratioToParse: +s3Ratio.toFixed(2),
    goalRatioToParse: S3_GOAL_RATIO,
    cpuSeconds: +s3Best.result.cpuSeconds.toFixed(2),
    serverCpuSeconds: +s3Best.serverCpuSeconds.toFixed(2),
    peakRssMB: +(s3Best.result.maxRssBytes / 1e6).toFixed(1),
    lines: s3Best.result.lines,
  },
  s3CpuBound: {
    note:
      `the fastest the S3 run could be on ${cores} cores if its CPU time (client and server) were spread perfectly over them, ` +
      'and never faster than the local parse: a ceiling on s3.ratioToParse for this machine',
    cpuSeconds: +s3CpuSeconds.toFixed(2),
    floorSeconds: +s3FloorSeconds.toFixed(2),
    bestPossibleRatioToParse: +(parseBest.wallMs / 1000 / s3FloorSeconds).toFixed(2),
  },
  s3Download: {
    note: 'the same objects downloaded through the same S3 source and thread but neither gunzipped nor parsed: what the transport alone costs',
    bestSeconds: seconds(downloadBest.wallMs),
    storedMbPerSecond: +(storedBytes / 1e6 / (downloadBest.wallMs / 1000)).toFixed(1),
    ...costs(downloadBest),
  },
  s3OnParserThread: {
    note: "the same S3 read with the S3 client on the parser's thread (as with a credentials provider function): the SDK's heap and work then share the parser's",
    bestSeconds: seconds(s3ThisThreadBest.wallMs),
    ratioToParse: +(parseBest.wallMs / s3ThisThreadBest.wallMs).toFixed(2),
    ...costs(s3ThisThreadBest),
  },
  parseRecords: {
    note: 'the same, also building every parse-output record as JSON (what `alb-doctor parse` does before writing)',
    bestSeconds: seconds(recordsBest.wallMs),
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
    `       CPU: the local parse ${summary.parse.cpuSeconds} s; the S3 run ${summary.s3.cpuSeconds} s, and s3rver ${summary.s3.serverCpuSeconds} s on the same ${cores} cores`,
    `       (against real S3 the server's share is not on this machine); spread perfectly, that CPU allows at best ${summary.s3CpuBound.bestPossibleRatioToParse}× here`,
    `s3 client on the parser's thread: ${summary.s3OnParserThread.ratioToParse}× local parse (${summary.s3OnParserThread.bestSeconds} s), CPU ${summary.s3OnParserThread.cpuSeconds} s, peak RSS ${summary.s3OnParserThread.peakRssMB} MB`,
    `s3 download only: ${summary.s3Download.storedMbPerSecond} MB/s of gzip (${summary.s3Download.bestSeconds} s), CPU ${summary.s3Download.cpuSeconds} s + s3rver ${summary.s3Download.serverCpuSeconds} s`,
    `parse + JSON records: ${summary.parseRecords.mbPerSecond} MB/s, ${summary.parseRecords.ratioToZcat}× zcat, peak RSS ${summary.parseRecords.peakRssMB} MB`,
    'written: bench/results.json',
  ].join('\n'),
);
