/**
 * The one orchestration behind the CLI and (later) the Lambda: source items → decompress → lines →
 * entries, with every object and line accounted for in InputStats.
 */
import { type AlbDoctorError, isAlbDoctorError } from './errors.js';
import { type AlbEntry } from './parse/parseLine.js';
import { emptyLineCounts, type LineCounts, readLog } from './parse/readLog.js';
import { decompress } from './sources/decompress.js';
import type { LogObject, SkippedObject, SkipReason, SourceItem, UnreadObject } from './sources/logObject.js';

/** How many skipped objects are listed by name; the rest are only counted by reason. */
export const MAX_LISTED_SKIPPED = 50;

export interface InputStats extends LineCounts {
  /** Log objects opened. */
  files: number;
  /** Bytes as stored (compressed for .gz). */
  bytes: number;
  skippedFiles: number;
  skippedByReason: Partial<Record<SkipReason, number>>;
  skipped: { name: string; reason: SkipReason }[];
  /** Paths and objects that could not be read (or were cut off): one error each. */
  unread: AlbDoctorError[];
}

export const emptyInputStats = (): InputStats => ({
  ...emptyLineCounts(),
  files: 0,
  bytes: 0,
  skippedFiles: 0,
  skippedByReason: {},
  skipped: [],
  unread: [],
});

export interface ReadHooks {
  /** Each valid entry; the view is only valid during the call. */
  onEntry(entry: AlbEntry, object: LogObject, lineNumber: number): void;
  /** After each chunk of plain bytes: a place to wait for output to drain, or to draw progress. */
  afterChunk?(stats: InputStats): Promise<void> | void;
}

/** Accounts for an object that is not read: skipped with its reason, or unreadable with its error. */
export function countNotRead(stats: InputStats, item: SkippedObject | UnreadObject): void {
  if (item.kind === 'skipped') {
    stats.skippedFiles++;
    stats.skippedByReason[item.reason] = (stats.skippedByReason[item.reason] ?? 0) + 1;
    if (stats.skipped.length < MAX_LISTED_SKIPPED) stats.skipped.push({ name: item.name, reason: item.reason });
  } else {
    stats.unread.push(item.error);
  }
}

export async function readInput(items: AsyncIterable<SourceItem>, hooks: ReadHooks): Promise<InputStats> {
  const stats = emptyInputStats();
  for await (const item of items) {
    if (item.kind !== 'log') {
      countNotRead(stats, item);
      continue;
    }
    stats.files++;
    const object = item;
    const linesBefore = stats.lines;
    const counter = { stored: (n: number) => void (stats.bytes += n), linesRead: () => stats.lines - linesBefore };
    const chunks = withAfterChunk(decompress(object.open(), object.name, counter), stats, hooks.afterChunk);
    try {
      await readLog(chunks, object.name, (entry, lineNumber) => hooks.onEntry(entry, object, lineNumber), stats);
    } catch (error) {
      if (!isAlbDoctorError(error)) throw error; // a bug, not bad input
      stats.unread.push(error);
    }
  }
  return stats;
}

async function* withAfterChunk(
  chunks: AsyncIterable<Buffer>,
  stats: InputStats,
  afterChunk: ReadHooks['afterChunk'],
): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    yield chunk;
    if (afterChunk) await afterChunk(stats);
  }
}
