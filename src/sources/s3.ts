/**
 * The S3 source, `s3://bucket[/prefix]` → SourceItems, in key order; with s3Client.ts, s3Errors.ts, s3List.ts
 * and s3Download.ts, the sole user of @aws-sdk/client-s3.
 *
 * 1. List: a time range becomes day-folder prefixes (s3Keys.ts); a prefix above the region folder is first
 *    resolved into accounts and regions with `Delimiter: '/'` listings. Keys are judged by name and size
 *    alone, so nothing outside the range or load balancer is downloaded. Totals go to `onListed`. (s3List.ts)
 * 2. Read: up to `concurrency` objects are downloaded at once, the one being read and the next ones in key
 *    order. Each keeps at most PREFETCH_BYTES in memory and leaves the rest to TCP flow control, so memory
 *    is bounded whatever the object sizes; items are yielded in key order whatever order downloads finish.
 *    (s3Download.ts; the order and the number of downloads at once are kept here.)
 * 3. A connection that breaks mid-object is resumed with a Range request at the byte offset reached (and
 *    If-Match on the first response's ETag), so the parser sees every byte once, neither lost nor repeated.
 *    (s3Download.ts)
 *
 * Credentials, region and retries follow the AWS CLI: the default credential chain (env, profile, SSO,
 * container, instance), `profile`, `region` (else the profile's, else us-east-1), then the bucket's own
 * region when S3 answers with a redirect; the SDK's retry mode (standard unless AWS_RETRY_MODE says
 * otherwise) (s3Client.ts). Listing failures throw one AlbDoctorError; object failures become UnreadObject
 * items (s3Errors.ts).
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { AlbDoctorError } from '../errors.js';
import { DEFAULT_CONCURRENCY } from './s3Flags.js';
import { openedTooLate, type SourceItem } from './logObject.js';
import { type ClientSettings, DEFAULT_RESPONSE_TIMEOUT_MS, endpointOf, S3Session } from './s3Client.js';
import { ObjectDownload } from './s3Download.js';
import type { ObjectRef } from './s3Errors.js';
import { type KeyFilter, lbNameOf, parseS3Uri, s3Uri } from './s3Keys.js';
import { isoSeconds, type Listed, listTarget, type S3Listing } from './s3List.js';

export interface S3SourceOptions {
  /** Named profile of the shared AWS config and credentials files (else AWS_PROFILE, else default). */
  profile?: string;
  /** Region to sign with first (else AWS_REGION or the profile's, else us-east-1); the bucket's region wins. */
  region?: string;
  /** An S3-compatible endpoint (else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL); implies path-style URLs. */
  endpointUrl?: string;
  /** Objects downloaded at once, the one being read included. */
  concurrency?: number;
  /** Only this load balancer's logs: `name`, `app/name/id` or its ARN. */
  lbName?: string;
  /** Entries from this instant (inclusive); chooses day folders and files before any download. */
  from?: Date;
  /** Entries before this instant (exclusive). */
  to?: Date;
  /** The present: a range without `to` is listed up to the day after it (default: the system clock). */
  now?: Date;
  /** Called once per s3:// target after listing, before its first item: totals for progress. */
  onListed?(listing: S3Listing): void;
  /** Where AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS are read; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Credentials instead of the default chain (tests, or a Lambda handing its own). */
  credentials?: S3ClientConfig['credentials'];
  /** Per attempt, the longest wait from a request to the first byte of its answer, connecting included (default 20 s). */
  responseTimeoutMs?: number;
}

/** What `onListed` receives: one target's listing totals (s3List.ts). */
export type { S3Listing };

/** For the CLI: one line of help per flag behind S3SourceOptions. */
export { DEFAULT_CONCURRENCY, S3_FLAGS } from './s3Flags.js';
/** Bytes fetched ahead per object (s3Download.ts). */
export { PREFETCH_BYTES } from './s3Download.js';
const MAX_CONCURRENCY = 64;

