/**
 * Two periods of the same load balancer (before and after a fix) → per target group, did the race rate
 * change? The rate is keep-alive races per exposed request: the requests whose idle gap fell in the
 * group's race band, so that a quiet day (fewer idle connections, fewer chances to race) is not taken for
 * a fix. Both periods are measured with the band the before period showed (the after period's only when
 * the before period had none), so a fix that moved the targets' timeout out of the band counts no
 * exposure as lost. The test is exact for small counts (rateTests.ts).
 *
 * Verdicts, first match wins:
 *   `cannot-tell` the test had under 80 % power to detect a halving of the before rate at α = 0.05 (too
 *                 few races before, or too little exposure after);
 *   `fixed`       no race after, and the 95 % interval of the rate ratio (after / before) ends below 0.5;
 *   `improved`    the interval ends below 1;
 *   `worse`       the interval starts above 1;
 *   `unchanged`   otherwise.
 */
import type { Diagnosis } from './conclude.js';
import { NO_TARGET_GROUP_NAME } from './groups.js';
import { overlaps } from './raceExposure.js';
import { compareRates } from './rateTests.js';
import { IDLE_BUCKET_COUNT } from './histogram.js';

/** A halving must be detectable with at least this power (α = 0.05) for any other verdict than `cannot-tell`. */
export const MIN_POWER = 0.8;
/** `fixed` needs the interval's upper end below this: at least a halving, with no race left. */
export const FIXED_MAX_RATIO = 0.5;

export type CompareVerdict = 'fixed' | 'improved' | 'unchanged' | 'worse' | 'cannot-tell';

export interface PeriodMeasure {
  requests: number;
  exposedRequests: number;
  races: number;
}

export interface GroupComparison {
  arn: string;
  name: string;
  before: PeriodMeasure;
  after: PeriodMeasure;
  rateRatio: { estimate: number | null; low: number | null; high: number | null };
  pValue: number;
  verdict: CompareVerdict;
  /** Power to detect a halving (α = 0.05). */
  power: number;
  /** The idle gaps (ms) the exposure and races were counted in; null when neither period showed a race band. */
  raceBandMs: [number, number] | null;
}

export function compareDiagnoses(before: Diagnosis, after: Diagnosis): GroupComparison[] {
  const beforeGroups = new Map(before.groups.map((g) => [g.arn, g]));
  const afterGroups = new Map(after.groups.map((g) => [g.arn, g]));
  const arns = [...new Set([...beforeGroups.keys(), ...afterGroups.keys()])].filter((arn) => arn !== '-').sort();
  const out: GroupComparison[] = [];
  for (const arn of arns) {
    const b = beforeGroups.get(arn);
    const a = afterGroups.get(arn);
    const bandOf = (g: typeof b): [number, number] | null => (g !== undefined && g.classCount('keepalive_race') > 0 ? g.fit.raceGapRangeMs : null);
    const band = bandOf(b) ?? bandOf(a);
    const measure = (diagnosis: Diagnosis, group: typeof b): PeriodMeasure => {
      if (group === undefined) return { requests: 0, exposedRequests: 0, races: 0 };
      if (band === null) return { requests: group.requests, exposedRequests: 0, races: group.classCount('keepalive_race') };
      let exposed = 0;
      for (let i = 0; i < IDLE_BUCKET_COUNT; i++) if (overlaps(i, band[0], band[1])) exposed += group.histogram.requests[i]!;
      // Every race-shaped 502 in the band, whatever the period's own fit made of it: the same yardstick for both.
      const races = diagnosis.raceShaped.filter((r) => r.arn === arn && r.idleGapMs !== null && r.idleGapMs >= band[0] && r.idleGapMs <= band[1]).length;
      return { requests: group.requests, exposedRequests: exposed, races };
    };
    const beforeMeasure = measure(before, b);
    const afterMeasure = measure(after, a);
    const rates = compareRates(beforeMeasure.races, beforeMeasure.exposedRequests, afterMeasure.races, afterMeasure.exposedRequests);
    out.push({
      arn,
      name: (b ?? a)!.name,
      before: beforeMeasure,
      after: afterMeasure,
      rateRatio: { estimate: rates.estimate, low: rates.low, high: rates.high },
      pValue: rates.pValue,
      verdict: verdictOf(afterMeasure.races, rates.high, rates.low, rates.powerToHalve),
      power: rates.powerToHalve,
      raceBandMs: band,
    });
  }
  return out.filter((g) => g.name !== NO_TARGET_GROUP_NAME);
}

export function verdictOf(racesAfter: number, high: number | null, low: number | null, power: number): CompareVerdict {
  if (!(power >= MIN_POWER)) return 'cannot-tell';
  if (racesAfter === 0 && high !== null && high < FIXED_MAX_RATIO) return 'fixed';
  if (high !== null && high < 1) return 'improved';
  if (low !== null && low > 1) return 'worse';
  return 'unchanged';
}
