/**
 * The report store against s3rver through the real S3 client: keys, gzip JSON that round-trips byte for
 * byte, listings by window end, and the conditional writes that keep two runs from corrupting a state or
 * moving latest.json back in time.
 */
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { saveWindowRecord, updateLatest, WINDOW_RECORD_KIND, type WindowRecord } from '../../src/lambda/records.js';
import { ReportStore } from '../../src/lambda/stateStore.js';
import { s3rverWithBucket } from '../integration/s3rverBucket.js';

const at = (iso: string): number => Date.parse(iso);
const Bucket = 'reports';
const s3 = s3rverWithBucket('alb-doctor-store-', Bucket);

const record = (endIso: string, names: string[]): WindowRecord<{ window: { fromMs: number; toMs: number }; input: { files: { name: string; etag: string }[] } }> => {
  const toMs = at(endIso);
  const files = names.map((name) => ({ name, etag: `etag-${name}` }));
  return { kind: WINDOW_RECORD_KIND, version: 1, window: { fromMs: toMs - 3_600_000, toMs }, files, state: { window: { fromMs: toMs - 3_600_000, toMs }, input: { files } } };
};

describe('keys', () => {
  const store = new ReportStore(s3.client, Bucket, 'prod/');
  it.each([
    ['state', '2026-03-01T10:00:00Z', undefined, 'prod/state/2026/03/01/1000.json.gz'],
    ['state', '2026-03-02T00:00:00Z', undefined, 'prod/state/2026/03/02/0000.json.gz'],
    ['reports', '2026-03-01T10:00:00Z', undefined, 'prod/reports/2026/03/01/1000.json'],
    ['reports', '2026-03-01T10:00:00Z', '.md', 'prod/reports/2026/03/01/1000.md'],
    ['alerts', '2026-12-31T23:45:00Z', undefined, 'prod/alerts/2026/12/31/2345.json'],
  ] as const)('%s at %s (%s)', (kind, time, extension, key) => {
    expect(store.key(kind, at(time), extension)).toBe(key);
  });

  it('keeps latest.json at the top of the prefix, or of the bucket', () => {
    expect(store.latestKey).toBe('prod/latest.json');
    expect(new ReportStore(s3.client, Bucket, '').latestKey).toBe('latest.json');
  });
});

describe('gzip JSON', () => {
  it('writes a gzip object that reads back as the value, the same bytes each time', async () => {
    const store = new ReportStore(s3.client, Bucket, 'gz/');
    const key = store.key('state', at('2026-03-01T10:00:00Z'));
    const value = record('2026-03-01T10:00:00Z', ['a', 'b']);
    const first = await store.putJson(key, value, 'unconditional');
    const raw = Buffer.from(await (await s3.client.send(new GetObjectCommand({ Bucket, Key: key }))).Body!.transformToByteArray());
    expect(raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(JSON.parse(gunzipSync(raw).toString())).toEqual(value);
    expect((await store.getJson(key))!.value).toEqual(value);
    const second = await store.putJson(key, value, 'unconditional');
    // Same bytes, same MD5 ETag: a re-run rewrites identical objects.
    expect(second).toEqual(first);
  });

  it('answers null for a key deleted after listing, and lists states by window end within a span', async () => {
    const store = new ReportStore(s3.client, Bucket, 'list/');
    for (const end of ['2026-02-28T23:00:00Z', '2026-03-01T00:00:00Z', '2026-03-01T05:00:00Z', '2026-03-02T00:00:00Z']) {
      await store.putJson(store.key('state', at(end)), record(end, []), 'unconditional');
    }
    await store.putJson(`${store.prefix}state/2026/03/01/notes.json`, {}, 'unconditional');
    const found = await store.listWindows('state', at('2026-03-01T00:00:00Z'), at('2026-03-01T23:00:00Z'));
    expect([...found.keys()].map((ms) => new Date(ms).toISOString())).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-01T05:00:00.000Z']);
    expect(await store.get(`${store.prefix}state/never-written.json.gz`)).toBeNull();
  });
});

describe('conditional writes', () => {
  it('creates once: a second create of the same key is refused, not applied', async () => {
    const store = new ReportStore(s3.client, Bucket, 'create/');
    const key = store.key('state', at('2026-03-01T10:00:00Z'));
    expect((await store.putJson(key, { n: 1 }, { ifNoneMatch: '*' })).written).toBe(true);
    expect(await store.putJson(key, { n: 2 }, { ifNoneMatch: '*' })).toEqual({ written: false, reason: 'precondition-failed' });
    expect((await store.getJson(key))!.value).toEqual({ n: 1 });
  });

  it('replaces only the version read', async () => {
    const store = new ReportStore(s3.client, Bucket, 'replace/');
    const key = store.key('state', at('2026-03-01T10:00:00Z'));
    const v1 = await store.putJson(key, { n: 1 }, { ifNoneMatch: '*' });
    const v2 = await store.putJson(key, { n: 2 }, { ifMatch: (v1 as { etag: string }).etag });
    expect(v2.written).toBe(true);
    expect(await store.putJson(key, { n: 3 }, { ifMatch: (v1 as { etag: string }).etag })).toEqual({ written: false, reason: 'precondition-failed' });
    expect(await store.putJson(store.key('state', at('2026-03-01T11:00:00Z')), { n: 1 }, { ifMatch: 'abc' })).toEqual({ written: false, reason: 'gone' });
  });

  it('of two runs saving one window at once, keeps the record that read more, whichever wrote first', async () => {
    const store = new ReportStore(s3.client, Bucket, 'race/');
    const key = store.key('state', at('2026-03-01T10:00:00Z'));
    const fewer = record('2026-03-01T10:00:00Z', ['a']);
    const more = record('2026-03-01T10:00:00Z', ['a', 'late']);
    const [one, two] = await Promise.all([saveWindowRecord(store, key, fewer, undefined), saveWindowRecord(store, key, more, undefined)]);
    expect((await store.getJson(key))!.value).toEqual(more);
    expect([one.record, two.record]).toContainEqual(more);
    // A run that read less later on does not undo it.
    const again = await saveWindowRecord(store, key, fewer, undefined);
    expect(again).toMatchObject({ written: false, record: more });
  });

  it('moves latest.json forward only: an older window leaves it alone, the same window rewrites it', async () => {
    const store = new ReportStore(s3.client, Bucket, 'latest/');
    expect(await updateLatest(store, '{"end":"10:00"}', at('2026-03-01T10:00:00Z'))).toBe(true);
    expect(await updateLatest(store, '{"end":"11:00"}', at('2026-03-01T11:00:00Z'))).toBe(true);
    expect(await updateLatest(store, '{"end":"09:00"}', at('2026-03-01T09:00:00Z'))).toBe(false);
    expect(await updateLatest(store, '{"end":"11:00"}', at('2026-03-01T11:00:00Z'))).toBe(true);
    const latest = await store.get(store.latestKey);
    expect(latest!.body.toString()).toBe('{"end":"11:00"}');
    expect(latest!.metadata['window-end']).toBe('2026-03-01T11:00:00.000Z');
  });

  it('of runs for different windows racing on latest.json, the newest window wins', async () => {
    const store = new ReportStore(s3.client, Bucket, 'latest-race/');
    const ends = ['2026-03-01T08:00:00Z', '2026-03-01T12:00:00Z', '2026-03-01T10:00:00Z'];
    await Promise.all(ends.map((end) => updateLatest(store, JSON.stringify({ end }), at(end))));
    expect(JSON.parse((await store.get(store.latestKey))!.body.toString())).toEqual({ end: '2026-03-01T12:00:00Z' });
  });
});
