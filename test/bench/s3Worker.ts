/**
 * Benchmark child, the S3 twin of parseWorker.ts: reads `s3://` targets from an S3-compatible endpoint
 * with the real pipeline (S3 source → gunzip → lines → parseLine) into a null sink and prints the same
 * JSON line (counts, seconds, CPU, peak RSS), plus the objects listed; `download` only fetches the stored
 * bytes and prints their count. Run in its own process so its peak RSS is the S3 source's and the
 * parser's alone.
 *
 *   node bench/build/test/bench/s3Worker.js <entries|records|download> <endpoint-url> s3://bucket[/prefix] …
 *
 * Credentials come from the usual AWS variables, else s3rver's built-in S3RVER/S3RVER pair; the number
 * of concurrent downloads from ALB_DOCTOR_BENCH_S3_CONCURRENCY (default: the source's default);
 * ALB_DOCTOR_BENCH_S3_THIS_THREAD=1 runs the S3 client on the parser's thread instead of its own.
 */
import { readInput } from '../../src/run.js';
import { openSources, type S3Listing, type SourceOptions } from '../../src/sources/index.js';
import { nullSink, printResult, usage } from './nullSink.js';

// 'entries' (null sink), 'records' (build every parse record, as `parse` does), or 'download': the stored
// bytes only, neither gunzipped nor parsed, to show what the transport alone costs.
const mode = process.argv[2];
const endpointUrl = process.argv[3];
const targets = process.argv.slice(4);
if ((mode !== 'entries' && mode !== 'records' && mode !== 'download') || !endpointUrl || targets.length === 0) {
  process.stderr.write('usage: s3Worker.js <entries|records|download> <endpoint-url> s3://bucket[/prefix] …\n');
  process.exit(2);
}
const concurrency = process.env.ALB_DOCTOR_BENCH_S3_CONCURRENCY ? Number(process.env.ALB_DOCTOR_BENCH_S3_CONCURRENCY) : undefined;
const credentials = process.env.AWS_ACCESS_KEY_ID ? undefined : { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let listedObjects = 0;
let listedBytes = 0;
const options: SourceOptions = {
  stdin: process.stdin,
  endpointUrl,
  region: process.env.AWS_REGION ?? 'us-east-1',
  ...(concurrency !== undefined && { concurrency }),
  ...(credentials && { credentials }),
  // For the reference run: the S3 client on the parser's thread instead of its own.
  s3OnThisThread: process.env.ALB_DOCTOR_BENCH_S3_THIS_THREAD === '1',
  onListed(listing: S3Listing) {
    listedObjects += listing.objects;
    listedBytes += listing.bytes;
  },
};
const started = process.hrtime.bigint();
if (mode === 'download') {
  let storedBytes = 0;
  let objects = 0;
  for await (const item of openSources(targets, options)) {
    if (item.kind !== 'log') continue;
    objects++;
    for await (const chunk of item.open()) storedBytes += (chunk as Buffer).length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, objects, storedBytes, listedObjects, listedBytes, ...usage() }) + '\n');
} else {
  const sink = nullSink(mode);
  const stats = await readInput(openSources(targets, options), sink.hooks);
  printResult(stats, started, sink.touched(), { listedObjects, listedBytes });
}
