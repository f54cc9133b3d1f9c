/**
 * Report → ReportView: what every human-facing renderer shows, decided once. Plain data: sections,
 * table cells, chart rows and timeline columns with their numbers already formatted, labels from
 * labels.ts. Strings are plain text, never markup, and text from the logs is left as logged: each
 * serialiser (text, Markdown, later HTML) escapes every string for its own target.
 */
import type { VerdictStatus } from '../../analyze/verdict.js';
import type { CauseClass, ClassCounts, DrainBurstReport, DrainRecommendation, Report, TargetGroupReport } from '../model.js';
import { idleAgeRows, rowEdges, timelineRange } from './chartData.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatIdleRange,
  formatPercent,
  formatProbability,
  formatRate,
  formatReportTime,
  formatSeconds,
  formatSecondsInterval,
  formatSettingSeconds,
  formatUtc,
  idleRangeDigits,
} from './format.js';
import { ALB_IDLE_SOURCE, classCount, countOf, perDayUnit, serverLabel, serverNote, skipReasonCount } from './labels.js';
import { downsample } from './layout.js';
import { classRows, sampleClasses, type ClassRow, type SampleClass } from './viewSamples.js';

export type { ClassRow, SampleClass, SampleRow } from './viewSamples.js';

/** What a line means, for colour (text) or emphasis (other renderers). */
export type { Tone } from './tone.js';
import type { Tone } from './tone.js';

export interface Line {
  tone: Tone;
  text: string;
}

export interface Column {
  title: string;
  align: 'left' | 'right';
}

export interface GroupRow {
  /** Cells in the order of GroupsSection.columns. */
  cells: string[];
  tone: Tone;
  /** `16 failed connections to the target · 8 keep-alive races`; empty when none. */
  classes: string;
  /** Display names of the servers whose default matches; empty when none. */
  servers: string[];
}

export interface ChartRow {
  label: string;
  requests: string;
  races: string;
  rate: string;
  /** Bar length as a share of the longest (0–1). */
  fraction: number;
  tone: Tone;
  /** `T̂ 6.0 s` on the row that holds the estimate, else null. */
  marker: string | null;
  /** The numbers behind the text, for renderers that draw to scale. */
  fromMs: number;
  toMs: number | null;
  raceRate: number;
}

export interface Chart {
  title: string;
  rows: ChartRow[];
  /** The group's T̂ and its interval in seconds (null when none), and the ALB idle timeout: marked on drawn charts. */
  estimateSeconds: number | null;
  lowSeconds: number | null;
  highSeconds: number | null;
  albIdleTimeoutSeconds: number;
}

export interface TimelineSeries {
  label: 'races' | 'other' | 'requests';
  tone: Tone;
  /** Sums per column, TIMELINE_COLUMNS at most. */
  values: number[];
  total: string;
}

export interface TimelineGroup {
  name: string;
  series: TimelineSeries[];
  /** Where the group's races stopped or started (report `raceChange`): the column, and what to write there. */
  change?: { column: number; label: string } | null;
}

export interface ServerView {
  name: string;
  setting: string;
  /** The snippet's lines, as they are to be copied. */
  snippet: string[];
  /** A side condition, only where it is said first. */
  note: string | null;
}

export interface RecommendationView {
  title: string;
  /** `target keep-alive ≥ 65 s (ALB idle timeout 60 s) · ≈ 32 errors/day`; empty when none. */
  facts: string;
  reason: string;
  servers: ServerView[];
  /** Names of the servers listed without their snippet. */
  alsoServers: string[];
}

export type Section =
  | { kind: 'verdict'; title: string; status: VerdictStatus; lines: Line[] }
  | { kind: 'input'; title: string; lines: Line[]; samples: string[]; unread: string[]; unreadTitle: string | null }
  | { kind: 'groups'; title: string; columns: Column[]; rows: GroupRow[]; more: string | null; outside: string | null }
  | { kind: 'idleAge'; title: string; detail: string; charts: Chart[]; more: string | null }
  | { kind: 'timeline'; title: string; detail: string; columns: number; groups: TimelineGroup[]; ticks: { column: number; label: string }[]; more: string | null }
  | { kind: 'classes'; title: string; detail: string; rows: ClassRow[] }
  | { kind: 'recommendations'; title: string; items: RecommendationView[] }
  | { kind: 'samples'; title: string; detail: string; classes: SampleClass[] }
  | { kind: 'notes'; title: string; items: string[] };

