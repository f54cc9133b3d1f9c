/**
 * The verdict as data: per target group and overall, do the targets race the ALB on idle keep-alive
 * connections? One of four answers, each with its reasons, so that the text and Markdown headlines and
 * the Lambda's alerts all read the same decision. Pure; its input is a small structural type of its own,
 * so it depends on neither the report model nor the analyzers' state.
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

/** A stable code for programs (alerts), and one sentence for people. */
export interface VerdictReason {
  code: VerdictReasonCode;
  text: string;
}

export interface TargetGroupVerdict {
  arn: string;
  status: VerdictStatus;
  reasons: VerdictReason[];
}

export interface Verdict {
  status: VerdictStatus;
  reasons: VerdictReason[];
  targetGroups: TargetGroupVerdict[];
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

const COUNT = new Intl.NumberFormat('en-US');
const n = (value: number): string => COUNT.format(value);
const plural = (count: number, one: string, many: string): string => `${n(count)} ${count === 1 ? one : many}`;

export function judgeVerdict(input: VerdictInput): Verdict {
  const caveats = reportCaveats(input);
  const targetGroups = input.groups.map((group) => judgeGroup(group, caveats, input.spanMs));
  const statuses = new Set(targetGroups.map((g) => g.status));
  if (caveats.length > 0 && !statuses.has('races')) statuses.add('cannot-tell');
  if (targetGroups.length === 0) statuses.add('cannot-tell');
  const status = VERDICT_PRECEDENCE.find((s) => statuses.has(s)) ?? 'cannot-tell';
  const groupReasons = input.groups.flatMap((group, i) =>
    targetGroups[i]!.status === status ? targetGroups[i]!.reasons.filter((r) => !caveats.includes(r)).map((r) => ({ code: r.code, text: `${group.name}: ${r.text}` })) : [],
  );
  return { status, reasons: status === 'cannot-tell' ? [...caveats, ...groupReasons] : groupReasons, targetGroups };
}

function reportCaveats(input: VerdictInput): VerdictReason[] {
  if (input.entries === 0) return [{ code: 'NO_ENTRIES', text: 'No log entries were analysed.' }];
  const out: VerdictReason[] = [];
  if (input.dispatches === 0 || input.groups.every((g) => g.requests === 0)) {
    out.push({ code: 'NO_TARGET_ENTRIES', text: `None of the ${plural(input.entries, 'entry', 'entries')} reached a target.` });
  }
  if (input.spanMs < MIN_WINDOW_MS) {
    out.push({ code: 'WINDOW_TOO_SHORT', text: `The entries cover ${minutes(input.spanMs)}, too short a time to expect a race; read an hour or more.` });
  }
  if (input.dispatches > 0 && input.outOfOrder / input.dispatches > MAX_UNMEASURED_SHARE) {
    out.push({
      code: 'MANY_OUT_OF_ORDER',
      text: `${plural(input.outOfOrder, 'entry', 'entries')} of ${n(input.dispatches)} arrived far out of order, so idle gaps near them may be wrong; read the files in time order.`,
    });
  }
  if (input.dispatches > 0 && input.withoutIdleGap / input.dispatches > MAX_UNMEASURED_SHARE) {
    out.push({
      code: 'MANY_WITHOUT_IDLE_GAP',
      text: `${plural(input.withoutIdleGap, 'request', 'requests')} of ${n(input.dispatches)} have no idle gap, and a race among them would go unseen.`,
    });
  }
  return out;
}

function judgeGroup(group: VerdictGroupInput, caveats: readonly VerdictReason[], spanMs: number): TargetGroupVerdict {
  const races = group.classes.keepalive_race ?? 0;
  if (races > 0) {
    const { estimatedSeconds, confidence, method, pValue } = group.keepAlive;
    const likely = method === 'known-close' && estimatedSeconds !== null;
    const at =
      estimatedSeconds === null || confidence === 'none'
        ? 'at no single idle age'
        : likely
          ? `at an idle age of about ${estimatedSeconds.toFixed(1)} s, where a known server default closes (${confidence} confidence: likely, not certain; chance would put ${races === 1 ? 'one' : 'as many'} there with probability ${chance(pValue)})`
          : `at an idle age of about ${estimatedSeconds.toFixed(1)} s (${confidence} confidence)`;
    const racesReason: VerdictReason = { code: 'KEEPALIVE_RACES', text: `${plural(races, 'keep-alive race', 'keep-alive races')} ${at}.` };
    const change = group.raceChange;
    if (change?.verdict === 'stopped') {
      const text =
        `Races stopped at about ${clock(change.at, spanMs)}; none in the ${span(change.quietMs)} since, where ${expected(change.expectedRaces)} ${change.expectedRaces >= 0.5 && change.expectedRaces < 1.5 ? 'was' : 'were'} expected at the rate before ` +
        `(p = ${chance(change.pValue)}): check that the fix is deployed on every target.`;
      return { arn: group.arn, status: 'stopped', reasons: [{ code: 'RACES_STOPPED', text }, racesReason] };
    }
    if (change?.verdict === 'started') {
      const text = `Races started at about ${clock(change.at, spanMs)}; none in the ${span(change.quietMs)} before, where ${expected(change.expectedRaces)} ${change.expectedRaces >= 0.5 && change.expectedRaces < 1.5 ? 'was' : 'were'} expected at the rate since (p = ${chance(change.pValue)}).`;
      return { arn: group.arn, status: 'races', reasons: [{ code: 'RACES_STARTED', text }, racesReason] };
    }
    return { arn: group.arn, status: 'races', reasons: [racesReason] };
  }
  const cannot = (reasons: VerdictReason[]): TargetGroupVerdict => ({ arn: group.arn, status: 'cannot-tell', reasons });
  if (caveats.length > 0) return cannot([...caveats]);
  if (group.requests === 0) return cannot([{ code: 'NO_REQUESTS', text: 'No request reached the group.' }]);
  const idleRequests = group.idleAgeBuckets.filter((b) => b.fromMs >= MIN_RACE_IDLE_MS).reduce((total, b) => total + b.requests, 0);
  if (idleRequests < MIN_IDLE_REQUESTS) {
    return cannot([
      {
        code: 'FEW_IDLE_REQUESTS',
        text: `Only ${plural(idleRequests, 'request', 'requests')} reused a connection idle ${MIN_RACE_IDLE_MS / 1000} s or more, too few to show a race.`,
      },
    ]);
  }
  // "No races" only where a target closing at any known default would have raced a few times by now.
  const days = spanMs / DAY_MS;
  const expectedInWindow = (e: ExposureInput): number => e.expectedRacesPerDay * days;
  const bySmallest = [...group.exposure].sort((a, b) => expectedInWindow(a) - expectedInWindow(b) || a.closeSeconds - b.closeSeconds);
  const thin = bySmallest.filter((e) => expectedInWindow(e) < MIN_EXPECTED_RACES_FOR_NONE);
  if (bySmallest.length === 0 || thin.length > 0) {
    const first = thin[0];
    const text =
      first === undefined
        ? `No keep-alive race in ${span(spanMs)}, but no known close time was measured, so the data cannot show whether the targets would race.`
        : `No keep-alive race in ${span(spanMs)}, but ` +
          (first.requestsPerDay > 0
            ? `with ${perDay(first.requestsPerDay)} requests/day at idle ${band(first)} a ${seconds(first.closeSeconds)} target would race ${often(first.expectedRacesPerDay)}`
            : `no request reused a connection idle ${band(first)}, where a ${seconds(first.closeSeconds)} target would race`) +
          (thin.length > 1 ? `; too little traffic reached ${list(thin.slice(1).sort((a, b) => a.closeSeconds - b.closeSeconds).map((e) => seconds(e.closeSeconds)))} to show a race either.` : '.');
    return cannot([{ code: 'LITTLE_EXPOSURE', text }]);
  }
  const least = bySmallest[0]!;
  return {
    arn: group.arn,
    status: 'none',
    reasons: [
      {
        code: 'NO_RACES',
        text:
          `No keep-alive race in ${plural(idleRequests, 'request', 'requests')} on connections idle ${MIN_RACE_IDLE_MS / 1000} s or more; ` +
          `a target closing at any known default would have raced ${n(Math.floor(expectedInWindow(least)))} times or more (fewest at ${seconds(least.closeSeconds)}).`,
      },
    ],
  };
}

const DAY_MS = 86_400_000;

/** `12:05 UTC`, with the date when the window spans more than a day. */
const clock = (iso: string, spanMs: number): string => (spanMs > DAY_MS ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : `${iso.slice(11, 16)} UTC`);
/** Expected races in words: `10`, `2.4`, `0.6`. */
const expected = (x: number): string => (x >= 10 ? n(Math.round(x)) : String(Number(x.toPrecision(2))));

/** `0.004`, `3e-7`: a probability in two significant digits. */
const chance = (p: number | null | undefined): string => {
  if (p === null || p === undefined) return 'unknown';
  return p >= 0.001 ? String(Number(p.toPrecision(2))) : p.toExponential(0);
};
const seconds = (s: number): string => `${Number(s.toFixed(3))} s`;
const band = (e: ExposureInput): string => `${(e.fromMs / 1000).toFixed(3)}–${(e.toMs / 1000).toFixed(3)} s`;
const perDay = (x: number): string => (x >= 10 ? n(Math.round(x)) : String(Number(x.toPrecision(2))));
const list = (items: string[]): string => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);
const span = (ms: number): string => (ms >= 2 * DAY_MS ? `${Math.round(ms / DAY_MS)} days` : ms >= 90 * 60_000 ? `${Math.round(ms / 3_600_000)} h` : minutes(ms));

/** How often, in words: `about 3 times a day`, `about once a week`, `less than once a month`. */
export function often(perDay: number): string {
  if (!(perDay > 0)) return 'never';
  if (perDay >= 1.5) return `about ${n(Math.round(perDay))} times a day`;
  if (perDay >= 0.67) return 'about once a day';
  const everyDays = 1 / perDay;
  if (everyDays < 5.5) return `about once every ${Math.round(everyDays)} days`;
  if (everyDays < 10.5) return 'about once a week';
  if (everyDays < 45) return `about once every ${Math.round(everyDays / 7)} weeks`;
  return 'less than once a month';
}

const minutes = (ms: number): string => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);
