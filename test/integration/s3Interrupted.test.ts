/**
 * The server goes away in the middle of an object. Killed and back: the download resumes with a Range
 * request at the byte reached and the parser sees every line exactly once. Killed for good: the object is
 * reported unread with what was reached, the lines before the break count once, and the run ends normally.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSources, type SourceOptions } from '../../src/sources/index.js';
import { accessLogLine, accessLogObjects, dayFolder, keyStamp, type LoadBalancer, Rng, type SeedObject, writeBucket } from './albLogLayout.js';
import { readAll, type ReadResult } from './readAll.js';
import { S3RVER_CREDENTIALS, S3rverProcess } from './s3rverHarness.js';

const LB: LoadBalancer = { prefix: '', account: '123456789012', region: 'us-west-2', name: 'checkout', id: '3e8f0c2a9b7d6e51', nodes: ['172.31.7.70'] };
const START = Date.parse('2026-05-04T08:00:00Z');
/** Large enough (about 45 MB) that most of it is still on the server when it is killed, whatever the loopback socket buffers hold. */
const BIG_LINES = 120_000;

function bucket(): { objects: SeedObject[]; bigKey: string } {
  const rng = new Rng(42);
  const lines: string[] = [];
  for (let i = 0; i < BIG_LINES; i++) lines.push(accessLogLine(LB, START - 5 * 60_000 + Math.floor((i * 5 * 60_000) / BIG_LINES), rng));
  const bigKey = `${dayFolder(LB, START)}${LB.account}_elasticloadbalancing_${LB.region}_app.${LB.name}.${LB.id}_${keyStamp(START)}_${LB.nodes[0]}_bigbig01.log.gz`;
  // Stored (level 0) gzip: the bytes on the wire are as many as the plain text.
  const big = { key: bigKey, body: gzipSync(lines.join('\n') + '\n', { level: 0 }) };
  return { objects: [big, ...accessLogObjects(LB, { fromMs: START, toMs: START + 15 * 60_000, seed: 43, lines: [5, 9] })], bigKey };
}

let root = '';
let seedDir = '';
let bigName = '';
let server: S3rverProcess;
let local: ReadResult;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'alb-doctor-s3-cut-'));
  seedDir = join(root, 'seed');
  const { objects, bigKey } = bucket();
  bigName = `s3://cut/${bigKey}`;
  await writeBucket(seedDir, 'cut', objects);
  server = await S3rverProcess.start(join(root, 'data'), seedDir);
  local = await readAll(openSources([join(seedDir, 'cut')], { stdin: Readable.from([]) }), (n) => `s3:/${n.slice(seedDir.length)}`);
});

afterAll(async () => {
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

const options = (): SourceOptions => ({
  stdin: Readable.from([]),
  endpointUrl: server.endpoint,
  region: 'us-west-2',
  credentials: S3RVER_CREDENTIALS,
});

/** Reads s3://cut, running `interrupt` once, when 2 MB of the big object have been parsed. */
function readCut(interrupt: () => Promise<void>): Promise<ReadResult> {
  let done = false;
  return readAll(openSources(['s3://cut'], options()), (n) => n, async (stats, objectName) => {
    if (!done && objectName === bigName && stats.plainBytes > 2 * 1024 * 1024) {
      done = true;
      await interrupt();
    }
  });
}

describe('S3 source when the server goes away mid-object', () => {
  it('resumes at the byte reached once the server is back: every line once, as read locally', async () => {
    await server.clearRequests();
    const s3 = await readCut(() => server.restart());
    expect(s3.items).toEqual(local.items);
    expect(s3.stats).toEqual(local.stats);
    expect(s3.records).toEqual(local.records);
    // The restarted server saw the resumed request: a Range from where the first one broke off.
    const resumed = (await server.getObjectRequests()).filter((r) => `s3://${r.key}` === bigName);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed[0]!.range).toMatch(/^bytes=[1-9]\d*-$/);
  });

  it('reports the object unread when the server stays away, keeps the lines before the break once, and goes on', async () => {
    const s3 = await readCut(() => server.stop());
    const bigError = s3.raw.unread.find((e) => e.source === bigName);
    expect(bigError).toMatchObject({ code: 'S3_READ_FAILED' });
    expect(bigError!.message).toMatch(/broke off at byte [1-9]\d* of \d+/);
    // Every object is accounted for; any other failure is a download failure too.
    expect(s3.raw.files).toBe(local.raw.files);
    for (const error of s3.raw.unread) expect(error.code).toBe('S3_READ_FAILED');
    // The big object's records are the first part of its local records, none twice. The line the break
    // fell in is handed on as far as it got (readLog's choice): it may parse as an entry of an older,
    // shorter layout, so it is left out of the comparison.
    const big = (r: ReadResult): string[] => r.records.filter((line) => line.includes(`"_file":"${bigName}"`));
    const cut = big(s3);
    expect(cut.length).toBeGreaterThan(1000);
    expect(cut.length).toBeLessThan(BIG_LINES);
    expect(cut.slice(0, -1)).toEqual(big(local).slice(0, cut.length - 1));
    // The objects after it were prefetched before the server went away: the run went on with them.
    const after = (r: ReadResult): string[] => r.records.filter((line) => !line.includes(`"_file":"${bigName}"`));
    expect(after(s3)).toEqual(after(local));
  });
});
