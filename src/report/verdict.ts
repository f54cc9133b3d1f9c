/**
 * The verdict in words: the report's facts → the verdict's input, and the findings analyze/verdict.ts
 * judged from it (rules and thresholds live there) → one sentence each for people, as report/advice.ts
 * words the advice. Counts with plurals and thousands separators.
 */
import { NO_TARGET_GROUP_NAME } from '../analyze/groups.js';
import { DAY_MS, type ExposureInput, type Judgement, judgeVerdict, type VerdictFinding } from '../analyze/verdict.js';
import type { Diagnosis } from '../analyze/conclude.js';
import type { TargetGroupReport, Verdict, VerdictReason } from './model.js';
import { formatCount as n } from './render/format.js';

/** Entries the ALB answered itself (ARN `-`) never reached a target, so they cannot race one. */
export function reportVerdict(input: Diagnosis, targetGroups: readonly TargetGroupReport[]): Verdict {
  const { connections } = input;
  const judgement = judgeVerdict({
    entries: input.input.entries - input.input.outsideWindow - (input.input.otherLoadBalancer ?? 0),
    spanMs: input.dataSpanMs,
    dispatches: connections.dispatches,
    outOfOrder: connections.outOfOrder,
    withoutIdleGap: Math.max(0, connections.unknownGap - connections.outOfOrder),
    groups: targetGroups
      .filter((g) => g.arn !== '-' && g.name !== NO_TARGET_GROUP_NAME)
      .map((g) => {
        const change = input.raceChanges.get(g.arn);
        return {
          arn: g.arn,
          name: g.name,
          requests: g.requests,
          classes: g.classes,
          keepAlive: g.keepAlive,
          idleAgeBuckets: g.idleAge.buckets,
          exposure: g.exposure ?? [],
          raceChange: change === undefined ? null : { ...change, at: new Date(change.atMs).toISOString() },
        };
      }),
  });
  return wordJudgement(judgement);
}

/** The judgement in words: each finding one sentence, the overall ones after the name of their group. */
export function wordJudgement(judgement: Judgement): Verdict {
  return {
    status: judgement.status,
    reasons: judgement.reasons.map((r) => {
      const { code, text } = wordFinding(r);
      return { code, text: r.group === undefined ? text : `${r.group}: ${text}` };
    }),
    targetGroups: judgement.targetGroups.map((g) => ({ arn: g.arn, status: g.status, reasons: g.reasons.map(wordFinding) })),
  };
}

/** One finding as the report's `{ code, text }`. */
export function wordFinding(finding: VerdictFinding): VerdictReason {
  return { code: finding.code, text: sentence(finding) };
}

