/**
 * SDK errors → one AlbDoctorError each, one sentence that says what to do: listing failures, and object
 * failures split into those another attempt cannot fix and those worth a retry.
 */
import { AlbDoctorError } from '../errors.js';
import { s3Uri } from './s3Keys.js';

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  Region?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const sdkError = (error: unknown): SdkError => (typeof error === 'object' && error !== null ? (error as SdkError) : {});
const statusOf = (error: unknown): number | undefined => sdkError(error).$metadata?.httpStatusCode;

export function bucketRegionOf(error: unknown): string | undefined {
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

const isTimeout = (error: unknown): boolean => sdkError(error).name === 'TimeoutError';

/** The SDK's timeout messages name its own module and options; say what happened instead: `within 20 s (3 attempts)`. */
function timeoutDetail(error: unknown): string {
  const ms = /(\d+) ?ms/.exec(sdkError(error).message ?? '')?.[1];
  const attempts = sdkError(error).$metadata?.attempts;
  const within = ms === undefined ? 'in time' : `within ${Number(ms) / 1000} s`;
  return `${within}${attempts === undefined ? '' : ` (${attempts} attempts)`}`;
}

/** `Name: first line of the message`. */
function cause(error: unknown): string {
  if (isTimeout(error)) return `no answer ${timeoutDetail(error)}`;
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

/** What listError names: the bucket, the region it is being read in and the endpoint (an S3Session). */
interface BucketLocation {
  readonly bucket: string;
  readonly region: string;
  readonly endpoint: string;
}

export function listError(error: unknown, session: BucketLocation, prefix: string, profile: string | undefined): AlbDoctorError {
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
  if (isTimeout(error)) {
    // Connected (or still connecting) but no answer: often a port that is not an S3 service.
    return new AlbDoctorError(
      'S3_UNREACHABLE',
      `${where}: ${session.endpoint} did not answer ${timeoutDetail(error)}; check --endpoint-url (it must name an S3 endpoint and its port), the network and any proxy.`,
      place,
    );
  }
  if (isNetworkError(error)) {
    return new AlbDoctorError('S3_UNREACHABLE', `${where}: cannot reach ${session.endpoint} (${cause(error)}); check --endpoint-url, the network and any proxy.`, place);
  }
  return new AlbDoctorError('S3_LIST_FAILED', `${where}: listing failed (${cause(error)}); run again, and check the bucket's policy if it persists.`, place);
}

export interface ObjectRef {
  bucket: string;
  key: string;
  /** `s3://bucket/key`. */
  name: string;
  sizeBytes: number;
}

/** Failures that another attempt cannot fix; null for those worth a retry (network, 5xx, a cut body). */
export function permanentObjectError(error: unknown, object: ObjectRef, region: string, profile: string | undefined): AlbDoctorError | null {
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

export function readFailed(error: unknown, object: ObjectRef, offset: number, total: number | null, requests: number): AlbDoctorError {
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

export class BodyEndedEarly extends Error {
  override readonly name = 'BodyEndedEarly';
  constructor(offset: number, total: number) {
    super(`the body ended at byte ${offset} of ${total}`);
  }
}
