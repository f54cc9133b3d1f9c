/**
 * Targets → SourceItems, in the order given: `s3://bucket[/prefix]` is read from S3, anything else is a
 * local file, folder or `-` for stdin. One options object carries the S3 settings; local paths ignore them
 * (a time range and `lbName` only choose S3 objects: entries are filtered on `time` by the analysis).
 */
import type { Readable } from 'node:stream';
import { openLocalSources } from './local.js';
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

export async function* openSources(targets: readonly string[], options: SourceOptions): AsyncGenerator<SourceItem> {
  for (const target of targets) {
    if (isS3Uri(target)) {
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
    else yield* openLocalSources([target], options.stdin);
  }
}

export { DEFAULT_CONCURRENCY, S3_FLAGS } from './s3Flags.js';
export type { S3Listing, S3SourceOptions } from './s3.js';
