/**
 * `alb-doctor compare`: the comparison of two periods as plain JSON (the `compare --format json`
 * contract, schemaVersion 1: keys are only ever added), and its text and Markdown renderings. Target
 * group names come from the logs: each renderer escapes them for where they go (render/escape.ts).
 */
import type { CompareVerdict, GroupComparison, PeriodMeasure } from '../analyze/compare.js';
import { escapeMarkdown as md, escapeTerminal } from './render/escape.js';
import { formatCount, formatProbability } from './render/format.js';

export interface ComparisonGroup {
  arn: string;
  name: string;
  before: PeriodMeasure;
  after: PeriodMeasure;
  /** Races per exposed request after / before, with its 95 % interval; null where the counts leave it undefined. */
  rateRatio: { estimate: number | null; low: number | null; high: number | null };
  pValue: number;
  verdict: CompareVerdict;
  // Additions beyond the contract's keys:
  /** Power of the test to detect a halving of the before rate (α = 0.05); under 0.8 the verdict is cannot-tell. */
  power: number;
  /** The idle gaps (ms) in which requests were counted as exposed and 502s as races; null without a race band. */
  raceBand: { fromMs: number; toMs: number } | null;
}

export interface Comparison {
  schemaVersion: 1;
  before: { from: string; to: string };
  after: { from: string; to: string };
  targetGroups: ComparisonGroup[];
}

const significant3 = (x: number | null): number | null => (x === null ? null : x === 0 ? 0 : Number(x.toPrecision(3)));
const iso = (ms: number): string => new Date(ms).toISOString();

const VERDICT_ORDER: readonly CompareVerdict[] = ['worse', 'fixed', 'improved', 'unchanged', 'cannot-tell'];

export function buildComparison(before: { fromMs: number; toMs: number }, after: { fromMs: number; toMs: number }, groups: readonly GroupComparison[]): Comparison {
  return {
    schemaVersion: 1,
    before: { from: iso(before.fromMs), to: iso(before.toMs) },
    after: { from: iso(after.fromMs), to: iso(after.toMs) },
    targetGroups: [...groups]
      .sort((a, b) => b.before.races + b.after.races - (a.before.races + a.after.races) || VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict) || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0))
      .map((g) => ({
        arn: g.arn,
        name: g.name,
        before: g.before,
        after: g.after,
        rateRatio: { estimate: significant3(g.rateRatio.estimate), low: significant3(g.rateRatio.low), high: significant3(g.rateRatio.high) },
        pValue: significant3(g.pValue)!,
        verdict: g.verdict,
        power: significant3(g.power)!,
        raceBand: g.raceBandMs === null ? null : { fromMs: Math.round(g.raceBandMs[0]), toMs: Math.round(g.raceBandMs[1]) },
      })),
  };
}

/** One sentence per group: what the numbers say, for text and Markdown alike (names escaped by the caller). */
function verdictSentence(g: ComparisonGroup): string {
  const ratio = g.rateRatio;
  const interval = ratio.low === null ? '' : ` (95 % interval ${num(ratio.low)}–${ratio.high === null ? '∞' : num(ratio.high)})`;
  const rate = ratio.estimate === null ? '' : `; races per exposed request ×${num(ratio.estimate)}${interval}, p = ${formatProbability(g.pValue)}`;
  switch (g.verdict) {
    case 'fixed':
      return `fixed: no race after, where the rate before would have given ${expectedAfter(g)}${rate}.`;
    case 'improved':
      return `improved: fewer races per exposed request${rate}.`;
    case 'worse':
      return `worse: more races per exposed request${rate}.`;
    case 'unchanged':
      return `unchanged: no change in races per exposed request that the data can show${rate}.`;
    case 'cannot-tell':
      return `cannot tell: ${g.before.races === 0 ? 'no keep-alive race before to compare with' : 'too few races and exposed requests'} (the test had ${Math.round(g.power * 100)} % power to see the rate halve, 80 % needed)${rate}.`;
  }
}

const expectedAfter = (g: ComparisonGroup): string => {
  const x = g.before.exposedRequests > 0 ? (g.before.races / g.before.exposedRequests) * g.after.exposedRequests : 0;
  return `about ${x >= 10 ? formatCount(Math.round(x)) : String(Number(x.toPrecision(2)))}`;
};
const num = (x: number): string => String(Number(x.toPrecision(2)));
const period = (p: { from: string; to: string }): string => `${p.from.slice(0, 16).replace('T', ' ')} → ${p.to.slice(0, 16).replace('T', ' ')} UTC`;
const measureLine = (m: PeriodMeasure): string =>
  `${formatCount(m.races)} ${m.races === 1 ? 'race' : 'races'} in ${formatCount(m.exposedRequests)} exposed requests (of ${formatCount(m.requests)})`;

export function renderCompareText(c: Comparison): string {
  const lines = ['alb-doctor compare', `  before  ${period(c.before)}`, `  after   ${period(c.after)}`, ''];
  if (c.targetGroups.length === 0) lines.push('No target group had entries in either period.');
  for (const g of c.targetGroups) {
    lines.push(`${escapeTerminal(g.name)}: ${g.verdict.toUpperCase()}`);
    lines.push(`  before  ${measureLine(g.before)}`);
    lines.push(`  after   ${measureLine(g.after)}`);
    lines.push(`  ${verdictSentence(g)}`, '');
  }
  lines.push('Exposed requests: those that reused a connection idle within the race band the before period showed; races: race-shaped 502s in that band.');
  return lines.join('\n') + '\n';
}

export function renderCompareMarkdown(c: Comparison): string {
  const out = ['# alb-doctor compare', '', `- **Before:** ${md(period(c.before))}`, `- **After:** ${md(period(c.after))}`, ''];
  if (c.targetGroups.length === 0) out.push('No target group had entries in either period.', '');
  else {
    out.push('| target group | verdict | races before | exposed before | races after | exposed after | rate ratio (95 %) | p |', '|---|---|--:|--:|--:|--:|--:|--:|');
    for (const g of c.targetGroups) {
      const r = g.rateRatio;
      const ratio = r.estimate === null ? '—' : `${num(r.estimate)} (${r.low === null ? '—' : num(r.low)}–${r.high === null ? '∞' : num(r.high)})`;
      out.push(
        `| ${md(g.name)} | ${g.verdict} | ${formatCount(g.before.races)} | ${formatCount(g.before.exposedRequests)} | ${formatCount(g.after.races)} | ${formatCount(g.after.exposedRequests)} | ${ratio} | ${formatProbability(g.pValue)} |`,
      );
    }
    out.push('');
    for (const g of c.targetGroups) out.push(`- **${md(g.name)}:** ${md(verdictSentence(g))}`);
    out.push('');
  }
  out.push(md('Exposed requests: those that reused a connection idle within the race band the before period showed; races: race-shaped 502s in that band.'), '');
  return out.join('\n');
}

export const renderCompareJson = (c: Comparison): string => JSON.stringify(c, null, 2) + '\n';
