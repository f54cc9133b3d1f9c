/**
 * The sole user of @aws-sdk/client-s3: `s3://bucket[/prefix]` → SourceItems, in key order.
 *
 * 1. List: a time range becomes day-folder prefixes (s3Keys.ts); a prefix above the region folder is first
 *    resolved into accounts and regions with `Delimiter: '/'` listings. Keys are judged by name and size
 *    alone, so nothing outside the range or load balancer is downloaded. Totals go to `onListed`.
 * 2. Read: up to `concurrency` objects are downloaded at once, the one being read and the next ones in key
 *    order. Each keeps at most PREFETCH_BYTES in memory and leaves the rest to TCP flow control, so memory
 *    is bounded whatever the object sizes; items are yielded in key order whatever order downloads finish.
 * 3. A connection that breaks mid-object is resumed with a Range request at the byte offset reached (and
 *    If-Match on the first response's ETag), so the parser sees every byte once, neither lost nor repeated.
 *
 * Credentials, region and retries follow the AWS CLI: the default credential chain (env, profile, SSO,
 * container, instance), `profile`, `region` (else the profile's, else us-east-1), then the bucket's own
 * region when S3 answers with a redirect; the SDK's retry mode (standard unless AWS_RETRY_MODE says
 * otherwise). Listing failures throw one AlbDoctorError; object failures become UnreadObject items.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { AlbDoctorError } from '../errors.js';
import { DEFAULT_CONCURRENCY } from './s3Flags.js';
import { openedTooLate, type SkipReason, type SourceItem } from './logObject.js';
import {
  judgeKey,
  type KeyFilter,
  lbNameOf,
  listPrefixOf,
  parseS3Uri,
  type PrefixShape,
  prefixShape,
  rangePrefixes,
  s3Uri,
} from './s3Keys.js';

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
  /** Called once per s3:// target after listing, before its first item: totals for progress. */
  onListed?(listing: S3Listing): void;
  /** Where AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS are read; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Credentials instead of the default chain (tests, or a Lambda handing its own). */
  credentials?: S3ClientConfig['credentials'];
}

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

/** For the CLI: one line of help per flag behind S3SourceOptions. */
export { DEFAULT_CONCURRENCY, S3_FLAGS } from './s3Flags.js';
const MAX_CONCURRENCY = 64;
/** Bytes fetched ahead per object before its stream is left paused (TCP holds the rest on the server side). */
export const PREFETCH_BYTES = 1024 * 1024;
/** Waits before retrying a failed object; reset whenever a retry makes progress. The SDK retries each request too. */
const RETRY_DELAYS_MS = [500, 1000, 2000];
/** However much progress each attempt makes, an object is given up after this many requests. */
const MAX_REQUESTS_PER_OBJECT = 12;
/** A prefix above AWSLogs/ is searched one folder deep; a bucket with more folders needs a longer prefix. */
const MAX_DISCOVERY_FOLDERS = 50;
/** Client region when none is configured: S3 then tells us the bucket's (as the AWS CLI does). */
const FALLBACK_REGION = 'us-east-1';
const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_SOCKET_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------------------
// Client: settings, region following

interface ClientSettings {
  profile: string | undefined;
  endpoint: string | undefined;
  credentials: S3ClientConfig['credentials'];
  maxSockets: number;
}

function endpointOf(options: S3SourceOptions): string | undefined {
  const env = options.env ?? process.env;
  const ignoreEnv = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true';
  const endpoint = options.endpointUrl ?? (ignoreEnv ? undefined : env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  if (endpoint === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new AlbDoctorError('USAGE', `'${endpoint}' is not an endpoint URL; write it as http(s)://host[:port], e.g. http://127.0.0.1:9000.`);
  }
  return endpoint;
}

function makeClient(settings: ClientSettings, region: string | undefined): S3Client {
  return new S3Client({
    ...(region !== undefined && { region }),
    ...(settings.profile !== undefined && { profile: settings.profile }),
    // Custom endpoints (MinIO, LocalStack, s3rver, …) rarely resolve bucket subdomains.
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint, forcePathStyle: true }),
    ...(settings.credentials !== undefined && { credentials: settings.credentials }),
    // By default the SDK asks S3 for each object's checksum (CRC64NVME on every object written since
    // 2025) and recomputes it in JavaScript over every byte. Access logs are gzip, whose CRC-32 zlib
    // already checks at the end of each member (a mismatch is BAD_GZIP), so that would be paid twice.
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      // A connection that goes quiet this long is dropped, so a hung server cannot stall the run; a
      // prefetched body paused that long is dropped too and resumed with a Range request when needed.
      socketTimeout: IDLE_SOCKET_TIMEOUT_MS,
      httpAgent: { keepAlive: true, maxSockets: settings.maxSockets },
      httpsAgent: { keepAlive: true, maxSockets: settings.maxSockets },
    },
  });
}

