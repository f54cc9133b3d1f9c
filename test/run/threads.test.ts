/**
 * `report --threads`: local files split by ALB node onto worker threads give the single pass's report to
 * the byte, and the same --events (as sets: threads emit them in another order). Ground truth is
 * `--threads 1` on the same files, through the real CLI: generator data of several nodes written as S3
 * names, with input to account for (a skipped connection log, a duplicate, malformed lines on every node, a
 * file cut off), with --from/--to, and sample-logs/.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runReport } from '../../src/run.js';
import { classifyLogName } from '../../src/sources/logNames.js';
import { scenario, simulate, type SimulationResult } from '../generator/index.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/runCli.js';

const HOUR_MS = 3_600_000;

/** Files given malformed lines: more than the 20 samples a run keeps, spread over every node. */
const withBadLines = (i: number): boolean => i % 4 === 3;
const BAD_LINES = 3;

function writeLogs(sim: SimulationResult): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'alb-doctor-threads-'));
  const files: string[] = [];
  for (const [i, file] of sim.files.entries()) {
    const path = join(dir, file.key);
    mkdirSync(dirname(path), { recursive: true });
    const bad = Array.from({ length: BAD_LINES }, (_, k) => `not an access log line ${k}`);
    const lines = withBadLines(i) ? [...file.lines.slice(0, 5), ...bad, ...file.lines.slice(5)] : file.lines;
    writeFileSync(path, gzipSync(lines.join('\n') + '\n'));
    files.push(path);
  }
  // A file of a node's name cut off halfway through its gzip, and a connection log beside the access logs.
  const broken = files[7]!.replace(/_([A-Za-z0-9]+)\.log\.gz$/, '_broken0.log.gz');
  const whole = gzipSync(sim.files[7]!.lines.join('\n') + '\n');
  writeFileSync(broken, whole.subarray(0, whole.length >> 1));
  writeFileSync(join(dirname(files[0]!), `conn_log_${basename(files[0]!)}`), gzipSync('x\n'));
  return { dir, files };
}

async function report(args: string[]): Promise<{ code: number; json: string; events: string[]; stderr: string }> {
  const eventsPath = join(mkdtempSync(join(tmpdir(), 'alb-doctor-threads-events-')), 'events.jsonl');
  const result = await runCli(['report', ...args, '--format', 'json', '--events', eventsPath]);
  const events = readFileSync(eventsPath, 'utf8').split('\n').filter((l) => l !== '').sort();
  return { code: result.code, json: result.stdout, events, stderr: result.stderr };
}

const sim = simulate(scenario('node', { durationMs: 3 * HOUR_MS }), 1);
const { dir, files } = writeLogs(sim);
const nodes = new Set(files.map((f) => { const v = classifyLogName(basename(f), true); return v.kind === 'alb' ? v.nodeIp : null; }));

