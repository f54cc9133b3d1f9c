/**
 * s3rver 3.7.1 lists unlike S3 in three ways, and the S3 tests depend on all three:
 * - under a delimiter it does not walk below a folder, so a common prefix shows up only for a folder that
 *   holds an object directly (listing `a/` over `a/g.txt` and `a/b/c/f1.txt` gives no `a/b/`);
 * - its walk follows file names on disk, not key order (`d/b/c` comes before `d/b` and `d/b.txt`), so a
 *   listing paged by the last key returned can skip keys;
 * - its continuation token is the last object's key: a page ending in a common prefix repeats that prefix's
 *   keys, and a page of common prefixes only fails; common prefixes do not count toward MaxKeys or KeyCount.
 * installS3Listing() replaces its store's listObjects and its GET Bucket handler with S3's semantics
 * (docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html): keys in UTF-8 byte order; each key, or
 * the common prefix it rolls up into, is one entry, counted once toward MaxKeys (at most 1,000) and in KeyCount;
 * an entry is listed when it sorts after StartAfter (or the marker), so a common prefix handed back as
 * NextMarker or in a continuation token is not listed again. Plain JavaScript for the bare `node` child.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Object = require('s3rver/lib/models/object');
const S3Error = require('s3rver/lib/models/error');
const bucketController = require('s3rver/lib/controllers/bucket');
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account');
const { walk } = require('s3rver/lib/utils');

const MAX_KEYS_PER_PAGE = 1000;
const OBJECT_SUFFIX = '._S3rver_object';

const utf8Compare = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** One page of entries from `sortedKeys` (UTF-8 order); `last` is the entry a next page starts after. */
export function listPage(sortedKeys, { prefix = '', delimiter = '', startAfter = '', maxKeys = MAX_KEYS_PER_PAGE }) {
  const keys = [];
  const commonPrefixes = [];
  let last = null;
  let isTruncated = false;
  for (const key of sortedKeys) {
    if (!key.startsWith(prefix)) continue;
    const at = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const entry = at < 0 ? key : key.slice(0, at + delimiter.length);
    // The keys of one common prefix are adjacent in key order.
    if (entry === last || (startAfter !== '' && utf8Compare(entry, startAfter) <= 0)) continue;
    if (keys.length + commonPrefixes.length >= maxKeys) {
      isTruncated = true;
      break;
    }
    (at < 0 ? keys : commonPrefixes).push(entry);
    last = entry;
  }
  return { keys, commonPrefixes, isTruncated, last };
}

/** Every key under `prefix` in the bucket's folder, in UTF-8 order. */
function keysUnder(store, bucket, prefix) {
  const bucketPath = store.getBucketPath(bucket);
  const prefixPath = `${bucketPath}/${FilesystemStore.encodeKeyPath(prefix)}`;
  // Folders that cannot hold a key under the prefix are not entered.
  const keys = [];
  for (const path of walk(bucketPath, (dir) => dir.startsWith(prefixPath) || prefixPath.startsWith(`${dir}/`))) {
    if (!path.endsWith(OBJECT_SUFFIX)) continue;
    const key = FilesystemStore.decodeKeyPath(path.slice(bucketPath.length + 1, -OBJECT_SUFFIX.length));
    if (key.startsWith(prefix)) keys.push(key);
  }
  return keys.sort(utf8Compare);
}

async function listObjects(bucket, options) {
  const page = listPage(keysUnder(this, bucket, options.prefix ?? ''), options);
  const objects = await Promise.all(
    page.keys.map((key) =>
      this.getMetadata(bucket, key).then(
        (metadata) => new S3Object(bucket, key, null, metadata),
        (error) => {
          if (error.code === 'ENOENT') return null; // deleted since the walk
          throw error;
        },
      ),
    ),
  );
  return { objects: objects.filter(Boolean), commonPrefixes: page.commonPrefixes, isTruncated: page.isTruncated, last: page.last };
}

// Opaque to clients, as S3's are; names the bucket so that a token is not taken to another one.
const continuationToken = (bucket, after) => Buffer.from(JSON.stringify({ bucket, after })).toString('base64');

function startAfterOf(ctx) {
  const token = ctx.query['continuation-token'];
  if (!token) return ctx.query['list-type'] === '2' ? ctx.query['start-after'] : ctx.query['marker'];
  let decoded = null;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    // answered below
  }
  if (decoded?.bucket !== ctx.params.bucket || typeof decoded.after !== 'string') {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  }
  return decoded.after;
}

function maxKeysOf(ctx) {
  const text = ctx.query['max-keys'];
  if (text === undefined) return MAX_KEYS_PER_PAGE;
  const maxKeys = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(maxKeys <= 2147483647)) {
    throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys', ArgumentValue: text });
  }
  return Math.min(MAX_KEYS_PER_PAGE, maxKeys);
}

/** GET Bucket, ListObjectsV2 (`list-type=2`) and the original ListObjects; the body as s3rver renders it. */
async function getBucket(ctx) {
  const v2 = ctx.query['list-type'] === '2';
  const prefix = ctx.query['prefix'] ?? '';
  const delimiter = ctx.query['delimiter'] ?? '';
  const startAfter = startAfterOf(ctx) ?? '';
  const result = await ctx.store.listObjects(ctx.params.bucket, { prefix, delimiter, startAfter, maxKeys: maxKeysOf(ctx) });
  const owner = !v2 || ctx.query['fetch-owner'] === 'true';
  ctx.body = {
    ListBucketResult: {
      '@': { xmlns: 'http://doc.s3.amazonaws.com/2006-03-01/' },
      Name: ctx.params.bucket,
      Prefix: prefix,
      ...(v2
        ? {
            StartAfter: ctx.query['start-after'] || undefined,
            ContinuationToken: ctx.query['continuation-token'] || undefined,
            NextContinuationToken: result.isTruncated ? continuationToken(ctx.params.bucket, result.last) : undefined,
            KeyCount: result.objects.length + result.commonPrefixes.length,
          }
        : { Marker: ctx.query['marker'] ?? '', NextMarker: delimiter && result.isTruncated ? result.last : undefined }),
      MaxKeys: ctx.query['max-keys'] || MAX_KEYS_PER_PAGE,
      Delimiter: delimiter || undefined,
      IsTruncated: result.isTruncated,
      Contents: result.objects.map((object) => ({
        Key: object.key,
        LastModified: object.lastModifiedDate.toISOString(),
        ETag: object.metadata['etag'],
        Size: object.size,
        Owner: owner ? { ID: DUMMY_ACCOUNT.id, DisplayName: DUMMY_ACCOUNT.displayName } : undefined,
        StorageClass: 'STANDARD',
      })),
      CommonPrefixes: result.commonPrefixes.map((p) => ({ Prefix: p })),
    },
  };
}

export function installS3Listing() {
  FilesystemStore.prototype.listObjects = listObjects;
  // s3rver's router calls the controller through its module exports on each request.
  bucketController.getBucket = getBucket;
}
