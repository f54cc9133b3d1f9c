/**
 * The test server lists as S3 does (s3rverListing.mjs), checked through the real client over HTTP: common
 * prefixes for every folder below a prefix, not only those holding an object directly; keys in key order;
 * and pages of at most MaxKeys entries, a common prefix counting as one, continued by token, StartAfter or
 * marker without repeating or losing an entry. Expected listings are derived from the seeded key lists.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, type ListObjectsV2CommandOutput, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3RVER_CREDENTIALS, S3rverProcess } from './s3rverHarness.js';

const pad = (n: number): string => String(n).padStart(4, '0');

/** 1,601 folders, one in five with several keys, and a plain key beside one folder in three: 2,135 entries under '/'. */
const PAGING_KEYS = Array.from({ length: 1601 }, (_, i) => [
  `n${pad(i)}/deep/obj.log`,
  ...(i % 5 === 0 ? [`n${pad(i)}/deep/more.log`, `n${pad(i)}/top.log`] : []),
  ...(i % 3 === 0 ? [`n${pad(i)}.txt`] : []),
]).flat();

const BUCKETS: Record<string, string[]> = {
  // The example: no object directly in a/b/.
  nested: ['a/g.txt', 'a/b/c/f1.txt'],
  small: ['a.txt', 'logs/x', 'logs/y/z', 'more/1', 'more/2'],
  paging: PAGING_KEYS,
};
/** PUT over HTTP (a seed folder cannot hold both a file and a folder `d/b`). On disk s3rver keeps `d/b/` as a
 * folder named `b`, walked before the files `b…` beside it; S3 orders by key. */
const ORDER_KEYS = ['d/b/c', 'd/b', 'd/b.txt'];

/** What S3 lists under '' with delimiter '/': each key's first folder, or the key itself; in key order (ASCII). */
const topEntries = (keys: readonly string[]): string[] => [...new Set(keys.map((k) => (k.includes('/') ? k.slice(0, k.indexOf('/') + 1) : k)))].sort();

