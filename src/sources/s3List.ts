/**
 * Listing: a target and a time range → the keys worth reading, in key order, with totals. A prefix above the
 * region folder is first resolved into accounts and regions with `Delimiter: '/'` listings; keys are judged
 * by name and size alone (s3Keys.ts).
 */
import type { ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { AlbDoctorError } from '../errors.js';
import type { SkipReason } from './logObject.js';
import type { S3Session } from './s3Client.js';
import { listError } from './s3Errors.js';
import {
  judgeKey,
  type KeyFilter,
  listPrefixOf,
  parseS3Uri,
  type PrefixShape,
  prefixShape,
  rangePrefixes,
  s3Uri,
} from './s3Keys.js';

/** A prefix above AWSLogs/ is searched one folder deep; a bucket with more folders needs a longer prefix. */
const MAX_DISCOVERY_FOLDERS = 50;

export interface S3Listing {
  /** The s3:// target as given. */
  target: string;
  /** Every prefix listed, folder discovery included. */
  prefixes: string[];
  /** Objects seen in the listings. */
  keys: number;
  /** Access-log objects that will be read, and their stored bytes: the progress totals. */
  objects: number;
  bytes: number;
  /** Objects that are not access logs (yielded as SkippedObject). */
  skipped: number;
  /** Objects of other load balancers or of intervals outside the range: neither read nor reported. */
  outside: number;
}

export interface Listed {
  key: string;
  sizeBytes: number;
  /** As listed, without quotes; null when the listing gave none. */
  etag: string | null;
  verdict: { kind: 'read'; nodeIp: string | null } | { kind: 'skip'; reason: SkipReason };
}

class Lister {
  readonly prefixes: string[] = [];

  constructor(
    private readonly session: S3Session,
    private readonly profile: string | undefined,
  ) {}

  /** Sub-folders (CommonPrefixes) of a folder, sorted. */
  async folders(prefix: string): Promise<string[]> {
    const folders: string[] = [];
    await this.each({ Prefix: prefix, Delimiter: '/' }, (page) => {
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix !== undefined) folders.push(common.Prefix);
    });
    return folders;
  }

  async objects(prefix: string): Promise<{ key: string; sizeBytes: number; etag: string | null }[]> {
    const objects: { key: string; sizeBytes: number; etag: string | null }[] = [];
    await this.each({ Prefix: prefix }, (page) => {
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) objects.push({ key: o.Key, sizeBytes: o.Size ?? 0, etag: o.ETag?.replace(/"/g, '') ?? null });
      }
    });
    return objects;
  }

  private async each(input: { Prefix: string; Delimiter?: string }, onPage: (page: ListObjectsV2CommandOutput) => void): Promise<void> {
    this.prefixes.push(input.Prefix);
    try {
      for await (const page of this.session.pages(input)) onPage(page);
    } catch (error) {
      throw listError(error, this.session, input.Prefix, this.profile);
    }
  }
}

/** The region folders (`…/AWSLogs/<account>/elasticloadbalancing/<region>/`) a prefix leads to. */
async function regionFolders(shape: PrefixShape, lister: Lister): Promise<string[]> {
  const regionsUnder = async (awsLogs: string): Promise<string[]> => {
    const regions: string[] = [];
    for (const account of await lister.folders(awsLogs)) regions.push(...(await lister.folders(`${account}elasticloadbalancing/`)));
    return regions;
  };
  switch (shape.kind) {
    case 'region':
      return [shape.folder];
    case 'account':
      return lister.folders(shape.folder);
    case 'awsLogs':
      return regionsUnder(shape.folder);
    case 'above': {
      const children = await lister.folders(shape.folder);
      if (children.includes(`${shape.folder}AWSLogs/`)) return regionsUnder(`${shape.folder}AWSLogs/`);
      const regions: string[] = [];
      for (const child of children.slice(0, MAX_DISCOVERY_FOLDERS)) {
        if ((await lister.folders(child)).includes(`${child}AWSLogs/`)) regions.push(...(await regionsUnder(`${child}AWSLogs/`)));
      }
      return regions;
    }
    case 'other':
      return [];
  }
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order. */
async function mapOrdered<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.000Z$/, 'Z');

/** `3 prefixes: s3://b/a, s3://b/b, s3://b/c`; long lists keep their first two and last one. */
function describePrefixes(bucket: string, prefixes: readonly string[]): string {
  if (prefixes.length === 0) return "no prefix: the range's day folders lie outside the one given";
  const uris = prefixes.map((p) => s3Uri(bucket, p));
  const shown = uris.length <= 4 ? uris : [uris[0]!, uris[1]!, '…', uris.at(-1)!];
  return `${uris.length} prefix${uris.length === 1 ? '' : 'es'}: ${shown.join(', ')}`;
}

export async function listTarget(
  uri: string,
  session: S3Session,
  filter: KeyFilter,
  profile: string | undefined,
  concurrency: number,
  now: Date,
): Promise<{ listed: Listed[]; listing: S3Listing }> {
  const { prefix } = parseS3Uri(uri);
  const shape = prefixShape(prefix);
  const lister = new Lister(session, profile);
  const { from, to } = filter.range;

  let contentPrefixes: string[];
  if (from !== undefined && shape.kind !== 'other') {
    const regions = await regionFolders(shape, lister);
    if (regions.length === 0) {
      throw new AlbDoctorError(
        'S3_NO_LOGS',
        `${uri}: no AWSLogs/<account>/elasticloadbalancing/<region>/ folder found (listed ${describePrefixes(session.bucket, lister.prefixes)}); give the prefix your load balancer writes to (its access_logs.s3.prefix attribute).`,
        { source: uri },
      );
    }
    const end = to ?? now;
    const below = shape.kind === 'region' ? shape.below : '';
    contentPrefixes = regions.flatMap((folder) => rangePrefixes({ kind: 'region', folder, below }, from, end, filter.lbName));
  } else {
    contentPrefixes = [listPrefixOf(shape)];
  }

  const pages = await mapOrdered(contentPrefixes, concurrency, (p) => lister.objects(p));
  const listing: S3Listing = { target: uri, prefixes: lister.prefixes, keys: 0, objects: 0, bytes: 0, skipped: 0, outside: 0 };
  const listed: Listed[] = [];
  for (const objects of pages) {
    for (const { key, sizeBytes, etag } of objects) {
      listing.keys++;
      const verdict = judgeKey(key, sizeBytes, filter);
      if (verdict.kind === 'outside') {
        listing.outside++;
        continue;
      }
      if (verdict.kind === 'skip') listing.skipped++;
      else {
        listing.objects++;
        listing.bytes += sizeBytes;
      }
      listed.push({ key, sizeBytes, etag, verdict });
    }
  }
  if (listing.objects === 0) {
    const lb = filter.lbName === undefined ? '' : ` of load balancer ${filter.lbName}`;
    const range = from && to ? ` between ${isoSeconds(from)} and ${isoSeconds(to)}` : from ? ` from ${isoSeconds(from)} on` : to ? ` before ${isoSeconds(to)}` : '';
    throw new AlbDoctorError(
      'S3_NO_LOGS',
      `${uri}: no ALB access logs${lb}${range} (listed ${describePrefixes(session.bucket, contentPrefixes)} with ${listing.keys.toLocaleString('en-US')} ${listing.keys === 1 ? 'object' : 'objects'}: ` +
        `${listing.skipped} not access logs, ${listing.outside} of other load balancers or times); check the prefix, the load balancer name and the time range.`,
      { source: uri },
    );
  }
  return { listed, listing };
}
