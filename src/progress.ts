/**
 * A one-line progress display on stderr while logs are read: files, MB, MB/s and entries so far. Only on
 * a terminal, and only once reading has taken more than a second, so short runs, pipes, CI and tests see
 * nothing. Folders are walked while read, so local totals are unknown and the line counts; S3 listings
 * finish before reading, so for them it shows done/total objects and bytes.
 */
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import { formatBytes, formatCount } from './report/render/format.js';
import type { InputStats } from './types.js';

/** Reading that ends sooner than this shows no progress at all. */
export const PROGRESS_DELAY_MS = 1000;

/** Objects and stored bytes known before reading (an S3 listing). */
export interface ReadTotals {
  objects: number;
  bytes: number;
}

export interface ReadProgress {
  update(stats: InputStats): void;
  /** Adds what a listing found to the totals shown. */
  addTotals(totals: ReadTotals): void;
  /** Removes the line, so what is printed next starts clean. */
  stop(): void;
}

export interface ReadProgressOptions {
  /** Whether `stream` is a terminal; no terminal, no progress. */
  isTTY: boolean;
  now?: () => number;
  delayMs?: number;
}

const silent: ReadProgress = { update() {}, addTotals() {}, stop() {} };

export function createReadProgress(stream: Writable, options: ReadProgressOptions): ReadProgress {
  if (!options.isTTY) return silent;
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? PROGRESS_DELAY_MS;
  const startMs = now();
  let bar: cliProgress.SingleBar | null = null;
  let totals: ReadTotals | undefined;
  return {
    addTotals(more) {
      totals = { objects: (totals?.objects ?? 0) + more.objects, bytes: (totals?.bytes ?? 0) + more.bytes };
    },
    update(stats) {
      const elapsedMs = now() - startMs;
      if (bar === null && elapsedMs < delayMs) return;
      const payload = { line: progressLine(stats, elapsedMs, totals) };
      if (bar === null) {
        bar = new cliProgress.SingleBar({
          stream: stream as NodeJS.WritableStream,
          format: (_options, _params, p: typeof payload) => p.line,
          fps: 5,
          clearOnComplete: true,
          // Leave the terminal's own line wrapping alone: a Ctrl-C mid-run must not leave it switched off.
          linewrap: true,
        });
        bar.start(0, 0, payload);
      } else {
        bar.update(0, payload);
      }
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/**
 * `reading: 12 files · 340 MB · 85 MB/s · 4,123,456 entries` (stored bytes: compressed for .gz); with
 * totals from a listing, `12/300 files · 340 MB/1.2 GB`.
 */
export function progressLine(stats: InputStats, elapsedMs: number, totals?: ReadTotals): string {
  const rate = elapsedMs > 0 ? (stats.bytes / elapsedMs) * 1000 : 0;
  const files = totals ? `${formatCount(stats.files)}/${formatCount(totals.objects)} files` : `${formatCount(stats.files)} file${stats.files === 1 ? '' : 's'}`;
  const bytes = totals ? `${formatBytes(stats.bytes)}/${formatBytes(totals.bytes)}` : formatBytes(stats.bytes);
  return `reading: ${files} · ${bytes} · ${formatBytes(rate)}/s · ${formatCount(stats.entries)} entries`;
}