describe('report --threads', () => {
  it('splits the generator’s nodes onto threads and gives the single-pass report and events', async () => {
    expect(nodes.size).toBeGreaterThan(2);
    // The folder, and one of its files again: a duplicate to skip.
    const single = await report([dir, files[2]!, '--threads', '1']);
    expect(single.events.length).toBeGreaterThan(0);
    const parsed = JSON.parse(single.json) as { input: { files: number; skippedFiles: number; malformed: number; unread: unknown[] } };
    expect(parsed.input.skippedFiles).toBe(2);
    // The lines added, and the line the cut gzip ends in.
    const badFiles = sim.files.filter((_, i) => withBadLines(i)).length;
    expect(badFiles * BAD_LINES).toBeGreaterThan(20);
    expect(parsed.input.malformed).toBe(badFiles * BAD_LINES + 1);
    expect(parsed.input.unread.length).toBe(1);
    expect(single.code).toBe(1);
    for (const threads of ['2', '3', '8']) {
      const threaded = await report([dir, files[2]!, '--threads', threads]);
      expect(threaded.json).toBe(single.json);
      expect(threaded.events).toEqual(single.events);
      expect(threaded.code).toBe(single.code);
      expect(threaded.stderr).toBe(single.stderr);
    }
  }, 120_000);

  it('keeps the malformed samples a single pass keeps when folder order is not name order', async () => {
    // `a/` is walked before `a.b/`, but `a.b/…` sorts before `a/…`: the first samples read are not the first by name.
    const root = mkdtempSync(join(tmpdir(), 'alb-doctor-threads-order-'));
    const [first, second] = [...nodes];
    for (const [folder, node] of [['a', first], ['a.b', second]] as const) {
      mkdirSync(join(root, folder));
      for (const [i, path] of files.filter((f) => f.includes(`_${node}_`)).slice(0, 10).entries()) {
        const bad = Array.from({ length: 4 }, (_, k) => `not an access log line ${k}`);
        writeFileSync(join(root, folder, basename(path)), [...bad, ...sim.files[files.indexOf(path)]!.lines.slice(0, 50 + i)].join('\n') + '\n');
      }
    }
    const single = await report([root]);
    const threaded = await report([root, '--threads', '2']);
    expect((JSON.parse(single.json) as { input: { malformed: number } }).input.malformed).toBe(80);
    expect(threaded.json).toBe(single.json);
  }, 60_000);

  it('gives the single-pass report with --from/--to and --lb', async () => {
    const start = Date.parse(sim.truth.start);
    const window = ['--from', new Date(start + HOUR_MS + 7_321).toISOString(), '--to', new Date(start + 2 * HOUR_MS).toISOString()];
    const single = await report([dir, ...window]);
    const threaded = await report([dir, ...window, '--threads', '2']);
    expect(threaded.json).toBe(single.json);
    expect(threaded.events).toEqual(single.events);
    // --lb reaches the threads: its entries kept, another's counted and left out.
    for (const lb of ['shop-prod', 'another-lb']) {
      const one = await report([dir, ...window, '--lb', lb]);
      expect((await report([dir, ...window, '--lb', lb, '--threads', '2'])).json).toBe(one.json);
      expect((JSON.parse(one.json) as { input: { otherLoadBalancer: number } }).input.otherLoadBalancer > 0).toBe(lb === 'another-lb');
    }
  }, 120_000);

  it('uses the threads it was given on node-named files, one on others, and says why', async () => {
    const used = await runReport([dir], { threads: 2 });
    expect(used.threads).toEqual({ used: 2 });
    const plain = mkdtempSync(join(tmpdir(), 'alb-doctor-threads-plain-'));
    writeFileSync(join(plain, 'a.log'), sim.files[0]!.lines.join('\n') + '\n');
    const one = await runCli(['report', plain, '--threads', '2', '--format', 'json']);
    expect(one.code).toBe(0);
    expect(one.stderr).toMatch(/^alb-doctor: --threads 2: .*a\.log has no ALB node in its name.*\.\n$/);
    expect(one.stdout).toBe((await runCli(['report', plain, '--format', 'json'])).stdout);
  }, 60_000);

  it('gives the single-pass report on sample-logs/', async () => {
    const samples = join(repoRoot, 'sample-logs');
    const single = await report([samples]);
    const threaded = await report([samples, '--threads', '2']);
    expect(threaded.json).toBe(single.json);
    expect(threaded.events).toEqual(single.events);
    expect(threaded.stderr).toBe('');
    expect((await runReport([samples], { threads: 2 })).threads).toEqual({ used: 2 });
  }, 60_000);

  it.each(['0', 'x', '65', '1.5', '-1'])('--threads %s is a usage error (exit 2, one sentence)', async (value) => {
    const result = await runCli(['report', dir, '--threads', value]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^alb-doctor: --threads '.*' is not a whole number from 1 to 64; [^.]*\.\n$/);
  });
});
