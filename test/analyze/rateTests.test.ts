import { describe, expect, it } from 'vitest';
import { binomialCdf, binomialTwoSided, clopperPearson, compareRates, powerToHalve } from '../../src/analyze/rateTests.js';
import { verdictOf } from '../../src/analyze/compare.js';

// Checked against closed forms: for 0 of n the upper end is 1 − (α/2)^(1/n); otherwise each end solves
// its defining tail equation, summed here term by term with exact binomial coefficients.
const choose = (n: number, k: number): number => {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
};
const cdf = (x: number, n: number, p: number): number => {
  let sum = 0;
  for (let k = 0; k <= x; k++) sum += choose(n, k) * p ** k * (1 - p) ** (n - k);
  return sum;
};

describe('exact binomial pieces', () => {
  it('Clopper–Pearson for 0 and n of n has the closed form', () => {
    for (const n of [1, 10, 21, 200]) {
      expect(clopperPearson(0, n)[0]).toBe(0);
      expect(clopperPearson(0, n)[1]).toBeCloseTo(1 - 0.025 ** (1 / n), 10);
      expect(clopperPearson(n, n)[0]).toBeCloseTo(0.025 ** (1 / n), 10);
      expect(clopperPearson(n, n)[1]).toBe(1);
    }
  });

  it.each([
    [5, 10],
    [1, 20],
    [30, 100],
    [2, 22],
  ])('Clopper–Pearson for %i of %i solves both tail equations', (x, n) => {
    const [low, high] = clopperPearson(x, n);
    expect(cdf(x, n, high)).toBeCloseTo(0.025, 9);
    expect(1 - cdf(x - 1, n, low)).toBeCloseTo(0.025, 9);
  });

  it('gives the textbook interval for 5 of 10 (R binom.test: 0.1871–0.8129)', () => {
    const [low, high] = clopperPearson(5, 10);
    expect(low).toBeCloseTo(0.1871, 4);
    expect(high).toBeCloseTo(0.8129, 4);
  });

  it('sums binomial tails exactly', () => {
    expect(binomialCdf(3, 10, 0.5)).toBeCloseTo(176 / 1024, 12);
    expect(binomialCdf(0, 21, 0.5)).toBeCloseTo(0.5 ** 21, 15);
    expect(binomialTwoSided(0, 21, 0.5)).toBeCloseTo(2 * 0.5 ** 21, 15);
  });
});

describe('compareRates (conditional test of two Poisson rates)', () => {
  it('is the binomial test on the races after, given all of them: 2 after and 20 before on equal exposure', () => {
    const r = compareRates(20, 1000, 2, 1000);
    expect(r.estimate).toBeCloseTo(0.1, 10);
    // Under equal rates the 22 races split like fair coins: twice P(X ≤ 2) = 2 · (1 + 22 + 231) / 2^22.
    expect(r.pValue).toBeCloseTo((2 * (1 + 22 + 231)) / 2 ** 22, 12);
    // The interval is the proportion's, as odds (equal exposure).
    const [low, high] = clopperPearson(2, 22);
    expect(r.low!).toBeCloseTo(low / (1 - low), 12);
    expect(r.high!).toBeCloseTo(high / (1 - high), 12);
    expect(r.high!).toBeLessThan(0.5);
  });

  it('takes unequal exposure into account: half the races on half the exposure is no change', () => {
    const r = compareRates(60, 2000, 30, 1000);
    expect(r.estimate).toBeCloseTo(1, 10);
    expect(r.low!).toBeLessThan(1);
    expect(r.high!).toBeGreaterThan(1);
    expect(r.pValue).toBeGreaterThan(0.5);
  });

  it('has the power to see a halving only with enough races', () => {
    expect(powerToHalve(4, 1000, 1000)).toBeLessThan(0.2);
    expect(powerToHalve(20, 1000, 1000)).toBeLessThan(0.8);
    expect(powerToHalve(80, 1000, 1000)).toBeGreaterThan(0.8);
    // More exposure after makes a halving easier to see.
    expect(powerToHalve(30, 1000, 4000)).toBeGreaterThan(powerToHalve(30, 1000, 1000));
    expect(powerToHalve(0, 1000, 1000)).toBe(0);
  });
});

describe('compare verdicts', () => {
  it.each([
    ['no race before', 0, 1000, 0, 1000, 'cannot-tell'],
    ['too few races to see a halving', 5, 1000, 0, 1000, 'cannot-tell'],
    ['all races gone with power', 80, 1000, 0, 1000, 'fixed'],
    ['fewer races, some left', 80, 1000, 20, 1000, 'improved'],
    ['as many per exposed request on half the traffic', 80, 1000, 40, 500, 'unchanged'],
    ['more races', 80, 1000, 200, 1000, 'worse'],
  ] as const)('%s', (...row) => {
    const [, rb, eb, ra, ea, expected] = row;
    const r = compareRates(rb!, eb!, ra!, ea!);
    expect(verdictOf(ra!, r.high, r.low, r.powerToHalve)).toBe(expected);
  });
});
