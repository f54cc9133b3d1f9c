/**
 * The report for a person at a terminal: the verdict first, then the evidence (input, target groups,
 * race rate by idle age, timeline), then what to change. At most 100 columns, except code snippets and
 * single words (paths) that are never broken; colour only when asked for.
 */
import picocolors from 'picocolors';
import type { Report, TargetGroupReport } from '../model.js';
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
import { bar, downsample, padEnd, padStart, sparkline, truncate, visibleWidth, wrap } from './layout.js';
import type { RenderOptions } from './options.js';
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
  type VerdictTone,
} from './verdict.js';

type Colors = ReturnType<typeof picocolors.createColors>;

export const TEXT_WIDTH = 100;
const INDENT = '  ';
/** Target groups listed in the table; the rest are summed in one line. */
const MAX_TABLE_GROUPS = 12;
/** Target groups with races that get an idle-age chart. */
const MAX_CHARTS = 3;
/** Target groups with errors that get a timeline. */
const MAX_TIMELINES = 5;
const MAX_SAMPLES = 3;

export function renderText(report: Report, options: RenderOptions): string {
  const c = picocolors.createColors(options.color);
  const sections = [
    header(report, c),
    verdictSection(report, c),
    inputSection(report, c),
    groupsSection(report, c),
    idleAgeSection(report, c),
    timelineSection(report, c),
    recommendationsSection(report, c),
    notesSection(report, c),
    [c.dim('Every number as JSON: --format json. Each 5xx/460 with its cause: --events FILE.')],
  ].filter((lines) => lines.length > 0);
  return sections.map((lines) => lines.join('\n')).join('\n\n') + '\n';
}

const heading = (c: Colors, title: string, detail = ''): string =>
  c.bold(title) + (detail === '' ? '' : '  ' + c.dim(detail));

function header(report: Report, c: Colors): string[] {
  const from = formatReportTime(report.window.from);
  const to = formatReportTime(report.window.to);
  let window: string;
  if (from !== null || to !== null) {
    window = `${from ?? 'first entry'} → ${to ?? 'last entry'} UTC`;
  } else {
    const range = timelineRange(report.timeline);
    window = range === null ? 'all entries' : `all entries, ${formatUtc(range.startMs)} → ${formatUtc(range.endMs)} UTC`;
  }
  const idle = report.albIdleTimeoutSeconds;
  const label = (name: string): string => INDENT + padEnd(name, 18);
  return [
    c.bold('alb-doctor report') + c.dim(' · 5xx and 460 behind an Application Load Balancer'),
    label('window') + window,
    ...wrap(
      `${formatSettingSeconds(idle.value)} (${ALB_IDLE_SOURCE[idle.source]})`,
      TEXT_WIDTH,
      ' '.repeat(INDENT.length + 18),
      label('ALB idle timeout'),
    ),
  ];
}

const TONE: Record<VerdictTone, (c: Colors, text: string) => string> = {
  race: (c, text) => c.red(text),
  other: (c, text) => c.yellow(text),
  clear: (c, text) => c.green(text),
  empty: (c, text) => c.yellow(text),
};

function verdictSection(report: Report, c: Colors): string[] {
  const lines = [heading(c, 'VERDICT')];
  for (const line of verdict(report)) {
    const wrapped = wrap(line.text, TEXT_WIDTH, INDENT + '  ', INDENT + '▸ ');
    lines.push(...wrapped.map((l) => TONE[line.tone](c, l)));
  }
  return lines;
}

function inputSection(report: Report, c: Colors): string[] {
  const input = report.input;
  const lines = [heading(c, 'INPUT')];
  const say = (text: string): void => void lines.push(...wrap(text, TEXT_WIDTH, INDENT + '  ', INDENT));
  say(
    `${formatCount(input.files)} file${input.files === 1 ? '' : 's'} (${formatBytes(input.bytes)}), ` +
      `${formatCount(input.lines)} lines: ${formatCount(input.entries)} entries, ` +
      `${formatCount(input.malformed)} malformed, ${formatCount(input.blankLines)} blank.`,
  );
  if (input.outsideWindow > 0) say(`${formatCount(input.outsideWindow)} entries fell outside --from/--to and were left out.`);
  if (input.skippedFiles > 0) {
    const reasons = Object.entries(input.skippedByReason)
      .sort(([, a], [, b]) => b - a)
      .map(([reason, n]) => `${formatCount(n)} ${reason.replaceAll('_', ' ')}`);
    say(`Skipped ${formatCount(input.skippedFiles)} file${input.skippedFiles === 1 ? '' : 's'}: ${reasons.join(', ')}.`);
  }
  if (input.malformed > 0) {
    const codes = Object.entries(input.malformedByCode)
      .sort(([, a], [, b]) => b - a)
      .map(([code, n]) => `${code} ${formatCount(n)}`);
    lines.push(...wrap(`Malformed lines by reason: ${codes.join(', ')}; for example:`, TEXT_WIDTH, INDENT + '  ', INDENT).map((l) => c.yellow(l)));
    for (const sample of input.malformedSamples.slice(0, MAX_SAMPLES)) {
      lines.push(...wrap(`${sample.code} ${sample.message}`, TEXT_WIDTH, INDENT + '      ', INDENT + '    ').map((l) => c.dim(l)));
    }
  }
  if (input.unread.length > 0) {
    const count = input.unread.length;
    lines.push(c.red(`${INDENT}${formatCount(count)} input${count === 1 ? '' : 's'} could not be read (or not to the end):`));
    for (const error of input.unread) lines.push(...wrap(error.message, TEXT_WIDTH, INDENT + '      ', INDENT + '    '));
  }
  return lines;
}

