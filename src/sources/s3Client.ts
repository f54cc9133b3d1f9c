/**
 * The S3 source's client: settings, and one S3Client per target that follows the bucket to its region.
 * Credentials, region and retries follow the AWS CLI (see s3.ts); a custom endpoint implies path-style URLs.
 */
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
import { bucketRegionOf } from './s3Errors.js';

/** Client region when none is configured: S3 then tells us the bucket's (as the AWS CLI does). */
const FALLBACK_REGION = 'us-east-1';
/**
 * Longest wait, per attempt, from a request to the first byte of S3's answer (connecting takes at most
 * CONNECT_TIMEOUT_MS of it). S3 answers in well under a second, a listing page of 1,000 keys included;
 * an endpoint that accepts connections and never answers (a wrong port, a proxy or firewall that
 * swallows requests) then fails in about a minute over the SDK's three attempts, not after minutes of
 * silence. Once the answer has begun, IDLE_SOCKET_TIMEOUT_MS bounds a body that stops.
 */
export const DEFAULT_RESPONSE_TIMEOUT_MS = 20_000;
const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_SOCKET_TIMEOUT_MS = 60_000;

export interface ClientSettings {
  profile: string | undefined;
  endpoint: string | undefined;
  credentials: S3ClientConfig['credentials'];
  maxSockets: number;
  /** Per attempt, from the request to the first byte of the answer. */
  responseTimeoutMs: number;
}

/** `options` are S3SourceOptions' `endpointUrl` and `env`. */
export function endpointOf(options: { endpointUrl?: string; env?: Readonly<Record<string, string | undefined>> }): string | undefined {
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
      connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, settings.responseTimeoutMs),
      // Until the answer's headers arrive (the SDK clears it then); without the flag it only logs a warning.
      requestTimeout: settings.responseTimeoutMs,
      throwOnRequestTimeout: true,
      // A connection that goes quiet this long is dropped, so a hung server cannot stall the run; a
      // prefetched body paused that long is dropped too and resumed with a Range request when needed.
      socketTimeout: IDLE_SOCKET_TIMEOUT_MS,
      httpAgent: { keepAlive: true, maxSockets: settings.maxSockets },
      httpsAgent: { keepAlive: true, maxSockets: settings.maxSockets },
    },
  });
}

/** One client per target, re-created once if the bucket turns out to live in another region. */
export class S3Session {
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

  get responseTimeoutMs(): number {
    return this.settings.responseTimeoutMs;
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
