/**
 * The worker-thread side of shards.ts: accumulates one shard of local files as a single pass would
 * (accumulateInput, the same options) and posts back its state, its stats, its cause events in batches,
 * and progress counts at most every PROGRESS_MS.
 */
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { CauseEvent } from './analyze/events.js';
import { AlbDoctorError } from './errors.js';
import { accumulateInput, type RunOptions } from './run.js';
import { type ShardData, type ShardMessage, statsToJson } from './shards.js';
import { openFile } from './sources/local.js';
import type { SourceItem } from './sources/logObject.js';

const EVENTS_PER_MESSAGE = 10_000;
const PROGRESS_MS = 100;

const port = parentPort!;
const { items, options, events, progress } = workerData as ShardData;
const post = (message: ShardMessage): void => port.postMessage(message);

async function* sourceItems(): AsyncGenerator<SourceItem> {
  for (const item of items) {
    if (item.kind === 'log') yield { ...item, open: () => openFile(item.name) };
    else if (item.kind === 'skipped') yield item;
    else yield { kind: 'unread', name: item.name, error: AlbDoctorError.fromJSON(item.error) };
  }
}

async function run(): Promise<void> {
  const { lbName, ...rest } = options;
  const runOptions: RunOptions = { ...rest, ...(lbName !== undefined && { sources: { stdin: Readable.from([]), lbName } }) };
  let batch: CauseEvent[] = [];
  const flush = (): void => {
    if (batch.length === 0) return;
    post({ type: 'events', events: batch });
    batch = [];
  };
  let lastProgressMs = 0;
  const { state, stats } = await accumulateInput(sourceItems(), runOptions, {
    ...(events && {
      onEvent: (event: CauseEvent) => {
        batch.push(event);
        if (batch.length >= EVENTS_PER_MESSAGE) flush();
      },
    }),
    ...(progress && {
      afterChunk: (current) => {
        const now = Date.now();
        if (now - lastProgressMs < PROGRESS_MS) return;
        lastProgressMs = now;
        post({ type: 'progress', stats: statsToJson(current) });
      },
    }),
  });
  flush();
  if (progress) post({ type: 'progress', stats: statsToJson(stats) });
  post({ type: 'done', state, stats: statsToJson(stats) });
}

run().catch((error: unknown) => {
  post({
    type: 'failed',
    error:
      error instanceof AlbDoctorError
        ? { error: error.toJSON() }
        : { bug: { message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined } },
  });
});
