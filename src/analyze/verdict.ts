/**
 * The verdict as data: per target group and overall, do the targets race the ALB on idle keep-alive
 * connections? One of four answers, each with its reasons as data (a stable code and the numbers behind
 * it), so that the text and Markdown headlines and the Lambda's alerts all read the same decision;
 * report/verdict.ts words them. Pure; its input is a small structural type of its own, so it depends on
 * neither the report model nor the analyzers' state.
 *
 * Rules, per target group, first match wins:
 *   1. `stopped`     the group had keep-alive races, and they stopped during the window: none after a
 *                    moment where, at the rate before it, some were expected (raceChange.ts; the reason
 *                    RACES_STOPPED says so first, with the chance of so long a quiet by luck).
 *   2. `races`       the group has keep-alive races (RACES_STARTED first when they began in the window).
 *   3. `cannot-tell` the data could not have shown races: a report-level caveat (no entries, a window
 *                    too short, a large share of entries out of order or without an idle gap), no
 *                    requests in the group, too few requests reusing a connection idle long enough
 *                    to race, or too little exposure at some known close time: so few requests reused a
 *                    connection idle within its band that a target closing there would have raced fewer
 *                    than MIN_EXPECTED_RACES_FOR_NONE times in the window (knownCloses.ts).
 *   4. `none`        enough exposure at every known close time, and not one race.
 * Overall: the first of VERDICT_PRECEDENCE that any group has; `cannot-tell` when there is no group or
 * a report-level caveat holds and no group races. Never a confident "none" the data cannot back.
 */
import type { ClassCounts, IdleAgeBucket } from '../types.js';
import { MIN_EXPECTED_RACES_FOR_NONE } from './constants.js';

export const VERDICT_STATUSES = ['races', 'stopped', 'none', 'cannot-tell'] as const;
export type VerdictStatus = (typeof VERDICT_STATUSES)[number];

/** Which answer the overall verdict gives when groups differ: earlier wins. */
export const VERDICT_PRECEDENCE: readonly VerdictStatus[] = ['races', 'stopped', 'cannot-tell', 'none'];

export type VerdictReasonCode =
  | 'KEEPALIVE_RACES'
  | 'RACES_STOPPED'
  | 'RACES_STARTED'
  | 'NO_ENTRIES'
  | 'NO_TARGET_ENTRIES'
  | 'WINDOW_TOO_SHORT'
  | 'MANY_OUT_OF_ORDER'
  | 'MANY_WITHOUT_IDLE_GAP'
  | 'NO_REQUESTS'
  | 'FEW_IDLE_REQUESTS'
  | 'LITTLE_EXPOSURE'
  | 'NO_RACES';

/**
 * Why a verdict was given: a stable code for programs (alerts) and the numbers behind it, which
 * report/verdict.ts words as one sentence for people.
 */
export type VerdictFinding =
  | {
      code: 'KEEPALIVE_RACES';
      races: number;
      estimatedSeconds: number | null;
      confidence: VerdictGroupInput['keepAlive']['confidence'];
      /** `known-close`: likely rather than proven (knownCloses.ts). */
      method: 'band' | 'known-close' | null;
      pValue: number | null;
    }
  /** The races stopped (or started) at `at`: none in the `quietMs` after (or before), where `expectedRaces` were expected. */
  | { code: 'RACES_STOPPED' | 'RACES_STARTED'; at: string; quietMs: number; expectedRaces: number; pValue: number; spanMs: number }
  | { code: 'NO_ENTRIES' }
  | { code: 'NO_TARGET_ENTRIES'; entries: number }
  | { code: 'WINDOW_TOO_SHORT'; spanMs: number }
  | { code: 'MANY_OUT_OF_ORDER'; outOfOrder: number; dispatches: number }
  | { code: 'MANY_WITHOUT_IDLE_GAP'; withoutIdleGap: number; dispatches: number }
  | { code: 'NO_REQUESTS' }
  | { code: 'FEW_IDLE_REQUESTS'; idleRequests: number; minIdleMs: number }
  /** `thin`: the known closes too little traffic reached, fewest expected races first; empty when none was measured. */
  | { code: 'LITTLE_EXPOSURE'; spanMs: number; thin: ExposureInput[] }
  /** `expectedRaces`: the fewest races any known close would have caused in the window, at `fewestAtSeconds`. */
  | { code: 'NO_RACES'; idleRequests: number; minIdleMs: number; expectedRaces: number; fewestAtSeconds: number };

