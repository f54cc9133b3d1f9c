import { describe, expect, it } from 'vitest';
import { IdleGapHistogram } from '../../src/analyze/histogram.js';
import { fitKeepAlive, isKeepAliveGap, poissonTail } from '../../src/analyze/keepalive.js';

/** Deterministic uniform numbers in [0, 1) (a test needs no better than an LCG). */
function uniforms(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** Requests spread log-uniformly over [1 ms, 100 s]: a busy group's idle gaps, roughly. */
function background(count: number, seed = 1): IdleGapHistogram {
  const next = uniforms(seed);
  const h = new IdleGapHistogram();
  for (let i = 0; i < count; i++) h.addRequest(10 ** (5 * next()));
  return h;
}

const logUniform = (n: number, fromMs: number, toMs: number, seed: number): number[] => {
  const next = uniforms(seed);
  return Array.from({ length: n }, () => fromMs * (toMs / fromMs) ** next());
};
const uniform = (n: number, fromMs: number, toMs: number, seed: number): number[] => {
  const next = uniforms(seed);
  return Array.from({ length: n }, () => fromMs + (toMs - fromMs) * next());
};

const ALB_IDLE_MS = 60_000;

describe('fitKeepAlive', () => {
  it('finds a Node spike at 6 s among stray closes', () => {
    const races = uniform(20, 5999, 6006, 2);
    const strays = logUniform(30, 300, 50_000, 3);
    const fit = fitKeepAlive([...races, ...strays], background(50_000), ALB_IDLE_MS);
    expect(fit.estimate.confidence).toBe('high');
    expect(fit.estimate.estimatedSeconds!).toBeGreaterThan(5.95);
    expect(fit.estimate.estimatedSeconds!).toBeLessThan(6.01);
    expect(races.every((g) => isKeepAliveGap(g, fit))).toBe(true);
    expect(strays.filter((g) => isKeepAliveGap(g, fit))).toHaveLength(0);
  });

  it('puts a late-closing server at the onset of its spread (Gunicorn, [2 s, 3 s])', () => {
    for (const seed of [4, 5, 6]) {
      const races = uniform(25, 2000, 3000, seed);
      const fit = fitKeepAlive(races, background(50_000), ALB_IDLE_MS);
      // T̂ sits between the true close (2 s) and the lowest race, never below that race by more than its
      // measurement error (0.1 % + 3 ms): 25 races over a second leave the lowest tens of ms above T.
      const lowestSeconds = Math.min(...races) / 1000;
      expect(fit.estimate.estimatedSeconds!).toBeGreaterThanOrEqual(2 - 0.005);
      expect(fit.estimate.estimatedSeconds!).toBeLessThanOrEqual(lowestSeconds);
      expect(fit.estimate.estimatedSeconds!).toBeGreaterThanOrEqual(lowestSeconds * 0.999 - 0.003 - 0.0005);
      expect(fit.estimate.lowSeconds!).toBeLessThan(fit.estimate.estimatedSeconds!);
      expect(fit.estimate.highSeconds!).toBeGreaterThan(2.8);
      expect(races.every((g) => isKeepAliveGap(g, fit))).toBe(true);
    }
  });

  it('keeps T̂ within the measurement error of the lowest race of a sparse late-closing band', () => {
    // Ten races of a late closer spread over [2.05 s, 2.9 s]: the edge correction alone would put T̂ near 1.9 s.
    const races = [2050, 2130, 2210, 2290, 2370, 2450, 2530, 2610, 2750, 2900];
    const fit = fitKeepAlive(races, background(50_000), ALB_IDLE_MS);
    expect(fit.estimate.estimatedSeconds!).toBeGreaterThanOrEqual(2.05 * 0.999 - 0.003 - 0.0005);
    expect(fit.estimate.estimatedSeconds!).toBeLessThanOrEqual(2.05);
    expect(races.every((g) => isKeepAliveGap(g, fit))).toBe(true);
  });

  it('holds when an oldest-first pool leaves races below T (gaps only bound the age)', () => {
    const spike = uniform(20, 5999, 6004, 7);
    const below = logUniform(12, 1200, 5000, 8);
    const fit = fitKeepAlive([...spike, ...below], background(50_000), ALB_IDLE_MS);
    expect(fit.estimate.estimatedSeconds!).toBeGreaterThan(5.95);
    expect(fit.estimate.estimatedSeconds!).toBeLessThan(6.01);
  });

  it('sees no keep-alive signature in closes that fall like requests', () => {
    const next = uniforms(9);
    const h = new IdleGapHistogram();
    const gaps: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const gap = 10 ** (5 * next());
      h.addRequest(gap);
      if (i % 500 === 0) gaps.push(gap); // one request in 500 hits a closed connection
    }
    expect(fitKeepAlive(gaps, h, ALB_IDLE_MS).estimate.confidence).toBe('none');
  });

  it('needs at least two races in the band', () => {
    expect(fitKeepAlive([], background(1000), ALB_IDLE_MS).raceGapRangeMs).toBeNull();
    expect(fitKeepAlive([6000], background(1000), ALB_IDLE_MS).estimate.estimatedSeconds).toBeNull();
    const two = fitKeepAlive([6000.2, 6001.1], background(50_000), ALB_IDLE_MS);
    expect(two.estimate.confidence).toBe('low');
  });

  it('ignores gaps shorter than any keep-alive and longer than the ALB keeps connections', () => {
    const fit = fitKeepAlive([5, 6, 7, 8, 200_000, 200_001, 200_002], background(50_000), ALB_IDLE_MS);
    expect(fit.estimate.confidence).toBe('none');
  });

  it('finds a server tied with the ALB idle timeout (60 s)', () => {
    const fit = fitKeepAlive(uniform(6, 59_999, 60_008, 10), background(50_000), ALB_IDLE_MS);
    expect(fit.estimate.estimatedSeconds!).toBeCloseTo(60, 0);
  });
});

describe('poissonTail', () => {
  it('is P(X ≥ k) for a Poisson count', () => {
    expect(poissonTail(0, 3)).toBe(1);
    expect(poissonTail(1, 0.5)).toBeCloseTo(1 - Math.exp(-0.5), 10);
    expect(poissonTail(2, 0.01)).toBeCloseTo(1 - Math.exp(-0.01) * 1.01, 12);
    expect(poissonTail(50, 1)).toBeGreaterThan(0);
    expect(poissonTail(50, 1)).toBeLessThan(1e-60);
    expect(poissonTail(3, 0)).toBe(0);
  });
});
