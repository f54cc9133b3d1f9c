import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReadProgress, progressLine } from '../src/progress.js';
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
});
