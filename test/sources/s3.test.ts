/**
 * The S3 source with the client stubbed (aws-sdk-client-mock): only what a local S3 server cannot
 * produce (AccessDenied, missing credentials, region redirects) and what needs control over each
 * response (download order, bounded prefetch, a body cut at a known byte). Everything else runs against
 * s3rver in test/integration/.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readInput } from '../../src/run.js';
import type { LogObject, SourceItem } from '../../src/sources/logObject.js';
import { openS3Source, PREFETCH_BYTES, type S3SourceOptions } from '../../src/sources/s3.js';

const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());
afterEach(() => s3.reset());

const DAY = 'AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/03/01/';
const key = (i: number): string =>
  `${DAY}123456789012_elasticloadbalancing_eu-west-1_app.web.50dc6c495c0c9188_20260301T${String(1000 + i * 5).padStart(4, '0')}Z_172.31.4.17_obj${i}.log.gz`;
const OPTIONS: S3SourceOptions = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } };

/** An SDK service error as the deserializer throws it. */
function serviceError(name: string, status: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`${name} message`), { name, $fault: 'client', $metadata: { httpStatusCode: status }, $response: { statusCode: status, headers } });
}

function listing(keys: string[], sizeBytes = 1000): void {
  s3.on(ListObjectsV2Command).resolves({ Contents: keys.map((Key) => ({ Key, Size: sizeBytes })) });
}

