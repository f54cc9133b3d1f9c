/**
 * A one-line progress display on stderr while logs are read: files, MB, MB/s and entries so far. Only on
 * a terminal, and only once reading has taken more than a second, so short runs, pipes, CI and tests see
 * nothing. Folders are walked while read, so local totals are unknown and the line counts; S3 listings
 * finish before reading, so for them it shows done/total objects and bytes. While nothing has been read
 * (an S3 endpoint that is slow or silent) a clock ticks once a second and the line names what it waits
 * for, so a wait is never silent.
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
  /** What the first bytes come from, for the line shown before any arrive: `s3://logs/prod/ at S3 (eu-west-1)`. */
  waitingFor?: string;
}

const silent: ReadProgress = { update() {}, addTotals() {}, stop() {} };

export function createReadProgress(stream: Writable, options: ReadProgressOptions): ReadProgress {
  if (!options.isTTY) return silent;
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? PROGRESS_DELAY_MS;
  const startMs = now();
  let bar: cliProgress.SingleBar | null = null;
  let totals: ReadTotals | undefined;
  let last: InputStats | null = null;
  const show = (line: string): void => {
    const payload = { line };
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
  };
  const render = (): void => {
    const elapsedMs = now() - startMs;
    if (bar === null && elapsedMs < delayMs) return;
    if (last !== null && last.files > 0) show(progressLine(last, elapsedMs, totals));
    else if (options.waitingFor !== undefined) show(waitingLine(options.waitingFor, elapsedMs, totals));
    else if (last !== null) show(progressLine(last, elapsedMs, totals));
  };
  // The clock that shows a wait: updates only come with data, and a silent endpoint sends none.
  const clock = setInterval(render, delayMs);
  clock.unref();
  return {
    addTotals(more) {
      totals = { objects: (totals?.objects ?? 0) + more.objects, bytes: (totals?.bytes ?? 0) + more.bytes };
    },
    update(stats) {
      last = stats;
      render();
    },
    stop() {
      clearInterval(clock);
      bar?.stop();
      bar = null;
    },
  };
}

/** `waiting for s3://logs/prod/ at S3 (eu-west-1): 12 s` before the first object arrives; with a listing, its size. */
export function waitingLine(waitingFor: string, elapsedMs: number, totals?: ReadTotals): string {
  const listed = totals === undefined ? '' : ` · listed ${formatCount(totals.objects)} ${totals.objects === 1 ? 'file' : 'files'}, ${formatBytes(totals.bytes)}`;
  return `waiting for ${waitingFor}: ${Math.round(elapsedMs / 1000)} s${listed}`;
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
