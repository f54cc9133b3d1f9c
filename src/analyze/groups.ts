/**
 * Per target group, once the input is whole (conclude.ts): request and class counts, the idle-gap
 * histogram, and the final classification of its held race-shaped 502s (races.ts + keepalive.ts).
 */
import type { CauseClass } from '../types.js';
import { toCandidate } from './events.js';
import { addSparse, IdleGapHistogram } from './histogram.js';
import { NO_FIT, fitKeepAlive, type KeepAliveFit } from './keepalive.js';
import { exposureOf, fitKnownClose, knownCloseBands, type BandExposure } from './knownCloses.js';
import { classifyRaces, looksRefused, markDeployRuns, type HistoryEvidence, type RaceCandidate } from './races.js';
import type { GroupAccount, RaceRecord } from './state.js';

/** `targetgroup/<name>/<id>` → name; the ARN itself when it has no such part; `-` for entries with none. */
export function targetGroupName(arn: string): string {
  if (arn === '-') return NO_TARGET_GROUP_NAME;
  const match = /targetgroup\/([^/]+)\//.exec(arn);
  return match ? match[1]! : arn;
}

/**
 * Entries with target group `-` never reached a target group: requests the ALB rejected (malformed, WAF,
 * authentication), redirects and fixed responses, and rule errors. They are reported together under
 * this name (ARN `-`), and only when they include an explained entry (5xx, 460, a malformed request).
 */
export const NO_TARGET_GROUP_NAME = '(no target group)';

export class GroupState {
  readonly name: string;
  readonly arn: string;
  readonly requests: number;
  readonly classes = new Map<CauseClass, number>();
  readonly histogram = new IdleGapHistogram();
  fit: KeepAliveFit = NO_FIT;
  /** What the pool replay did for this group's races below the band (races.ts). */
  history: HistoryEvidence | null = null;

  constructor(account: GroupAccount) {
    this.arn = account.arn;
    this.name = targetGroupName(account.arn);
    this.requests = account.requests;
    for (const [cls, n] of Object.entries(account.classes)) this.classes.set(cls as CauseClass, n);
    addSparse(this.histogram.requests, account.idleRequests);
    addSparse(this.histogram.races, account.idleRaces);
  }

  count(cls: CauseClass): void {
    this.classes.set(cls, (this.classes.get(cls) ?? 0) + 1);
  }

  classCount(cls: CauseClass): number {
    return this.classes.get(cls) ?? 0;
  }

  eventCount(): number {
    let n = 0;
    for (const count of this.classes.values()) n += count;
    return n;
  }

  /**
   * First step of deciding the group's held race-shaped 502s (in the given order): deploy runs and the
   * band fit (keepalive.ts). The band is fitted on isolated races only: not deploy runs, not lone
   * refusals (they would widen it). Returns what `decide` needs.
   */
  fitBand(held: readonly RaceRecord[], albIdleTimeoutMs: number): HeldRaces {
    const candidates = held.map(toCandidate);
    const inRun = markDeployRuns(candidates);
    const isolatedGaps: number[] = [];
    candidates.forEach((c, i) => {
      if (!inRun[i] && c.idleGapMs !== null && !looksRefused(c)) isolatedGaps.push(c.idleGapMs);
    });
    this.fit = fitKeepAlive(isolatedGaps, this.histogram, albIdleTimeoutMs);
    return { candidates, inRun, isolatedGaps };
  }

  /**
   * Classes for the held races, in `fitBand`'s order; fills `fit` and `history`. Without a band, the
   * known-close test (knownCloses.ts) gets its turn, with the T̂ other groups showed as candidates too.
   */
  decide(held: HeldRaces, albIdleTimeoutMs: number, otherEstimatesSeconds: readonly number[] = []): CauseClass[] {
    if (this.fit.raceGapRangeMs === null) {
      const known = fitKnownClose(held.isolatedGaps, this.histogram, knownCloseBands(albIdleTimeoutMs, otherEstimatesSeconds), albIdleTimeoutMs);
      // Without a claim, the p-value reported is the known-close test's when it tested a band, else the band fit's.
      if (known.raceGapRangeMs !== null || known.bandRaces > 0 || this.fit.bandRaces === 0) this.fit = known;
    }
    const { classes, history } = classifyRaces(held.candidates, held.inRun, this.fit);
    this.history = history;
    return classes;
  }

  /** What the traffic allowed over `spanMs`, per known close (knownCloses.ts). */
  exposure(albIdleTimeoutMs: number, spanMs: number, otherEstimatesSeconds: readonly number[] = []): BandExposure[] {
    return exposureOf(this.histogram, knownCloseBands(albIdleTimeoutMs, otherEstimatesSeconds), albIdleTimeoutMs, spanMs);
  }
}

/** A group's race-shaped 502s between `fitBand` and `decide`. */
export interface HeldRaces {
  candidates: RaceCandidate[];
  inRun: boolean[];
  isolatedGaps: number[];
}
