/**
 * Source items → decompress → lines → entries, with every object and line accounted for in InputStats,
 * and each object's own counts handed to `onObjectEnd`. run.ts builds the commands on it.
 */
import { type AlbDoctorError, isAlbDoctorError } from './errors.js';
import { F } from './parse/fields.js';
import { type AlbEntry } from './parse/parseLine.js';
import { LineSplitter } from './parse/lines.js';
import { readLog } from './parse/readLog.js';
import { emptyInputStats, emptyLineCounts, type InputStats, type LineCounts } from './types.js';
import { decompress } from './sources/decompress.js';
import type { LogObject, SkippedObject, SourceItem, UnreadObject } from './sources/logObject.js';

/** How many skipped objects are listed by name; the rest are only counted by reason. */
export const MAX_LISTED_SKIPPED = 50;

export { emptyInputStats, type InputStats } from './types.js';

export interface ReadHooks {
  /** Each valid entry; the view is only valid during the call. */
  onEntry(entry: AlbEntry, object: LogObject, lineNumber: number): void;
  /** After each chunk of plain bytes: a place to wait for output to drain, or to draw progress. */
  afterChunk?(stats: InputStats): Promise<void> | void;
  /** After each object read (to its end, or to a read error): its own line counts and stored bytes. */
  onObjectEnd?(object: LogObject, counts: LineCounts, storedBytes: number): void;
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

export interface ReadOptions {
  /**
   * Only entries of this load balancer (its name, as `lbNameOf` gives it) reach `onEntry`: the `elb` field
   * `app/<name>/<id>` names it. The others are counted in `otherLoadBalancer`.
   */
  lbName?: string;
}

export async function readInput(items: AsyncIterable<SourceItem>, hooks: ReadHooks, options: ReadOptions = {}): Promise<InputStats> {
  let onEntry: ReadHooks['onEntry'] = hooks.onEntry;
  return readObjects(items, hooks.afterChunk, async (object, chunks, stats) => {
    if (options.lbName !== undefined && onEntry === hooks.onEntry) onEntry = onlyLoadBalancer(options.lbName, hooks.onEntry, stats);
    const before = hooks.onObjectEnd ? snapshot(stats) : null;
    try {
      await readLog(chunks, object.name, (entry, lineNumber) => onEntry(entry, object, lineNumber), stats);
    } finally {
      if (before) hooks.onObjectEnd!(object, difference(stats, before), stats.bytes - before.bytes);
    }
  });
}

export interface RawLineHooks {
  /** Each line as stored (a trailing CR dropped), before any parsing: what Athena's table reads. */
  line(text: string, object: LogObject): void;
  /** A line longer than the limit, not handed out whole. */
  tooLong(bytes: number, object: LogObject): void;
}

/** The same objects and accounting as readInput, but the lines raw (athena local loads them into DuckDB). */
export async function readRawLines(items: AsyncIterable<SourceItem>, hooks: RawLineHooks, maxLineBytes: number): Promise<InputStats> {
  return readObjects(items, undefined, async (object, chunks, stats) => {
    const splitter = new LineSplitter(
      {
        line(buf, start, end) {
          stats.lines++;
          const last = end > start && buf[end - 1] === 0x0d ? end - 1 : end;
          hooks.line(buf.toString('utf8', start, last), object);
        },
        tooLong(_lineNumber, bytes) {
          stats.lines++;
          hooks.tooLong(bytes, object);
        },
      },
      maxLineBytes,
    );
    try {
      for await (const chunk of chunks) {
        stats.plainBytes += chunk.length;
        splitter.push(chunk);
      }
    } finally {
      splitter.end();
    }
  });
}

/**
 * Every item accounted for: skipped and unreadable ones counted, each log object decompressed and handed
 * to `read`; an input error (AlbDoctorError) while reading it is counted as unread and the rest is read.
 */
async function readObjects(
  items: AsyncIterable<SourceItem>,
  afterChunk: ReadHooks['afterChunk'],
  read: (object: LogObject, chunks: AsyncIterable<Buffer>, stats: InputStats) => Promise<void>,
): Promise<InputStats> {
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
    const chunks = withAfterChunk(decompress(object.open(), object.name, counter), stats, afterChunk);
    try {
      await read(object, chunks, stats);
    } catch (error) {
      if (!isAlbDoctorError(error)) throw error; // a bug, not bad input
      stats.unread.push(error);
    }
  }
  return stats;
}

/** `onEntry` for the entries of one load balancer; the rest are counted. */
function onlyLoadBalancer(lbName: string, onEntry: ReadHooks['onEntry'], stats: InputStats): ReadHooks['onEntry'] {
  // `app/<name>/<id>` (or `net/…`): the name is between the first two slashes.
  const wanted = `/${lbName}/`;
  return (entry, object, lineNumber) => {
    const elb = entry.text(F.elb) ?? '';
    const start = elb.indexOf('/');
    if (start >= 0 && elb.startsWith(wanted, start)) onEntry(entry, object, lineNumber);
    else stats.otherLoadBalancer++;
  };
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

function snapshot(stats: InputStats): LineCounts & { bytes: number } {
  return { ...stats, malformedByCode: { ...stats.malformedByCode }, malformedSamples: [], bytes: stats.bytes };
}

/** One object's counts: what the running totals gained while it was read. */
function difference(now: InputStats, before: LineCounts): LineCounts {
  const counts = emptyLineCounts();
  counts.lines = now.lines - before.lines;
  counts.entries = now.entries - before.entries;
  counts.blankLines = now.blankLines - before.blankLines;
  counts.malformed = now.malformed - before.malformed;
  counts.plainBytes = now.plainBytes - before.plainBytes;
  counts.otherLoadBalancer = now.otherLoadBalancer - before.otherLoadBalancer;
  for (const [code, n] of Object.entries(now.malformedByCode) as [keyof LineCounts['malformedByCode'], number][]) {
    const gained = n - (before.malformedByCode[code] ?? 0);
    if (gained > 0) counts.malformedByCode[code] = gained;
  }
  return counts;
}