export interface ReportView {
  title: string;
  subtitle: string;
  facts: { label: string; value: string }[];
  sections: Section[];
  footer: string;
}

/** Target groups listed in the table; the rest are summed in one line. */
export const MAX_TABLE_GROUPS = 12;
/** Target groups with races that get an idle-age chart. */
export const MAX_CHARTS = 3;
/** Target groups with errors that get a timeline. */
export const MAX_TIMELINES = 5;
/** Columns of a timeline: what fits a 100-column terminal beside a 20-column name. */
export const TIMELINE_COLUMNS = 56;
const MAX_SAMPLES = 3;
/** Servers listed with their snippet per recommendation; the rest are named in one line. */
const MAX_SERVERS = 3;
/** How many groups with races get a headline of their own. */
const MAX_RACE_HEADLINES = 3;
/** How many groups that cannot tell get a line of the verdict. */
const MAX_CANNOT_TELL_LINES = 3;
/** A log value named in a sentence is cut to this many characters (a table cell is cut where it is drawn). */
const MAX_NAME_CHARS = 80;

export function buildView(report: Report): ReportView {
  const sections: Section[] = [verdictSection(report), inputSection(report)];
  const optional = [
    groupsSection(report),
    classesSection(report),
    idleAgeSection(report),
    timelineSection(report),
    drainSection(report),
    recommendationsSection(report),
    samplesSection(report),
    notesSection(report),
  ];
  for (const section of optional) if (section !== null) sections.push(section);
  const idle = report.albIdleTimeoutSeconds;
  return {
    title: 'alb-doctor report',
    subtitle: '5xx and 460 behind an Application Load Balancer',
    facts: [
      { label: 'window', value: windowText(report) },
      { label: 'ALB idle timeout', value: `${formatSettingSeconds(idle.value)} (${ALB_IDLE_SOURCE[idle.source]})` },
    ],
    sections,
    footer: 'Every number as JSON: --format json. Each 5xx/460 with its cause: --events FILE.',
  };
}

function windowText(report: Report): string {
  const from = formatReportTime(report.window.from);
  const to = formatReportTime(report.window.to);
  if (from !== null || to !== null) return `${from ?? 'first entry'} → ${to ?? 'last entry'} UTC`;
  const range = timelineRange(report.timeline);
  return range === null ? 'all entries' : `all entries, ${formatUtc(range.startMs)} → ${formatUtc(range.endMs)} UTC`;
}

// ---- counts shared by several sections

/**
 * Races whose idle age points at the target's keep-alive timeout. A request on a connection the target
 * closed for another reason (request limits, recycling) is `closed_connection_race`: same 502, other fix.
 */
const RACE_CLASSES: readonly CauseClass[] = ['keepalive_race'];
/** Classes whose entries the ALB itself answered with 502. */
const BAD_GATEWAY_CLASSES: readonly CauseClass[] = ['keepalive_race', 'closed_connection_race', 'target_connection_error', 'target_reset'];

const sum = (counts: ClassCounts, classes?: readonly CauseClass[]): number =>
  (classes ?? (Object.keys(counts) as CauseClass[])).reduce((total, id) => total + (counts[id] ?? 0), 0);
export const racesOf = (counts: ClassCounts): number => sum(counts, RACE_CLASSES);
const badGatewaysOf = (counts: ClassCounts): number => sum(counts, BAD_GATEWAY_CLASSES);
export const errorsOf = (counts: ClassCounts): number => sum(counts);
const sumOf = (values: readonly number[]): number => values.reduce((n, v) => n + v, 0);

/** `41 keep-alive races, 10 target 5xx`: every class by count, largest first, each by its one label. */
export function describeClasses(counts: ClassCounts): string[] {
  return (Object.entries(counts) as [CauseClass, number][])
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([id, n]) => classCount(id, n));
}

