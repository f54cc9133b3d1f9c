import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/parse/lines.js';
import { MAX_LINE_BYTES } from '../../src/parse/parseLine.js';
import { emptyLineCounts, readLog } from '../../src/parse/readLog.js';

type Seen = { line: string; n: number } | { tooLong: number; n: number };

/** Runs a splitter over `chunks`, copying each line out during the callback (lines are views). */
function split(chunks: Buffer[], cap?: number): { seen: Seen[]; maxCarry: number } {
  const seen: Seen[] = [];
  const splitter = new LineSplitter(
    {
      line: (buf, start, end, n) => seen.push({ line: buf.toString('latin1', start, end), n }),
      tooLong: (n, bytes) => seen.push({ tooLong: bytes, n }),
    },
    cap,
  );
  // The carried partial line is private; reading it is the only way to see memory stay bounded.
  const carried = (): number => (splitter as unknown as { carry: Buffer | null }).carry?.length ?? 0;
  let maxCarry = 0;
  for (const chunk of chunks) {
    splitter.push(chunk);
    maxCarry = Math.max(maxCarry, carried());
  }
  splitter.end();
  return { seen, maxCarry };
}

const at = (text: string, ...cuts: number[]): Buffer[] => {
  const buf = Buffer.from(text, 'latin1');
  const points = [0, ...cuts, buf.length];
  return points.slice(1).map((end, i) => buf.subarray(points[i], end));
};

const lines = (...texts: string[]): Seen[] => texts.map((line, i) => ({ line, n: i + 1 }));

describe('LineSplitter', () => {
  const input = 'a\nbb\r\n\nccc \nlast';
  // Written by hand: the CR stays (the tokenizer drops it), an empty line is a line, no final newline.
  const expected = lines('a', 'bb\r', '', 'ccc ', 'last');

  it('gives the same lines at every split position', () => {
    for (let i = 0; i <= input.length; i++) expect(split(at(input, i)).seen, `cut at ${i}`).toEqual(expected);
  });

  it('gives the same lines at every pair of split positions', () => {
    for (let i = 0; i <= input.length; i++) {
      for (let j = i; j <= input.length; j++) expect(split(at(input, i, j)).seen, `cuts at ${i}, ${j}`).toEqual(expected);
    }
  });

  it('gives the same lines one byte at a time', () => {
    expect(split([...Buffer.from(input)].map((b) => Buffer.from([b]))).seen).toEqual(expected);
  });

  it('does not invent a line after a final newline', () => {
    expect(split(at('a\nb\n', 2)).seen).toEqual(lines('a', 'b'));
  });

  it('delivers a last line without a newline at the end', () => {
    expect(split(at('a\nb', 1)).seen).toEqual(lines('a', 'b'));
    expect(split(at('only', 2)).seen).toEqual(lines('only'));
  });

  it('gives no line for no input', () => {
    expect(split([]).seen).toEqual([]);
    expect(split([Buffer.alloc(0)]).seen).toEqual([]);
  });

  it('keeps a carried line intact when the producer reuses its chunk buffer', () => {
    const seen: string[] = [];
    const splitter = new LineSplitter({ line: (b, s, e) => seen.push(b.toString('latin1', s, e)), tooLong: () => {} });
    const pooled = Buffer.from('x\nabc');
    splitter.push(pooled);
    pooled.fill(0x7a); // the producer writes its next data into the same memory
    splitter.push(Buffer.from('def\n'));
    splitter.end();
    expect(seen).toEqual(['x', 'abcdef']);
  });

  describe('over-long lines', () => {
    const cap = 8;
    const text = `short\n${'x'.repeat(20)}\nok\n${'y'.repeat(8)}\n${'z'.repeat(9)}`;
    // Line 2 (20 bytes) and line 5 (9 bytes) exceed the cap of 8; line 4 is exactly 8 bytes.
    const want: Seen[] = [{ line: 'short', n: 1 }, { tooLong: 20, n: 2 }, { line: 'ok', n: 3 }, { line: 'yyyyyyyy', n: 4 }, { tooLong: 9, n: 5 }];

    it('reports each as one too-long line with its place, at every split position', () => {
      for (let i = 0; i <= text.length; i++) {
        const { seen, maxCarry } = split(at(text, i), cap);
        expect(seen, `cut at ${i}`).toEqual(want);
        expect(maxCarry, `cut at ${i}`).toBeLessThanOrEqual(cap);
      }
    });

    it('keeps memory bounded on a megabyte without a newline', () => {
      const junk = Buffer.alloc(1 << 20, 0x41);
      const chunks = Array.from({ length: 1024 }, (_, i) => junk.subarray(i * 1024, (i + 1) * 1024));
      const { seen, maxCarry } = split([...chunks, Buffer.from('\nnext')], 4096);
      expect(maxCarry).toBeLessThanOrEqual(4096);
      expect(seen).toEqual([{ tooLong: 1 << 20, n: 1 }, { line: 'next', n: 2 }]);
    });

    it('uses the parser’s line cap by default', () => {
      const { seen } = split([Buffer.from(`${'a'.repeat(MAX_LINE_BYTES)}\n${'b'.repeat(MAX_LINE_BYTES + 1)}\n`)]);
      expect(seen).toEqual([{ line: 'a'.repeat(MAX_LINE_BYTES), n: 1 }, { tooLong: MAX_LINE_BYTES + 1, n: 2 }]);
    });
  });
});

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part;
}

