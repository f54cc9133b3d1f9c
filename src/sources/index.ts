/**
 * Targets → SourceItems, in the order given: `s3://bucket[/prefix]` is read from S3, anything else is a
 * local file, folder or `-` for stdin. One options object carries the S3 settings; local paths ignore them
 * (a time range and `lbName` only choose S3 objects: run.ts filters the entries themselves on `time` and `elb`).
 */
import type { Readable } from 'node:stream';
import { openLocalSources, SeenPaths } from './local.js';
import type { SourceItem } from './logObject.js';
import type { S3SourceOptions } from './s3.js';
import { isS3Uri } from './s3Keys.js';

export interface SourceOptions extends S3SourceOptions {
  /** What `-` reads. */
  stdin: Readable;
  /**
   * Run the S3 client on this thread instead of a worker thread. The worker keeps the SDK's heap out of the
   * parser's; this thread is needed for a `credentials` provider function (it cannot cross) and for tests
   * that stub the client here.
   */
  s3OnThisThread?: boolean;
}

/**
 * Every target's items, each file or object once: targets may overlap (`logs logs`, a folder and a file in
 * it, `s3://b/prefix` and `s3://b/prefix/AWSLogs/`), and what was already read is a `duplicate` skip.
 */
export async function* openSources(targets: readonly string[], options: SourceOptions): AsyncGenerator<SourceItem> {
  const seenPaths = new SeenPaths();
  // `s3://bucket/key`, as every S3 item is named: one name per object whichever target listed it.
  const seenObjects = new Set<string>();
  for (const target of targets) {
    if (!isS3Uri(target)) {
      yield* openLocalSources([target], options.stdin, seenPaths);
      continue;
    }
    for await (const item of openS3Target(target, options)) {
      if (item.kind === 'unread') yield item;
      else if (!seenObjects.has(item.name)) {
        seenObjects.add(item.name);
        yield item;
      } else yield { kind: 'skipped', name: item.name, reason: 'duplicate' };
    }
  }
}

async function* openS3Target(target: string, options: SourceOptions): AsyncGenerator<SourceItem> {
  // The AWS SDK is loaded only when a target needs it, on its own thread where it can be (s3Threaded.ts).
  const { stdin: _stdin, s3OnThisThread, ...s3Options } = options;
  if (s3OnThisThread || typeof s3Options.credentials === 'function') {
    const { openS3Source } = await import('./s3.js');
    yield* openS3Source(target, s3Options);
  } else {
    const { openS3SourceInThread } = await import('./s3Threaded.js');
    yield* openS3SourceInThread(target, s3Options);
  }
}

export { DEFAULT_CONCURRENCY, S3_FLAGS } from './s3Flags.js';
export type { S3Listing, S3SourceOptions } from './s3.js';
