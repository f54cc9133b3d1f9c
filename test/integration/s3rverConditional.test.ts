/**
 * The test server's conditional writes answer as S3 documents (s3rverConditional.mjs): If-None-Match: *
 * creates once, If-Match replaces only the version read, 404 for If-Match on a missing key, and of many
 * racing creates exactly one wins. Talked to through the real S3 client, as every test does.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { s3rverWithBucket } from './s3rverBucket.js';

const Bucket = 'conditional';
const s3 = s3rverWithBucket('alb-doctor-conditional-', Bucket);

/** The HTTP status and S3 error code of a PUT, or 200 and the new ETag. */
async function put(Key: string, Body: string, condition: { IfNoneMatch?: string; IfMatch?: string } = {}) {
  try {
    const response = await s3.client.send(new PutObjectCommand({ Bucket, Key, Body, ...condition }));
    return { status: 200, etag: response.ETag };
  } catch (error) {
    const e = error as { name: string; $metadata: { httpStatusCode?: number } };
    return { status: e.$metadata.httpStatusCode, code: e.name };
  }
}

const read = async (Key: string): Promise<string> => (await s3.client.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();

describe('If-None-Match: *', () => {
  it('creates a missing key, then refuses with 412 PreconditionFailed and keeps the first body', async () => {
    expect((await put('a.json', 'first', { IfNoneMatch: '*' })).status).toBe(200);
    expect(await put('a.json', 'second', { IfNoneMatch: '*' })).toEqual({ status: 412, code: 'PreconditionFailed' });
    expect(await read('a.json')).toBe('first');
  });

  it('lets exactly one of many simultaneous creates of one key win', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => put('race.json', `writer ${i}`, { IfNoneMatch: '*' })));
    const winners = results.flatMap((r, i) => (r.status === 200 ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(7);
    expect(await read('race.json')).toBe(`writer ${winners[0]}`);
  });
});

describe('If-Match: <etag>', () => {
  it('replaces the version whose ETag it names, and refuses a stale ETag with 412', async () => {
    const created = await put('b.json', 'v1');
    const replaced = await put('b.json', 'v2', { IfMatch: created.etag! });
    expect(replaced.status).toBe(200);
    expect(await put('b.json', 'v3', { IfMatch: created.etag! })).toEqual({ status: 412, code: 'PreconditionFailed' });
    expect(await read('b.json')).toBe('v2');
  });

  it('answers 404 NoSuchKey for a key that does not exist', async () => {
    expect(await put('missing.json', 'x', { IfMatch: '"0123456789abcdef0123456789abcdef"' })).toEqual({ status: 404, code: 'NoSuchKey' });
  });

  it('of two writers holding the same ETag, lets only one replace it', async () => {
    const { etag } = await put('c.json', 'base');
    const [one, two] = await Promise.all([put('c.json', 'one', { IfMatch: etag! }), put('c.json', 'two', { IfMatch: etag! })]);
    expect([one.status, two.status].sort()).toEqual([200, 412]);
  });
});

describe('unconditional writes', () => {
  it('still overwrite, as on S3', async () => {
    await put('d.json', 'one');
    expect((await put('d.json', 'two')).status).toBe(200);
    expect(await read('d.json')).toBe('two');
  });
});