/** Most races first, then most errors, then most requests; ties by name so output is repeatable. */
function sortGroups(groups: readonly TargetGroupReport[]): TargetGroupReport[] {
  return [...groups].sort(
    (a, b) =>
      racesOf(b.classes) - racesOf(a.classes) ||
      errorsOf(b.classes) - errorsOf(a.classes) ||
      b.requests - a.requests ||
      a.name.localeCompare(b.name),
  );
}

/** Class counts not attributed to any target group (e.g. requests the ALB rejected before routing). */
function ungroupedClasses(report: Report): ClassCounts {
  const rest: ClassCounts = {};
  for (const [id, total] of Object.entries(report.classes) as [CauseClass, number][]) {
    const inGroups = report.targetGroups.reduce((n, g) => n + (g.classes[id] ?? 0), 0);
    if (total - inGroups > 0) rest[id] = total - inGroups;
  }
  return rest;
}

/** A log value for a sentence: as logged, cut when very long (a 100 KB name is no headline). */
export const shortName = (name: string): string => {
  const chars = [...name];
  return chars.length <= MAX_NAME_CHARS ? name : chars.slice(0, MAX_NAME_CHARS - 1).join('') + '…';
};

/**
 * A target group's display name from what the report keys it by elsewhere (recommendations and the
 * timeline may use the ARN): the group's `name`, else the ARN's `targetgroup/<name>/` part, else as given.
 */
function groupNamer(report: Report): (key: string) => string {
  const names = new Map<string, string>();
  for (const group of report.targetGroups) {
    names.set(group.arn, group.name);
    names.set(group.name, group.name);
  }
  return (key) => names.get(key) ?? /targetgroup\/([^/]+)\//.exec(key)?.[1] ?? key;
}

// ---- sections

function verdictSection(report: Report): Section {
  return { kind: 'verdict', title: 'Verdict', status: report.verdict.status, lines: verdictLines(report) };
}

