/**
 * The keep-alive timeout T of a target group, estimated from its race-shaped 502s and its idle-gap
 * histogram (domain.md §1, §6).
 *
 * How the estimate works. A target that closes idle keep-alive connections at T races with the ALB only
 * within a few milliseconds of T (Node, nginx), or anywhere in [T, T + 1 s] for a server that closes late
 * (Gunicorn's poll loop); never at idle ages below 0.99·T. So the idle gaps of keep-alive races pile up
 * in a narrow band starting at T, while 502s from other closes (request-count limits, worker recycling)
 * fall wherever requests fall. The estimator:
 *
 * 1. takes the idle gaps of race-shaped 502s outside deploy runs and lone refusals (races.ts), between
 *    250 ms and a little above the ALB idle timeout (nothing closes idle connections faster, and past the
 *    ALB timeout the ALB closes first);
 * 2. groups them by single linkage on a log scale (neighbours within 20 %), keeps the largest group,
 *    trims stragglers at its top (a jump above 1 % and five times the group's typical spacing) and finds
 *    where the dense band starts inside it: the split into a sparse lower and a dense upper part that
 *    best explains the gaps (two-step density, maximum likelihood, BIC-like penalty);
 * 3. tests it against chance with the race rate: if race-shaped 502s fell like requests, the band would
 *    hold about `candidates × requests in band / requests` of them (from the histogram, the band at least
 *    0.5 % wide); the band is a keep-alive signature only if its count is that improbable under Poisson
 *    (p < 1e-5, corrected for the ~1,000 places a band could have formed);
 * 4. reports the band's onset as T̂: its lowest gap, less the typical spacing of the races just above
 *    it (the lowest of n races drawn from a spread overshoots the edge by about one spacing, which
 *    matters for Gunicorn's sparse [T, T + 1 s] spread and not at all for Node's spike). With a
 *    most-recently-used pool the observed gap is the connection's idle age, so the onset is T. The
 *    correction never puts T̂ further below the lowest race than a race can be measured below its close
 *    (0.1 % + 3 ms): a sparse band says T is uncertain, which `lowSeconds` carries, not that T sat where no
 *    race was seen.
 *    `lowSeconds` is the corrected onset less that correction again (at least 2 ms), `highSeconds` the highest idle age that
 *    raced: the width of the band is a late-closing server's spread.
 *
 * With an oldest-first pool the observed gap is only a lower bound on the age of the connection used: a
 * race can show a gap well below T when another connection was used in between. The band still forms
 * from the races where no other connection was used (quiet moments, which is when idle races happen),
 * so T̂ holds; races.ts recovers the ones below the band by replaying the pair's recent requests
 * through an oldest-first pool.
 * Confidence: high with ≥ 10 races in the band and p < 1e-9, medium with ≥ 4, low with 2–3, none else.
 */
import type { Confidence, KeepAliveEstimate } from '../types.js';
import {
  BAND_MIN_WIDTH,
  DENSER_BY,
  EDGE_CORRECTION_SPACINGS,
  HIGH_CONFIDENCE_MAX_P_VALUE,
  HIGH_CONFIDENCE_MIN_RACES,
  LINK_LOG,
  MAX_P_VALUE,
  MAX_RACE_GAP_EXTRA_MS,
  MAX_RACE_GAP_IDLE_FACTOR,
  MEDIUM_CONFIDENCE_MIN_RACES,
  MIN_BAND_RACES,
  MIN_LOW_CORRECTION_MS,
  MIN_RACE_GAP_MS,
  MIN_WIDTH_LOG,
  ONSET_BELOW_LOWEST_FACTOR,
  ONSET_BELOW_LOWEST_MS,
  ONSET_MIN_MEMBERS,
  POISSON_MAX_TERMS,
  RACE_RANGE_HIGH_FACTOR,
  RACE_RANGE_HIGH_SLACK_MS,
  RACE_RANGE_LOW_FACTOR,
  RACE_RANGE_LOW_SLACK_MS,
  RACE_RANGE_MIN_HIGH_FACTOR,
  SPLIT_PENALTY,
  SPLIT_PENALTY_PER_LOG_N,
  STRAGGLER_MIN_KEPT,
  STRAGGLER_MIN_LOG,
  STRAGGLER_SPACINGS,
} from './constants.js';
import type { IdleGapHistogram } from './histogram.js';

