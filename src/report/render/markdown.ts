/**
 * The report as Markdown, for a ticket or a pull request: the same sections as the text report, with
 * tables for the numbers and fenced blocks for the config snippets.
 */
import type { Report } from '../model.js';
import { idleAgeRows, rowEdges, timelineRange } from './chartData.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatIdleRange,
  formatPercent,
  formatRate,
  formatReportTime,
  formatSeconds,
  formatSecondsInterval,
  formatSettingSeconds,
  formatUtc,
  idleRangeDigits,
} from './format.js';
import { bar, downsample, sparkline } from './layout.js';
import {
  ALB_IDLE_SOURCE,
  describeClasses,
  errorsOf,
  groupNamer,
  racesOf,
  serverName,
  serverNote,
  sortGroups,
  ungroupedClasses,
  verdict,
} from './verdict.js';

const CHART_BAR_WIDTH = 30;
const TIMELINE_COLUMNS = 60;

export function renderMarkdown(report: Report): string {
  const out: string[] = ['# alb-doctor report', ''];
  const from = formatReportTime(report.window.from);
  const to = formatReportTime(report.window.to);
  const range = timelineRange(report.timeline);
  const window =
    from !== null || to !== null
      ? `${from ?? 'first entry'} → ${to ?? 'last entry'} UTC`
      : range === null
        ? 'all entries'
        : `all entries, ${formatUtc(range.startMs)} → ${formatUtc(range.endMs)} UTC`;
  const idle = report.albIdleTimeoutSeconds;
  out.push(`- **Window:** ${window}`, `- **ALB idle timeout:** ${formatSettingSeconds(idle.value)} (${ALB_IDLE_SOURCE[idle.source]})`, '');

  out.push('## Verdict', '', ...verdict(report).map((line) => `- ${escapeText(line.text)}`), '');

  const input = report.input;
  out.push(
    '## Input',
    '',
    `${formatCount(input.files)} files (${formatBytes(input.bytes)}), ${formatCount(input.lines)} lines: ` +
      `${formatCount(input.entries)} entries, ${formatCount(input.malformed)} malformed, ${formatCount(input.blankLines)} blank; ` +
      `${formatCount(input.skippedFiles)} files skipped, ${formatCount(input.outsideWindow)} entries outside the window.`,
    '',
  );
  if (input.malformed > 0) {
    const codes = Object.entries(input.malformedByCode).map(([code, n]) => `\`${code}\` ${formatCount(n)}`);
    out.push(`Malformed lines by reason: ${codes.join(', ')}.`, '');
  }
  if (input.unread.length > 0) {
    out.push('Could not be read:', '', ...input.unread.map((e) => `- ${escapeText(e.message)}`), '');
  }

  if (report.targetGroups.length > 0) {
    out.push('## Target groups', '', '| target group | requests | 5xx+460 | races | keep-alive T̂ | confidence | suspected servers | errors by class |');
    out.push('|---|--:|--:|--:|---|---|---|---|');
    for (const g of sortGroups(report.targetGroups)) {
      const { estimatedSeconds, lowSeconds, highSeconds, confidence } = g.keepAlive;
      const keepAlive =
        estimatedSeconds === null
          ? '—'
          : formatSeconds(estimatedSeconds) + (lowSeconds !== null && highSeconds !== null ? ` (${formatSecondsInterval(lowSeconds, highSeconds)})` : '');
      out.push(
        row([
          g.name,
          formatCount(g.requests),
          formatCount(errorsOf(g.classes)),
          formatCount(racesOf(g.classes)),
          keepAlive,
          confidence,
          g.suspectedServers.join(', '),
          describeClasses(g.classes).join(', '),
        ]),
      );
    }
    out.push('');
  }
  const ungrouped = describeClasses(ungroupedClasses(report));
  if (ungrouped.length > 0) out.push(`Outside any target group: ${ungrouped.join(', ')}.`, '');

  for (const g of sortGroups(report.targetGroups).filter((g) => racesOf(g.classes) > 0 && g.idleAge.buckets.length > 0)) {
    const rows = idleAgeRows(g.idleAge.buckets, g.keepAlive);
    const digits = idleRangeDigits(rowEdges(rows));
    const maxRate = Math.max(...rows.map((r) => r.raceRate));
    out.push(`## Race rate by idle age: ${escapeText(g.name)}`, '', '| idle age | requests | races | rate | |', '|---|--:|--:|--:|---|');
    for (const r of rows) {
      const drawn = bar(maxRate > 0 ? r.raceRate / maxRate : 0, CHART_BAR_WIDTH);
      out.push(row([formatIdleRange(r.fromMs, r.toMs, digits), formatCount(r.requests), formatCount(r.races), formatPercent(r.raceRate), drawn + (r.holdsEstimate ? ' ◀ T̂' : '')]));
    }
    out.push('');
  }

  const nameOf = groupNamer(report);
  const timelineGroups = report.timeline.groups.filter((g) => sum(g.races) + sum(g.otherErrors) > 0);
  if (range !== null && timelineGroups.length > 0) {
    const { perColumn } = downsample(new Array<number>(range.buckets).fill(0), TIMELINE_COLUMNS);
    out.push('## Timeline', '', `${formatUtc(range.startMs)} → ${formatUtc(range.endMs)} UTC, one column = ${formatDuration(perColumn * report.timeline.bucketMs)}.`, '', '```');
    for (const g of timelineGroups) {
      out.push(nameOf(g.targetGroup));
      for (const [label, values] of [['races', g.races], ['other', g.otherErrors], ['requests', g.requests]] as const) {
        const { sums } = downsample(values, TIMELINE_COLUMNS);
        out.push(`  ${label.padStart(8)} │${sparkline(sums).padEnd(sums.length)}│ ${formatCount(sum(values))}`);
      }
    }
    out.push('```', '');
  }

  if (report.recommendations.length > 0) {
    out.push('## Recommendations', '');
    report.recommendations.forEach((rec, i) => {
      const group = nameOf(rec.targetGroup);
      const action = rec.action.trim();
      out.push(`### ${i + 1}. ${escapeText(action.includes(group) ? action : `${group}: ${action}`)}`, '');
      const facts: string[] = [];
      if (rec.targetKeepAliveSeconds !== null) {
        facts.push(`target keep-alive ≥ ${formatSettingSeconds(rec.targetKeepAliveSeconds)} (ALB idle timeout ${formatSettingSeconds(rec.albIdleTimeoutSeconds)})`);
      }
      if (rec.racesPerDay > 0) facts.push(`≈ ${formatRate(rec.racesPerDay)} errors/day`);
      if (facts.length > 0) out.push(facts.join(' · '), '');
      if (rec.reason.trim() !== '') out.push(escapeText(rec.reason), '');
      for (const server of rec.servers) {
        const fence = server.snippet.includes('```') ? '~~~~' : '```';
        out.push(`**${escapeText(serverName(server))}** — ${escapeText(server.setting)}`, '', fence, server.snippet.replace(/\n+$/, ''), fence, '');
        const note = serverNote(server);
        if (note !== null) out.push(escapeText(note), '');
      }
    });
  }

  if (report.notes.length > 0) out.push('## Notes', '', ...report.notes.map((n) => `- ${escapeText(n)}`), '');
  return out.join('\n');
}

const sum = (values: readonly number[]): number => values.reduce((n, v) => n + v, 0);

/** Markdown's inline specials, so a group name like `api_v2*` stays literal. */
const escapeText = (text: string): string => text.replace(/([\\`*_[\]<>|])/g, '\\$1');

const row = (cells: string[]): string => `| ${cells.map((cell) => escapeText(cell) || ' ').join(' | ')} |`;
