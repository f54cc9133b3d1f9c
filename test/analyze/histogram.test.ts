import { describe, expect, it } from 'vitest';
import { IDLE_BUCKET_COUNT, IDLE_BUCKET_EDGES_MS, IdleGapHistogram, bucketFromMs, bucketToMs, idleBucketIndex } from '../../src/analyze/histogram.js';

describe('idle-gap buckets', () => {
  it('are fixed, strictly increasing edges from 0 with one open bucket at the end', () => {
    expect(IDLE_BUCKET_EDGES_MS[0]).toBe(0);
    for (let i = 1; i < IDLE_BUCKET_COUNT; i++) expect(IDLE_BUCKET_EDGES_MS[i]!).toBeGreaterThan(IDLE_BUCKET_EDGES_MS[i - 1]!);
    expect(bucketToMs(IDLE_BUCKET_COUNT - 1)).toBeNull();
    expect(bucketFromMs(IDLE_BUCKET_COUNT - 1)).toBeGreaterThanOrEqual(4_000_000); // the ALB's largest idle timeout is 4000 s
  });

  it('are at most 2.4 % wide between 500 ms and 128 s, so a ±5 % estimate is resolved around 2, 6 and 60 s', () => {
    for (let i = 0; i < IDLE_BUCKET_COUNT - 1; i++) {
      const from = bucketFromMs(i);
      if (from < 500 || from >= 128_000) continue;
      expect((bucketToMs(i)! - from) / from).toBeLessThan(0.024);
    }
  });

  const cases: [name: string, gapMs: number, expectedFromMs: number][] = [
    ['a negative gap (clock rounding)', -3, 0],
    ['zero', 0, 0],
    ['just under 1 ms', 0.999, 0],
    ['exactly on an edge', 1, 1],
    ['Node races (6 s)', 6000, 5907],
    ['Gunicorn (2 s)', 2000, 2000],
    ['the ALB default (60 s)', 60_000, 59_973],
    ['beyond the ALB maximum', 10_000_000, 4_096_000],
  ];
  it.each(cases)('puts %s in the bucket that holds it', (_name, gapMs, expectedFromMs) => {
    const i = idleBucketIndex(gapMs);
    expect(bucketFromMs(i)).toBe(expectedFromMs);
    if (gapMs >= 0) {
      expect(gapMs).toBeGreaterThanOrEqual(bucketFromMs(i));
      const to = bucketToMs(i);
      if (to !== null) expect(gapMs).toBeLessThan(to);
    }
  });
});

describe('IdleGapHistogram', () => {
  it('merges by adding counts', () => {
    const a = new IdleGapHistogram();
    const b = new IdleGapHistogram();
    a.addRequest(6000);
    b.addRequest(6001);
    b.addRace(6001);
    a.merge(b);
    expect(a.totalRequests).toBe(2);
    const bucket = a.toBuckets().find((x) => x.fromMs <= 6000 && (x.toMs ?? Infinity) > 6000)!;
    expect(bucket).toMatchObject({ requests: 2, races: 1 });
  });

  it('lists buckets from the first to the last one used, without holes', () => {
    const h = new IdleGapHistogram();
    expect(h.toBuckets()).toEqual([]);
    h.addRequest(15);
    h.addRequest(2500);
    const buckets = h.toBuckets();
    expect(buckets[0]!.fromMs).toBe(10);
    expect(buckets.at(-1)!.toMs).toBeGreaterThan(2500);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.fromMs).toBe(buckets[i - 1]!.toMs);
    expect(buckets.reduce((n, x) => n + x.requests, 0)).toBe(2);
  });

  it('counts requests in a range, prorating the buckets at its ends', () => {
    const h = new IdleGapHistogram();
    for (let i = 0; i < 100; i++) h.addRequest(6000); // bucket [5907, 6037)
    expect(h.requestsBetween(5907, 6037)).toBeCloseTo(100);
    expect(h.requestsBetween(5907, 5972)).toBeCloseTo(50);
    expect(h.requestsBetween(7000, 8000)).toBe(0);
    expect(h.requestsBetween(8000, 7000)).toBe(0);
  });
});