function verdictLines(report: Report): Line[] {
  const { entries } = report.input;
  const outsideWindow = report.input.outsideWindow + (report.input.otherLoadBalancer ?? 0);
  if (entries === 0) return [{ tone: 'warn', text: 'No log entries were read, so there is nothing to diagnose; check the paths given.' }];
  if (entries - outsideWindow <= 0) {
    const why = report.input.outsideWindow === 0 ? 'belong to other load balancers than --lb names' : (report.input.otherLoadBalancer ?? 0) === 0 ? 'fell outside --from/--to' : 'fell outside --from/--to or belong to other load balancers than --lb names';
    return [{ tone: 'warn', text: `All ${countOf(entries, 'entry')} ${why}, so there is nothing to diagnose; widen the window or check --lb.` }];
  }
  const verdict = report.verdict;
  const errors = errorsOf(report.classes);
  const analysed = countOf(entries - outsideWindow, 'entry');
  const lines: Line[] = [];
  const racing = sortGroups(report.targetGroups).filter((g) => racesOf(g.classes) > 0);
  // A change in the window comes first: races that stopped are the news a fix is judged by.
  for (const group of racing.slice(0, MAX_RACE_HEADLINES)) {
    const change = verdict.targetGroups.find((g) => g.arn === group.arn)?.reasons.find((r) => r.code === 'RACES_STOPPED' || r.code === 'RACES_STARTED');
    if (change !== undefined) lines.push({ tone: change.code === 'RACES_STOPPED' ? 'ok' : 'race', text: `${shortName(group.name)}: ${change.text}` });
  }
  for (const group of racing.slice(0, MAX_RACE_HEADLINES)) lines.push({ tone: 'race', text: raceHeadline(group) });
  if (racing.length > MAX_RACE_HEADLINES) {
    const more = racing.slice(MAX_RACE_HEADLINES);
    const races = more.reduce((n, g) => n + racesOf(g.classes), 0);
    lines.push({ tone: 'race', text: `Keep-alive races also in ${countOf(more.length, 'targetGroup', 'more')} (${formatCount(races)} in all).` });
  }
  const reasons = (list: { text: string }[]): string => list.map((r) => r.text).join(' ');
  if (verdict.status === 'cannot-tell') {
    const head = errors === 0 ? `No 5xx or 460 responses in ${analysed}, but that does not show that the targets never race the ALB:` : 'Cannot tell whether the targets race the ALB:';
    lines.push({ tone: 'warn', text: `${head} ${reasons(verdict.reasons)}` });
  } else if (verdict.status === 'races') {
    const names = new Map(report.targetGroups.map((g) => [g.arn, g.name]));
    const unsure = verdict.targetGroups.filter((g) => g.status === 'cannot-tell');
    for (const group of unsure.slice(0, MAX_CANNOT_TELL_LINES)) {
      lines.push({ tone: 'warn', text: `Cannot tell for ${shortName(names.get(group.arn) ?? group.arn)}: ${reasons(group.reasons)}` });
    }
    if (unsure.length > MAX_CANNOT_TELL_LINES) {
      lines.push({ tone: 'warn', text: `Cannot tell for ${countOf(unsure.length - MAX_CANNOT_TELL_LINES, 'targetGroup', 'more')} (see --format json).` });
    }
  } else if (errors === 0) {
    lines.push({ tone: 'ok', text: `No 5xx or 460 responses in ${analysed}: nothing to diagnose.` });
  }
  // "No races" is said with the exposure that backs it (analyze/verdict.ts NO_RACES).
  if (verdict.status === 'none' && errors > 0) lines.push({ tone: 'ok', text: reasons(verdict.reasons) });
  if (errors === 0) return lines;
  const others: ClassCounts = { ...report.classes };
  for (const id of RACE_CLASSES) delete others[id];
  const otherParts = describeClasses(others);
  if (racing.length === 0 && otherParts.length > 0) {
    const clear = verdict.status === 'none' ? 'No keep-alive races' : 'No keep-alive races seen';
    lines.push({ tone: 'warn', text: `${clear}: the ${countOf(errors, 'error')} ${errors === 1 ? 'is' : 'are'} ${otherParts.join(', ')}.` });
  } else if (otherParts.length > 0) {
    lines.push({ tone: 'warn', text: `Other errors: ${otherParts.join(', ')}.` });
  }
  return lines;
}

function raceHeadline(group: TargetGroupReport): string {
  const races = racesOf(group.classes);
  const head = `Keep-alive races: ${formatCount(races)} of ${formatCount(badGatewaysOf(group.classes))} 502s in ${shortName(group.name)}`;
  const { estimatedSeconds, confidence } = group.keepAlive;
  if (estimatedSeconds === null || confidence === 'none') {
    return `${head} hit connections the target had already closed, but their idle ages point to no single timeout (request limits, worker recycling or deploys close connections too).`;
  }
  const server = group.suspectedServers[0];
  const asides = [
    ...(server === undefined ? [] : [`matches the ${serverLabel(server)} default`]),
    ...(group.keepAlive.method === 'known-close'
      ? ['likely, not certain: few races, at an idle age where a known default closes']
      : confidence === 'low'
        ? ['low confidence: few races so far']
        : []),
  ];
  const aside = asides.length === 0 ? '' : ` (${asides.join('; ')})`;
  return `${head} come from idle connections closed at ≈${formatSeconds(estimatedSeconds)} by the target${aside}.`;
}