/** A finding of the overall verdict; `group` names the target group it comes from (none for report-wide caveats). */
export type VerdictReasonFinding = VerdictFinding & { group?: string };

export interface TargetGroupJudgement {
  arn: string;
  status: VerdictStatus;
  reasons: VerdictFinding[];
}

export interface Judgement {
  status: VerdictStatus;
  reasons: VerdictReasonFinding[];
  targetGroups: TargetGroupJudgement[];
}

export interface VerdictGroupInput {
  arn: string;
  /** For the reasons' wording. */
  name: string;
  requests: number;
  classes: ClassCounts;
  keepAlive: {
    estimatedSeconds: number | null;
    confidence: 'high' | 'medium' | 'low' | 'none';
    /** `known-close`: one or a few races at a known server close time, a likely race rather than a proven one. */
    method?: 'band' | 'known-close' | null;
    pValue?: number | null;
  };
  idleAgeBuckets: readonly IdleAgeBucket[];
  /** Per known close time: what the traffic allowed (knownCloses.ts BandExposure). */
  exposure: readonly ExposureInput[];
  /** When the group's races stopped or started during the window (raceChange.ts); null or absent when not. */
  raceChange?: RaceChangeInput | null;
}

/** The part of a race change the verdict reads. */
export interface RaceChangeInput {
  at: string;
  verdict: 'stopped' | 'started';
  before: { races: number };
  after: { races: number };
  pValue: number;
  /** Races the quiet side would have had at the racing side's rate. */
  expectedRaces: number;
  /** Length of the quiet side in ms. */
  quietMs: number;
}

/** The part of a band's exposure the verdict reads. */
export interface ExposureInput {
  closeSeconds: number;
  fromMs: number;
  toMs: number;
  requestsPerDay: number;
  expectedRacesPerDay: number;
}

export interface VerdictInput {
  /** Entries analysed (inside --from/--to). */
  entries: number;
  /** First to last `time` of those entries. */
  spanMs: number;
  /** Requests dispatched to a target, the base of the two shares below. */
  dispatches: number;
  /** Entries that arrived too far behind newer ones of their ALB node: idle gaps near them may be wrong. */
  outOfOrder: number;
  /** Requests whose own idle gap could not be measured. */
  withoutIdleGap: number;
  /** Groups of entries that reached a target group (not the ALB's own answers). */
  groups: readonly VerdictGroupInput[];
}

/**
 * A share of requests the analysis could not measure that exceeds this hides races: a racing group
 * races on about 1 request in 2,500 (sample-logs: 8 in 20,484), so 1 % unmeasured is 25 times that.
 */
export const MAX_UNMEASURED_SHARE = 0.01;
/**
 * Shorter windows say little when they hold no race: races come a few per hour at most even on a busy
 * racing group (sample-logs: 8 in 6 h), and at night, when connections idle longest.
 */
export const MIN_WINDOW_MS = 60 * 60_000;
/**
 * The shortest default keep-alive among known servers (Gunicorn, 2 s), less the estimator's 5 %: a
 * request on a connection idle less than this cannot race any of them.
 */
export const MIN_RACE_IDLE_MS = 1900;
/**
 * Requests on connections idle ≥ MIN_RACE_IDLE_MS below which "no races" means nothing: a racing group
 * races on a few percent of such requests near its timeout (sample-logs: 8 of 237), so a floor, not a
 * power calculation.
 */
export const MIN_IDLE_REQUESTS = 100;

export function judgeVerdict(input: VerdictInput): Judgement {
  const caveats = reportCaveats(input);
  const targetGroups = input.groups.map((group) => judgeGroup(group, caveats, input.spanMs));
  const statuses = new Set(targetGroups.map((g) => g.status));
  if (caveats.length > 0 && !statuses.has('races')) statuses.add('cannot-tell');
  if (targetGroups.length === 0) statuses.add('cannot-tell');
  const status = VERDICT_PRECEDENCE.find((s) => statuses.has(s)) ?? 'cannot-tell';
  const groupReasons = input.groups.flatMap((group, i) =>
    targetGroups[i]!.status === status ? targetGroups[i]!.reasons.filter((r) => !caveats.includes(r)).map((r) => ({ ...r, group: group.name })) : [],
  );
  return { status, reasons: status === 'cannot-tell' ? [...caveats, ...groupReasons] : groupReasons, targetGroups };
}

