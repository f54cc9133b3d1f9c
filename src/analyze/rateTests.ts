/**
 * Exact tests for rare counts: races are tens a day, so normal approximations do not hold.
 *
 * Two Poisson rates (races per exposed request before and after) are compared by conditioning on the
 * total: given N = x_before + x_after races, x_after ~ Binomial(N, π) with π = E_a·λ_a / (E_b·λ_b + E_a·λ_a),
 * which under equal rates is E_a / (E_b + E_a), whatever the common rate is (the conditional binomial
 * test, exact for any counts). A 95 % interval for π (Clopper–Pearson, found by inverting the binomial
 * tails) gives one for the rate ratio λ_a/λ_b = π/(1 − π) · E_b/E_a. Binomial tails are summed exactly
 * in log space (log-factorials summed once), so no incomplete-beta approximation is needed.
 */

const logFactorials: number[] = [0];

/** ln n!, exact sums of logs (cached): n stays in the thousands here. */
export function logFactorial(n: number): number {
  for (let k = logFactorials.length; k <= n; k++) logFactorials.push(logFactorials[k - 1]! + Math.log(k));
  return logFactorials[n]!;
}

/** P(X = k) for X ~ Binomial(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return 0;
  if (p <= 0) return k === 0 ? 1 : 0;
  if (p >= 1) return k === n ? 1 : 0;
  return Math.exp(logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let sum = 0;
  for (let i = 0; i <= k; i++) sum += binomialPmf(i, n, p);
  return Math.min(1, sum);
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  let sum = 0;
  for (let i = k; i <= n; i++) sum += binomialPmf(i, n, p);
  return Math.min(1, sum);
}

/** P(X = k) for X ~ Poisson(mu). */
export function poissonPmf(k: number, mu: number): number {
  if (mu <= 0) return k === 0 ? 1 : 0;
  return Math.exp(-mu + k * Math.log(mu) - logFactorial(k));
}

/** The p in [0, 1] where a decreasing function `f` crosses `target`, by bisection. */
function solveDecreasing(f: (p: number) => number, target: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Clopper–Pearson interval for a binomial proportion: x successes in n, two-sided level 1 − alpha. */
export function clopperPearson(x: number, n: number, alpha = 0.05): [number, number] {
  if (n === 0) return [0, 1];
  // lower: P(X ≥ x | p) = α/2 (increasing in p); upper: P(X ≤ x | p) = α/2 (decreasing in p).
  const low = x === 0 ? 0 : solveDecreasing((p) => 1 - binomialUpperTail(x, n, p), 1 - alpha / 2);
  const high = x === n ? 1 : solveDecreasing((p) => binomialCdf(x, n, p), alpha / 2);
  return [low, high];
}

/** Two-sided exact binomial p-value: twice the smaller tail, at most 1. */
export function binomialTwoSided(x: number, n: number, p: number): number {
  if (n === 0) return 1;
  return Math.min(1, 2 * Math.min(binomialCdf(x, n, p), binomialUpperTail(x, n, p)));
}

export interface RateComparison {
  /** λ_after / λ_before and its 95 % interval; null where the counts leave it undefined (no race at all). */
  estimate: number | null;
  low: number | null;
  high: number | null;
  pValue: number;
  /** Power of the test (α = 0.05, two-sided) to detect a halving of the before rate. */
  powerToHalve: number;
}

/**
 * Compares races per exposed request after against before: the conditional binomial test, the
 * Clopper–Pearson interval for the rate ratio, and the power to detect a halving when the before rate is
 * what was observed (`racesBefore / exposedBefore`).
 */
export function compareRates(racesBefore: number, exposedBefore: number, racesAfter: number, exposedAfter: number): RateComparison {
  const n = racesBefore + racesAfter;
  if (exposedBefore <= 0 || exposedAfter <= 0) return { estimate: null, low: null, high: null, pValue: 1, powerToHalve: 0 };
  const share = exposedAfter / (exposedBefore + exposedAfter);
  const pValue = binomialTwoSided(racesAfter, n, share);
  const toRatio = (pi: number): number => (pi >= 1 ? Infinity : (pi / (1 - pi)) * (exposedBefore / exposedAfter));
  const [piLow, piHigh] = clopperPearson(racesAfter, n);
  const estimate = racesBefore === 0 ? null : racesAfter / exposedAfter / (racesBefore / exposedBefore);
  const high = toRatio(piHigh);
  return {
    estimate,
    low: n === 0 ? null : toRatio(piLow),
    high: n === 0 || !Number.isFinite(high) ? null : high,
    pValue,
    powerToHalve: powerToHalve(racesBefore, exposedBefore, exposedAfter),
  };
}

/**
 * P(the test rejects, in the direction of fewer races after | the rate halved), with the before rate taken
 * as observed: N ~ Poisson(μ_b + μ_a), μ_b = races before, μ_a = μ_b/2 · E_a/E_b, and x_after | N ~
 * Binomial(N, μ_a / (μ_a + μ_b)); rejection where twice the lower tail under equal rates is ≤ 0.05.
 */
export function powerToHalve(racesBefore: number, exposedBefore: number, exposedAfter: number, alpha = 0.05): number {
  if (racesBefore <= 0 || exposedBefore <= 0 || exposedAfter <= 0) return 0;
  const muBefore = racesBefore;
  const muAfter = (racesBefore / 2) * (exposedAfter / exposedBefore);
  const mu = muBefore + muAfter;
  const nullShare = exposedAfter / (exposedBefore + exposedAfter);
  const altShare = muAfter / mu;
  const maxN = Math.ceil(mu + 12 * Math.sqrt(mu) + 20);
  let power = 0;
  for (let n = 1; n <= maxN; n++) {
    const weight = poissonPmf(n, mu);
    if (weight < 1e-15) continue;
    // The largest x rejected at the lower tail (the tail only grows with x).
    let critical = -1;
    let tail = 0;
    for (let x = 0; x <= n; x++) {
      tail += binomialPmf(x, n, nullShare);
      if (2 * tail > alpha) break;
      critical = x;
    }
    if (critical >= 0) power += weight * binomialCdf(critical, n, altShare);
  }
  return Math.min(1, power);
}