function inputSection(report: Report): Section {
  const input = report.input;
  const lines: Line[] = [
    {
      tone: 'plain',
      text:
        `${countOf(input.files, 'file')} (${formatBytes(input.bytes)}), ${countOf(input.lines, 'line')}: ` +
        `${countOf(input.entries, 'entry')}, ${formatCount(input.malformed)} malformed, ${formatCount(input.blankLines)} blank.`,
    },
  ];
  if (input.outsideWindow > 0) lines.push({ tone: 'plain', text: `${countOf(input.outsideWindow, 'entry')} fell outside --from/--to and ${input.outsideWindow === 1 ? 'was' : 'were'} left out.` });
  const otherLoadBalancer = input.otherLoadBalancer ?? 0;
  if (otherLoadBalancer > 0) lines.push({ tone: 'plain', text: `${countOf(otherLoadBalancer, 'entry')} of other load balancers than --lb names ${otherLoadBalancer === 1 ? 'was' : 'were'} left out.` });
  if (input.skippedFiles > 0) {
    const reasons = Object.entries(input.skippedByReason)
      .sort(([, a], [, b]) => b - a)
      .map(([reason, n]) => skipReasonCount(reason, n));
    lines.push({ tone: 'plain', text: `Skipped ${countOf(input.skippedFiles, 'file')}: ${reasons.join(', ')}.` });
  }
  let samples: string[] = [];
  if (input.malformed > 0) {
    const codes = Object.entries(input.malformedByCode)
      .sort(([, a], [, b]) => b - a)
      .map(([code, n]) => `${code} ${formatCount(n)}`);
    lines.push({ tone: 'warn', text: `Malformed lines by reason: ${codes.join(', ')}; for example:` });
    samples = input.malformedSamples.slice(0, MAX_SAMPLES).map((s) => `${s.code} ${s.message}`);
  }
  const count = input.unread.length;
  return {
    kind: 'input',
    title: 'Input',
    lines,
    samples,
    unread: input.unread.map((e) => e.message),
    unreadTitle: count === 0 ? null : `${countOf(count, 'input')} could not be read (or not to the end):`,
  };
}

function groupsSection(report: Report): Section | null {
  const ungrouped = describeClasses(ungroupedClasses(report));
  const outside = ungrouped.length === 0 ? null : `Outside any target group: ${ungrouped.join(', ')}.`;
  const columns: Column[] = [
    { title: 'target group', align: 'left' },
    { title: 'requests', align: 'right' },
    { title: '5xx+460', align: 'right' },
    { title: 'races', align: 'right' },
    { title: 'keep-alive T̂', align: 'left' },
    { title: 'confidence', align: 'left' },
  ];
  if (report.targetGroups.length === 0) {
    return outside === null ? null : { kind: 'groups', title: 'Target groups', columns, rows: [], more: null, outside };
  }
  const groups = sortGroups(report.targetGroups);
  const rows = groups.slice(0, MAX_TABLE_GROUPS).map((g): GroupRow => ({
    cells: [
      g.name,
      formatCount(g.requests),
      formatCount(errorsOf(g.classes)),
      formatCount(racesOf(g.classes)),
      keepAliveCell(g),
      g.keepAlive.confidence === 'none' ? '' : g.keepAlive.confidence,
    ],
    tone: racesOf(g.classes) > 0 ? 'race' : 'plain',
    classes: describeClasses(g.classes).join(' · '),
    servers: g.suspectedServers.map(serverLabel),
  }));
  const hidden = groups.slice(MAX_TABLE_GROUPS);
  let more: string | null = null;
  if (hidden.length > 0) {
    const requests = hidden.reduce((n, g) => n + g.requests, 0);
    const errors = hidden.reduce((n, g) => n + errorsOf(g.classes), 0);
    more = `… and ${countOf(hidden.length, 'targetGroup', 'more')}: ${countOf(requests, 'request')}, ${countOf(errors, 'error')} (see --format json).`;
  }
  return { kind: 'groups', title: 'Target groups', columns, rows, more, outside };
}

function keepAliveCell(group: TargetGroupReport): string {
  const { estimatedSeconds, lowSeconds, highSeconds } = group.keepAlive;
  if (estimatedSeconds === null) return '—';
  const interval = lowSeconds !== null && highSeconds !== null ? ` (${formatSecondsInterval(lowSeconds, highSeconds)})` : '';
  return `${formatSeconds(estimatedSeconds)}${interval}`;
}

