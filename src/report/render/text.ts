/**
 * The report for a person at a terminal: the view (view.ts) laid out in at most 100 columns, except
 * code snippets and single words (paths) that are never broken; colour only when asked for. Every
 * string is escaped for the terminal (escape.ts) before it is measured, cut or coloured, so the only
 * control codes in the output are this renderer's own colours.
 */
import picocolors from 'picocolors';
import type { Report } from '../model.js';
import { escapeTerminal, truncateTerminal } from './escape.js';
import { bar, padEnd, padStart, sparkline, visibleWidth, wrap } from './layout.js';
import type { RenderOptions } from './options.js';
import { buildView, type Line, type Section, type Tone } from './view.js';

type Colors = ReturnType<typeof picocolors.createColors>;
type SectionOf<K extends Section['kind']> = Extract<Section, { kind: K }>;

export const TEXT_WIDTH = 100;
const INDENT = '  ';
/** The widest a target group's name is drawn in the table and the timeline. */
const MAX_NAME_COLUMNS = 32;
const MAX_TIMELINE_NAME_COLUMNS = 20;

export function renderText(report: Report, options: RenderOptions): string {
  const c = picocolors.createColors(options.color);
  const view = buildView(report);
  const label = (name: string): string => INDENT + padEnd(name, 18);
  const header = [
    c.bold(view.title) + c.dim(` · ${view.subtitle}`),
    ...view.facts.flatMap((fact) => wrap(escapeTerminal(fact.value), TEXT_WIDTH, ' '.repeat(INDENT.length + 18), label(fact.label))),
  ];
  const blocks = [header, ...view.sections.map((section) => sectionLines(section, c)), [c.dim(view.footer)]].filter((lines) => lines.length > 0);
  return blocks.map((lines) => lines.join('\n')).join('\n\n') + '\n';
}

function sectionLines(section: Section, c: Colors): string[] {
  switch (section.kind) {
    case 'verdict':
      return verdictLines(section, c);
    case 'input':
      return inputLines(section, c);
    case 'groups':
      return groupLines(section, c);
    case 'idleAge':
      return idleAgeLines(section, c);
    case 'timeline':
      return timelineLines(section, c);
    case 'recommendations':
      return recommendationLines(section, c);
    case 'classes':
      return classLines(section, c);
    case 'samples':
      return sampleLines(section, c);
    case 'notes':
      return [heading(c, section.title), ...section.items.flatMap((note) => wrap(escapeTerminal(note), TEXT_WIDTH, INDENT + '  ', INDENT + '• '))];
  }
}

const heading = (c: Colors, title: string, detail = ''): string =>
  c.bold(escapeTerminal(title.toUpperCase())) + (detail === '' ? '' : '  ' + c.dim(escapeTerminal(detail)));

const paint = (c: Colors, tone: Tone, text: string): string => {
  switch (tone) {
    case 'race':
      return c.red(text);
    case 'warn':
      return c.yellow(text);
    case 'ok':
      return c.green(text);
    case 'dim':
      return c.dim(text);
    case 'plain':
      return text;
  }
};

/** Wrapped, escaped, each line painted (colour codes never span a line break). */
const say = (c: Colors, line: Line, indent: string, firstIndent = indent): string[] =>
  wrap(escapeTerminal(line.text), TEXT_WIDTH, indent, firstIndent).map((l) => paint(c, line.tone, l));

function verdictLines(section: SectionOf<'verdict'>, c: Colors): string[] {
  return [heading(c, section.title), ...section.lines.flatMap((line) => say(c, line, INDENT + '  ', INDENT + '▸ '))];
}

function inputLines(section: SectionOf<'input'>, c: Colors): string[] {
  const lines = [heading(c, section.title), ...section.lines.flatMap((line) => say(c, line, INDENT + '  ', INDENT))];
  for (const sample of section.samples) lines.push(...say(c, { tone: 'dim', text: sample }, INDENT + '      ', INDENT + '    '));
  if (section.unreadTitle !== null) lines.push(...say(c, { tone: 'race', text: section.unreadTitle }, INDENT + '  ', INDENT));
  for (const message of section.unread) lines.push(...say(c, { tone: 'plain', text: message }, INDENT + '      ', INDENT + '    '));
  return lines;
}