async function collect(items: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const all: SourceItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** The bytes of each log object, read while it is the current item (as readInput does). */
async function readObjects(items: AsyncIterable<SourceItem>): Promise<Buffer[]> {
  const bodies: Buffer[] = [];
  for await (const item of items) if (item.kind === 'log') bodies.push(await bytesOf(item.open()));
  return bodies;
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A body produced on demand in 64 KiB chunks, counting what was produced and whether it is still open. */
class LazyBody extends Readable {
  static readonly CHUNK = 64 * 1024;
  produced = 0;
  override closed = false;
  constructor(
    readonly sizeBytes: number,
    private readonly failAt = Infinity,
  ) {
    super();
    this.once('close', () => (this.closed = true));
  }
  override _read(): void {
    if (this.produced >= this.failAt) {
      this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      return;
    }
    const n = Math.min(LazyBody.CHUNK, this.sizeBytes - this.produced, this.failAt - this.produced);
    if (n <= 0) {
      this.push(null);
      return;
    }
    this.push(Buffer.alloc(n, 0x20 + (this.produced % 64)));
    this.produced += n;
  }
}

describe('openS3Source errors', () => {
  it('says which permission is missing on which bucket when listing is denied', async () => {
    s3.on(ListObjectsV2Command).rejects(serviceError('AccessDenied', 403));
    const error = await collect(openS3Source('s3://logs-bucket/prod/AWSLogs/', OPTIONS)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'S3_ACCESS_DENIED', source: 's3://logs-bucket/prod/AWSLogs/' });
    expect((error as Error).message).toMatch(/s3:ListBucket on arn:aws:s3:::logs-bucket for prefix 'prod\/AWSLogs\/'/);
  });

  it('names the partition of China regions in the ARN', async () => {
    s3.on(ListObjectsV2Command).rejects(serviceError('AccessDenied', 403));
    const error = await collect(openS3Source('s3://logs-bucket', { ...OPTIONS, region: 'cn-north-1' })).catch((e: unknown) => e);
    expect((error as Error).message).toContain('arn:aws-cn:s3:::logs-bucket');
  });

  it('says no credentials were found, and for which profile', async () => {
    s3.on(ListObjectsV2Command).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const error = await collect(openS3Source('s3://logs-bucket', { ...OPTIONS, profile: 'audit' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'S3_NO_CREDENTIALS' });
    expect((error as Error).message).toMatch(/no AWS credentials found for profile 'audit' \(Could not load credentials from any providers\); /);
  });

  it('reports an object it may not read as unread, naming s3:GetObject and the object, and reads the others', async () => {
    listing([key(0), key(1), key(2)]);
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      if (input.Key === key(1)) throw serviceError('AccessDenied', 403);
      return { Body: Readable.from([Buffer.from('not a log line\n')]), ContentLength: 15 };
    });
    const stats = await readInput(openS3Source('s3://logs-bucket', OPTIONS), { onEntry() {} });
    expect(stats.files).toBe(3);
    expect(stats.lines).toBe(2);
    expect(stats.unread).toHaveLength(1);
    expect(stats.unread[0]).toMatchObject({ code: 'S3_ACCESS_DENIED', source: `s3://logs-bucket/${key(1)}` });
    expect(stats.unread[0]!.message).toContain(`s3:GetObject on arn:aws:s3:::logs-bucket/${key(1)}`);
  });

  it('reports an object deleted after listing as gone', async () => {
    listing([key(0)]);
    s3.on(GetObjectCommand).rejects(serviceError('NoSuchKey', 404));
    const stats = await readInput(openS3Source('s3://logs-bucket', OPTIONS), { onEntry() {} });
    expect(stats.unread[0]).toMatchObject({ code: 'S3_OBJECT_GONE', source: `s3://logs-bucket/${key(0)}` });
  });

  it.each([
    ['a concurrency of 0', { concurrency: 0 }],
    ['a fractional concurrency', { concurrency: 2.5 }],
    ['an invalid load balancer name', { lbName: 'my_alb' }],
    ['a range that ends before it starts', { from: new Date('2026-03-01T11:00:00Z'), to: new Date('2026-03-01T10:00:00Z') }],
    ['an invalid date', { from: new Date('yesterday') }],
    ['an endpoint that is not a URL', { endpointUrl: '127.0.0.1:9000' }],
    ['an endpoint with another scheme', { endpointUrl: 'ftp://127.0.0.1:9000' }],
  ])('rejects %s as a usage error before any request', async (_label, extra) => {
    const error = await collect(openS3Source('s3://logs-bucket', { ...OPTIONS, ...extra })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'USAGE' });
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('openS3Source client settings', () => {
  it("follows the bucket's region once when S3 redirects, for listing and downloads", async () => {
    const regions: string[] = [];
    s3.on(ListObjectsV2Command).callsFake(async (_input, getClient) => {
      const region = await getClient().config.region();
      regions.push(`list ${region}`);
      if (region !== 'ap-south-1') throw serviceError('PermanentRedirect', 301, { 'x-amz-bucket-region': 'ap-south-1' });
      return { Contents: [{ Key: key(0), Size: 15 }] };
    });
    s3.on(GetObjectCommand).callsFake(async (_input, getClient) => {
      regions.push(`get ${await getClient().config.region()}`);
      return { Body: Readable.from([Buffer.from('not a log line\n')]), ContentLength: 15 };
    });
    const stats = await readInput(openS3Source('s3://logs-bucket/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/', OPTIONS), { onEntry() {} });
    expect(stats.unread).toEqual([]);
    expect(regions).toEqual(['list eu-west-1', 'list ap-south-1', 'get ap-south-1']);
  });

  it('says which region to pass when a redirect does not name one', async () => {
    s3.on(ListObjectsV2Command).rejects(serviceError('PermanentRedirect', 301));
    const error = await collect(openS3Source('s3://logs-bucket', OPTIONS)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'S3_WRONG_REGION' });
    expect((error as Error).message).toContain('pass --region');
  });

  it.each([
    ['the option', { endpointUrl: 'http://127.0.0.1:9000' }, {}, 'http://127.0.0.1:9000'],
    ['AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL', {}, { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9001', AWS_ENDPOINT_URL: 'http://127.0.0.1:9002' }, 'http://127.0.0.1:9001'],
    ['AWS_ENDPOINT_URL', {}, { AWS_ENDPOINT_URL: 'http://127.0.0.1:9002' }, 'http://127.0.0.1:9002'],
    ['the option before the variables', { endpointUrl: 'http://127.0.0.1:9000' }, { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9001' }, 'http://127.0.0.1:9000'],
  ])('takes the endpoint from %s, with path-style URLs', async (_label, extra, env, endpoint) => {
    const seen: unknown[] = [];
    s3.on(ListObjectsV2Command).callsFake(async (_input, getClient) => {
      const config = getClient().config;
      const url = await config.endpoint!();
      seen.push(`${url.protocol}//${url.hostname}:${url.port}`, config.forcePathStyle);
      return { Contents: [{ Key: key(0), Size: 15 }] };
    });
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('\n')]) as never, ContentLength: 1 });
    await collect(openS3Source('s3://logs-bucket', { ...OPTIONS, ...extra, env }));
    expect(seen).toEqual([endpoint, true]);
  });

  it('ignores the endpoint variables when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true', async () => {
    let endpoint: unknown = 'unset';
    s3.on(ListObjectsV2Command).callsFake(async (_input, getClient) => {
      endpoint = getClient().config.endpoint;
      return { Contents: [{ Key: key(0), Size: 15 }] };
    });
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('\n')]) as never, ContentLength: 1 });
    await collect(openS3Source('s3://logs-bucket', { ...OPTIONS, env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9002', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' } }));
    expect(endpoint).toBeUndefined();
  });
});