/** One client per target, re-created once if the bucket turns out to live in another region. */
class S3Session {
  private client: S3Client;

  private constructor(
    private readonly settings: ClientSettings,
    readonly bucket: string,
    public region: string,
  ) {
    this.client = makeClient(settings, region);
  }

  static async open(settings: ClientSettings, bucket: string, region: string | undefined): Promise<S3Session> {
    if (region !== undefined) return new S3Session(settings, bucket, region);
    const probe = makeClient(settings, undefined);
    try {
      return new S3Session(settings, bucket, await probe.config.region());
    } catch {
      return new S3Session(settings, bucket, FALLBACK_REGION);
    } finally {
      probe.destroy();
    }
  }

  get endpoint(): string {
    return this.settings.endpoint ?? `https://s3.${this.region}.amazonaws.com`;
  }

  async *pages(input: Omit<ListObjectsV2CommandInput, 'Bucket'>): AsyncGenerator<ListObjectsV2CommandOutput> {
    for (let redirected = false; ; redirected = true) {
      let paged = false;
      try {
        for await (const page of paginateListObjectsV2({ client: this.client }, { ...input, Bucket: this.bucket })) {
          paged = true;
          yield page;
        }
        return;
      } catch (error) {
        if (paged || redirected || !this.followRedirect(error)) throw error;
      }
    }
  }

  async getObject(input: Omit<GetObjectCommandInput, 'Bucket'>, abortSignal: AbortSignal): Promise<GetObjectCommandOutput> {
    const command = new GetObjectCommand({ ...input, Bucket: this.bucket });
    try {
      return await this.client.send(command, { abortSignal });
    } catch (error) {
      if (abortSignal.aborted || !this.followRedirect(error)) throw error;
      return await this.client.send(command, { abortSignal });
    }
  }

  /**
   * S3 answers a request sent to the wrong region with 301 PermanentRedirect (or 400 for some
   * signatures) and the bucket's region in `x-amz-bucket-region`. The SDK's `followRegionRedirects`
   * would resend every request twice; switching the client once costs one request per run.
   */
  private followRedirect(error: unknown): boolean {
    const region = bucketRegionOf(error);
    if (region === undefined || region === this.region) return false;
    this.client.destroy();
    this.region = region;
    this.client = makeClient(this.settings, region);
    return true;
  }

  destroy(): void {
    this.client.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Errors: SDK errors → one sentence each

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  Region?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const sdkError = (error: unknown): SdkError => (typeof error === 'object' && error !== null ? (error as SdkError) : {});
const statusOf = (error: unknown): number | undefined => sdkError(error).$metadata?.httpStatusCode;

function bucketRegionOf(error: unknown): string | undefined {
  const e = sdkError(error);
  const status = statusOf(error);
  if (status !== 301 && status !== 307 && status !== 400) return undefined;
  return e.$response?.headers?.['x-amz-bucket-region'] ?? e.Region;
}

const isRedirect = (error: unknown): boolean =>
  statusOf(error) === 301 || statusOf(error) === 307 || ['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException'].includes(sdkError(error).name ?? '');

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
const isNetworkError = (error: unknown): boolean =>
  statusOf(error) === undefined && (NETWORK_CODES.has(sdkError(error).code ?? '') || sdkError(error).name === 'TimeoutError');

/** The first line of an error's message, short enough for one sentence. */
const firstLine = (error: unknown): string => (sdkError(error).message ?? String(error)).split('\n')[0]!.trim().slice(0, 200);

/** `Name: first line of the message`. */
function cause(error: unknown): string {
  const e = sdkError(error);
  const message = firstLine(error);
  const name = e.code ?? e.name;
  return name && name !== 'Error' && !message.includes(name) ? `${name}: ${message}` : message;
}

const REJECTED_CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'ExpiredTokenException']);

