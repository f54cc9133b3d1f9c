/**
 * An s3rver in its own process, for the integration tests and the S3 benchmark, listing as S3 does
 * (s3rverListing.mjs). Plain JavaScript on a bare `node`:
 *
 *   node s3rverChild.mjs <data dir> <port|0> [<import dir>]
 *
 * `<import dir>/<bucket>/<key…>` files become buckets and objects before the server listens (through
 * s3rver's own store: thousands of PUTs over HTTP would only slow the tests down). Once listening, it
 * prints `{"port":N}` on stdout. Every request is recorded (method, URL, Range and x-amz-checksum-mode headers) and
 * served back at GET /__harness/requests; DELETE there clears the record. GET /__harness/cpu answers this
 * process's CPU time so far (process.cpuUsage(), µs), for the benchmark. Bucket names cannot contain `_`,
 * so those paths never shadow a bucket.
 */
import { createServer } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import { installS3Listing } from './s3rverListing.mjs';
import { withConditionalWrites } from './s3rverConditional.mjs';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');
const S3Object = require('s3rver/lib/models/object');

installS3Listing();

const [directory, portArg, importDir] = process.argv.slice(2);
if (!directory || portArg === undefined) {
  process.stderr.write('usage: s3rverChild.mjs <data dir> <port|0> [<import dir>]\n');
  process.exit(2);
}

// Started with an IPC channel by the harness: never outlive the test process.
process.on('disconnect', () => process.exit(0));

const app = new S3rver({ directory, silent: true, address: '127.0.0.1', port: Number(portArg) });

async function* walk(dir) {
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

if (importDir) {
  for (const bucket of await readdir(importDir)) {
    await app.store.putBucket(bucket);
    const pending = [];
    for await (const path of walk(join(importDir, bucket))) {
      const key = relative(join(importDir, bucket), path).split(sep).join('/');
      pending.push(readFile(path).then((content) => app.store.putObject(new S3Object(bucket, key, content, {}))));
      if (pending.length >= 32) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
  }
}

const requests = [];
// s3rver ignores If-None-Match and If-Match on PUT; S3 does not (s3rverConditional.mjs).
const handle = withConditionalWrites(app.callback(), app.store);
const server = createServer((req, res) => {
  if (req.url?.startsWith('/__harness/cpu')) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(process.cpuUsage()));
    return;
  }
  if (req.url?.startsWith('/__harness/requests')) {
    if (req.method === 'DELETE') requests.length = 0;
    res.setHeader('content-type', 'application/json');
    res.end(req.method === 'DELETE' ? '[]' : JSON.stringify(requests));
    return;
  }
  requests.push({ method: req.method, url: req.url, range: req.headers.range ?? null, checksumMode: req.headers['x-amz-checksum-mode'] ?? null });
  handle(req, res);
});
server.listen(Number(portArg), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