describe('openS3Source downloads', () => {
  it('yields objects in key order whatever order their downloads finish in, with at most `concurrency` open', async () => {
    const count = 10;
    listing(Array.from({ length: count }, (_, i) => key(i)));
    const bodies: LazyBody[] = [];
    let open = 0;
    let maxOpen = 0;
    s3.on(GetObjectCommand).callsFake(async (input: { Key: string }) => {
      const i = Number(/obj(\d+)/.exec(input.Key)![1]);
      open++;
      maxOpen = Math.max(maxOpen, open);
      // Later keys answer first.
      await new Promise((resolve) => setTimeout(resolve, (count - i) * 3));
      const body = new LazyBody(200_000 + i);
      body.once('close', () => open--);
      bodies.push(body);
      return { Body: body, ContentLength: body.sizeBytes };
    });
    const names: string[] = [];
    const sizes: number[] = [];
    for await (const item of openS3Source('s3://logs-bucket', { ...OPTIONS, concurrency: 3 })) {
      names.push(item.name);
      sizes.push((await bytesOf((item as LogObject).open())).length);
    }
    expect(names).toEqual(Array.from({ length: count }, (_, i) => `s3://logs-bucket/${key(i)}`));
    expect(sizes).toEqual(Array.from({ length: count }, (_, i) => 200_000 + i));
    expect(maxOpen).toBeLessThanOrEqual(3);
    expect(bodies.every((b) => b.closed)).toBe(true);
  });

  it('holds at most PREFETCH_BYTES of each object ahead of the reader, however large the objects', async () => {
    const size = 64 * 1024 * 1024;
    listing([key(0), key(1), key(2), key(3)], size);
    const bodies = new Map<string, LazyBody>();
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      const body = new LazyBody(size);
      bodies.set(input.Key, body);
      return { Body: body, ContentLength: size };
    });
    const items = openS3Source('s3://logs-bucket', { ...OPTIONS, concurrency: 4 })[Symbol.asyncIterator]();
    const first = (await items.next()).value as LogObject;
    const reader = first.open()[Symbol.asyncIterator]();
    await reader.next();
    // Wait until the three objects ahead have filled their prefetch, then check nothing more was pulled.
    const ahead = [key(1), key(2), key(3)];
    for (let i = 0; i < 1000 && !ahead.every((k) => (bodies.get(k)?.produced ?? 0) >= PREFETCH_BYTES); i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const k of ahead) {
      expect(bodies.get(k)!.produced).toBeGreaterThanOrEqual(PREFETCH_BYTES);
      expect(bodies.get(k)!.produced).toBeLessThanOrEqual(PREFETCH_BYTES + 4 * LazyBody.CHUNK);
    }
    // Stopping early closes every download.
    await reader.return!();
    await items.return!(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect([...bodies.values()].every((b) => b.closed)).toBe(true);
  });

  it('resumes a body cut mid-way with a Range request on the same ETag, handing on every byte once', async () => {
    const size = 300_000;
    const cutAt = 130_000;
    listing([key(0)], size);
    const requests: { Range?: string; IfMatch?: string }[] = [];
    const whole = await bytesOf(new LazyBody(size));
    s3.on(GetObjectCommand).callsFake((input: { Range?: string; IfMatch?: string }) => {
      requests.push({ Range: input.Range, IfMatch: input.IfMatch });
      if (requests.length === 1) return { Body: new LazyBody(size, cutAt), ContentLength: size, ETag: '"etag-1"' };
      const start = Number(/^bytes=(\d+)-$/.exec(input.Range!)![1]);
      return { Body: Readable.from([whole.subarray(start)]), ContentLength: size - start, ContentRange: `bytes ${start}-${size - 1}/${size}`, ETag: '"etag-1"' };
    });
    const [body] = await readObjects(openS3Source('s3://logs-bucket', OPTIONS));
    expect(body!.equals(whole)).toBe(true);
    expect(requests).toEqual([{ Range: undefined, IfMatch: undefined }, { Range: `bytes=${cutAt}-`, IfMatch: '"etag-1"' }]);
  });

  it('drops what it already has when a server ignores the Range and sends the whole object again', async () => {
    const size = 300_000;
    listing([key(0)], size);
    const whole = await bytesOf(new LazyBody(size));
    let calls = 0;
    s3.on(GetObjectCommand).callsFake(() => {
      calls++;
      return calls === 1 ? { Body: new LazyBody(size, 70_000), ContentLength: size } : { Body: Readable.from([whole]), ContentLength: size };
    });
    const [body] = await readObjects(openS3Source('s3://logs-bucket', OPTIONS));
    expect(body!.equals(whole)).toBe(true);
  });

  it('downloads an object again when it is opened twice while current, and refuses an open() after the source moved on', async () => {
    listing([key(0), key(1)], 3);
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from('ab\n')]), ContentLength: 3 }));
    const kept: LogObject[] = [];
    for await (const item of openS3Source('s3://logs-bucket', OPTIONS)) {
      const object = item as LogObject;
      expect((await bytesOf(object.open())).toString()).toBe('ab\n');
      expect((await bytesOf(object.open())).toString()).toBe('ab\n');
      kept.push(object);
    }
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(4);
    await expect(bytesOf(kept[0]!.open())).rejects.toThrow(/open\(\) .* before the next item/);
  });

  it('calls onListed with the totals before the first item', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: key(0), Size: 100 },
        { Key: key(1), Size: 0 },
        { Key: `${DAY}conn_log_x.log.gz`, Size: 50 },
        { Key: key(2).replace('app.web.', 'app.api.'), Size: 70 },
        { Key: key(3), Size: 30 },
      ],
    });
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('\n')]) as never });
    const events: string[] = [];
    for await (const item of openS3Source('s3://logs-bucket/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/03/01/', {
      ...OPTIONS,
      lbName: 'web',
      onListed: (l) => events.push(`listed ${l.keys} keys: ${l.objects} objects, ${l.bytes} bytes, ${l.skipped} skipped, ${l.outside} outside`),
    })) {
      events.push(item.kind);
    }
    expect(events).toEqual(['listed 5 keys: 2 objects, 130 bytes, 2 skipped, 1 outside', 'log', 'skipped', 'skipped', 'log']);
  });
});