function groupLines(section: SectionOf<'groups'>, c: Colors): string[] {
  const lines = [heading(c, section.title)];
  const outside = section.outside === null ? [] : say(c, { tone: 'plain', text: section.outside }, INDENT + '  ', INDENT);
  if (section.rows.length === 0) return [...lines, ...outside];
  const titles = section.columns.map((col) => col.title);
  const widths = titles.map((t, i) => Math.max(visibleWidth(t), ...section.rows.map((r) => visibleWidth(escapeTerminal(r.cells[i]!)))));
  const gap = '  ';
  const others = INDENT.length + widths.slice(1).reduce((n, w) => n + w + gap.length, 0);
  widths[0] = Math.max(visibleWidth(titles[0]!), Math.min(widths[0]!, MAX_NAME_COLUMNS, TEXT_WIDTH - others));
  const line = (cells: string[]): string =>
    (INDENT + cells.map((cell, i) => {
      const text = truncateTerminal(cell, widths[i]!);
      return section.columns[i]!.align === 'right' ? padStart(text, widths[i]!) : padEnd(text, widths[i]!);
    }).join(gap)).trimEnd();
  const detail = (text: string): string[] => say(c, { tone: 'dim', text }, INDENT + '      ', INDENT + '    ');
  lines.push(c.dim(line(titles)));
  for (const row of section.rows) {
    lines.push(paint(c, row.tone, line(row.cells)));
    if (row.classes !== '') lines.push(...detail(row.classes));
    if (row.servers.length > 0) lines.push(...detail(`keep-alive matches: ${row.servers.join(', ')}`));
  }
  if (section.more !== null) lines.push(...say(c, { tone: 'plain', text: section.more }, INDENT + '  ', INDENT));
  return [...lines, ...outside];
}

function idleAgeLines(section: SectionOf<'idleAge'>, c: Colors): string[] {
  const lines = [heading(c, section.title, section.detail)];
  for (const chart of section.charts) {
    const labelWidth = Math.max(8, ...chart.rows.map((r) => visibleWidth(r.label)));
    const requestWidth = Math.max(8, ...chart.rows.map((r) => visibleWidth(r.requests)));
    const raceWidth = Math.max(5, ...chart.rows.map((r) => visibleWidth(r.races)));
    const rateWidth = Math.max(4, ...chart.rows.map((r) => visibleWidth(r.rate)));
    const markerWidth = Math.max(0, ...chart.rows.map((r) => (r.marker === null ? 0 : visibleWidth(r.marker) + 3)));
    const barWidth = TEXT_WIDTH - (INDENT.length + 2 + labelWidth + requestWidth + raceWidth + rateWidth + 4 * 2 + 1) - markerWidth;
    lines.push(`${INDENT}${c.bold(truncateTerminal(chart.title, TEXT_WIDTH - INDENT.length))}`);
    lines.push(
      c.dim(`${INDENT}  ${padEnd('idle age', labelWidth)}  ${padStart('requests', requestWidth)}  ${padStart('races', raceWidth)}  ${padStart('rate', rateWidth)}`),
    );
    for (const row of chart.rows) {
      const cells =
        `${INDENT}  ${padEnd(row.label, labelWidth)}  ${padStart(row.requests, requestWidth)}  ` +
        `${padStart(row.races, raceWidth)}  ${padStart(row.rate, rateWidth)}  │`;
      const marker = row.marker === null ? '' : c.bold(` ◀ ${row.marker}`);
      lines.push(`${cells}${paint(c, row.tone, bar(row.fraction, barWidth))}${marker}`);
    }
  }
  if (section.more !== null) lines.push(c.dim(`${INDENT}${escapeTerminal(section.more)}`));
  return lines;
}