/** Credential failures: the same sentence whichever request met them. */
function credentialsError(error: unknown, source: string, profile: string | undefined): AlbDoctorError | null {
  const name = sdkError(error).name ?? '';
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    const which = profile === undefined ? '' : ` for profile '${profile}'`;
    return new AlbDoctorError(
      'S3_NO_CREDENTIALS',
      `${source}: no AWS credentials found${which} (${firstLine(error)}); run 'aws configure' or 'aws sso login', pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
      { source, hint: "Configure credentials as for the AWS CLI ('aws sts get-caller-identity' must work)." },
    );
  }
  if (REJECTED_CREDENTIALS.has(name)) {
    return new AlbDoctorError(
      'S3_CREDENTIALS_REJECTED',
      `${source}: S3 rejected the credentials (${cause(error)}); refresh them ('aws sso login', a new session token) or check which profile is in use.`,
      { source, hint: "Check 'aws sts get-caller-identity' with the same profile." },
    );
  }
  return null;
}

/** The ARN partition of a region, for messages that name a resource. */
const partitionOf = (region: string): string => (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');

function listError(error: unknown, session: S3Session, prefix: string, profile: string | undefined): AlbDoctorError {
  const { bucket } = session;
  const where = s3Uri(bucket, prefix);
  const place = { source: where };
  const credentials = credentialsError(error, where, profile);
  if (credentials) return credentials;
  const name = sdkError(error).name;
  if (name === 'NoSuchBucket') {
    return new AlbDoctorError('S3_NO_SUCH_BUCKET', `s3://${bucket}: no such bucket on ${session.endpoint}; check the bucket name (aws s3 ls lists yours).`, place);
  }
  if (name === 'AccessDenied' || statusOf(error) === 403) {
    const arn = `arn:${partitionOf(session.region)}:s3:::${bucket}`;
    return new AlbDoctorError(
      'S3_ACCESS_DENIED',
      `${where}: access denied to s3:ListBucket on ${arn} for prefix '${prefix}'; allow s3:ListBucket on it with an s3:prefix condition that covers this prefix.`,
      { ...place, hint: 'See the minimal IAM policy in the S3 section of the README.' },
    );
  }
  if (isRedirect(error)) {
    const region = bucketRegionOf(error);
    const pass = region === undefined ? "the bucket's region" : region;
    return new AlbDoctorError('S3_WRONG_REGION', `s3://${bucket} is not in ${session.region}${region === undefined ? '' : ` but in ${region}`}; pass --region ${pass}.`, place);
  }
  if (isNetworkError(error)) {
    return new AlbDoctorError('S3_UNREACHABLE', `${where}: cannot reach ${session.endpoint} (${cause(error)}); check --endpoint-url, the network and any proxy.`, place);
  }
  return new AlbDoctorError('S3_LIST_FAILED', `${where}: listing failed (${cause(error)}); run again, and check the bucket's policy if it persists.`, place);
}

interface ObjectRef {
  bucket: string;
  key: string;
  /** `s3://bucket/key`. */
  name: string;
  sizeBytes: number;
}

/** Failures that another attempt cannot fix; null for those worth a retry (network, 5xx, a cut body). */
function permanentObjectError(error: unknown, object: ObjectRef, region: string, profile: string | undefined): AlbDoctorError | null {
  const place = { source: object.name };
  if (error instanceof AlbDoctorError) return error;
  const credentials = credentialsError(error, object.name, profile);
  if (credentials) return credentials;
  const name = sdkError(error).name;
  const status = statusOf(error);
  if (name === 'NoSuchKey' || status === 404) {
    return new AlbDoctorError('S3_OBJECT_GONE', `${object.name} was deleted after it was listed; run again (a lifecycle rule may be expiring old logs).`, place);
  }
  if (name === 'PreconditionFailed' || status === 412) {
    return new AlbDoctorError('S3_OBJECT_GONE', `${object.name} was replaced while it was read (its ETag changed); run again.`, place);
  }
  if (name === 'AccessDenied' || status === 403) {
    const arn = `arn:${partitionOf(region)}:s3:::${object.bucket}/${object.key}`;
    return new AlbDoctorError('S3_ACCESS_DENIED', `${object.name}: access denied to s3:GetObject on ${arn}; allow s3:GetObject on the log prefix.`, {
      ...place,
      hint: 'See the minimal IAM policy in the S3 section of the README.',
    });
  }
  if (isRedirect(error)) {
    return new AlbDoctorError('S3_WRONG_REGION', `${object.name}: S3 redirected the download away from ${region} (${cause(error)}); pass --region with the bucket's region.`, place);
  }
  if (name === 'InvalidObjectState') {
    return new AlbDoctorError('S3_READ_FAILED', `${object.name} is archived (Glacier storage class); restore it first (aws s3api restore-object) or choose a more recent time range.`, place);
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new AlbDoctorError('S3_READ_FAILED', `${object.name}: S3 refused the download (${cause(error)}).`, place);
  }
  return null;
}

