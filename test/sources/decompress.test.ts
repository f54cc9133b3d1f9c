import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AlbDoctorError } from '../../src/errors.js';
import { emptyLineCounts, readLog } from '../../src/parse/readLog.js';
import { readInput } from '../../src/run.js';
import { decompress } from '../../src/sources/decompress.js';
import type { SourceItem } from '../../src/sources/logObject.js';

async function collect(stream: Readable, source = 'x.log', counter?: { stored(n: number): void }): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of decompress(stream, source, counter)) parts.push(chunk);
  return Buffer.concat(parts);
}

async function failure(stream: Readable, source = 'x.log'): Promise<AlbDoctorError> {
  try {
    await collect(stream, source);
  } catch (error) {
    if (error instanceof AlbDoctorError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

const fromChunks = (...chunks: Buffer[]): Readable => Readable.from(chunks, { objectMode: false });

/** Text that does not compress to nothing, so a cut gzip stream still holds many whole lines. */
function noisyLines(count: number): string {
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  return Array.from({ length: count }, (_, i) => `line ${i + 1} ${next().toString(36)} ${next().toString(36)} ${next().toString(16)}\n`).join('');
}

describe('decompress', () => {
  const plain = Buffer.from('http a b\nhttp c d\n');

  it('passes plain bytes through unchanged', async () => {
    expect(await collect(fromChunks(plain.subarray(0, 5), plain.subarray(5)))).toEqual(plain);
  });

  it('gunzips gzip whatever the source is called', async () => {
    expect(await collect(fromChunks(gzipSync(plain)), 'copy.log')).toEqual(plain);
  });

  it('does not gunzip plain text called .gz', async () => {
    expect(await collect(fromChunks(plain), 'gunzipped-but-kept-name.log.gz')).toEqual(plain);
  });

  it('detects gzip when the first chunk holds only one byte (stdin)', async () => {
    const gz = gzipSync(plain);
    expect(await collect(fromChunks(gz.subarray(0, 1), gz.subarray(1, 2), gz.subarray(2)))).toEqual(plain);
  });

  it('passes a one-byte input through, and nothing for an empty one', async () => {
    expect(await collect(fromChunks(Buffer.from([0x1f])))).toEqual(Buffer.from([0x1f]));
    expect(await collect(fromChunks())).toEqual(Buffer.alloc(0));
  });

  it('reads every member of a multi-member gzip file', async () => {
    const a = Buffer.from('first member\n');
    const b = Buffer.from('second member\n');
    const c = Buffer.from('third\n');
    expect(await collect(fromChunks(Buffer.concat([gzipSync(a), gzipSync(b), gzipSync(c)])))).toEqual(Buffer.concat([a, b, c]));
  });

  it('counts the stored (compressed) bytes', async () => {
    const gz = gzipSync(Buffer.from(noisyLines(2000)));
    let stored = 0;
    await collect(fromChunks(gz.subarray(0, 1000), gz.subarray(1000)), 'x.log.gz', { stored: (n) => (stored += n) });
    expect(stored).toBe(gz.length);
  });

  it('truncated gzip: the lines before the cut are delivered, then TRUNCATED_GZIP', async () => {
    const text = noisyLines(20000);
    const gz = gzipSync(Buffer.from(text));
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const counts = emptyLineCounts();
    // Not ALB lines: readLog's line accounting shows how many came out before the error.
    const error = await readLog(decompress(fromChunks(cut), 'cut.log.gz'), 'cut.log.gz', () => {}, counts).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AlbDoctorError);
    expect((error as AlbDoctorError).code).toBe('TRUNCATED_GZIP');
    expect((error as AlbDoctorError).source).toBe('cut.log.gz');
    // Most of the first half of the lines came out before the error.
    expect(counts.lines).toBeGreaterThan(5000);
    expect(counts.lines).toBeLessThan(20000);
    expect(counts.plainBytes).toBeGreaterThan(text.length / 4);
  });

  it('truncated gzip: the plain bytes delivered are a prefix of the original', async () => {
    const text = Buffer.from(noisyLines(20000));
    const gz = gzipSync(text);
    const parts: Buffer[] = [];
    let caught: unknown;
    try {
      for await (const chunk of decompress(fromChunks(gz.subarray(0, gz.length - 100)), 'cut.gz')) parts.push(chunk);
    } catch (error) {
      caught = error;
    }
    expect((caught as AlbDoctorError).code).toBe('TRUNCATED_GZIP');
    const got = Buffer.concat(parts);
    expect(got.length).toBeGreaterThan(0);
    expect(got.equals(text.subarray(0, got.length))).toBe(true);
  });

  it('a gzip header alone is TRUNCATED_GZIP', async () => {
    expect((await failure(fromChunks(gzipSync(plain).subarray(0, 10)))).code).toBe('TRUNCATED_GZIP');
  });

  const corrupt: { name: string; bytes: () => Buffer }[] = [
    { name: 'unknown compression method after the magic', bytes: () => Buffer.from([0x1f, 0x8b, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03]) },
    {
      name: 'damaged deflate data',
      bytes: () => {
        const gz = gzipSync(Buffer.from(noisyLines(500)));
        for (let i = 20; i < 60; i++) gz[i] = 0xff;
        return gz;
      },
    },
    {
      name: 'wrong CRC in the trailer',
      bytes: () => {
        const gz = gzipSync(plain);
        gz[gz.length - 8] = gz[gz.length - 8]! ^ 0xff;
        return gz;
      },
    },
  ];

  it.each(corrupt)('corrupt gzip ($name) is BAD_GZIP', async ({ bytes }) => {
    const error = await failure(fromChunks(bytes()), 'bad.log.gz');
    expect(error.code).toBe('BAD_GZIP');
    expect(error.source).toBe('bad.log.gz');
  });

  it('a read error of the source is PATH_UNREADABLE, not a gzip error', async () => {
    const gz = gzipSync(Buffer.from(noisyLines(5000)));
    const source = new Readable({
      read() {
        this.push(gz.subarray(0, 2000));
        this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
      },
    });
    expect((await failure(source, 'disk.log.gz')).code).toBe('PATH_UNREADABLE');
  });

  it('a read error on plain input is PATH_UNREADABLE', async () => {
    const source = new Readable({
      read() {
        this.push(Buffer.from('http a\n'));
        this.destroy(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }));
      },
    });
    expect((await failure(source, 'plain.log')).code).toBe('PATH_UNREADABLE');
  });

  describe('damage in a small object (less text than one output chunk)', () => {
    // What `gzip -dc` writes before it stops: the reference for how much can be read. Null without gzip.
    const gzipRecovers = (bytes: Buffer): Buffer | null => {
      const result = spawnSync('gzip', ['-dc'], { input: bytes, maxBuffer: 64 * 1024 * 1024 });
      return result.error ? null : result.stdout;
    };
    const hasGzip = gzipRecovers(gzipSync('x')) !== null;
    const newlines = (bytes: Buffer): number => bytes.toString('latin1').split('\n').length - 1;

    const text = Buffer.from(noisyLines(3000)); // about 95 KiB of text, 46 KiB of gzip
    const damaged: { name: string; code: string; bytes: () => Buffer }[] = [
      { name: '40 zero bytes in the middle', code: 'BAD_GZIP', bytes: () => gzipSync(text).fill(0, 23000, 23040) },
      { name: '40 0xff bytes in the middle', code: 'BAD_GZIP', bytes: () => gzipSync(text).fill(0xff, 23000, 23040) },
      {
        name: 'one flipped byte in the middle',
        code: 'BAD_GZIP',
        bytes: () => {
          const gz = gzipSync(text);
          gz[23000] = gz[23000]! ^ 0x55;
          return gz;
        },
      },
      {
        name: 'garbage after the first third',
        code: 'TRUNCATED_GZIP',
        bytes: () => Buffer.concat([gzipSync(text).subarray(0, 15000), Buffer.alloc(64, 0xff)]),
      },
      { name: 'cut in the middle', code: 'TRUNCATED_GZIP', bytes: () => gzipSync(text).subarray(0, 23000) },
      { name: 'the trailer cut off', code: 'TRUNCATED_GZIP', bytes: () => gzipSync(text).subarray(0, -4) },
    ];

    /** The real input path (decompress → readLog) over one in-memory object, and the text decompress gave. */
    async function readObject(gz: Buffer) {
      const items = (async function* (): AsyncGenerator<SourceItem> {
        yield { kind: 'log', name: 'small.log.gz', nodeIp: null, sizeBytes: gz.length, open: () => fromChunks(gz) };
      })();
      const stats = await readInput(items, { onEntry: () => {} });
      const parts: Buffer[] = [];
      try {
        for await (const chunk of decompress(fromChunks(gz), 'small.log.gz')) parts.push(chunk);
      } catch {
        // The error is in stats.unread.
      }
      return { stats, plain: Buffer.concat(parts) };
    }

    it.each(damaged)('$name: every line inflated before the damage is read, and the message counts them', async ({ bytes, code }) => {
      const gz = bytes();
      const { stats, plain } = await readObject(gz);
      expect(stats.unread.map((e) => [e.code, e.source])).toEqual([[code, 'small.log.gz']]);
      const wholeLines = newlines(plain);
      // The bytes that were not damaged come out as they were written.
      expect(wholeLines).toBeGreaterThan(100);
      expect(plain.subarray(0, 10000).equals(text.subarray(0, 10000))).toBe(true);
      // Lines read: every whole line, plus the cut-off last one (TRUNCATED_LINE) when there is one.
      expect(stats.lines - (stats.malformedByCode.TRUNCATED_LINE ?? 0)).toBe(wholeLines);
      expect(stats.unread[0]!.message).toContain(` ${wholeLines} lines `);
    });

    // A cut already gave the lines before it; corrupt data gave none.
    it.skipIf(!hasGzip).each(damaged.filter((d) => d.code === 'BAD_GZIP'))(
      hasGzip ? '$name: at least as many lines as gzip -dc writes' : '$name: compared with gzip -dc — SKIPPED: no gzip on this machine',
      async ({ bytes }) => {
        const gz = bytes();
        const recovered = gzipRecovers(gz)!;
        expect(newlines(recovered)).toBeGreaterThan(100);
        expect(newlines((await readObject(gz)).plain)).toBeGreaterThanOrEqual(newlines(recovered));
      },
    );
  });
});
