import { describe, expect, it } from 'vitest';
import { chooseBucketMs, TimelineCounter } from '../../src/analyze/timeline.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-14T21:00:00Z');

describe('TimelineCounter', () => {
  it('cuts the window into 60 to 120 round buckets', () => {
    for (const spanMs of [10 * 60_000, HOUR, 6 * HOUR, 24 * HOUR, 7 * 24 * HOUR, 30 * 24 * HOUR]) {
      const counter = new TimelineCounter();
      for (let t = 0; t < spanMs; t += spanMs / 500) counter.add('g', T0 + t, 'requests');
      const timeline = counter.build(T0, T0 + spanMs, ['g']);
      const buckets = timeline.groups[0]!.requests.length;
      expect(buckets).toBeGreaterThanOrEqual(60);
      expect(buckets).toBeLessThanOrEqual(121);
      expect(timeline.groups[0]!.requests.reduce((a, b) => a + b, 0)).toBe(500);
      expect(timeline.startMs).toBeLessThanOrEqual(T0);
    }
  });

  it('keeps bounded memory over long ranges by merging buckets exactly', () => {
    const counter = new TimelineCounter();
    counter.add('g', T0, 'races');
    counter.add('g', T0 + 365 * 24 * HOUR, 'otherErrors');
    counter.add('g', T0 + 100 * 24 * HOUR, 'requests');
    expect((365 * 24 * HOUR) / counter.stepMs).toBeLessThanOrEqual(1200);
    const timeline = counter.build(T0, T0 + 366 * 24 * HOUR, ['g']);
    const g = timeline.groups[0]!;
    expect([g.requests, g.races, g.otherErrors].map((s) => s.reduce((a, b) => a + b, 0))).toEqual([1, 1, 1]);
  });

  it('gives every requested group a row, empty when it has no counts', () => {
    const timeline = new TimelineCounter().build(T0, T0 + HOUR, ['a', 'b']);
    expect(timeline.groups.map((g) => g.targetGroup)).toEqual(['a', 'b']);
    expect(timeline.groups[1]!.requests.every((n) => n === 0)).toBe(true);
  });

  it('picks round durations', () => {
    expect(chooseBucketMs(T0, T0 + 6 * HOUR, 1000)).toBe(3 * 60_000);
    expect(chooseBucketMs(T0, T0 + 24 * HOUR, 60_000)).toBe(15 * 60_000);
  });
});
