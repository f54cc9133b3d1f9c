import { describe, expect, it } from 'vitest';
import { RaceExposure, type ExposureBin } from '../../src/analyze/raceExposure.js';
import { detectRaceChange } from '../../src/analyze/raceChange.js';

const MINUTE = 60_000;
const bins = (races: number[], exposed = 100): ExposureBin[] => races.map((r, i) => ({ startMs: i * 10 * MINUTE, requests: 1000, exposed, races: r }));

describe('detectRaceChange', () => {
  it('finds races that stopped, with the exact chance of so quiet a tail', () => {
    const change = detectRaceChange(bins([3, 2, 4, 1, 3, 2, 3, 2, 0, 0, 0, 0, 0, 0, 0, 0]), 0, 160 * MINUTE);
    expect(change?.verdict).toBe('stopped');
    expect(change!.atMs).toBe(80 * MINUTE);
    // 20 races, half the exposure after the last: 2 · (1/2)^20.
    expect(change!.pValue).toBeCloseTo(2 * 0.5 ** 20, 15);
    expect(change!.before).toEqual({ races: 20, requests: 8000, exposedRequests: 800 });
    expect(change!.after).toEqual({ races: 0, requests: 8000, exposedRequests: 800 });
    expect(change!.expectedRaces).toBeCloseTo(20, 10);
  });

  it('finds races that started', () => {
    const change = detectRaceChange(bins([0, 0, 0, 0, 0, 0, 2, 3, 4, 3, 2, 4, 3, 2]), 0, 140 * MINUTE);
    expect(change?.verdict).toBe('started');
    expect(change!.atMs).toBe(60 * MINUTE);
    expect(change!.before.races).toBe(0);
  });

  it('says nothing of steady races, nor of a quiet tail that little exposure explains', () => {
    expect(detectRaceChange(bins([1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1]), 0, 120 * MINUTE)).toBeNull();
    // The same quiet hours, but they saw almost no idle reuse: nothing was expected there.
    const quietNight = bins([3, 2, 4, 1, 3, 2, 3, 2, 0, 0, 0, 0]).map((b, i) => (i >= 8 ? { ...b, exposed: 1 } : b));
    expect(detectRaceChange(quietNight, 0, 120 * MINUTE)).toBeNull();
    expect(detectRaceChange(bins([0, 0, 0]), 0, 30 * MINUTE)).toBeNull();
  });
});

describe('RaceExposure', () => {
  it('gives the same state however the additions are split and merged', () => {
    const adds: [string, number, number][] = [];
    for (let i = 0; i < 400; i++) adds.push([i % 3 === 0 ? 'b' : 'a', i * 97_000, 300 + ((i * 7919) % 9000)]);
    const single = new RaceExposure();
    for (const [arn, t, gap] of adds) {
      single.addRequest(arn, t);
      single.addGap(arn, t, gap);
    }
    const parts = [new RaceExposure(), new RaceExposure()];
    adds.forEach(([arn, t, gap], i) => {
      parts[i % 2]!.addRequest(arn, t);
      parts[i % 2]!.addGap(arn, t, gap);
    });
    for (const [x, y] of [[0, 1], [1, 0]] as const) {
      const merged = RaceExposure.fromState(JSON.parse(JSON.stringify(parts[x]!.toState())));
      merged.addState(JSON.parse(JSON.stringify(parts[y]!.toState())));
      expect(JSON.stringify(merged.toState())).toBe(JSON.stringify(single.toState()));
    }
    // 400 × 97 s is about 10.8 h: 5-minute bins keep it under 200.
    expect(single.stepMs).toBe(5 * MINUTE);
  });

  it('counts as exposed the gaps in the buckets that overlap the band', () => {
    const exposure = new RaceExposure();
    for (const gap of [100, 5990, 6001, 6010, 6500, 20_000]) exposure.addGap('a', 0, gap);
    exposure.addRequest('a', 0);
    const [bin] = exposure.binsOf('a', 5995, 6015);
    expect(bin!.requests).toBe(1);
    // 5990–6010 share the band's buckets (2.2 % wide); 100 ms is never kept, 6.5 s and 20 s are outside.
    expect(bin!.exposed).toBe(3);
  });
});
