import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AlbDoctorError } from '../../src/errors.js';
import { emptyLineCounts, readLog } from '../../src/parse/readLog.js';
import { decompress } from '../../src/sources/decompress.js';

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
});