function readFailed(error: unknown, object: ObjectRef, offset: number, total: number | null, requests: number): AlbDoctorError {
  const place = { source: object.name };
  const size = total ?? object.sizeBytes;
  if (offset === 0) {
    return new AlbDoctorError('S3_READ_FAILED', `${object.name}: could not be downloaded in ${requests} attempts (${cause(error)}); run again once S3 is reachable.`, place);
  }
  return new AlbDoctorError(
    'S3_READ_FAILED',
    `${object.name}: the download broke off at byte ${offset} of ${size} and resuming it failed (${requests} requests, last: ${cause(error)}); the lines before the break were read, run again to read the rest.`,
    place,
  );
}

class BodyEndedEarly extends Error {
  override readonly name = 'BodyEndedEarly';
  constructor(offset: number, total: number) {
    super(`the body ended at byte ${offset} of ${total}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Listing

interface Listed {
  key: string;
  sizeBytes: number;
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

  async objects(prefix: string): Promise<{ key: string; sizeBytes: number }[]> {
    const objects: { key: string; sizeBytes: number }[] = [];
    await this.each({ Prefix: prefix }, (page) => {
      for (const o of page.Contents ?? []) if (o.Key !== undefined) objects.push({ key: o.Key, sizeBytes: o.Size ?? 0 });
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

const isoSeconds = (d: Date): string => d.toISOString().replace(/\.000Z$/, 'Z');

/** `3 prefixes: s3://b/a, s3://b/b, s3://b/c`; long lists keep their first two and last one. */
function describePrefixes(bucket: string, prefixes: readonly string[]): string {
  if (prefixes.length === 0) return "no prefix: the range's day folders lie outside the one given";
  const uris = prefixes.map((p) => s3Uri(bucket, p));
  const shown = uris.length <= 4 ? uris : [uris[0]!, uris[1]!, '…', uris.at(-1)!];
  return `${uris.length} prefix${uris.length === 1 ? '' : 'es'}: ${shown.join(', ')}`;
}

async function listTarget(
  uri: string,
  session: S3Session,
  filter: KeyFilter,
  profile: string | undefined,
  concurrency: number,
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
    const end = to ?? new Date();
    const below = shape.kind === 'region' ? shape.below : '';
    contentPrefixes = regions.flatMap((folder) => rangePrefixes({ kind: 'region', folder, below }, from, end, filter.lbName));
  } else {
    contentPrefixes = [listPrefixOf(shape)];
  }

  const pages = await mapOrdered(contentPrefixes, concurrency, (p) => lister.objects(p));
  const listing: S3Listing = { target: uri, prefixes: lister.prefixes, keys: 0, objects: 0, bytes: 0, skipped: 0, outside: 0 };
  const listed: Listed[] = [];
  for (const objects of pages) {
    for (const { key, sizeBytes } of objects) {
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
      listed.push({ key, sizeBytes, verdict });
    }
  }
  if (listing.objects === 0) {
    const lb = filter.lbName === undefined ? '' : ` of load balancer ${filter.lbName}`;
    const range = from && to ? ` between ${isoSeconds(from)} and ${isoSeconds(to)}` : from ? ` from ${isoSeconds(from)} on` : to ? ` before ${isoSeconds(to)}` : '';
    throw new AlbDoctorError(
      'S3_NO_LOGS',
      `${uri}: no ALB access logs${lb}${range} (listed ${describePrefixes(session.bucket, contentPrefixes)} with ${listing.keys} object(s): ` +
        `${listing.skipped} not access logs, ${listing.outside} of other load balancers or times); check the prefix, the load balancer name and the time range.`,
      { source: uri },
    );
  }
  return { listed, listing };
}

// ---------------------------------------------------------------------------------------------------------
// Downloads: bounded prefetch, resumable

/** Bytes of one object waiting for its reader; the writer stops while PREFETCH_BYTES wait. */
class ChunkQueue {
  private readonly chunks: Buffer[] = [];
  private queuedBytes = 0;
  private ended = false;
  private failure: unknown = undefined;
  private wakeReader: (() => void) | null = null;
  private wakeWriter: (() => void) | null = null;

  get hasRoom(): boolean {
    return this.queuedBytes < PREFETCH_BYTES;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(error: unknown): void {
    this.failure = error;
    this.wake();
  }

  /** Resolves once there is room, or the download is cancelled. */
  async room(signal: AbortSignal): Promise<void> {
    while (!this.hasRoom && !signal.aborted) await new Promise<void>((resolve) => (this.wakeWriter = resolve));
  }

  wake(): void {
    const reader = this.wakeReader;
    const writer = this.wakeWriter;
    this.wakeReader = this.wakeWriter = null;
    reader?.();
    writer?.();
  }

  /**
   * Everything waiting, as one buffer: sockets deliver 64 KiB or less at a time, and gunzip and the line
   * splitter pay per chunk (bench, s3rver on loopback: 12 % less time than handing on socket-sized chunks;
   * the local source reads 1 MiB at a time).
   */
  async *drain(): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.chunks.length > 0) {
        const chunk = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.queuedBytes);
        this.chunks.length = 0;
        this.queuedBytes = 0;
        this.wake();
        yield chunk;
        continue;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }
}

/** `bytes 100-199/200` → 100 and 200. */
function parseContentRange(contentRange: string | undefined): { start: number; total: number | null } | null {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(contentRange ?? '');
  return m ? { start: Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) } : null;
}

