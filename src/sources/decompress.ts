/**
 * The sole user of node:zlib. Gzip is detected by its magic bytes, not the file name (AWS's objects are
 * `.log.gz`, but `aws s3 cp` users gunzip them and keep names). Multi-member gzip is one stream: Node's
 * gunzip reads every member. A truncated or corrupt stream ends with an AlbDoctorError after every line
 * that could be read has been handed out.
 *
 * Node's streaming gunzip drops what the failing inflate call had produced (up to GUNZIP_CHUNK_BYTES of
 * text, all of a small object). So the stored bytes of an object are kept up to RECOVERY_MAX_STORED_BYTES,
 * and on an error the longest prefix of them that inflates without one (Z_SYNC_FLUSH: a cut is not an
 * error) gives the text the stream dropped: as much as `gzip -dc` writes before it stops.
 */
import { pipeline, Readable } from 'node:stream';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import { AlbDoctorError } from '../errors.js';
import { fsError } from './local.js';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
// Larger output chunks mean fewer callbacks into the line splitter (bench: 256 KiB vs the 16 KiB default, +9% MB/s).
const GUNZIP_CHUNK_BYTES = 256 * 1024;
/**
 * Stored bytes kept for recovery: an ALB object of about 40 MB of text. The search inflates a prefix
 * about 20 times, which costs about a second at that size, and only for a damaged object.
 */
const RECOVERY_MAX_STORED_BYTES = 4 * 1024 * 1024;

export interface ByteCounter {
  /** Called with each chunk of stored bytes as it is read. */
  stored(bytes: number): void;
  /** Whole lines of this object the reader has taken so far, for the message of a read error. */
  linesRead?(): number;
}

/** Stored bytes → plain bytes. */
export async function* decompress(raw: Readable, source: string, counter?: ByteCounter): AsyncGenerator<Buffer> {
  const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head: Buffer = Buffer.alloc(0);
  let rawDone = false;
  try {
    // Two bytes decide; stdin may deliver less than that in its first chunk.
    while (head.length < 2) {
      const next = await iterator.next();
      if (next.done) {
        rawDone = true;
        break;
      }
      counter?.stored(next.value.length);
      head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
    }
  } catch (error) {
    throw readError(error, source);
  }
  if (head.length === 0) return;

  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    if (rawDone) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      counter?.stored(next.value.length);
      yield next.value;
    }
  }

  if (head[0] !== GZIP_MAGIC_0 || head[1] !== GZIP_MAGIC_1) {
    try {
      yield* rest();
    } catch (error) {
      throw readError(error, source);
    }
    return;
  }

  // The stored bytes so far, while they fit: what recovery inflates again after an error.
  let kept: Buffer[] | null = [];
  let keptBytes = 0;
  async function* keeping(): AsyncGenerator<Buffer> {
    for await (const chunk of rest()) {
      if (kept !== null) {
        keptBytes += chunk.length;
        if (keptBytes <= RECOVERY_MAX_STORED_BYTES) kept.push(chunk);
        else kept = null;
      }
      yield chunk;
    }
  }

  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  let sourceError: unknown;
  pipeline(Readable.from(keeping(), { objectMode: false }), gunzip, (error) => {
    if (error) sourceError ??= error;
  });
  let plainBytes = 0;
  let failure: unknown;
  try {
    for await (const chunk of gunzip) {
      plainBytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    return;
  } catch (error) {
    failure = sourceError ?? error;
  }
  if (kept !== null) {
    const text = longestInflatable(Buffer.concat(kept));
    if (text.length > plainBytes) yield text.subarray(plainBytes);
  }
  throw gzipError(failure, source, counter?.linesRead?.());
}

/**
 * The text of the longest prefix of `stored` that inflates without an error. A prefix that inflates
 * stays inflatable when cut shorter, so the longest one is found by bisection.
 */
function longestInflatable(stored: Buffer): Buffer {
  const inflate = (length: number): Buffer | null => {
    try {
      return gunzipSync(stored.subarray(0, length), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return null;
    }
  };
  let best = inflate(stored.length);
  if (best !== null) return best;
  let good = 0; // inflates (an empty prefix does)
  let bad = stored.length; // does not
  while (bad - good > 1) {
    const middle = good + Math.floor((bad - good) / 2);
    const text = inflate(middle);
    if (text === null) bad = middle;
    else {
      good = middle;
      best = text;
    }
  }
  return best ?? Buffer.alloc(0);
}

function gzipError(error: unknown, source: string, linesRead: number | undefined): AlbDoctorError {
  if (error instanceof AlbDoctorError) return error;
  const code = (error as { code?: string }).code;
  const read = linesRead === undefined ? 'the lines before it were read' : `the ${linesRead} lines before it were read`;
  if (code === 'Z_BUF_ERROR') {
    return new AlbDoctorError('TRUNCATED_GZIP', `${source}: the gzip data ends early (the file is truncated) and ${read}; download it again to read the rest.`, { source });
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new AlbDoctorError('BAD_GZIP', `${source}: the gzip data is corrupt (${(error as Error).message}) and ${read}; download it again.`, { source });
  }
  return readError(error, source);
}

// Sources wrap their own errors (S3 says which request failed); a bare one is a file system error.
const readError = (error: unknown, source: string): AlbDoctorError =>
  error instanceof AlbDoctorError ? error : fsError(error, source);
