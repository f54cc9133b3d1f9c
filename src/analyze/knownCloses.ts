/**
 * Known close times as evidence, for groups whose races are too few to form a band of their own
 * (keepalive.ts needs a cluster improbable among ~1,000 places it could have formed).
 *
 * A target that races closes idle connections at its keep-alive timeout, and most targets run a known
 * default (servers.ts: 2 s Gunicorn, 5 s, 6 s Node ≥ 20, 20 s, 30 s, 60 s …), or the T̂ another group of
 * the same load balancer shows. So a race-shaped 502 whose idle gap falls within the measurement error of
 * one of these few close times is tested against a handful of candidate bands rather than the whole axis:
 *
 * - the null: race-shaped 502s that are not keep-alive races (request limits, silent drops, resets,
 *   malformed responses) fall like requests, so each lands in band b with chance q_b = (requests whose gap
 *   fell in b) / (requests whose gap lies where races are looked for). With N such 502s (the candidates
 *   included, so a lone 502 is tested against a background of at least one), the count in b is about
 *   Poisson(N·q_b);
 * - the test: p_b = P(Poisson(N·q_b) ≥ k_b) for the k_b 502s seen in b, and p = m · min p_b over the m
 *   bands (Bonferroni: the band was chosen after looking);
 * - the claim: p < KNOWN_CLOSE_MAX_P_VALUE. One 502 is enough where the band's exposure is small, which is
 *   exactly when races are rare: a target closing in a band races on a few percent of the requests that
 *   reach it, so one race a day means tens of requests a day in the band, against thousands elsewhere.
 *
 * The same bands measure what the traffic allows when no race was seen (`exposureOf`): how many requests
 * reused a connection idle within each band, and how many races a target closing there would have caused.
 */
import type { Confidence } from '../types.js';
import {
  KNOWN_CLOSE_ABOVE_FACTOR,
  KNOWN_CLOSE_ABOVE_MS,
  KNOWN_CLOSE_BELOW_FACTOR,
  KNOWN_CLOSE_BELOW_MS,
  KNOWN_CLOSE_MAX_P_VALUE,
  MEDIUM_CONFIDENCE_MIN_RACES,
  MIN_LOW_CORRECTION_MS,
  MIN_RACE_GAP_MS,
  RACE_WINDOW_MS,
} from './constants.js';
import type { IdleGapHistogram } from './histogram.js';
import { maxRaceGapMs, NO_FIT, poissonTail, type KeepAliveFit } from './keepalive.js';
import { SERVERS } from './servers.js';

const DAY_MS = 86_400_000;

/** Idle gaps at which a target closing at `closeSeconds` races, as measured from the logs. */
export interface CloseBand {
  closeSeconds: number;
  /** Server ids whose default closes here; empty for a T̂ seen in another group. */
  servers: string[];
  fromMs: number;
  toMs: number;
}

/** One band's exposure in the report (`targetGroups[].exposure`). */
export interface BandExposure extends CloseBand {
  /** Requests whose idle gap fell in the band (below the ALB idle timeout: past it the ALB opens a new connection). */
  requests: number;
  requestsPerDay: number;
  /** Races a day a target closing at closeSeconds would cause at this exposure. */
  expectedRacesPerDay: number;
}

function band(closeSeconds: number, lateSeconds: number, servers: string[]): CloseBand {
  const closeMs = closeSeconds * 1000;
  const topMs = closeMs + lateSeconds * 1000;
  return {
    closeSeconds,
    servers,
    fromMs: Math.round(closeMs * (1 - KNOWN_CLOSE_BELOW_FACTOR) - KNOWN_CLOSE_BELOW_MS),
    toMs: Math.round(topMs * (1 + KNOWN_CLOSE_ABOVE_FACTOR) + KNOWN_CLOSE_ABOVE_MS),
  };
}

/**
 * Candidate bands, by close time: every server default that races an ALB with this idle timeout (at or
 * below it: a tie still races), and each T̂ seen in another group of the same input that no default
 * band already holds. Sorted by close time.
 */
export function knownCloseBands(albIdleTimeoutMs: number, otherEstimatesSeconds: readonly number[] = []): CloseBand[] {
  const byClose = new Map<number, { late: number; servers: string[] }>();
  for (const server of SERVERS) {
    if (server.closesAtSeconds * 1000 > albIdleTimeoutMs) continue;
    const entry = byClose.get(server.closesAtSeconds) ?? { late: 0, servers: [] };
    entry.late = Math.max(entry.late, server.closesLateBySeconds ?? 0);
    entry.servers.push(server.id);
    byClose.set(server.closesAtSeconds, entry);
  }
  const bands = [...byClose.entries()].map(([seconds, { late, servers }]) => band(seconds, late, servers));
  for (const seconds of otherEstimatesSeconds) {
    const ms = seconds * 1000;
    if (!(ms >= MIN_RACE_GAP_MS && ms <= maxRaceGapMs(albIdleTimeoutMs))) continue;
    if (bands.some((b) => ms >= b.fromMs && ms <= b.toMs)) continue;
    bands.push(band(seconds, 0, []));
  }
  return bands.sort((a, b) => a.closeSeconds - b.closeSeconds);
}