/** One object's bytes, fetched from the moment it is created; `take()` hands them to the reader once. */
class ObjectDownload {
  private readonly queue = new ChunkQueue();
  private readonly abort = new AbortController();
  private taken = false;

  constructor(
    private readonly session: S3Session,
    private readonly object: ObjectRef,
    private readonly profile: string | undefined,
  ) {
    void this.run();
  }

  take(): Readable | null {
    if (this.taken || this.abort.signal.aborted) return null;
    this.taken = true;
    return Readable.from(this.queue.drain(), { objectMode: false });
  }

  cancel(): void {
    this.abort.abort();
    this.queue.wake();
  }

  private async run(): Promise<void> {
    try {
      await this.download();
    } catch (error) {
      this.queue.fail(error); // a bug: readInput rethrows what is not an AlbDoctorError
    }
  }

  private async download(): Promise<void> {
    const signal = this.abort.signal;
    let offset = 0;
    let total: number | null = null;
    let etag: string | undefined;
    let failuresInARow = 0;
    for (let requests = 1; ; requests++) {
      await this.queue.room(signal);
      if (signal.aborted) return;
      const offsetBefore = offset;
      try {
        const resume = offset > 0 ? { Range: `bytes=${offset}-`, ...(etag !== undefined && { IfMatch: etag }) } : {};
        const response = await this.session.getObject({ Key: this.object.key, ...resume }, signal);
        etag ??= response.ETag;
        const range = parseContentRange(response.ContentRange);
        total = range?.total ?? (offset === 0 ? (response.ContentLength ?? null) : total);
        // A server that ignores Range sends the whole object again: drop what was already handed on.
        let skip = offset - (range?.start ?? 0);
        if (skip < 0) throw new AlbDoctorError('S3_READ_FAILED', `${this.object.name}: S3 answered a request for bytes from ${offset} with bytes from ${range?.start}.`, { source: this.object.name });
        for await (const received of response.Body as Readable) {
          let chunk = received as Buffer;
          if (skip > 0) {
            if (chunk.length <= skip) {
              skip -= chunk.length;
              continue;
            }
            chunk = chunk.subarray(skip);
            skip = 0;
          }
          offset += chunk.length;
          this.queue.push(chunk);
          await this.queue.room(signal);
          if (signal.aborted) return; // leaving the loop destroys the body
        }
        if (total !== null && offset < total) throw new BodyEndedEarly(offset, total);
        this.queue.end();
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (offset > offsetBefore) failuresInARow = 0;
        const permanent = permanentObjectError(error, this.object, this.session.region, this.profile);
        if (permanent) return this.queue.fail(permanent);
        if (failuresInARow >= RETRY_DELAYS_MS.length || requests >= MAX_REQUESTS_PER_OBJECT) {
          return this.queue.fail(readFailed(error, this.object, offset, total, requests));
        }
        try {
          await sleep(RETRY_DELAYS_MS[failuresInARow++], undefined, { signal });
        } catch {
          return; // cancelled while waiting
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The source

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
  };
  const session = await S3Session.open(settings, bucket, options.region);
  const downloads = new Set<ObjectDownload>();
  try {
    const { listed, listing } = await listTarget(uri, session, filter, options.profile, concurrency);
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