export { MIN_RACE_GAP_MS } from './constants.js';

export interface KeepAliveFit {
  estimate: KeepAliveEstimate;
  /** Idle gaps [fromMs, toMs] that make a race-shaped 502 a keep-alive race; null without a signature. */
  raceGapRangeMs: [number, number] | null;
  /** Races in the band and the Poisson p-value of that count by chance (corrected for the places tested). */
  bandRaces: number;
  pValue: number;
  /**
   * What found the band: `band`, a cluster of races improbable anywhere on the axis (this module);
   * `known-close`, one or a few races at a known server close time (knownCloses.ts); absent without a fit.
   */
  method?: 'band' | 'known-close';
  /** For `known-close`: the close time of the band that held the races. */
  closeSeconds?: number;
}

export const NO_FIT: KeepAliveFit = {
  estimate: { estimatedSeconds: null, lowSeconds: null, highSeconds: null, confidence: 'none' },
  raceGapRangeMs: null,
  bandRaces: 0,
  pValue: 1,
};

export function isKeepAliveGap(gapMs: number, fit: KeepAliveFit): boolean {
  const range = fit.raceGapRangeMs;
  return range !== null && gapMs >= range[0] && gapMs <= range[1];
}

/** Highest idle gap considered: a little above the ALB idle timeout (a target at T = idle still races). */
export function maxRaceGapMs(albIdleTimeoutMs: number): number {
  return albIdleTimeoutMs * MAX_RACE_GAP_IDLE_FACTOR + MAX_RACE_GAP_EXTRA_MS;
}

export function fitKeepAlive(gapsMs: readonly number[], histogram: IdleGapHistogram, albIdleTimeoutMs: number): KeepAliveFit {
  const maxGapMs = maxRaceGapMs(albIdleTimeoutMs);
  const gaps = gapsMs.filter((g) => g >= MIN_RACE_GAP_MS && g <= maxGapMs).sort((a, b) => a - b);
  if (gaps.length < MIN_BAND_RACES) return NO_FIT;
  const logs = gaps.map(Math.log);
  const [clusterFirst, last] = trimTop(logs, largestCluster(logs));
  const first = onsetIndex(logs, clusterFirst, last);
  const bandRaces = last - first + 1;
  if (bandRaces < MIN_BAND_RACES) return NO_FIT;
  const lowestMs = gaps[first]!;
  const topMs = gaps[last]!;
  // The lowest race overshoots the edge by about one spacing of the races near it (for a density flat
  // near its edge, E[lowest − edge] = E[spacing]); Gunicorn's sparse [T, T + 1 s] spread needs this.
  const k = Math.min(EDGE_CORRECTION_SPACINGS, bandRaces - 1);
  const edgeCorrectionMs = (gaps[first + k]! - lowestMs) / k;
  // … but never further below the lowest race than a race can be measured below its close (ONSET_BELOW_LOWEST_*).
  const correctedMs = lowestMs - edgeCorrectionMs;
  const onsetMs = Math.max(correctedMs, lowestMs - ONSET_BELOW_LOWEST_FACTOR * lowestMs - ONSET_BELOW_LOWEST_MS);

  const requestsInRange = Math.max(1, histogram.requestsBetween(MIN_RACE_GAP_MS, maxGapMs));
  const margin = (BAND_MIN_WIDTH * lowestMs) / 2;
  const requestsInBand = Math.max(1, histogram.requestsBetween(lowestMs - margin, topMs + margin));
  const expected = (gaps.length * Math.min(requestsInBand, requestsInRange)) / requestsInRange;
  const pValue = poissonTail(bandRaces, expected);
  if (pValue >= MAX_P_VALUE) return { ...NO_FIT, bandRaces, pValue };

  const confidence: Confidence =
    bandRaces >= HIGH_CONFIDENCE_MIN_RACES && pValue < HIGH_CONFIDENCE_MAX_P_VALUE ? 'high' : bandRaces >= MEDIUM_CONFIDENCE_MIN_RACES ? 'medium' : 'low';
  return {
    estimate: {
      estimatedSeconds: round3(onsetMs / 1000),
      lowSeconds: round3((correctedMs - Math.max(MIN_LOW_CORRECTION_MS, edgeCorrectionMs)) / 1000),
      highSeconds: round3(topMs / 1000),
      confidence,
    },
    // A little room on both sides (constants.ts RACE_RANGE_*).
    raceGapRangeMs: [
      Math.min(lowestMs * RACE_RANGE_LOW_FACTOR - RACE_RANGE_LOW_SLACK_MS, onsetMs),
      Math.max(topMs * RACE_RANGE_HIGH_FACTOR, lowestMs * RACE_RANGE_MIN_HIGH_FACTOR) + RACE_RANGE_HIGH_SLACK_MS,
    ],
    bandRaces,
    pValue,
    method: 'band',
  };
}