let root = '';
let server: S3rverProcess;
let client: S3Client;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'alb-doctor-s3rver-listing-'));
  for (const [bucket, keys] of Object.entries(BUCKETS)) {
    for (const key of keys) {
      const path = join(root, 'seed', bucket, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, key);
    }
  }
  server = await S3rverProcess.start(join(root, 'data'), join(root, 'seed'));
  client = new S3Client({ endpoint: server.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
  await client.send(new CreateBucketCommand({ Bucket: 'order' }));
  for (const key of ORDER_KEYS) await client.send(new PutObjectCommand({ Bucket: 'order', Key: key, Body: key }));
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

interface Page {
  entries: string[];
  contents: number;
  keyCount: number | undefined;
  truncated: boolean | undefined;
}

/** Every page of a ListObjectsV2, each page's keys and common prefixes merged in key order. */
async function pagesOf(input: { Bucket: string; Prefix?: string; Delimiter?: string; MaxKeys?: number; StartAfter?: string }): Promise<Page[]> {
  const pages: Page[] = [];
  let token: string | undefined;
  do {
    const out: ListObjectsV2CommandOutput = await client.send(new ListObjectsV2Command({ ...input, ContinuationToken: token }));
    const keys = (out.Contents ?? []).map((o) => o.Key!);
    const prefixes = (out.CommonPrefixes ?? []).map((p) => p.Prefix!);
    pages.push({ entries: [...keys, ...prefixes].sort(), contents: keys.length, keyCount: out.KeyCount, truncated: out.IsTruncated });
    token = out.NextContinuationToken;
    expect(token !== undefined).toBe(out.IsTruncated === true);
  } while (token !== undefined);
  return pages;
}

/** The page sizes S3 gives: full pages of maxKeys entries, then the rest; truncated on all but the last. */
function expectPaged(pages: Page[], total: number, maxKeys: number): void {
  const sizes = Array.from({ length: Math.ceil(total / maxKeys) }, (_, i) => Math.min(maxKeys, total - i * maxKeys));
  expect(pages.map((p) => p.entries.length)).toEqual(sizes);
  expect(pages.map((p) => p.keyCount)).toEqual(sizes);
  expect(pages.map((p) => p.truncated)).toEqual(sizes.map((_, i) => i < sizes.length - 1));
}

describe('s3rver lists like S3', () => {
  it('gives a common prefix for a folder that holds no object directly', async () => {
    const [page] = await pagesOf({ Bucket: 'nested', Prefix: 'a/', Delimiter: '/' });
    expect(page).toEqual({ entries: ['a/b/', 'a/g.txt'], contents: 1, keyCount: 2, truncated: false });
    expect((await pagesOf({ Bucket: 'nested', Delimiter: '/' }))[0]!.entries).toEqual(['a/']);
  });

  it('pages past 1,000 entries under a delimiter, a common prefix counting once toward MaxKeys', async () => {
    const expected = topEntries(PAGING_KEYS);
    expect(expected).toHaveLength(2135);
    for (const maxKeys of [undefined, 400]) {
      const pages = await pagesOf({ Bucket: 'paging', Delimiter: '/', ...(maxKeys && { MaxKeys: maxKeys }) });
      expectPaged(pages, expected.length, maxKeys ?? 1000);
      expect(pages.flatMap((p) => p.entries)).toEqual(expected);
    }
  });

  it('a page ending in a common prefix continues after all its keys', async () => {
    const one = await pagesOf({ Bucket: 'small', Delimiter: '/', MaxKeys: 1 });
    expect(one.map((p) => p.entries)).toEqual([['a.txt'], ['logs/'], ['more/']]);
    const two = await pagesOf({ Bucket: 'small', Delimiter: '/', MaxKeys: 2 });
    expect(two.map((p) => p.entries)).toEqual([['a.txt', 'logs/'], ['more/']]);
    // ListObjects (v1): NextMarker names the last entry, a common prefix too, and is not listed again.
    const first = await client.send(new ListObjectsCommand({ Bucket: 'small', Delimiter: '/', MaxKeys: 2 }));
    expect([first.IsTruncated, first.NextMarker]).toEqual([true, 'logs/']);
    const next = await client.send(new ListObjectsCommand({ Bucket: 'small', Delimiter: '/', Marker: first.NextMarker }));
    expect([next.Contents, next.CommonPrefixes?.map((p) => p.Prefix), next.IsTruncated]).toEqual([undefined, ['more/'], false]);
  });

  it('starts after StartAfter, with or without a delimiter', async () => {
    const after = 'n0600.txt';
    const withDelimiter = await pagesOf({ Bucket: 'paging', Delimiter: '/', StartAfter: after });
    const expected = topEntries(PAGING_KEYS).filter((e) => e > after);
    expect(withDelimiter.flatMap((p) => p.entries)).toEqual(expected);
    expectPaged(withDelimiter, expected.length, 1000);
    const keys = await pagesOf({ Bucket: 'paging', StartAfter: after });
    expect(keys.flatMap((p) => p.entries)).toEqual([...PAGING_KEYS].sort().filter((k) => k > after));
  });

  it('lists keys in key order, so paging by the last key loses none', async () => {
    const one = await pagesOf({ Bucket: 'order', MaxKeys: 1 });
    expect(one.map((p) => p.entries)).toEqual([['d/b'], ['d/b.txt'], ['d/b/c']]);
    const all = await pagesOf({ Bucket: 'paging' });
    expectPaged(all, PAGING_KEYS.length, 1000);
    expect(all.flatMap((p) => p.entries)).toEqual([...PAGING_KEYS].sort());
  });

  it('refuses a continuation token from another bucket', async () => {
    const first = await client.send(new ListObjectsV2Command({ Bucket: 'small', MaxKeys: 1 }));
    const other = client.send(new ListObjectsV2Command({ Bucket: 'order', ContinuationToken: first.NextContinuationToken }));
    await expect(other).rejects.toMatchObject({ name: 'InvalidArgument' });
  });
});