function idleAgeSection(report: Report): Section | null {
  const racing = sortGroups(report.targetGroups).filter((g) => racesOf(g.classes) > 0 && g.idleAge.buckets.length > 0);
  if (racing.length === 0) return null;
  const charts = racing.slice(0, MAX_CHARTS).map((group): Chart => {
    const rows = idleAgeRows(group.idleAge.buckets, group.keepAlive);
    const digits = idleRangeDigits(rowEdges(rows));
    const maxRate = Math.max(...rows.map((r) => r.raceRate));
    const estimate = group.keepAlive.estimatedSeconds;
    return {
      title: shortName(group.name),
      rows: rows.map((r) => ({
        label: formatIdleRange(r.fromMs, r.toMs, digits),
        requests: formatCount(r.requests),
        races: formatCount(r.races),
        rate: formatPercent(r.raceRate),
        fraction: maxRate > 0 ? r.raceRate / maxRate : 0,
        tone: r.races > 0 ? 'race' : 'plain',
        marker: r.holdsEstimate && estimate !== null ? `T̂ ${formatSeconds(estimate)}` : null,
        fromMs: r.fromMs,
        toMs: r.toMs,
        raceRate: r.raceRate,
      })),
      estimateSeconds: estimate,
      lowSeconds: group.keepAlive.lowSeconds,
      highSeconds: group.keepAlive.highSeconds,
      albIdleTimeoutSeconds: report.albIdleTimeoutSeconds.value,
    };
  });
  const more = racing.length > MAX_CHARTS ? `${countOf(racing.length - MAX_CHARTS, 'targetGroup', 'more')} with races: see --format json.` : null;
  return { kind: 'idleAge', title: 'Race rate by idle age', detail: 'races ÷ requests sent on a connection idle that long', charts, more };
}

/** Tick spacings for the time axis: round durations, the first that leaves room between labels wins. */
const TICK_MS = [60_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000];
/** Columns a tick label takes, with a space after it. */
const TICK_COLUMNS = 12;

function timelineSection(report: Report): Section | null {
  const range = timelineRange(report.timeline);
  const nameOf = groupNamer(report);
  const groups = report.timeline.groups
    .map((g) => ({ ...g, name: nameOf(g.targetGroup), racesTotal: sumOf(g.races), otherTotal: sumOf(g.otherErrors) }))
    .filter((g) => g.racesTotal + g.otherTotal > 0)
    .sort((a, b) => b.racesTotal - a.racesTotal || b.otherTotal - a.otherTotal || a.name.localeCompare(b.name));
  if (range === null || groups.length === 0) return null;
  const { perColumn } = downsample(new Array<number>(range.buckets).fill(0), TIMELINE_COLUMNS);
  const msPerColumn = perColumn * report.timeline.bucketMs;
  const columns = Math.ceil(range.buckets / perColumn);
  const shown = groups.slice(0, MAX_TIMELINES).map((group): TimelineGroup => {
    const series: [TimelineSeries['label'], number[], Tone][] = [
      ['races', group.races, 'race'],
      ['other', group.otherErrors, 'warn'],
      ['requests', group.requests, 'dim'],
    ];
    const change = report.targetGroups.find((g) => g.arn === group.targetGroup)?.raceChange ?? null;
    const atMs = change === null ? NaN : Date.parse(change.at);
    return {
      name: group.name,
      change:
        change === null || !(atMs >= range.startMs)
          ? null
          : { column: Math.min(columns - 1, Math.floor((atMs - range.startMs) / msPerColumn)), label: `▲ races ${change.verdict} about ${new Date(atMs).toISOString().slice(11, 16)} UTC` },
      // A series with nothing in it is left out, except requests: "no races here" is already in the table.
      series: series
        .filter(([label, values]) => label === 'requests' || sumOf(values) > 0)
        .map(([label, values, tone]) => ({ label, tone, values: downsample(values, TIMELINE_COLUMNS).sums, total: formatCount(sumOf(values)) })),
    };
  });
  return {
    kind: 'timeline',
    title: 'Timeline',
    detail: `${formatUtc(range.startMs)} → ${formatUtc(range.endMs)} UTC, one column = ${formatDuration(msPerColumn)}`,
    columns,
    groups: shown,
    ticks: timeTicks(range.startMs, msPerColumn, columns),
    more: groups.length > MAX_TIMELINES ? `${countOf(groups.length - MAX_TIMELINES, 'targetGroup', 'more')} with errors: see --format json.` : null,
  };
}

