/**
 * What both benchmark children (parseWorker.ts, s3Worker.ts) do with the entries and how they report:
 * a null sink that still touches every entry, and one JSON line of counts, seconds and peak RSS.
 */
import type { ReadHooks, InputStats } from '../../src/run.js';

export type SinkMode = 'entries' | 'records';

/** `entries`: a null sink; `records`: also builds every `parse` record as JSON, as `parse` does. */
export function nullSink(mode: SinkMode): { hooks: ReadHooks; touched(): number } {
  let touched = 0;
  return {
    hooks: {
      onEntry(entry, object, lineNumber) {
        if (mode === 'records') touched += entry.toJson(JSON.stringify(object.name), lineNumber).length;
        else touched += entry.fieldCount;
      },
    },
    touched: () => touched,
  };
}

export function printResult(stats: InputStats, startedNs: bigint, touched: number, extra: Record<string, number> = {}): void {
  const seconds = Number(process.hrtime.bigint() - startedNs) / 1e9;
  process.stdout.write(
    JSON.stringify({
      seconds,
      lines: stats.lines,
      entries: stats.entries,
      malformed: stats.malformed,
      plainBytes: stats.plainBytes,
      storedBytes: stats.bytes,
      unread: stats.unread.length,
      ...extra,
      touched,
      ...usage(),
    }) + '\n',
  );
}

/** CPU of this whole process (every thread: parser, S3 thread, zlib's pool, GC) and its peak RSS. */
export function usage(): { cpuSeconds: number; maxRssBytes: number } {
  const { userCPUTime, systemCPUTime, maxRSS } = process.resourceUsage();
  return { cpuSeconds: (userCPUTime + systemCPUTime) / 1e6, maxRssBytes: maxRSS * 1024 };
}
