import { describe, expect, it } from 'vitest';
import { AlbDoctorError } from '../../src/errors.js';
import { emptyLineCounts, readLog } from '../../src/parse/readLog.js';
import { sampleLine } from '../support/samples.js';

/** Chunks, then a read error, as a dropped download or a cut gzip stream delivers them. */
async function* chunksThenError(chunks: string[]): AsyncGenerator<Buffer> {
  for (const chunk of chunks) yield Buffer.from(chunk);
  throw new AlbDoctorError('TRUNCATED_GZIP', 'cut');
}

describe('readLog', () => {
  it('a line cut off by a read error is malformed (TRUNCATED_LINE), not an entry of a shorter layout', async () => {
    const whole = `${sampleLine(1)}\n`;
    // Cut right after chosen_cert_arn: on its own this would be a valid 20-field (2017) line.
    const full = sampleLine(2);
    const cutAt = full.indexOf(' 0 2018-07-02T22:22:48');
    expect(cutAt).toBeGreaterThan(0);
    const counts = emptyLineCounts();
    const lines: number[] = [];
    const error = await readLog(chunksThenError([whole, full.slice(0, cutAt)]), 'cut.log', (_e, n) => lines.push(n), counts).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as AlbDoctorError).code).toBe('TRUNCATED_GZIP');
    expect(lines).toEqual([1]);
    expect(counts.entries).toBe(1);
    expect(counts.lines).toBe(2);
    expect(counts.malformedByCode).toEqual({ TRUNCATED_LINE: 1 });
    expect(counts.malformedSamples[0]).toMatchObject({ code: 'TRUNCATED_LINE', source: 'cut.log', line: 2 });
  });

  it('the same bytes ending normally are one more (2017-layout) entry', async () => {
    const full = sampleLine(2);
    const cutAt = full.indexOf(' 0 2018-07-02T22:22:48');
    async function* chunks(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${sampleLine(1)}\n${full.slice(0, cutAt)}`);
    }
    const counts = emptyLineCounts();
    await readLog(chunks(), 'whole.log', () => {}, counts);
    expect(counts.entries).toBe(2);
    expect(counts.malformed).toBe(0);
  });

  it('a read error right after a newline leaves nothing cut off', async () => {
    const counts = emptyLineCounts();
    await readLog(chunksThenError([`${sampleLine(1)}\n`]), 'cut.log', () => {}, counts).catch(() => {});
    expect(counts).toMatchObject({ lines: 1, entries: 1, malformed: 0 });
  });
});
