/**
 * Overlapping s3:// targets against a real S3-compatible server (s3rver, in its own process): an object
 * that two targets both list is read once, and its second listing is a `duplicate` skip.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInput } from '../../src/run.js';
import { openSources } from '../../src/sources/index.js';
import { accessLogObjects, type LoadBalancer, type SeedObject, writeBucket } from './albLogLayout.js';
import { S3RVER_CREDENTIALS, S3rverProcess } from './s3rverHarness.js';

const LB: LoadBalancer = { prefix: 'prod/', account: '123456789012', region: 'eu-west-1', name: 'shop', id: '50dc6c495c0c9188', nodes: ['10.0.1.23', '10.0.2.34'] };
const FROM_MS = Date.parse('2026-03-01T10:00:00Z');

let root = '';
let server: S3rverProcess;
let objects: SeedObject[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'alb-doctor-s3dup-'));
  objects = accessLogObjects(LB, { fromMs: FROM_MS, toMs: FROM_MS + 30 * 60_000, seed: 5, lines: [2, 4] });
  await writeBucket(join(root, 'seed'), 'logs', objects);
  server = await S3rverProcess.start(join(root, 'data'), join(root, 'seed'));
});

afterAll(async () => {
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

async function read(targets: string[]) {
  const entries: string[] = [];
  const stats = await readInput(
    openSources(targets, { stdin: Readable.from([]), endpointUrl: server.endpoint, region: 'eu-west-1', credentials: S3RVER_CREDENTIALS }),
    {
      onEntry(entry, object, lineNumber) {
        entries.push(`${object.name}:${lineNumber}`);
      },
    },
  );
  return { entries, stats };
}

describe('overlapping S3 targets', () => {
  it('a prefix and a folder under it: every object once, the repeats skipped as duplicate', async () => {
    const once = await read(['s3://logs/prod']);
    expect(once.stats.files).toBe(objects.length);
    expect(once.stats.unread).toEqual([]);

    const twice = await read(['s3://logs/prod', `s3://logs/prod/AWSLogs/${LB.account}/`, 's3://logs/prod']);
    expect(twice.entries).toEqual(once.entries);
    expect(twice.stats.files).toBe(objects.length);
    expect(twice.stats.entries).toBe(once.stats.entries);
    expect(twice.stats.skippedByReason).toEqual({ duplicate: 2 * objects.length });
    expect(new Set(twice.stats.skipped.map((s) => s.name))).toEqual(new Set(objects.map((o) => `s3://logs/${o.key}`)));
  });
});
