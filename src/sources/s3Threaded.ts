/**
 * `s3://…` read on a worker thread (s3Thread.ts runs openS3Source there): the AWS SDK, its HTTP traffic and
 * its garbage live in the thread's heap, and only gzip bytes reach this one. Held in the parser's heap, the
 * SDK makes V8 mark the old generation about fifteen times as often (bench: a local parse with the SDK
 * loaded is a quarter slower; with it loaded on an idle thread, 5 % slower).
 *
 * The thread walks openS3Source one item at a time, when asked: items come in key order and each open()
 * belongs to the time its object is the current item, exactly as on this thread. An opened object's bytes
 * come as transferred chunks (no copy), at most CHUNKS_IN_FLIGHT of them unconsumed, so memory stays
 * bounded by the downloads' own prefetch. Errors cross as ErrorJson and become AlbDoctorErrors again.
 */
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { AlbDoctorError, type ErrorJson } from '../errors.js';
import { openedTooLate, type SkipReason, type SourceItem } from './logObject.js';
import type { S3Listing, S3SourceOptions } from './s3.js';

/** Chunks (each up to about PREFETCH_BYTES) posted to this thread and not yet consumed. */
export const CHUNKS_IN_FLIGHT = 2;

/** What the thread is started with: the options minus the callback, which becomes a message. */
export interface ThreadData {
  uri: string;
  options: Omit<S3SourceOptions, 'onListed'>;
}

/** This thread → the S3 thread. */
export type HostMessage =
  /** Close the open stream, if any, and send the next item. */
  | { op: 'next' }
  /** Open the current log object as stream `stream` (a number never used before). */
  | { op: 'open'; stream: number }
  /** One chunk of `stream` was consumed: another may be sent. */
  | { op: 'ack'; stream: number };

/** An error as it crosses: one of ours, or a bug (kept with its stack). */
export type WireError = { error: ErrorJson } | { bug: { message: string; stack: string | undefined } };

export type WireItem =
  | { kind: 'log'; name: string; nodeIp: string | null; sizeBytes: number | null; etag?: string | null }
  | { kind: 'skipped'; name: string; reason: SkipReason }
  | { kind: 'unread'; name: string; error: ErrorJson };

/** The S3 thread → this thread. */
export type ThreadMessage =
  | { type: 'listed'; listing: S3Listing }
  | { type: 'item'; item: WireItem }
  | { type: 'done' }
  | { type: 'failed'; error: WireError }
  | { type: 'chunk'; stream: number; bytes: Uint8Array }
  | { type: 'end'; stream: number }
  | { type: 'streamFailed'; stream: number; error: WireError };

export function toWireError(error: unknown): WireError {
  if (error instanceof AlbDoctorError) return { error: error.toJSON() };
  return { bug: { message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined } };
}

function fromWireError(wire: WireError): Error {
  if ('error' in wire) return AlbDoctorError.fromJSON(wire.error);
  const bug = new Error(`S3 reader thread: ${wire.bug.message}`);
  if (wire.bug.stack !== undefined) bug.stack = `S3 reader thread: ${wire.bug.stack}`;
  return bug;
}

/** The thread's module sits beside this one: a bundle (esbuild for the Lambda) needs it as a second entry point. */
function startThread(data: ThreadData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./s3Thread.js', here), { workerData: data });
  // Running from the TypeScript sources (tests, tsx): the thread loads them through tsx too.
  const entry = JSON.stringify(new URL('./s3Thread.ts', here).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); });`, { eval: true, workerData: data });
}

/** Messages in arrival order, taken one at a time; the thread's end or crash fails every later take. */
class Inbox<T> {
  private readonly messages: T[] = [];
  private waiting: { resolve(m: T): void; reject(e: unknown): void } | null = null;
  private failure: unknown = undefined;

  put(message: T): void {
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) waiting.resolve(message);
    else this.messages.push(message);
  }

  fail(error: unknown): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(this.failure);
  }

  take(): Promise<T> {
    if (this.messages.length > 0) return Promise.resolve(this.messages.shift()!);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }
}

type ItemReply = Extract<ThreadMessage, { type: 'item' | 'done' | 'failed' }>;
type StreamMessage = Extract<ThreadMessage, { type: 'chunk' | 'end' | 'streamFailed' }>;

/** Same contract as openS3Source (s3.ts), with the SDK on its own thread. */
export async function* openS3SourceInThread(uri: string, options: S3SourceOptions = {}): AsyncGenerator<SourceItem> {
  const { onListed, ...cloneable } = options;
  const worker = startThread({ uri, options: cloneable });
  const replies = new Inbox<ItemReply>();
  let stream: { id: number; inbox: Inbox<StreamMessage> } | null = null;
  let lastStreamId = 0;
  let finished = false;

  worker.on('message', (message: ThreadMessage) => {
    switch (message.type) {
      case 'listed':
        onListed?.(message.listing);
        return;
      case 'item':
      case 'done':
      case 'failed':
        replies.put(message);
        return;
      default:
        // A closed stream's last chunks may still arrive: they are dropped, as the download was.
        if (stream?.id === message.stream) stream.inbox.put(message);
    }
  });
  const lost = (error: unknown): void => {
    replies.fail(error);
    stream?.inbox.fail(error);
  };
  worker.on('error', (error) => lost(new Error(`S3 reader thread failed: ${error.message}`, { cause: error })));
  worker.on('exit', (code) => {
    if (!finished) lost(new Error(`S3 reader thread exited (code ${code}) before the listing was read to the end.`));
  });

  const post = (message: HostMessage): void => worker.postMessage(message);

  async function* chunks(id: number, inbox: Inbox<StreamMessage>): AsyncGenerator<Buffer> {
    for (;;) {
      const message = await inbox.take();
      if (message.type === 'end') return;
      if (message.type === 'streamFailed') throw fromWireError(message.error);
      yield Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
      post({ op: 'ack', stream: id });
    }
  }

  try {
    for (;;) {
      stream = null;
      post({ op: 'next' });
      const reply = await replies.take();
      if (reply.type === 'done') {
        finished = true;
        return;
      }
      if (reply.type === 'failed') throw fromWireError(reply.error);
      const item = reply.item;
      if (item.kind === 'skipped') yield item;
      else if (item.kind === 'unread') yield { kind: 'unread', name: item.name, error: AlbDoctorError.fromJSON(item.error) };
      else {
        let current = true;
        yield {
          ...item,
          open: () => {
            if (!current) return openedTooLate(item.name);
            const id = ++lastStreamId;
            stream = { id, inbox: new Inbox<StreamMessage>() };
            post({ op: 'open', stream: id });
            return Readable.from(chunks(id, stream.inbox), { objectMode: false });
          },
        };
        current = false;
      }
    }
  } finally {
    finished = true;
    // Done: the thread has closed its client and exits by itself. Abandoned: stop it where it is.
    await worker.terminate();
  }
}
