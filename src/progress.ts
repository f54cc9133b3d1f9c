/**
 * A one-line progress display on stderr while logs are read: files, MB, MB/s and entries so far. Only on
 * a terminal, and only once reading has taken more than a second, so short runs, pipes, CI and tests see
 * nothing. The total is unknown up front (folders are walked while read), so it counts rather than fills.
 */
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import { formatBytes, formatCount } from './report/render/format.js';
import type { InputStats } from './run.js';

/** Reading that ends sooner than this shows no progress at all. */
export const PROGRESS_DELAY_MS = 1000;

export interface ReadProgress {
  update(stats: InputStats): void;
  /** Removes the line, so what is printed next starts clean. */
  stop(): void;
}

export interface ReadProgressOptions {
  /** Whether `stream` is a terminal; no terminal, no progress. */
  isTTY: boolean;
  now?: () => number;
  delayMs?: number;
}

const silent: ReadProgress = { update() {}, stop() {} };

export function createReadProgress(stream: Writable, options: ReadProgressOptions): ReadProgress {
  if (!options.isTTY) return silent;
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? PROGRESS_DELAY_MS;
  const startMs = now();
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(stats) {
      const elapsedMs = now() - startMs;
      if (bar === null && elapsedMs < delayMs) return;
      const payload = { line: progressLine(stats, elapsedMs) };
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

/** `reading: 12 files · 340 MB · 85 MB/s · 4,123,456 entries` (stored bytes: compressed for .gz). */
export function progressLine(stats: InputStats, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (stats.bytes / elapsedMs) * 1000 : 0;
  return (
    `reading: ${formatCount(stats.files)} file${stats.files === 1 ? '' : 's'} · ${formatBytes(stats.bytes)} · ` +
    `${formatBytes(rate)}/s · ${formatCount(stats.entries)} entries`
  );
}