function reportCaveats(input: VerdictInput): VerdictFinding[] {
  if (input.entries === 0) return [{ code: 'NO_ENTRIES' }];
  const out: VerdictFinding[] = [];
  if (input.dispatches === 0 || input.groups.every((g) => g.requests === 0)) out.push({ code: 'NO_TARGET_ENTRIES', entries: input.entries });
  if (input.spanMs < MIN_WINDOW_MS) out.push({ code: 'WINDOW_TOO_SHORT', spanMs: input.spanMs });
  if (input.dispatches > 0 && input.outOfOrder / input.dispatches > MAX_UNMEASURED_SHARE) {
    out.push({ code: 'MANY_OUT_OF_ORDER', outOfOrder: input.outOfOrder, dispatches: input.dispatches });
  }
  if (input.dispatches > 0 && input.withoutIdleGap / input.dispatches > MAX_UNMEASURED_SHARE) {
    out.push({ code: 'MANY_WITHOUT_IDLE_GAP', withoutIdleGap: input.withoutIdleGap, dispatches: input.dispatches });
  }
  return out;
}

function judgeGroup(group: VerdictGroupInput, caveats: readonly VerdictFinding[], spanMs: number): TargetGroupJudgement {
  const races = group.classes.keepalive_race ?? 0;
  if (races > 0) {
    const { estimatedSeconds, confidence, method, pValue } = group.keepAlive;
    const racesFinding: VerdictFinding = { code: 'KEEPALIVE_RACES', races, estimatedSeconds, confidence, method: method ?? null, pValue: pValue ?? null };
    const change = group.raceChange;
    if (change !== null && change !== undefined) {
      const changeFinding: VerdictFinding = {
        code: change.verdict === 'stopped' ? 'RACES_STOPPED' : 'RACES_STARTED',
        at: change.at,
        quietMs: change.quietMs,
        expectedRaces: change.expectedRaces,
        pValue: change.pValue,
        spanMs,
      };
      return { arn: group.arn, status: change.verdict === 'stopped' ? 'stopped' : 'races', reasons: [changeFinding, racesFinding] };
    }
    return { arn: group.arn, status: 'races', reasons: [racesFinding] };
  }
  const cannot = (reasons: VerdictFinding[]): TargetGroupJudgement => ({ arn: group.arn, status: 'cannot-tell', reasons });
  if (caveats.length > 0) return cannot([...caveats]);
  if (group.requests === 0) return cannot([{ code: 'NO_REQUESTS' }]);
  const idleRequests = group.idleAgeBuckets.filter((b) => b.fromMs >= MIN_RACE_IDLE_MS).reduce((total, b) => total + b.requests, 0);
  if (idleRequests < MIN_IDLE_REQUESTS) return cannot([{ code: 'FEW_IDLE_REQUESTS', idleRequests, minIdleMs: MIN_RACE_IDLE_MS }]);
  // "No races" only where a target closing at any known default would have raced a few times by now.
  const days = spanMs / DAY_MS;
  const expectedInWindow = (e: ExposureInput): number => e.expectedRacesPerDay * days;
  const bySmallest = [...group.exposure].sort((a, b) => expectedInWindow(a) - expectedInWindow(b) || a.closeSeconds - b.closeSeconds);
  const thin = bySmallest.filter((e) => expectedInWindow(e) < MIN_EXPECTED_RACES_FOR_NONE);
  if (bySmallest.length === 0 || thin.length > 0) return cannot([{ code: 'LITTLE_EXPOSURE', spanMs, thin }]);
  const least = bySmallest[0]!;
  return {
    arn: group.arn,
    status: 'none',
    reasons: [{ code: 'NO_RACES', idleRequests, minIdleMs: MIN_RACE_IDLE_MS, expectedRaces: Math.floor(expectedInWindow(least)), fewestAtSeconds: least.closeSeconds }],
  };
}

export const DAY_MS = 86_400_000;