function groupsSection(report: Report, c: Colors): string[] {
  if (report.targetGroups.length === 0) {
    const ungrouped = describeClasses(ungroupedClasses(report));
    return ungrouped.length === 0 ? [] : [heading(c, 'TARGET GROUPS'), `${INDENT}none; outside any target group: ${ungrouped.join(', ')}`];
  }
  const groups = sortGroups(report.targetGroups);
  const shown = groups.slice(0, MAX_TABLE_GROUPS);
  const rows = shown.map((g) => ({
    group: g,
    cells: [
      g.name,
      formatCount(g.requests),
      formatCount(errorsOf(g.classes)),
      formatCount(racesOf(g.classes)),
      keepAliveCell(g),
      g.keepAlive.confidence === 'none' ? '' : g.keepAlive.confidence,
    ],
  }));
  const titles = ['target group', 'requests', '5xx+460', 'races', 'keep-alive T̂', 'confidence'];
  const alignRight = [false, true, true, true, false, false];
  const widths = titles.map((t, i) => Math.max(visibleWidth(t), ...rows.map((r) => visibleWidth(r.cells[i]!))));
  const gap = '  ';
  const others = INDENT.length + widths.slice(1).reduce((n, w) => n + w + gap.length, 0);
  widths[0] = Math.max(visibleWidth(titles[0]!), Math.min(widths[0]!, 32, TEXT_WIDTH - others));
  const line = (cells: string[]): string =>
    (INDENT + cells.map((cell, i) => {
      const text = truncate(cell, widths[i]!);
      return alignRight[i] ? padStart(text, widths[i]!) : padEnd(text, widths[i]!);
    }).join(gap)).trimEnd();
  const detail = (text: string): string[] => wrap(text, TEXT_WIDTH, INDENT + '      ', INDENT + '    ').map((l) => c.dim(l));
  const lines = [heading(c, 'TARGET GROUPS'), c.dim(line(titles))];
  for (const row of rows) {
    const text = line(row.cells);
    lines.push(racesOf(row.group.classes) > 0 ? c.red(text) : text);
    const classes = describeClasses(row.group.classes);
    if (classes.length > 0) lines.push(...detail(classes.join(' · ')));
    if (row.group.suspectedServers.length > 0) lines.push(...detail(`keep-alive matches: ${row.group.suspectedServers.join(', ')}`));
  }
  const hidden = groups.slice(MAX_TABLE_GROUPS);
  if (hidden.length > 0) {
    const requests = hidden.reduce((n, g) => n + g.requests, 0);
    const errors = hidden.reduce((n, g) => n + errorsOf(g.classes), 0);
    lines.push(`${INDENT}… and ${hidden.length} more groups: ${formatCount(requests)} requests, ${formatCount(errors)} errors (see --format json).`);
  }
  const ungrouped = describeClasses(ungroupedClasses(report));
  if (ungrouped.length > 0) lines.push(...wrap(`Outside any target group: ${ungrouped.join(', ')}.`, TEXT_WIDTH, INDENT + '  ', INDENT));
  return lines;
}

function keepAliveCell(group: TargetGroupReport): string {
  const { estimatedSeconds, lowSeconds, highSeconds } = group.keepAlive;
  if (estimatedSeconds === null) return '—';
  const interval = lowSeconds !== null && highSeconds !== null ? ` (${formatSecondsInterval(lowSeconds, highSeconds)})` : '';
  return `${formatSeconds(estimatedSeconds)}${interval}`;
}