/** [first, last] indexes of the largest single-linkage cluster; ties go to the higher one. */
function largestCluster(logs: readonly number[]): [number, number] {
  let best: [number, number] = [0, 0];
  let start = 0;
  for (let i = 1; i <= logs.length; i++) {
    if (i < logs.length && logs[i]! - logs[i - 1]! <= LINK_LOG) continue;
    if (i - 1 - start >= best[1] - best[0]) best = [start, i - 1];
    start = i;
  }
  return best;
}

/** Drops isolated members at the top of a cluster: a jump well above the cluster's typical spacing. */
function trimTop(logs: readonly number[], [first, last]: [number, number]): [number, number] {
  const spacings: number[] = [];
  for (let i = first + 1; i <= last; i++) spacings.push(logs[i]! - logs[i - 1]!);
  spacings.sort((a, b) => a - b);
  const typical = spacings.length > 0 ? spacings[spacings.length >> 1]! : 0;
  const limit = Math.max(STRAGGLER_MIN_LOG, STRAGGLER_SPACINGS * typical);
  while (last - first + 1 > STRAGGLER_MIN_KEPT && logs[last]! - logs[last - 1]! > limit) last--;
  return [first, last];
}

/**
 * Where the band starts inside a cluster: the split of [first, last] into a sparse lower part and a dense
 * upper part that maximises the likelihood of a two-step density on the log scale, if it beats a single
 * step by a BIC-like margin and the upper part is denser. The lower part is what an oldest-first pool
 * leaves below T (gaps that only bound the connection's age) and stray closes just below the band.
 */
function onsetIndex(logs: readonly number[], first: number, last: number): number {
  const n = last - first + 1;
  if (n < ONSET_MIN_MEMBERS) return first;
  const loglik = (count: number, width: number): number => (count === 0 ? 0 : count * Math.log(count / (width + MIN_WIDTH_LOG)));
  const single = loglik(n, logs[last]! - logs[first]!);
  let best = first;
  let bestGain = SPLIT_PENALTY_PER_LOG_N * Math.log(n) + SPLIT_PENALTY;
  for (let j = first + 1; j <= last - 1; j++) {
    const lowerCount = j - first;
    const upperCount = last - j + 1;
    const lowerWidth = logs[j]! - logs[first]!;
    const upperWidth = logs[last]! - logs[j]!;
    if (upperCount / (upperWidth + MIN_WIDTH_LOG) < DENSER_BY * (lowerCount / (lowerWidth + MIN_WIDTH_LOG))) continue;
    const gain = loglik(lowerCount, lowerWidth) + loglik(upperCount, upperWidth) - single;
    if (gain > bestGain) {
      bestGain = gain;
      best = j;
    }
  }
  return best;
}

/** P(X ≥ count) for X ~ Poisson(mean), summed in log space so large counts do not underflow early. */
export function poissonTail(count: number, mean: number): number {
  if (count <= 0) return 1;
  if (mean <= 0) return 0;
  if (mean > count) return 1; // not an excess at all
  let logTerm = -mean + count * Math.log(mean) - logFactorial(count);
  let sum = 0;
  for (let k = count; k < count + POISSON_MAX_TERMS; k++) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-12) break;
    logTerm += Math.log(mean) - Math.log(k + 1);
  }
  return Math.min(1, sum);
}

function logFactorial(n: number): number {
  let sum = 0;
  for (let k = 2; k <= n; k++) sum += Math.log(k);
  return sum;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
