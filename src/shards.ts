/**
 * `report --threads N`: local files split by ALB node (the node IP in each S3-style file name) into N
 * shards balanced by stored bytes, every file of a node in one shard and in walk order, each shard
 * accumulated on its own worker thread (shardThread.ts). Node shards merge to the single-pass state
 * (test/analyze/merge.test.ts), so run.ts merges what the threads send back and concludes once.
 *
 * The walk (duplicates, skipped and unreadable paths) happens here, once; its skipped and unreadable
 * items go to the first shard in walk order, so the merged input accounts for them as a single pass does.
 */
import { Worker } from 'node:worker_threads';
import type { CauseEvent } from './analyze/events.js';
import type { AnalysisState } from './analyze/state.js';
import { MAX_SAMPLES, sampleOrder } from './analyze/inputAccount.js';
import { AlbDoctorError, type ErrorJson } from './errors.js';
import { MAX_KEPT_MALFORMED } from './parse/readLog.js';
import { MAX_LISTED_SKIPPED } from './readInput.js';
import { openSources, type SourceOptions } from './sources/index.js';
import type { SourceItem } from './sources/logObject.js';
import { isS3Uri } from './sources/s3Keys.js';
import { emptyInputStats, type InputStats, type SkipReason } from './types.js';

/** The most threads `report --threads` takes. */
export const MAX_THREADS = 64;

/** An item as it crosses to a thread: a local file is opened there by its name. */
export type ShardItem =
  | { kind: 'log'; name: string; nodeIp: string | null; sizeBytes: number | null }
  | { kind: 'skipped'; name: string; reason: SkipReason }
  | { kind: 'unread'; name: string; error: ErrorJson };

/** The run options a thread needs (plain values only). */
export interface ShardOptions {
  fromMs?: number;
  toMs?: number;
  contextBeforeMs?: number;
  albIdleTimeoutSeconds?: number;
  lbName?: string;
}

export interface ShardData {
  items: ShardItem[];
  options: ShardOptions;
  /** Send the cause events (--events). */
  events: boolean;
  /** Send progress counts. */
  progress: boolean;
}

/** InputStats as it crosses: errors as ErrorJson. */
export type StatsJson = Omit<InputStats, 'unread' | 'malformedSamples'> & { unread: ErrorJson[]; malformedSamples: ErrorJson[] };

/** A thread → this thread. */
export type ShardMessage =
  | { type: 'events'; events: CauseEvent[] }
  | { type: 'progress'; stats: StatsJson }
  | { type: 'done'; state: AnalysisState; stats: StatsJson }
  | { type: 'failed'; error: { error: ErrorJson } | { bug: { message: string; stack: string | undefined } } };

export const statsToJson = (stats: InputStats): StatsJson => ({
  ...stats,
  unread: stats.unread.map((e) => e.toJSON()),
  malformedSamples: stats.malformedSamples.map((e) => e.toJSON()),
});

const statsFromJson = (json: StatsJson): InputStats => ({
  ...json,
  unread: json.unread.map((e) => AlbDoctorError.fromJSON(e)),
  malformedSamples: json.malformedSamples.map((e) => AlbDoctorError.fromJSON(e)),
});

/** Each walked name's place in the walk: errors and samples are put back in this order. */
export type WalkOrder = ReadonlyMap<string, number>;

export type ShardPlan =
  /** Two shards or more, each a list of items for a thread. */
  | { kind: 'shards'; shards: ShardItem[][]; order: WalkOrder }
  /** One thread: `reason` says why; `items`, when the walk was done, are read as they are. */
  | { kind: 'single'; reason: string; items?: SourceItem[] };

/**
 * Walks local targets and splits their files by ALB node into at most `threads` shards. stdin, S3 and
 * files without a node in their name are read on one thread.
 */