/** Ticks under the sparklines at round UTC times: `HH:MM`, or `MM-DD` when ticks are days apart. */
function timeTicks(startMs: number, msPerColumn: number, columns: number): { column: number; label: string }[] {
  const tickMs = TICK_MS.find((ms) => ms >= TICK_COLUMNS * msPerColumn) ?? TICK_COLUMNS * msPerColumn;
  const byDay = tickMs >= 86_400_000;
  const ticks: { column: number; label: string }[] = [];
  for (let tick = Math.ceil(startMs / tickMs) * tickMs; ; tick += tickMs) {
    const column = Math.floor((tick - startMs) / msPerColumn);
    if (column + 6 > columns) break;
    ticks.push({ column, label: new Date(tick).toISOString().slice(byDay ? 5 : 11, byDay ? 10 : 16) });
  }
  return ticks;
}

function recommendationsSection(report: Report): Section | null {
  if (report.recommendations.length === 0) return null;
  const nameOf = groupNamer(report);
  const notesShown = new Set<string>();
  const items = report.recommendations.map((rec): RecommendationView => {
    const group = nameOf(rec.targetGroup);
    const short = shortName(group);
    // The analysis names the group in full; a sentence gets the short form.
    const shorten = (text: string): string => (short === group ? text : text.replaceAll(group, short));
    const action = shorten(rec.action.trim());
    const facts: string[] = [];
    if (rec.targetKeepAliveSeconds !== null) {
      facts.push(`target keep-alive ≥ ${formatSettingSeconds(rec.targetKeepAliveSeconds)} (ALB idle timeout ${formatSettingSeconds(rec.albIdleTimeoutSeconds)})`);
    }
    const drain = drainOf(rec);
    if (drain !== null && drain.windowSeconds !== null && drain.preStopSleepSeconds !== null) {
      facts.push(`longest drain window ${formatSeconds(drain.windowSeconds)} · keep serving ≥ ${formatSettingSeconds(drain.preStopSleepSeconds)} after the stop signal`);
    }
    if (rec.racesPerDay > 0) facts.push(`≈ ${formatRate(rec.racesPerDay)} ${perDayUnit(rec.racesPerDay, 'error')}`);
    const item: RecommendationView = {
      title: action.includes(short) ? action : `${short}: ${action}`,
      facts: facts.join(' · '),
      reason: likelyPrefix(report, rec) + shorten(rec.reason.trim()),
      servers: rec.servers.slice(0, MAX_SERVERS).map((server): ServerView => {
        // A side condition shared by several servers (all of Node's frameworks) is said once.
        let note = serverNote(server);
        if (note !== null && notesShown.has(note)) note = null;
        if (note !== null) notesShown.add(note);
        return { name: serverLabel(server), setting: server.setting, snippet: server.snippet.replace(/\n+$/, '').split('\n'), note };
      }),
      alsoServers: rec.servers.slice(MAX_SERVERS).map(serverLabel),
    };
    // Platform rows (drain advice) are listed whole, like servers, each with the documentation it follows.
    for (const platform of drain?.platforms ?? []) {
      item.servers.push({
        name: platform.name,
        setting: platform.setting,
        snippet: platform.snippet.replace(/\n+$/, '').split('\n'),
        note: `${platform.note === undefined ? '' : platform.note + ' '}Source: ${platform.source}`,
      });
    }
    return item;
  });
  return { kind: 'recommendations', title: 'Recommendations', items };
}

/** The drain advice of a recommendation, an addition beyond the contract. */
function drainOf(rec: Report['recommendations'][number]): DrainRecommendation | null {
  const drain = (rec as { drain?: DrainRecommendation }).drain;
  return drain === undefined ? null : drain;
}

const DRAIN_KIND_LABELS: Record<DrainBurstReport['kind'], string> = {
  deploy: 'rolling deploy',
  'scale-in': 'scale-in (no deploy)',
  misconfiguration: 'misconfiguration',
};
/** Bursts described per group, and targets per burst; the rest are in the JSON. */
const MAX_DRAIN_BURSTS_SHOWN = 5;
const MAX_DRAIN_TARGETS_SHOWN = 6;