function timelineLines(section: SectionOf<'timeline'>, c: Colors): string[] {
  const nameWidth = Math.min(MAX_TIMELINE_NAME_COLUMNS, Math.max(...section.groups.map((g) => visibleWidth(escapeTerminal(g.name)))));
  const labelWidth = 'requests'.length;
  const lines = [heading(c, section.title, section.detail)];
  for (const group of section.groups) {
    group.series.forEach((series, i) => {
      const name = i === 0 ? truncateTerminal(group.name, nameWidth) : '';
      const drawn = padEnd(sparkline(series.values), section.columns);
      lines.push(`${INDENT}${padEnd(name, nameWidth)} ${padStart(series.label, labelWidth)} │${paint(c, series.tone, drawn)}│ ${series.total}`);
    });
    if (group.change) lines.push(c.bold(' '.repeat(INDENT.length + nameWidth + 1 + labelWidth + 2 + group.change.column) + group.change.label));
  }
  let axis = '';
  for (const tick of section.ticks) axis = padEnd(axis, tick.column) + '╵' + tick.label;
  lines.push(c.dim(' '.repeat(INDENT.length + nameWidth + 1 + labelWidth + 2) + axis));
  if (section.more !== null) lines.push(c.dim(`${INDENT}${escapeTerminal(section.more)}`));
  return lines;
}

function recommendationLines(section: SectionOf<'recommendations'>, c: Colors): string[] {
  const lines = [heading(c, section.title)];
  section.items.forEach((rec, i) => {
    if (i > 0) lines.push('');
    const number = `${i + 1}. `;
    const body = INDENT + ' '.repeat(number.length);
    lines.push(...wrap(escapeTerminal(rec.title), TEXT_WIDTH, body, INDENT + number).map((l) => c.bold(l)));
    if (rec.facts !== '') lines.push(...say(c, { tone: 'plain', text: rec.facts }, body));
    if (rec.reason !== '') lines.push(...say(c, { tone: 'dim', text: rec.reason }, body));
    for (const server of rec.servers) {
      lines.push(...say(c, { tone: 'plain', text: `${server.name}: ${server.setting}` }, body + '  ', body));
      // Snippets are copied as they are: never wrapped, set off by a bar.
      for (const code of server.snippet) lines.push(`${body}${c.cyan('┃ ' + escapeTerminal(code))}`.trimEnd());
      if (server.note !== null) lines.push(...say(c, { tone: 'dim', text: server.note }, body + '  '));
    }
    if (rec.alsoServers.length > 0) {
      lines.push(...say(c, { tone: 'dim', text: `Also: ${rec.alsoServers.join(', ')} (snippets in --format json).` }, body + '  ', body));
    }
  });
  return lines;
}

function classLines(section: SectionOf<'classes'>, c: Colors): string[] {
  const labelWidth = Math.max(...section.rows.map((r) => visibleWidth(r.label)));
  const countWidth = Math.max(...section.rows.map((r) => visibleWidth(r.countText)));
  const shareWidth = Math.max(...section.rows.map((r) => visibleWidth(r.share)));
  const barWidth = Math.max(10, TEXT_WIDTH - (INDENT.length + labelWidth + countWidth + shareWidth + 2 * 3 + 1));
  return [
    heading(c, section.title, section.detail),
    ...section.rows.map(
      (row) => `${INDENT}${padEnd(row.label, labelWidth)}  ${padStart(row.countText, countWidth)}  ${padStart(row.share, shareWidth)}  │${paint(c, row.tone, bar(row.fraction, barWidth))}`,
    ),
  ];
}

/** Each sample in two lines: where it is (never broken, so it can be copied), then what it says. */
function sampleLines(section: SectionOf<'samples'>, c: Colors): string[] {
  const lines = [heading(c, section.title, section.detail)];
  for (const cls of section.classes) {
    lines.push(`${INDENT}${c.bold(escapeTerminal(cls.title))}`);
    for (const row of cls.rows) {
      lines.push(`${INDENT}  ${escapeTerminal(row.place)}`);
      const text = [row.time, row.group, row.route, `"${row.request}"`, row.answer].filter((p) => p !== '').join('  ');
      lines.push(...say(c, { tone: 'dim', text }, INDENT + '      ', INDENT + '    '));
    }
  }
  return lines;
}