export async function planShards(targets: readonly string[], threads: number, sources: SourceOptions | undefined): Promise<ShardPlan> {
  if (targets.includes('-')) return { kind: 'single', reason: 'stdin (-) is read on one thread' };
  if (targets.some(isS3Uri)) return { kind: 'single', reason: 's3:// sources are read on one thread' };
  const items: SourceItem[] = [];
  for await (const item of openSources(targets, sources ?? { stdin: process.stdin })) items.push(item);
  const bytesByNode = new Map<string, number>();
  for (const item of items) {
    if (item.kind !== 'log') continue;
    if (item.nodeIp === null || item.sizeBytes === null) {
      return { kind: 'single', reason: `${item.name} has no ALB node in its name (not an S3 access-log file name), so the files are read on one thread`, items };
    }
    bytesByNode.set(item.nodeIp, (bytesByNode.get(item.nodeIp) ?? 0) + item.sizeBytes);
  }
  const shardCount = Math.min(threads, bytesByNode.size);
  if (bytesByNode.size === 0) return { kind: 'single', reason: 'no access-log files to split, read on one thread', items };
  if (shardCount < 2) return { kind: 'single', reason: 'the files are of one ALB node, read on one thread', items };
  // Largest node first, each to the lightest shard: balanced by bytes, the same split every run.
  const nodes = [...bytesByNode].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  const loads = new Array<number>(shardCount).fill(0);
  const shardOfNode = new Map<string, number>();
  for (const [node, bytes] of nodes) {
    const lightest = loads.indexOf(Math.min(...loads));
    shardOfNode.set(node, lightest);
    loads[lightest]! += bytes;
  }
  const shards: ShardItem[][] = loads.map(() => []);
  for (const item of items) {
    if (item.kind === 'log') shards[shardOfNode.get(item.nodeIp!)!]!.push({ kind: 'log', name: item.name, nodeIp: item.nodeIp, sizeBytes: item.sizeBytes });
    else if (item.kind === 'skipped') shards[0]!.push({ kind: 'skipped', name: item.name, reason: item.reason });
    else shards[0]!.push({ kind: 'unread', name: item.name, error: item.error.toJSON() });
  }
  const order = new Map<string, number>();
  items.forEach((item, i) => order.has(item.name) || order.set(item.name, i));
  return { kind: 'shards', shards, order };
}

