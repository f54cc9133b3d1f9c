import { describe, expect, it } from 'vitest';
import { IdleGapHistogram } from '../../src/analyze/histogram.js';
import { exposureOf, fitKnownClose, knownCloseBands } from '../../src/analyze/knownCloses.js';

const ALB_IDLE_MS = 60_000;

/** `perGap` requests at each of `gapsMs`. */
function histogram(entries: [gapMs: number, count: number][]): IdleGapHistogram {
  const h = new IdleGapHistogram();
  for (const [gap, count] of entries) for (let i = 0; i < count; i++) h.addRequest(gap);
  return h;
}

/** A quiet service: 20,000 requests spread from 300 ms to 50 s, a handful of them near 6 s. */
function quiet(): IdleGapHistogram {
  const entries: [number, number][] = [];
  for (let gap = 300; gap < 50_000; gap *= 1.01) entries.push([gap, 50]);
  return histogram(entries);
}

describe('knownCloseBands', () => {
  it('has one band per default that races a 60 s ALB, Gunicorn late by up to 1 s, and other groups\' T̂', () => {
    const bands = knownCloseBands(ALB_IDLE_MS, [12.5, 6.001]);
    expect(bands.map((b) => b.closeSeconds)).toEqual([2, 4, 5, 6, 10, 12.5, 20, 30, 60]);
    const gunicorn = bands.find((b) => b.closeSeconds === 2)!;
    expect(gunicorn.servers).toContain('gunicorn');
    expect(gunicorn.toMs).toBeGreaterThan(3000);
    const node = bands.find((b) => b.closeSeconds === 6)!;
    expect(node.servers).toContain('nodejs');
    expect([node.fromMs, node.toMs]).toEqual([5991, 6032]);
    expect(knownCloseBands(30_000).map((b) => b.closeSeconds)).toEqual([2, 4, 5, 6, 10, 20, 30]);
  });
});

describe('fitKnownClose', () => {
  const bands = knownCloseBands(ALB_IDLE_MS);
  it('calls one race at a known close a likely race when its band saw little traffic', () => {
    const fit = fitKnownClose([6002.5], quiet(), bands, ALB_IDLE_MS);
    expect(fit.method).toBe('known-close');
    expect(fit.estimate.confidence).toBe('low');
    expect(fit.estimate.estimatedSeconds).toBeCloseTo(6.0025, 3);
    expect(fit.pValue).toBeLessThan(0.01);
    expect(fit.raceGapRangeMs).toEqual([5991, 6032]);
  });

  it('does not, when many stray 502s make one in a band unremarkable', () => {
    const strays = Array.from({ length: 40 }, (_, i) => 400 * 1.1 ** i);
    expect(fitKnownClose([6002.5, ...strays], quiet(), bands, ALB_IDLE_MS).method).toBeUndefined();
  });

  it('does not, when the band is where most requests reuse a connection (a 6 s poller)', () => {
    const h = quiet();
    for (let i = 0; i < 20_000; i++) h.addRequest(6010);
    expect(fitKnownClose([6010], h, bands, ALB_IDLE_MS).method).toBeUndefined();
  });

  it('ignores a 502 between known closes', () => {
    expect(fitKnownClose([7300], quiet(), bands, ALB_IDLE_MS).method).toBeUndefined();
  });

  it('puts a late closer\'s T̂ at its default (one race cannot place the onset of [2 s, 3 s])', () => {
    // Few requests reuse connections idle 2–3 s here (a wide band is weak evidence where many do).
    const entries: [number, number][] = [[2500, 20]];
    for (let gap = 300; gap < 50_000; gap *= 1.01) if (gap < 1900 || gap > 3100) entries.push([gap, 50]);
    const fit = fitKnownClose([2600, 2710], histogram(entries), bands, ALB_IDLE_MS);
    expect(fit.method).toBe('known-close');
    expect(fit.estimate.estimatedSeconds).toBe(2);
    expect(fit.estimate.highSeconds).toBe(2.71);
  });
});

describe('exposureOf', () => {
  it('counts requests in each band per day, and the races a target closing there would cause', () => {
    const h = histogram([[5000, 40], [6010, 10], [59_990, 4], [60_100, 100]]);
    const exposure = exposureOf(h, knownCloseBands(ALB_IDLE_MS), ALB_IDLE_MS, 12 * 3_600_000);
    const at = (s: number) => exposure.find((e) => e.closeSeconds === s)!;
    expect(at(6).requestsPerDay).toBeGreaterThan(0);
    expect(at(6).expectedRacesPerDay).toBeCloseTo((at(6).requestsPerDay * 5) / 41, 2);
    // Past the ALB idle timeout the ALB has closed the connection itself: those requests cannot race.
    expect(at(60).requests).toBeLessThan(10);
    expect(at(30).requests).toBe(0);
  });
});