const ENTRY =
  'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"';

describe('readLog', () => {
  it('accounts for every line: entries, blank lines, malformed lines with file, line and code', async () => {
    const counts = emptyLineCounts();
    const entryLines: number[] = [];
    const text = [ENTRY, '', ENTRY + '\r', '   ', 'garbage', '\r', ' \t ', ENTRY.replace('200 200', 'abc 200'), `${ENTRY} extra`].join('\n');
    await readLog(chunks(text.slice(0, 100), text.slice(100)), 'a/file.log', (_e, n) => entryLines.push(n), counts);
    expect(entryLines).toEqual([1, 3, 9]);
    expect(counts).toMatchObject({ lines: 9, entries: 3, blankLines: 4, malformed: 2, malformedByCode: { TOO_FEW_FIELDS: 1, BAD_NUMBER: 1 }, plainBytes: Buffer.byteLength(text) });
    expect(counts.malformedSamples.map((e) => [e.code, e.source, e.line, e.field])).toEqual([
      ['TOO_FEW_FIELDS', 'a/file.log', 5, undefined],
      ['BAD_NUMBER', 'a/file.log', 8, 'elb_status_code'],
    ]);
  });

  it('counts an over-long line as LINE_TOO_LONG and goes on', async () => {
    const counts = emptyLineCounts();
    const entryLines: number[] = [];
    await readLog(chunks(`${ENTRY}\n`, 'x'.repeat(MAX_LINE_BYTES + 10), `\n${ENTRY}\n`), 'big.log', (_e, n) => entryLines.push(n), counts);
    expect(entryLines).toEqual([1, 3]);
    expect(counts.malformedByCode).toEqual({ LINE_TOO_LONG: 1 });
    expect(counts.malformedSamples[0]).toMatchObject({ code: 'LINE_TOO_LONG', line: 2, source: 'big.log' });
  });

  it('keeps only the first few malformed lines whole but counts them all', async () => {
    const counts = emptyLineCounts();
    await readLog(chunks(Array.from({ length: 100 }, (_, i) => `bad ${i}`).join('\n')), 'bad.log', () => {}, counts);
    expect(counts.malformed).toBe(100);
    expect(counts.malformedSamples.length).toBeLessThan(100);
    expect(counts.malformedSamples.map((e) => e.line)).toEqual(Array.from({ length: counts.malformedSamples.length }, (_, i) => i + 1));
  });

  it('hands out the lines before a read error, then throws it', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${ENTRY}\n${ENTRY}\n${ENTRY.slice(0, 50)}`);
      throw new Error('connection reset');
    }
    const counts = emptyLineCounts();
    const entryLines: number[] = [];
    await expect(readLog(failing(), 'cut.log', (_e, n) => entryLines.push(n), counts)).rejects.toThrow('connection reset');
    expect(entryLines).toEqual([1, 2]);
    // The partial last line is still counted (as malformed).
    expect(counts.lines).toBe(3);
    expect(counts.malformed).toBe(1);
  });
});