/** The worker's module sits beside this one; from the TypeScript sources (tests, tsx) it is loaded through tsx. */
function startThread(data: ShardData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./shardThread.js', here), { workerData: data });
  const entry = JSON.stringify(new URL('./shardThread.ts', here).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); });`, { eval: true, workerData: data });
}

export interface ShardHooks {
  onEvent?(event: CauseEvent): void;
  afterChunk?(stats: InputStats): Promise<void> | void;
}

/** Each shard accumulated on its own thread; the states and stats in shard order. */
export async function accumulateShards(shards: readonly ShardItem[][], order: WalkOrder, options: ShardOptions, hooks: ShardHooks): Promise<{ states: AnalysisState[]; stats: InputStats }> {
  const latest: InputStats[] = shards.map(() => emptyInputStats());
  // afterChunk may write (--events): one call at a time, in order.
  let chain: Promise<void> = Promise.resolve();
  const workers: Worker[] = [];
  const runs = shards.map(
    (items, index) =>
      new Promise<{ state: AnalysisState; stats: InputStats }>((resolve, reject) => {
        const worker = startThread({ items, options, events: hooks.onEvent !== undefined, progress: hooks.afterChunk !== undefined });
        workers.push(worker);
        let settled = false;
        worker.on('message', (message: ShardMessage) => {
          switch (message.type) {
            case 'events':
              for (const event of message.events) hooks.onEvent?.(event);
              return;
            case 'progress': {
              latest[index] = statsFromJson(message.stats);
              const total = sumStats(latest);
              chain = chain.then(() => hooks.afterChunk?.(total));
              return;
            }
            case 'done':
              settled = true;
              resolve({ state: message.state, stats: statsFromJson(message.stats) });
              return;
            case 'failed': {
              settled = true;
              const wire = message.error;
              if ('error' in wire) reject(AlbDoctorError.fromJSON(wire.error));
              else {
                const bug = new Error(`report thread: ${wire.bug.message}`);
                if (wire.bug.stack !== undefined) bug.stack = `report thread: ${wire.bug.stack}`;
                reject(bug);
              }
            }
          }
        });
        worker.on('error', (error) => {
          settled = true;
          reject(new Error(`report thread failed: ${error.message}`, { cause: error }));
        });
        worker.on('exit', (code) => {
          if (!settled) reject(new Error(`report thread exited (code ${code}) before its shard was read.`));
        });
      }),
  );
  try {
    const results = await Promise.all(runs);
    await chain;
    return { states: results.map((r) => r.state), stats: mergeStats(results.map((r) => r.stats), order) };
  } finally {
    // A failed thread ends the run: progress still queued has nothing left to draw.
    chain.catch(() => {});
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Running totals for progress: counts only. */
function sumStats(all: readonly InputStats[]): InputStats {
  const total = emptyInputStats();
  for (const s of all) addCounts(total, s);
  return total;
}

function addCounts(total: InputStats, s: InputStats): void {
  total.lines += s.lines;
  total.entries += s.entries;
  total.blankLines += s.blankLines;
  total.malformed += s.malformed;
  total.plainBytes += s.plainBytes;
  total.otherLoadBalancer += s.otherLoadBalancer;
  total.files += s.files;
  total.bytes += s.bytes;
  total.skippedFiles += s.skippedFiles;
  for (const [code, n] of Object.entries(s.malformedByCode)) {
    const key = code as keyof InputStats['malformedByCode'];
    total.malformedByCode[key] = (total.malformedByCode[key] ?? 0) + n;
  }
  for (const [reason, n] of Object.entries(s.skippedByReason)) {
    const key = reason as SkipReason;
    total.skippedByReason[key] = (total.skippedByReason[key] ?? 0) + n;
  }
}

/**
 * The shards' stats as one pass gives them: counts added; errors and samples in walk order (`order`: each
 * item's place in it), as a single pass meets them.
 */
export function mergeStats(all: readonly InputStats[], order: WalkOrder): InputStats {
  const total = sumStats(all);
  const place = (e: { source?: string | undefined; line?: number | undefined }): number => order.get(e.source ?? '') ?? order.size;
  const inWalkOrder = <T extends { source?: string | undefined; line?: number | undefined }>(errors: T[]): T[] =>
    errors.map((e, i) => ({ e, i })).sort((a, b) => place(a.e) - place(b.e) || (a.e.line ?? 0) - (b.e.line ?? 0) || a.i - b.i).map(({ e }) => e);
  total.skipped = all.flatMap((s) => s.skipped).slice(0, MAX_LISTED_SKIPPED);
  total.unread = inWalkOrder(all.flatMap((s) => s.unread));
  // Each shard kept its first samples; the first of all are among them.
  total.malformedSamples = inWalkOrder(all.flatMap((s) => s.malformedSamples)).slice(0, MAX_KEPT_MALFORMED);
  return total;
}

/**
 * The input part of the merged state as a single pass has it: unreadable paths and files in walk order
 * (the merge puts the first shard's first), and the malformed samples a single pass keeps, its first
 * MAX_KEPT_MALFORMED in walk order (each shard kept its own first ones), sorted as a state holds them.
 */
export function inputInWalkOrder(merged: AnalysisState, shards: readonly AnalysisState[], order: WalkOrder): void {
  const place = (e: ErrorJson): number => order.get(e.source ?? '') ?? order.size;
  const inWalkOrder = (errors: ErrorJson[]): ErrorJson[] =>
    errors.map((e, i) => ({ e, i })).sort((a, b) => place(a.e) - place(b.e) || (a.e.line ?? 0) - (b.e.line ?? 0) || a.i - b.i).map(({ e }) => e);
  merged.input.unread = inWalkOrder(merged.input.unread);
  merged.input.malformedSamples = inWalkOrder(shards.flatMap((s) => s.input.malformedSamples))
    .slice(0, MAX_KEPT_MALFORMED)
    .sort(sampleOrder)
    .slice(0, MAX_SAMPLES);
}