function validated(options: S3SourceOptions): { concurrency: number; filter: KeyFilter } {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new AlbDoctorError('USAGE', `concurrency ${concurrency} is not a whole number from 1 to ${MAX_CONCURRENCY}; pick e.g. ${DEFAULT_CONCURRENCY}.`);
  }
  let lbName: string | undefined;
  if (options.lbName !== undefined) {
    lbName = lbNameOf(options.lbName) ?? undefined;
    if (lbName === undefined) {
      throw new AlbDoctorError('USAGE', `'${options.lbName}' is not a load balancer name; give its name (letters, digits, hyphens), app/<name>/<id> or its ARN.`);
    }
  }
  for (const [label, date] of [['start', options.from], ['end', options.to]] as const) {
    if (date !== undefined && Number.isNaN(date.getTime())) throw new AlbDoctorError('USAGE', `the time range's ${label} is not a valid time; write it as ISO-8601, e.g. 2026-03-01T10:00:00Z.`);
  }
  if (options.from !== undefined && options.to !== undefined && options.from.getTime() >= options.to.getTime()) {
    throw new AlbDoctorError('USAGE', `the time range is empty: ${isoSeconds(options.from)} is not before ${isoSeconds(options.to)}; swap them or widen it.`);
  }
  return { concurrency, filter: { range: { from: options.from, to: options.to }, ...(lbName !== undefined && { lbName }) } };
}

/**
 * `s3://bucket[/prefix]` → skipped and log objects in key order; throws an AlbDoctorError when listing
 * fails. A LogObject's open() belongs to the time it is the current item, as readInput uses it.
 */
export async function* openS3Source(uri: string, options: S3SourceOptions = {}): AsyncGenerator<SourceItem> {
  const { bucket } = parseS3Uri(uri);
  const { concurrency, filter } = validated(options);
  const settings: ClientSettings = {
    profile: options.profile,
    endpoint: endpointOf(options),
    credentials: options.credentials,
    maxSockets: Math.max(50, concurrency * 2),
    responseTimeoutMs: options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS,
  };
  const session = await S3Session.open(settings, bucket, options.region);
  const downloads = new Set<ObjectDownload>();
  try {
    const { listed, listing } = await listTarget(uri, session, filter, options.profile, concurrency, options.now ?? new Date());
    options.onListed?.(listing);

    const reads = listed.filter((l) => l.verdict.kind === 'read');
    const byKey = new Map<string, ObjectDownload>();
    let started = 0; // reads[0, started) have had a download created
    let current = 0; // reads[current] is the next log object to yield
    const refOf = (l: Listed): ObjectRef => ({ bucket, key: l.key, name: s3Uri(bucket, l.key), sizeBytes: l.sizeBytes });
    const startDownload = (l: Listed): ObjectDownload => {
      const download = new ObjectDownload(session, refOf(l), options.profile);
      downloads.add(download);
      return download;
    };

    for (const l of listed) {
      // Keep `concurrency` downloads going: the object about to be read and the next ones in key order.
      while (started < reads.length && started < current + concurrency) {
        const next = reads[started++]!;
        byKey.set(next.key, startDownload(next));
      }
      const name = s3Uri(bucket, l.key);
      if (l.verdict.kind === 'skip') {
        yield { kind: 'skipped', name, reason: l.verdict.reason };
        continue;
      }
      const prefetched = byKey.get(l.key)!;
      byKey.delete(l.key);
      current++;
      let released = false;
      yield {
        kind: 'log',
        name,
        nodeIp: l.verdict.nodeIp,
        sizeBytes: l.sizeBytes,
        etag: l.etag,
        // The prefetched bytes, once; another open() downloads the object again.
        open: () => prefetched.take() ?? (released ? openedTooLate(name) : startDownload(l).take()!),
      };
      // The reader has moved on: whatever it left unread is not needed any more.
      released = true;
      prefetched.cancel();
      downloads.delete(prefetched);
    }
  } finally {
    for (const download of downloads) download.cancel();
    session.destroy();
  }
}
