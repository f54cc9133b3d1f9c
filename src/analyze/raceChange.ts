/**
 * Did a group's keep-alive races stop (a fix deployed) or start (a change that shortened the targets'
 * keep-alive) during the window? Races are rare and traffic is not steady, so the question is asked of
 * the exposure, the requests whose idle gap fell in the group's race band, bin by bin
 * (raceExposure.ts), not of the clock.
 *
 * If the race rate per exposed request never changed, each of the R races is an independent draw from
 * the exposure, so the share of the exposure that comes after the last race (or before the first) is the
 * tail a uniform sample leaves: P(no race in the last fraction f of the exposure) = (1 − f)^R exactly,
 * for any R. That is the change point a search over the bins would find (the likelihood of "rate λ, then
 * none" is highest right after the last race), and its p-value needs no correction for the places
 * searched: it is the exact distribution of the exposure after the last race. Both directions are
 * tested, so the smaller tail is doubled. A change is reported below RACE_CHANGE_MAX_P_VALUE.
 */
import type { ExposureBin } from './raceExposure.js';

/**
 * A change is claimed below this (after doubling for the two directions): a group with steady races is
 * called `stopped` (and told to check its fix rather than make one) once in 1,000 reports at most.
 */
export const RACE_CHANGE_MAX_P_VALUE = 0.001;

export interface PeriodCounts {
  races: number;
  requests: number;
  exposedRequests: number;
}

export interface RaceChange {
  /** Start of the first bin of the new regime (epoch ms). */
  atMs: number;
  verdict: 'stopped' | 'started';
  before: PeriodCounts;
  after: PeriodCounts;
  pValue: number;
  /** Races the quiet side would have had at the other side's rate (for the sentence). */
  expectedRaces: number;
  /** Length of the quiet side (ms), from the change to the end of the data or from its start to the change. */
  quietMs: number;
}

/**
 * `bins`: the group's bins in time order with `races` filled (raceExposure.ts binsOf); `firstMs`,
 * `lastMs`: the data's first and last time (the quiet side's length).
 */
export function detectRaceChange(bins: readonly ExposureBin[], firstMs: number, lastMs: number): RaceChange | null {
  const races = bins.reduce((n, b) => n + b.races, 0);
  const exposed = bins.reduce((n, b) => n + b.exposed, 0);
  if (races === 0 || exposed === 0) return null;
  const firstRace = bins.findIndex((b) => b.races > 0);
  let lastRace = -1;
  bins.forEach((b, i) => {
    if (b.races > 0) lastRace = i;
  });
  const exposedAfterLast = bins.slice(lastRace + 1).reduce((n, b) => n + b.exposed, 0);
  const exposedBeforeFirst = bins.slice(0, firstRace).reduce((n, b) => n + b.exposed, 0);
  const pStopped = (1 - exposedAfterLast / exposed) ** races;
  const pStarted = (1 - exposedBeforeFirst / exposed) ** races;
  const stopped = pStopped <= pStarted;
  const pValue = Math.min(1, 2 * Math.min(pStopped, pStarted));
  if (!(pValue < RACE_CHANGE_MAX_P_VALUE)) return null;
  const split = stopped ? lastRace + 1 : firstRace;
  if (split <= 0 || split >= bins.length) return null;
  const sum = (part: readonly ExposureBin[]): PeriodCounts => ({
    races: part.reduce((n, b) => n + b.races, 0),
    requests: part.reduce((n, b) => n + b.requests, 0),
    exposedRequests: part.reduce((n, b) => n + b.exposed, 0),
  });
  const before = sum(bins.slice(0, split));
  const after = sum(bins.slice(split));
  const atMs = bins[split]!.startMs;
  const [racing, quiet] = stopped ? [before, after] : [after, before];
  return {
    atMs,
    verdict: stopped ? 'stopped' : 'started',
    before,
    after,
    pValue,
    expectedRaces: (racing.races / racing.exposedRequests) * quiet.exposedRequests,
    quietMs: stopped ? Math.max(0, lastMs - atMs) : Math.max(0, atMs - firstMs),
  };
}
