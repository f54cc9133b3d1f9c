// Streams a simulated run to disk: log objects under the S3 key layout below `logDir`,
// truth.json and labels.jsonl in `truthDir` (never inside the log tree). Memory stays
// bounded to the files of the current 5-minute interval plus a few being compressed.

import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { createGzip, gzip as gzipCallback, type Gzip } from 'node:zlib';
import type { Seed } from './prng.js';
import type { FileTruth, Scenario, Truth } from './model.js';
import { INTERVAL_MS, type AssembledFile } from './files.js';
import { junkObjects } from './layout.js';
import { createRun, fileTruth, step, type OutputOptions } from './run.js';

const gzipAsync = promisify(gzipCallback);
/** Compressions in flight: zlib runs them on the libuv pool, beside the simulation. */
const MAX_IN_FLIGHT = 4;
/** Cap on simulated time when generating to a size (--target-mb) with no duration given. */
export const TARGET_SIZE_MAX_DURATION_MS = 60 * 24 * 3_600_000;

export interface WriteOptions extends OutputOptions {
  seed: Seed;
  logDir: string;
  truthDir: string;
  /** gzip level for log objects, 1–9 (default 4). */
  gzipLevel?: number;
  /** Add non-log objects (conn_log, health_check_log, NLB, test file, 0-byte object). */
  junk?: boolean;
  /** Keep generating until about this many uncompressed bytes of log (ends early). */
  targetBytes?: number;
  /** Write labels.jsonl (default true). */
  labels?: boolean;
  onFile?: (file: FileTruth, totalBytes: number) => void;
}

export interface WriteSummary {
  truth: Truth;
  truthPath: string;
  labelsPath: string | null;
  files: number;
  lines: number;
  uncompressedBytes: number;
}

/** True when `inner` is `outer` or below it. */
function isInside(outer: string, inner: string): boolean {
  const rel = relative(resolve(outer), resolve(inner));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function writeStreamChunk(stream: WriteStream | Gzip, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

async function endStream(stream: WriteStream | Gzip, sink?: WriteStream): Promise<void> {
  stream.end();
  await once(sink ?? stream, 'finish');
}

export async function writeScenario(scenario: Scenario, options: WriteOptions): Promise<WriteSummary> {
  if (isInside(options.logDir, options.truthDir)) {
    throw new Error(`Truth directory ${options.truthDir} is inside the log directory ${options.logDir}; pick a path outside it.`);
  }
  const gzip = options.gzip ?? true;
  const level = options.gzipLevel ?? 4;
  const sized = options.targetBytes !== undefined && options.targetBytes > 0;
  const run = createRun(sized ? { ...scenario, durationMs: Math.max(scenario.durationMs, TARGET_SIZE_MAX_DURATION_MS) } : scenario, options.seed, options);
  await mkdir(options.logDir, { recursive: true });
  await mkdir(options.truthDir, { recursive: true });

  const labelsPath = options.labels === false ? null : join(options.truthDir, 'labels.jsonl');
  const labelStream = labelsPath ? createWriteStream(labelsPath) : null;
  const files: FileTruth[] = [];
  /** Per delivery day, the interval end of its first object: junk objects get nearby stamps. */
  const firstEndByDay = new Map<number, number>();
  const inFlight = new Set<Promise<void>>();
  const madeDirs = new Set<string>();
  let concat: { file: WriteStream; gz: Gzip | null } | null = null;

  const ensureDir = async (dir: string): Promise<void> => {
    if (madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  };

  const emit = async (file: AssembledFile): Promise<void> => {
    const truthEntry = fileTruth(file);
    files.push(truthEntry);
    const day = Math.floor(file.deliveryEpochMs / 86_400_000) * 86_400_000;
    if (!firstEndByDay.has(day) || file.endEpochMs < (firstEndByDay.get(day) as number)) firstEndByDay.set(day, file.endEpochMs);
    options.onFile?.(truthEntry, run.assembler.bytes);
    const body = file.lines.length ? file.lines.join('\n') + '\n' : '';
    if (labelStream) {
      let chunk = '';
      for (const label of file.labels) chunk += JSON.stringify(label) + '\n';
      await writeStreamChunk(labelStream, chunk);
    }
    const path = join(options.logDir, file.key);
    if (run.noNode) {
      if (!concat) {
        await ensureDir(dirname(path));
        const out = createWriteStream(path);
        const gz = gzip ? createGzip({ level }) : null;
        if (gz) gz.pipe(out);
        concat = { file: out, gz };
      }
      await writeStreamChunk(concat.gz ?? concat.file, body);
      return;
    }
    await ensureDir(dirname(path));
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const task = (async () => {
      const data = gzip ? await gzipAsync(body, { level }) : body;
      await writeFile(path, data);
    })();
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  for (let t = INTERVAL_MS; !run.simulator.finished; t += INTERVAL_MS) {
    for (const file of step(run, t)) await emit(file);
    if (sized && run.assembler.bytes >= (options.targetBytes as number)) run.simulator.stopArrivalsAt(t);
  }
  for (const file of run.assembler.takeAll()) await emit(file);
  await Promise.all(inFlight);
  const openConcat = concat as { file: WriteStream; gz: Gzip | null } | null;
  if (openConcat) await endStream(openConcat.gz ?? openConcat.file, openConcat.gz ? openConcat.file : undefined);
  if (labelStream) await endStream(labelStream);

  const junk: string[] = [];
  if (options.junk) {
    for (const object of junkObjects(run.simulator.identity, [...firstEndByDay.values()].sort((a, b) => a - b), run.seedText)) {
      const path = join(options.logDir, object.key);
      await ensureDir(dirname(path));
      await writeFile(path, object.body);
      junk.push(object.key);
    }
  }
  const truth = run.simulator.truth.build({
    seed: run.seedText,
    layout: scenario.layout,
    order: run.order,
    nodeInLogs: !run.noNode,
    endMs: run.simulator.arrivalsEndMs,
    files,
    junk,
    uncompressedBytes: run.assembler.bytes,
  });
  const truthPath = join(options.truthDir, 'truth.json');
  await writeFile(truthPath, JSON.stringify(truth, null, 2) + '\n');
  return { truth, truthPath, labelsPath, files: files.length, lines: truth.totals.lines, uncompressedBytes: run.assembler.bytes };
}