/** `21:18:00.123`: a time within a burst, to the ms. */
const clock = (iso: string): string => iso.slice(11, 23);

/**
 * One sentence per burst of refused connections: the targets, when, how long the ALB kept routing to
 * each after it stopped listening, and whether it came back.
 */
function drainSection(report: Report): Section | null {
  const items: string[] = [];
  for (const group of sortGroups(report.targetGroups)) {
    const bursts = group.drain ?? [];
    for (const burst of bursts.slice(0, MAX_DRAIN_BURSTS_SHOWN)) {
      const targets = burst.perTarget.slice(0, MAX_DRAIN_TARGETS_SHOWN).map((t) => {
        const before = t.lastAnswered === null ? 'no answer before' : `last answer ${clock(t.lastAnswered)}`;
        const after = t.answeredAgain !== null ? `answered again ${clock(t.answeredAgain)}` : t.lastSeen !== null ? `not answered again (last seen ${clock(t.lastSeen)})` : 'not answered again';
        const cut = (t.resets ?? 0) > 0 ? `, ${formatCount(t.resets)} cut while served` : '';
        return `${t.target}: ${before}, refused ${clock(t.firstFailure)}–${clock(t.lastFailure)} (${countOf(t.failures, 'request')}, ${formatSeconds(t.windowSeconds)})${cut}, ${after}`;
      });
      const more = burst.perTarget.length > MAX_DRAIN_TARGETS_SHOWN ? `; and ${formatCount(burst.perTarget.length - MAX_DRAIN_TARGETS_SHOWN)} more targets` : '';
      const span = `${formatUtc(Date.parse(burst.firstFailure))}–${clock(burst.lastFailure)} UTC`;
      const head =
        burst.kind === 'misconfiguration'
          ? `${group.name}: ${DRAIN_KIND_LABELS[burst.kind]}, ${formatCount(burst.targets.length)} ${burst.targets.length === 1 ? 'target' : 'targets'} refused every request, ${span}`
          : `${group.name}: ${DRAIN_KIND_LABELS[burst.kind]}, ${formatCount(burst.targets.length)} ${burst.targets.length === 1 ? 'target' : 'targets'}, ${span}: the ALB kept routing to stopped targets for up to ${formatSeconds(burst.windowSeconds)}`;
      items.push(`${head}. ${targets.join('; ')}${more}.`);
    }
    if (bursts.length > MAX_DRAIN_BURSTS_SHOWN) items.push(`${group.name}: ${formatCount(bursts.length - MAX_DRAIN_BURSTS_SHOWN)} more bursts (see --format json).`);
  }
  return items.length === 0 ? null : { kind: 'notes', title: 'Drain windows', items };
}

function classesSection(report: Report): Section | null {
  const rows = classRows(report.classes);
  if (rows.length === 0) return null;
  return { kind: 'classes', title: 'Errors by cause', detail: `${countOf(errorsOf(report.classes), 'error')}: 5xx and 460 by class`, rows };
}

function samplesSection(report: Report): Section | null {
  const classes = sampleClasses(report, groupNamer(report));
  if (classes.length === 0) return null;
  const detail = report.redacted === true ? 'client IPs and query strings masked (--no-redact keeps them)' : 'each with its log file and line';
  return { kind: 'samples', title: 'Sample entries', detail, classes };
}

/**
 * Keep-alive advice from one or a few races at a known close time (`likely` in the data): said as likely,
 * with the chance that stray 502s put them there.
 */
function likelyPrefix(report: Report, rec: Report['recommendations'][number]): string {
  if ((rec as { likely?: unknown }).likely !== true) return '';
  const p = report.targetGroups.find((g) => g.arn === rec.targetGroup)?.keepAlive.pValue;
  const chance = p === null || p === undefined ? '' : ` (chance would put them there with probability ${formatProbability(p)})`;
  return `Likely, not certain: few races, but at an idle age where a known server default closes${chance}. `;
}

function notesSection(report: Report): Section | null {
  return report.notes.length === 0 ? null : { kind: 'notes', title: 'Notes', items: [...report.notes] };
}
