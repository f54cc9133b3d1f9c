/**
 * What the job keeps under ALB_DOCTOR_REPORTS, and how it writes it:
 *
 *   <prefix>state/<yyyy>/<mm>/<dd>/<HHmm>.json.gz    one window's analysis state (gzip JSON), named by its end
 *   <prefix>reports/<yyyy>/<mm>/<dd>/<HHmm>.json     the rolling report over the history ending there (+ .md)
 *   <prefix>latest.json                              the report with the newest window end
 *   <prefix>alerts/<yyyy>/<mm>/<dd>/<HHmm>.json      the alert sent for that window end, if any
 *
 * Writes that two runs could race on are conditional (S3 conditional writes, docs.aws.amazon.com/AmazonS3/
 * latest/userguide/conditional-writes.html): `If-None-Match: *` creates only if the key is absent,
 * `If-Match: <etag>` replaces only the version that was read. S3 answers 412 when the condition fails,
 * 409 ConditionalRequestConflict when another conditional write to the key is in flight, and 404 to an
 * If-Match on a key that is gone; each comes back as `{ written: false }` for the caller to re-read.
 *
 * Existence is learnt from listings, never from a GET that may 404: without s3:ListBucket on the bucket
 * S3 answers 403 for a missing key, and the job's role lists only under its own prefix.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, paginateListObjectsV2, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { dayStamps, stampToMs, windowStamp } from './windows.js';

export type StoredKind = 'state' | 'reports' | 'alerts';

export interface ListedObject {
  key: string;
  /** Without the quotes S3 puts around it. */
  etag: string;
  lastModifiedMs: number;
}

export interface StoredObject {
  body: Buffer;
  etag: string;
  metadata: Record<string, string>;
}

export type Precondition = { ifNoneMatch: '*' } | { ifMatch: string } | 'unconditional';

export type PutResult = { written: true; etag: string } | { written: false; reason: 'precondition-failed' | 'conflict' | 'gone' };

const SUFFIX: Record<StoredKind, string> = { state: '.json.gz', reports: '.json', alerts: '.json' };

export const unquote = (etag: string | undefined): string => (etag ?? '').replace(/^(W\/)?"|"$/g, '');

export class ReportStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    /** '' or a folder ending in '/'. */
    readonly prefix: string,
  ) {}

  key(kind: StoredKind, windowEndMs: number, extension: string = SUFFIX[kind]): string {
    return `${this.prefix}${kind}/${windowStamp(windowEndMs)}${extension}`;
  }

  get latestKey(): string {
    return `${this.prefix}latest.json`;
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const objects: ListedObject[] = [];
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: prefix })) {
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) objects.push({ key: o.Key, etag: unquote(o.ETag), lastModifiedMs: o.LastModified?.getTime() ?? 0 });
      }
    }
    return objects;
  }

  /** The stored objects of one kind whose window ends lie in [fromMs, toMs], by window end. */
  async listWindows(kind: StoredKind, fromMs: number, toMs: number): Promise<Map<number, ListedObject>> {
    const found = new Map<number, ListedObject>();
    const head = `${this.prefix}${kind}/`;
    const suffix = SUFFIX[kind];
    for (const day of dayStamps(fromMs, toMs)) {
      for (const object of await this.list(head + day)) {
        if (!object.key.endsWith(suffix)) continue;
        const endMs = stampToMs(object.key.slice(head.length, -suffix.length));
        if (endMs >= fromMs && endMs <= toMs) found.set(endMs, object);
      }
    }
    return found;
  }

  /** One object, or null when it has gone since it was listed. */
  async get(key: string): Promise<StoredObject | null> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = Buffer.from(await response.Body!.transformToByteArray());
      return { body, etag: unquote(response.ETag), metadata: response.Metadata ?? {} };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  /** JSON, gunzipped when the key ends in .gz. */
  async getJson<T>(key: string): Promise<{ value: T; etag: string; metadata: Record<string, string> } | null> {
    const object = await this.get(key);
    if (object === null) return null;
    const text = (key.endsWith('.gz') ? gunzipSync(object.body) : object.body).toString('utf8');
    return { value: JSON.parse(text) as T, etag: object.etag, metadata: object.metadata };
  }

  async put(key: string, body: string | Buffer, options: { precondition: Precondition; contentType: string; metadata?: Record<string, string> }): Promise<PutResult> {
    const { precondition } = options;
    try {
      const response = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          ...(options.metadata !== undefined && { Metadata: options.metadata }),
          ...(precondition !== 'unconditional' && 'ifNoneMatch' in precondition && { IfNoneMatch: '*' }),
          // S3 compares the ETag as it lists it, quotes included.
          ...(precondition !== 'unconditional' && 'ifMatch' in precondition && { IfMatch: `"${precondition.ifMatch}"` }),
        }),
      );
      return { written: true, etag: unquote(response.ETag) };
    } catch (error) {
      const status = statusOf(error);
      if (status === 412) return { written: false, reason: 'precondition-failed' };
      if (status === 409) return { written: false, reason: 'conflict' };
      if (status === 404 && precondition !== 'unconditional' && 'ifMatch' in precondition) return { written: false, reason: 'gone' };
      throw error;
    }
  }

  /**
   * JSON (gzipped for .gz keys) with the same bytes for the same value: keys in the value's order, and
   * gzip's header carries no time (Node writes mtime 0), so a re-run rewrites identical objects.
   */
  async putJson(key: string, value: unknown, precondition: Precondition, metadata?: Record<string, string>): Promise<PutResult> {
    const text = JSON.stringify(value);
    const gzip = key.endsWith('.gz');
    return this.put(key, gzip ? gzipSync(text) : text, {
      precondition,
      contentType: gzip ? 'application/gzip' : 'application/json',
      ...(metadata !== undefined && { metadata }),
    });
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
