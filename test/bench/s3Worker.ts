/**
 * Benchmark child, the S3 twin of parseWorker.ts: reads `s3://` targets from an S3-compatible endpoint
 * with the real pipeline (S3 source → gunzip → lines → parseLine) into a null sink and prints the same
 * JSON line (counts, seconds, peak RSS), plus the objects listed. Run in its own process so its peak RSS
 * is the S3 source's and the parser's alone.
 *
 *   node bench/build/test/bench/s3Worker.js <entries|records> <endpoint-url> s3://bucket[/prefix] …
 *
 * Credentials come from the usual AWS variables, else s3rver's built-in S3RVER/S3RVER pair; the number
 * of concurrent downloads from ALB_DOCTOR_BENCH_S3_CONCURRENCY (default: the source's default).
 */
import { readInput } from '../../src/run.js';
import { openSources, type S3Listing } from '../../src/sources/index.js';
import { nullSink, printResult } from './nullSink.js';

const mode = process.argv[2]; // 'entries' (null sink) or 'records' (build every parse record, as `parse` does)
const endpointUrl = process.argv[3];
const targets = process.argv.slice(4);
if ((mode !== 'entries' && mode !== 'records') || !endpointUrl || targets.length === 0) {
  process.stderr.write('usage: s3Worker.ts <entries|records> <endpoint-url> s3://bucket[/prefix] …\n');
  process.exit(2);
}
const concurrency = process.env.ALB_DOCTOR_BENCH_S3_CONCURRENCY ? Number(process.env.ALB_DOCTOR_BENCH_S3_CONCURRENCY) : undefined;
const credentials = process.env.AWS_ACCESS_KEY_ID ? undefined : { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const sink = nullSink(mode);
let listedObjects = 0;
let listedBytes = 0;
const started = process.hrtime.bigint();
const stats = await readInput(
  openSources(targets, {
    stdin: process.stdin,
    endpointUrl,
    region: process.env.AWS_REGION ?? 'us-east-1',
    ...(concurrency !== undefined && { concurrency }),
    ...(credentials && { credentials }),
    onListed(listing: S3Listing) {
      listedObjects += listing.objects;
      listedBytes += listing.bytes;
    },
  }),
  sink.hooks,
);
printResult(stats, started, sink.touched(), { listedObjects, listedBytes });
