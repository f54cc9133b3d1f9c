/**
 * S3's conditional writes for s3rver, which ignores If-None-Match and If-Match on PUT and would let the
 * tests pass against a server that cannot fail them. Semantics as S3 documents them
 * (docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
 *
 * - `If-None-Match: *` writes only if the key does not exist, else 412 PreconditionFailed;
 * - `If-Match: <etag>` writes only if the key exists with that ETag: 412 PreconditionFailed on another ETag,
 *   404 NoSuchKey when there is no such key.
 *
 * S3 answers 409 ConditionalRequestConflict to a conditional write that overlaps another on the same key;
 * here conditional PUTs to one key are served one at a time instead, so the later one sees the earlier
 * one's object and gets the 412 it would get from S3 a moment later. Either way exactly one write wins.
 *
 *   const handle = withConditionalWrites(app.callback(), app.store);
 */

const tails = new Map(); // `bucket/key` → the promise the next conditional PUT to it waits for

/** `/bucket/key…` → { bucket, key } for a PutObject request (not a bucket PUT, an upload part or a copy). */
function putObjectTarget(req) {
  if (req.method !== 'PUT' || req.headers['x-amz-copy-source'] !== undefined) return null;
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.searchParams.has('uploadId') || url.searchParams.has('partNumber')) return null;
  const [, bucket, ...rest] = url.pathname.split('/');
  const key = rest.map(decodeURIComponent).join('/');
  return bucket && key ? { bucket: decodeURIComponent(bucket), key } : null;
}

/** An S3 error document; the request body is read first, so the client sees the answer and not a reset. */
function fail(req, res, status, code, message, condition) {
  if (!req.readableEnded) {
    req.resume();
    req.once('end', () => fail(req, res, status, code, message, condition));
    return;
  }
  res.statusCode = status;
  res.setHeader('content-type', 'application/xml');
  res.end(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${code}</Code><Message>${message}</Message>` +
      (condition ? `<Condition>${condition}</Condition>` : '') +
      '<RequestId>s3rver-conditional</RequestId></Error>',
  );
}

/** Wraps s3rver's request handler; `store` is its store (app.store). */
export function withConditionalWrites(handle, store) {
  return (req, res) => {
    const target = putObjectTarget(req);
    const ifNoneMatch = req.headers['if-none-match'];
    const ifMatch = req.headers['if-match'];
    if (!target || (ifNoneMatch === undefined && ifMatch === undefined)) return handle(req, res);

    const id = `${target.bucket}/${target.key}`;
    const before = tails.get(id) ?? Promise.resolve();
    let release;
    const done = new Promise((resolve) => (release = resolve));
    tails.set(id, before.then(() => done));
    res.once('close', () => {
      release();
      if (tails.get(id) === done) tails.delete(id);
    });

    before.then(async () => {
      try {
        if (ifNoneMatch !== undefined && ifMatch !== undefined) {
          return fail(req, res, 501, 'NotImplemented', 'A header you provided implies functionality that is not implemented');
        }
        const exists = await store.existsObject(target.bucket, target.key);
        if (ifNoneMatch !== undefined) {
          if (ifNoneMatch.trim() !== '*') return fail(req, res, 501, 'NotImplemented', 'If-None-Match only accepts *');
          if (exists) return fail(req, res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 'If-None-Match');
        } else {
          if (!exists) return fail(req, res, 404, 'NoSuchKey', 'The specified key does not exist.');
          const { etag } = await store.getMetadata(target.bucket, target.key);
          const stored = String(etag).replace(/"/g, '');
          const wanted = ifMatch.split(',').map((e) => e.trim().replace(/^W\//, '').replace(/"/g, ''));
          if (!wanted.includes(stored) && !wanted.includes('*')) {
            return fail(req, res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 'If-Match');
          }
        }
        handle(req, res);
      } catch (error) {
        fail(req, res, 500, 'InternalError', String(error?.message ?? error));
      }
    });
  };
}