/**
 * The known-close test (module comment) over the isolated race-shaped 502s' gaps. NO_FIT (with the best
 * p-value) when no band holds a count chance would rarely give; else a low-confidence fit (medium from
 * MEDIUM_CONFIDENCE_MIN_RACES in the band) whose T̂ is the lowest racing gap in the band, or the band's
 * close time for a late-closing server (one race cannot place the onset of a [T, T + 1 s] spread).
 */
export function fitKnownClose(gapsMs: readonly number[], histogram: IdleGapHistogram, bands: readonly CloseBand[], albIdleTimeoutMs: number): KeepAliveFit {
  const maxGapMs = maxRaceGapMs(albIdleTimeoutMs);
  const gaps = gapsMs.filter((g) => g >= MIN_RACE_GAP_MS && g <= maxGapMs).sort((a, b) => a - b);
  if (gaps.length === 0 || bands.length === 0) return NO_FIT;
  const requestsInRange = Math.max(1, histogram.requestsBetween(MIN_RACE_GAP_MS, maxGapMs));
  let best: { band: CloseBand; inBand: number[]; pValue: number } | null = null;
  for (const b of bands) {
    const inBand = gaps.filter((g) => g >= b.fromMs && g <= b.toMs);
    if (inBand.length === 0) continue;
    // Each 502 was itself a request in the band: the exposure is at least that many.
    const requestsInBand = Math.max(inBand.length, histogram.requestsBetween(b.fromMs, b.toMs));
    const expected = (gaps.length * Math.min(requestsInBand, requestsInRange)) / requestsInRange;
    const pValue = poissonTail(inBand.length, expected);
    if (best === null || pValue < best.pValue) best = { band: b, inBand, pValue };
  }
  if (best === null) return NO_FIT;
  const pValue = Math.min(1, best.pValue * bands.length);
  if (pValue >= KNOWN_CLOSE_MAX_P_VALUE) return { ...NO_FIT, bandRaces: best.inBand.length, pValue };
  const { band: b, inBand } = best;
  const closeMs = b.closeSeconds * 1000;
  const late = b.toMs > band(b.closeSeconds, 0, []).toMs;
  const lowestMs = inBand[0]!;
  const onsetMs = late ? Math.min(closeMs, lowestMs) : lowestMs;
  const confidence: Confidence = inBand.length >= MEDIUM_CONFIDENCE_MIN_RACES ? 'medium' : 'low';
  return {
    estimate: {
      estimatedSeconds: round3(onsetMs / 1000),
      lowSeconds: round3(Math.min(b.fromMs, onsetMs - MIN_LOW_CORRECTION_MS) / 1000),
      highSeconds: round3(inBand[inBand.length - 1]! / 1000),
      confidence,
    },
    raceGapRangeMs: [b.fromMs, b.toMs],
    bandRaces: inBand.length,
    pValue,
    method: 'known-close',
    closeSeconds: b.closeSeconds,
  };
}

/**
 * What the traffic allows, per band: requests that reused a connection idle within it (clipped at the ALB
 * idle timeout, past which the ALB has closed the connection itself), per day over `spanMs`, and the races
 * a day a target closing there would cause: requests spread evenly over the band, of which those within
 * RACE_WINDOW_MS of the close race (for a late closer, of its spread).
 */
export function exposureOf(histogram: IdleGapHistogram, bands: readonly CloseBand[], albIdleTimeoutMs: number, spanMs: number): BandExposure[] {
  const days = Math.max(spanMs, 1) / DAY_MS;
  return bands.map((b) => {
    const toMs = Math.min(b.toMs, albIdleTimeoutMs);
    const requests = toMs > b.fromMs ? histogram.requestsBetween(b.fromMs, toMs) : 0;
    const requestsPerDay = requests / days;
    const raceShare = Math.min(1, RACE_WINDOW_MS / (b.toMs - b.fromMs));
    return { ...b, requests: round3(requests), requestsPerDay: round3(requestsPerDay), expectedRacesPerDay: round3(requestsPerDay * raceShare) };
  });
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
