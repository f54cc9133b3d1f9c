import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createReadProgress, progressLine, waitingLine } from '../src/progress.js';
import { emptyInputStats } from '../src/run.js';

/** A stream that says it is a terminal, as cli-progress checks, and keeps what is written. */
function terminal(): { stream: Writable; written: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  Object.assign(stream, { isTTY: true, columns: 100 });
  return { stream, written: () => text };
}

const stats = (files: number, bytes: number, entries: number) => ({ ...emptyInputStats(), files, bytes, entries });

describe('read progress', () => {
  it('writes nothing when stderr is not a terminal, however long reading takes', () => {
    const { stream, written } = terminal();
    let nowMs = 0;
    const progress = createReadProgress(stream, { isTTY: false, now: () => nowMs });
    nowMs = 60_000;
    progress.update(stats(3, 5e6, 1000));
    progress.stop();
    expect(written()).toBe('');
  });

  it('stays silent for the first second, then shows files, MB, MB/s and entries, and clears itself', () => {
    const { stream, written } = terminal();
    let nowMs = 0;
    const progress = createReadProgress(stream, { isTTY: true, now: () => nowMs });
    nowMs = 500;
    progress.update(stats(1, 1e6, 10));
    expect(written()).toBe('');
    nowMs = 2000;
    progress.update(stats(12, 340e6, 4_123_456));
    progress.stop();
    expect(written()).toContain('reading: 12 files · 340 MB · 170 MB/s · 4,123,456 entries');
    expect(written()).toMatch(/\x1b\[2K|\x1b\[0K|\x1b\[K/); // the line is cleared at the end
  });

  it('words a single file and an instant start', () => {
    expect(progressLine(stats(1, 1500, 2), 0)).toBe('reading: 1 file · 1.5 kB · 0 B/s · 2 entries');
  });

  it('names what it waits for while nothing arrives, on a clock of its own, then reads as usual', () => {
    vi.useFakeTimers();
    try {
      const { stream, written } = terminal();
      const progress = createReadProgress(stream, { isTTY: true, now: () => Date.now(), waitingFor: 's3://logs/prod/ at http://127.0.0.1:9' });
      vi.advanceTimersByTime(3000);
      expect(written()).toContain('waiting for s3://logs/prod/ at http://127.0.0.1:9: 3 s');
      progress.update(stats(2, 1e6, 10));
      progress.stop();
      expect(written()).toContain('reading: 2 files');
    } finally {
      vi.useRealTimers();
    }
  });

  it('words the wait with what a listing found', () => {
    expect(waitingLine('s3://b/', 12_400, { objects: 1200, bytes: 3e9 })).toBe('waiting for s3://b/: 12 s · listed 1,200 files, 3.0 GB');
  });
});