function idleAgeSection(report: Report, c: Colors): string[] {
  const racing = sortGroups(report.targetGroups).filter((g) => racesOf(g.classes) > 0 && g.idleAge.buckets.length > 0);
  if (racing.length === 0) return [];
  const lines = [heading(c, 'RACE RATE BY IDLE AGE', 'races ÷ requests sent on a connection idle that long')];
  for (const group of racing.slice(0, MAX_CHARTS)) {
    const rows = idleAgeRows(group.idleAge.buckets, group.keepAlive);
    const digits = idleRangeDigits(rowEdges(rows));
    const labels = rows.map((r) => formatIdleRange(r.fromMs, r.toMs, digits));
    const requestCells = rows.map((r) => formatCount(r.requests));
    const raceCells = rows.map((r) => formatCount(r.races));
    const rateCells = rows.map((r) => formatPercent(r.raceRate));
    const labelWidth = Math.max(8, ...labels.map(visibleWidth));
    const requestWidth = Math.max(8, ...requestCells.map(visibleWidth));
    const raceWidth = Math.max(5, ...raceCells.map(visibleWidth));
    const rateWidth = Math.max(4, ...rateCells.map(visibleWidth));
    const marker = group.keepAlive.estimatedSeconds === null ? '' : ` ◀ T̂ ${formatSeconds(group.keepAlive.estimatedSeconds)}`;
    const barWidth = TEXT_WIDTH - (INDENT.length + 2 + labelWidth + requestWidth + raceWidth + rateWidth + 4 * 2 + 1) - visibleWidth(marker);
    const maxRate = Math.max(...rows.map((r) => r.raceRate));
    lines.push(`${INDENT}${c.bold(group.name)}`);
    lines.push(
      c.dim(`${INDENT}  ${padEnd('idle age', labelWidth)}  ${padStart('requests', requestWidth)}  ${padStart('races', raceWidth)}  ${padStart('rate', rateWidth)}`),
    );
    rows.forEach((row, i) => {
      const drawn = bar(maxRate > 0 ? row.raceRate / maxRate : 0, barWidth);
      const cells =
        `${INDENT}  ${padEnd(labels[i]!, labelWidth)}  ${padStart(requestCells[i]!, requestWidth)}  ` +
        `${padStart(raceCells[i]!, raceWidth)}  ${padStart(rateCells[i]!, rateWidth)}  │`;
      const bars = row.races > 0 ? c.red(drawn) : drawn;
      lines.push(`${cells}${bars}${row.holdsEstimate ? c.bold(marker) : ''}`);
    });
  }
  if (racing.length > MAX_CHARTS) lines.push(c.dim(`${INDENT}${racing.length - MAX_CHARTS} more target groups with races: see --format json.`));
  return lines;
}

function timelineSection(report: Report, c: Colors): string[] {
  const range = timelineRange(report.timeline);
  const nameOf = groupNamer(report);
  const groups = report.timeline.groups
    .map((g) => ({ ...g, name: nameOf(g.targetGroup), racesTotal: sumOf(g.races), otherTotal: sumOf(g.otherErrors) }))
    .filter((g) => g.racesTotal + g.otherTotal > 0)
    .sort((a, b) => b.racesTotal - a.racesTotal || b.otherTotal - a.otherTotal || a.name.localeCompare(b.name));
  if (range === null || groups.length === 0) return [];
  const nameWidth = Math.min(20, Math.max(...groups.slice(0, MAX_TIMELINES).map((g) => visibleWidth(g.name))));
  const labelWidth = 'requests'.length;
  const totalWidth = 9;
  const columns = TEXT_WIDTH - (INDENT.length + nameWidth + 1 + labelWidth + 1 + 2 + 1 + totalWidth);
  const { perColumn } = downsample(new Array<number>(range.buckets).fill(0), columns);
  const lines = [
    heading(c, 'TIMELINE', `${formatUtc(range.startMs)} → ${formatUtc(range.endMs)} UTC, one column = ${formatDuration(perColumn * report.timeline.bucketMs)}`),
  ];
  for (const group of groups.slice(0, MAX_TIMELINES)) {
    const series: [string, number[], (text: string) => string][] = [
      ['races', group.races, c.red],
      ['other', group.otherErrors, c.yellow],
      ['requests', group.requests, c.dim],
    ];
    // A series with nothing in it is left out, except requests: "no races here" is already in the table.
    const drawn = series.filter(([label, values]) => label === 'requests' || sumOf(values) > 0);
    drawn.forEach(([label, values, paint], i) => {
      const { sums } = downsample(values, columns);
      const name = i === 0 ? truncate(group.name, nameWidth) : '';
      const total = formatCount(sumOf(values));
      lines.push(`${INDENT}${padEnd(name, nameWidth)} ${padStart(label, labelWidth)} │${paint(padEnd(sparkline(sums), sums.length))}│ ${total}`);
    });
  }
  const columnsDrawn = Math.ceil(range.buckets / perColumn);
  const axisIndent = INDENT.length + nameWidth + 1 + labelWidth + 2;
  lines.push(c.dim(' '.repeat(axisIndent) + timeAxis(range.startMs, perColumn * report.timeline.bucketMs, columnsDrawn)));
  if (groups.length > MAX_TIMELINES) lines.push(c.dim(`${INDENT}${groups.length - MAX_TIMELINES} more target groups with errors: see --format json.`));
  return lines;
}