function sentence(f: VerdictFinding): string {
  switch (f.code) {
    case 'RACES_STOPPED':
      return (
        `Races stopped at about ${clock(f.at, f.spanMs)}; none in the ${span(f.quietMs)} since, where ${expected(f.expectedRaces)} ${wasWere(f.expectedRaces)} expected at the rate before ` +
        `(p = ${chance(f.pValue)}): check that the fix is deployed on every target.`
      );
    case 'RACES_STARTED':
      return `Races started at about ${clock(f.at, f.spanMs)}; none in the ${span(f.quietMs)} before, where ${expected(f.expectedRaces)} ${wasWere(f.expectedRaces)} expected at the rate since (p = ${chance(f.pValue)}).`;
    case 'KEEPALIVE_RACES': {
      const likely = f.method === 'known-close' && f.estimatedSeconds !== null;
      const at =
        f.estimatedSeconds === null || f.confidence === 'none'
          ? 'at no single idle age'
          : likely
            ? `at an idle age of about ${f.estimatedSeconds.toFixed(1)} s, where a known server default closes (${f.confidence} confidence: likely, not certain; chance would put ${f.races === 1 ? 'one' : 'as many'} there with probability ${chance(f.pValue)})`
            : `at an idle age of about ${f.estimatedSeconds.toFixed(1)} s (${f.confidence} confidence)`;
      return `${plural(f.races, 'keep-alive race', 'keep-alive races')} ${at}.`;
    }
    case 'NO_ENTRIES':
      return 'No log entries were analysed.';
    case 'NO_TARGET_ENTRIES':
      return `None of the ${plural(f.entries, 'entry', 'entries')} reached a target.`;
    case 'WINDOW_TOO_SHORT':
      return `The entries cover ${minutes(f.spanMs)}, too short a time to expect a race; read an hour or more.`;
    case 'MANY_OUT_OF_ORDER':
      return `${plural(f.outOfOrder, 'entry', 'entries')} of ${n(f.dispatches)} arrived far out of order, so idle gaps near them may be wrong; read the files in time order.`;
    case 'MANY_WITHOUT_IDLE_GAP':
      return `${plural(f.withoutIdleGap, 'request', 'requests')} of ${n(f.dispatches)} have no idle gap, and a race among them would go unseen.`;
    case 'NO_REQUESTS':
      return 'No request reached the group.';
    case 'FEW_IDLE_REQUESTS':
      return `Only ${plural(f.idleRequests, 'request', 'requests')} reused a connection idle ${f.minIdleMs / 1000} s or more, too few to show a race.`;
    case 'LITTLE_EXPOSURE': {
      const [first, ...rest] = f.thin;
      if (first === undefined) {
        return `No keep-alive race in ${span(f.spanMs)}, but no known close time was measured, so the data cannot show whether the targets would race.`;
      }
      return (
        `No keep-alive race in ${span(f.spanMs)}, but ` +
        (first.requestsPerDay > 0
          ? `with ${perDay(first.requestsPerDay)} requests/day at idle ${band(first)} a ${seconds(first.closeSeconds)} target would race ${often(first.expectedRacesPerDay)}`
          : `no request reused a connection idle ${band(first)}, where a ${seconds(first.closeSeconds)} target would race`) +
        (rest.length > 0 ? `; too little traffic reached ${list(rest.sort((a, b) => a.closeSeconds - b.closeSeconds).map((e) => seconds(e.closeSeconds)))} to show a race either.` : '.')
      );
    }
    case 'NO_RACES':
      return (
        `No keep-alive race in ${plural(f.idleRequests, 'request', 'requests')} on connections idle ${f.minIdleMs / 1000} s or more; ` +
        `a target closing at any known default would have raced ${n(f.expectedRaces)} times or more (fewest at ${seconds(f.fewestAtSeconds)}).`
      );
  }
}

const plural = (count: number, one: string, many: string): string => `${n(count)} ${count === 1 ? one : many}`;

/** `0.004`, `3e-7`: a probability in two significant digits. */
const chance = (p: number | null): string => {
  if (p === null) return 'unknown';
  return p >= 0.001 ? String(Number(p.toPrecision(2))) : p.toExponential(0);
};
const seconds = (s: number): string => `${Number(s.toFixed(3))} s`;
const band = (e: ExposureInput): string => `${(e.fromMs / 1000).toFixed(3)}–${(e.toMs / 1000).toFixed(3)} s`;
const perDay = (x: number): string => (x >= 10 ? n(Math.round(x)) : String(Number(x.toPrecision(2))));
const list = (items: string[]): string => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);
const span = (ms: number): string => (ms >= 2 * DAY_MS ? `${Math.round(ms / DAY_MS)} days` : ms >= 90 * 60_000 ? `${Math.round(ms / 3_600_000)} h` : minutes(ms));
const minutes = (ms: number): string => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

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

/** `12:05 UTC`, with the date when the window spans more than a day. */
const clock = (iso: string, spanMs: number): string => (spanMs > DAY_MS ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : `${iso.slice(11, 16)} UTC`);
/** Expected races in words: `10`, `2.4`, `0.6`. */
const expected = (x: number): string => (x >= 10 ? n(Math.round(x)) : String(Number(x.toPrecision(2))));
/** "was" for what is written as 1 (0.5 to 1.5), "were" otherwise. */
const wasWere = (x: number): string => (x >= 0.5 && x < 1.5 ? 'was' : 'were');
