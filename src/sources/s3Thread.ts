/**
 * The worker-thread side of s3Threaded.ts: runs openS3Source and answers the host's messages, one at a
 * time and in order. `next` advances the listing (closing any open stream, which releases that object's
 * download as the host moving on would); `open` streams the current object's bytes with at most
 * CHUNKS_IN_FLIGHT unacknowledged. When the listing ends, the port closes and the thread exits.
 */
import type { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { LogObject, SourceItem } from './logObject.js';
import { openS3Source } from './s3.js';
import { CHUNKS_IN_FLIGHT, type HostMessage, type ThreadData, type ThreadMessage, toWireError } from './s3Threaded.js';

const port = parentPort!;
const { uri, options } = workerData as ThreadData;
const post = (message: ThreadMessage, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer);

/** A chunk that owns its whole ArrayBuffer moves without a copy; a slice of a shared one is copied. */
function transferable(chunk: Buffer): { bytes: Uint8Array; buffer: ArrayBuffer } {
  const bytes = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer ? chunk : new Uint8Array(chunk);
  return { bytes, buffer: bytes.buffer as ArrayBuffer };
}

/** One opened object's bytes on their way to the host, paced by its acknowledgements. */
class Pump {
  private credits = CHUNKS_IN_FLIGHT;
  private wake: (() => void) | null = null;
  private stopped = false;

  constructor(
    readonly stream: number,
    private readonly body: Readable,
  ) {
    void this.run();
  }

  credit(): void {
    this.credits++;
    this.wakeUp();
  }

  stop(): void {
    this.stopped = true;
    this.body.destroy();
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async run(): Promise<void> {
    try {
      for await (const chunk of this.body) {
        while (this.credits === 0 && !this.stopped) await new Promise<void>((resolve) => (this.wake = resolve));
        if (this.stopped) return;
        this.credits--;
        const { bytes, buffer } = transferable(chunk as Buffer);
        post({ type: 'chunk', stream: this.stream, bytes }, [buffer]);
      }
      if (!this.stopped) post({ type: 'end', stream: this.stream });
    } catch (error) {
      if (!this.stopped) post({ type: 'streamFailed', stream: this.stream, error: toWireError(error) });
    }
  }
}

const items = openS3Source(uri, { ...options, onListed: (listing) => post({ type: 'listed', listing }) });
let current: LogObject | null = null;
let pump: Pump | null = null;

async function handle(message: HostMessage): Promise<void> {
  switch (message.op) {
    case 'next': {
      pump?.stop();
      pump = null;
      current = null;
      let result: IteratorResult<SourceItem, void>;
      try {
        result = await items.next();
      } catch (error) {
        post({ type: 'failed', error: toWireError(error) });
        port.close();
        return;
      }
      if (result.done) {
        post({ type: 'done' });
        port.close();
        return;
      }
      const item = result.value;
      if (item.kind === 'log') {
        current = item;
        post({ type: 'item', item: { kind: 'log', name: item.name, nodeIp: item.nodeIp, sizeBytes: item.sizeBytes, etag: item.etag ?? null } });
      } else if (item.kind === 'skipped') {
        post({ type: 'item', item });
      } else {
        post({ type: 'item', item: { kind: 'unread', name: item.name, error: item.error.toJSON() } });
      }
      return;
    }
    case 'open':
      pump?.stop();
      pump = current === null ? null : new Pump(message.stream, current.open());
      if (pump === null) post({ type: 'streamFailed', stream: message.stream, error: toWireError(new Error('open() without a current log object')) });
      return;
    case 'ack':
      if (pump?.stream === message.stream) pump.credit();
      return;
  }
}

// One message at a time, in order: `next` waits for the listing, and what follows must see its result.
let queue = Promise.resolve();
port.on('message', (message: HostMessage) => {
  queue = queue.then(() => handle(message));
});