/** Tick spacings for the time axis: round durations, the first that leaves room between labels wins. */
const TICK_MS = [60_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000];
/** Columns a tick label takes, with a space after it. */
const TICK_COLUMNS = 12;

/** Tick labels under the sparklines at round UTC times: `HH:MM`, or `MM-DD` when ticks are days apart. */
function timeAxis(startMs: number, msPerColumn: number, columns: number): string {
  const tickMs = TICK_MS.find((ms) => ms >= TICK_COLUMNS * msPerColumn) ?? TICK_COLUMNS * msPerColumn;
  const byDay = tickMs >= 86_400_000;
  const label = (ms: number): string => new Date(ms).toISOString().slice(byDay ? 5 : 11, byDay ? 10 : 16);
  let axis = '';
  for (let tick = Math.ceil(startMs / tickMs) * tickMs; ; tick += tickMs) {
    const column = Math.floor((tick - startMs) / msPerColumn);
    if (column + 6 > columns) break;
    axis = padEnd(axis, column) + '╵' + label(tick);
  }
  return axis;
}

/** Servers listed with their snippet per recommendation; the rest are named in one line. */
const MAX_SERVERS = 3;

function recommendationsSection(report: Report, c: Colors): string[] {
  if (report.recommendations.length === 0) return [];
  const nameOf = groupNamer(report);
  const notesShown = new Set<string>();
  const lines = [heading(c, 'RECOMMENDATIONS')];
  report.recommendations.forEach((rec, i) => {
    if (i > 0) lines.push('');
    const number = `${i + 1}. `;
    const body = INDENT + ' '.repeat(number.length);
    const group = nameOf(rec.targetGroup);
    const action = rec.action.trim();
    const title = action.includes(group) ? action : `${group}: ${action}`;
    lines.push(...wrap(title, TEXT_WIDTH, body, INDENT + number).map((l) => c.bold(l)));
    const facts: string[] = [];
    if (rec.targetKeepAliveSeconds !== null) {
      facts.push(`target keep-alive ≥ ${formatSettingSeconds(rec.targetKeepAliveSeconds)} (ALB idle timeout ${formatSettingSeconds(rec.albIdleTimeoutSeconds)})`);
    }
    if (rec.racesPerDay > 0) facts.push(`≈ ${formatRate(rec.racesPerDay)} errors/day`);
    if (facts.length > 0) lines.push(...wrap(facts.join(' · '), TEXT_WIDTH, body));
    if (rec.reason.trim() !== '') lines.push(...wrap(rec.reason, TEXT_WIDTH, body).map((l) => c.dim(l)));
    for (const server of rec.servers.slice(0, MAX_SERVERS)) {
      lines.push(...wrap(`${serverName(server)}: ${server.setting}`, TEXT_WIDTH, body + '  ', body));
      // Snippets are copied as they are: never wrapped, set off by a bar.
      for (const code of server.snippet.replace(/\n+$/, '').split('\n')) lines.push(`${body}${c.cyan('┃ ' + code)}`.trimEnd());
      // A side condition shared by several servers (all of Node's frameworks) is said once.
      const note = serverNote(server);
      if (note !== null && !notesShown.has(note)) {
        notesShown.add(note);
        lines.push(...wrap(note, TEXT_WIDTH, body + '  ', body + '  ').map((l) => c.dim(l)));
      }
    }
    const more = rec.servers.slice(MAX_SERVERS);
    if (more.length > 0) {
      lines.push(...wrap(`Also: ${more.map(serverName).join(', ')} (snippets in --format json).`, TEXT_WIDTH, body + '  ', body).map((l) => c.dim(l)));
    }
  });
  return lines;
}

function notesSection(report: Report, c: Colors): string[] {
  if (report.notes.length === 0) return [];
  return [heading(c, 'NOTES'), ...report.notes.flatMap((note) => wrap(note, TEXT_WIDTH, INDENT + '  ', INDENT + '• '))];
}

const sumOf = (values: readonly number[]): number => values.reduce((n, v) => n + v, 0);
