/**
 * `npm run bench`: parse throughput against zcat on the same files in the same run, and peak RSS.
 *
 * 1. Generates ≥ 500 MB of uncompressed logs with the project's generator (once; cached outside the
 *    repo in $ALB_DOCTOR_BENCH_DIR or the OS temp folder, reused while its parameters match).
 * 2. Times `zcat <files> > /dev/null`, then the parser into a null sink in a child process (and, for
 *    reference, the same building every `parse` record as JSON), alternating, best of N runs each.
 * 3. Prints MB/s of uncompressed log, lines/s, the ratio to zcat and peak RSS; writes bench/results.json.
 * Never part of `npm test`: timings belong in a benchmark, not in assertions.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const timeMs = async (command: string, args: string[], stdout: 'ignore' | 'pipe'): Promise<{ ms: number; out: string }> =>
  new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', stdout, 'inherit'] });
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

const worker = async (mode: 'entries' | 'records', files: string[]): Promise<{ wallMs: number; result: WorkerResult }> => {
  const { ms, out } = await timeMs(process.execPath, ['--import', 'tsx', 'test/bench/parseWorker.ts', mode, ...files], 'pipe');
  return { wallMs: ms, result: JSON.parse(out) as WorkerResult };
};

const files = ensureData();
const storedBytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
// Line count checked independently of the parser (not timed).
const expectedLines = Number(execFileSync('sh', ['-c', 'zcat "$@" | wc -l', 'sh', ...files], { maxBuffer: 1 << 20 }).toString().trim());

const zcatMs: number[] = [];
const parseRuns: { wallMs: number; result: WorkerResult }[] = [];
const recordRuns: { wallMs: number; result: WorkerResult }[] = [];
for (let i = 0; i < runs; i++) {
  zcatMs.push((await timeMs('zcat', files, 'ignore')).ms);
  parseRuns.push(await worker('entries', files));
  if (i === 0) recordRuns.push(await worker('records', files));
}
const best = <T>(xs: T[], key: (x: T) => number): T => xs.reduce((a, b) => (key(b) < key(a) ? b : a));
const zcatBestMs = Math.min(...zcatMs);
const parseBest = best(parseRuns, (r) => r.wallMs);
const recordsBest = best(recordRuns, (r) => r.wallMs);
const plainMb = parseBest.result.plainBytes / 1e6;

if (parseBest.result.lines !== expectedLines) {
  throw new Error(`line count mismatch: parser read ${parseBest.result.lines}, zcat | wc -l says ${expectedLines}`);
}

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
    `parse + JSON records: ${summary.parseRecords.mbPerSecond} MB/s, ${summary.parseRecords.ratioToZcat}× zcat, peak RSS ${summary.parseRecords.peakRssMB} MB`,
    'written: bench/results.json',
  ].join('\n'),
);
