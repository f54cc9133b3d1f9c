/**
 * The report as Markdown, for a ticket or a pull request: the view (view.ts) as headings, lists, tables
 * for the numbers and fenced blocks for the timeline and the config snippets. Every string is escaped
 * (escape.ts): a name from a log renders as text, never as markup, a link or HTML, and no fence can be
 * closed by what it holds.
 */
import type { Report } from '../model.js';
import { escapeMarkdown as md, fencedBlock, truncateTerminal } from './escape.js';
import { bar, sparkline } from './layout.js';
import { buildView, type Section } from './view.js';

type SectionOf<K extends Section['kind']> = Extract<Section, { kind: K }>;

const CHART_BAR_WIDTH = 30;
/** A group's name above its sparklines: code is never wrapped, so a very long name is cut. */
const MAX_CODE_NAME_COLUMNS = 80;

export function renderMarkdown(report: Report): string {
  const view = buildView(report);
  const out: string[] = [`# ${md(view.title)}`, '', ...view.facts.map((f) => `- **${md(capitalise(f.label))}:** ${md(f.value)}`), ''];
  for (const section of view.sections) out.push(...sectionLines(section));
  return out.join('\n');
}

const capitalise = (text: string): string => (text.startsWith('ALB') ? text : text.charAt(0).toUpperCase() + text.slice(1));

function sectionLines(section: Section): string[] {
  switch (section.kind) {
    case 'verdict':
      return [`## ${md(section.title)}`, '', ...section.lines.map((line) => `- ${md(line.text)}`), ''];
    case 'input':
      return inputLines(section);
    case 'groups':
      return groupLines(section);
    case 'idleAge':
      return idleAgeLines(section);
    case 'timeline':
      return timelineLines(section);
    case 'recommendations':
      return recommendationLines(section);
    case 'classes':
      return [
        `## ${md(section.title)}`,
        '',
        `${md(section.detail)}.`,
        '',
        '| cause | errors | share | |',
        '|---|--:|--:|---|',
        ...section.rows.map((r) => row([r.label, r.countText, r.share, bar(r.fraction, CHART_BAR_WIDTH)])),
        '',
      ];
    case 'samples':
      return sampleLines(section);
    case 'notes':
      return [`## ${md(section.title)}`, '', ...section.items.map((note) => `- ${md(note)}`), ''];
  }
}

const row = (cells: readonly string[]): string => `| ${cells.map((cell) => md(cell) || ' ').join(' | ')} |`;
const separator = (aligns: readonly ('left' | 'right')[]): string => `|${aligns.map((a) => (a === 'right' ? '--:' : '---')).join('|')}|`;

function inputLines(section: SectionOf<'input'>): string[] {
  const out = [`## ${md(section.title)}`, '', section.lines.map((line) => md(line.text)).join(' '), ''];
  if (section.samples.length > 0) out.push(...section.samples.map((s) => `- ${md(s)}`), '');
  if (section.unreadTitle !== null) out.push(md(section.unreadTitle), '', ...section.unread.map((m) => `- ${md(m)}`), '');
  return out;
}

function groupLines(section: SectionOf<'groups'>): string[] {
  const out = [`## ${md(section.title)}`, ''];
  if (section.rows.length > 0) {
    out.push(row([...section.columns.map((c) => c.title), 'keep-alive matches', 'errors by class']));
    out.push(separator([...section.columns.map((c) => c.align), 'left', 'left']));
    for (const r of section.rows) out.push(row([...r.cells, r.servers.join(', '), r.classes]));
    out.push('');
    if (section.more !== null) out.push(md(section.more), '');
  }
  if (section.outside !== null) out.push(md(section.outside), '');
  return out;
}

function idleAgeLines(section: SectionOf<'idleAge'>): string[] {
  const out: string[] = [];
  for (const chart of section.charts) {
    out.push(`## ${md(section.title)}: ${md(chart.title)}`, '', `${md(section.detail)}.`, '', '| idle age | requests | races | rate | |', '|---|--:|--:|--:|---|');
    for (const r of chart.rows) {
      out.push(row([r.label, r.requests, r.races, r.rate, bar(r.fraction, CHART_BAR_WIDTH) + (r.marker === null ? '' : ` ◀ ${r.marker}`)]));
    }
    out.push('');
  }
  if (section.more !== null) out.push(md(section.more), '');
  return out;
}

function timelineLines(section: SectionOf<'timeline'>): string[] {
  const block: string[] = [];
  for (const group of section.groups) {
    block.push(truncateTerminal(group.name, MAX_CODE_NAME_COLUMNS));
    for (const series of group.series) block.push(`  ${series.label.padStart(8)} │${sparkline(series.values).padEnd(section.columns)}│ ${series.total}`);
    if (group.change) block.push(' '.repeat(12 + group.change.column) + group.change.label);
  }
  let axis = '';
  for (const tick of section.ticks) axis = axis.padEnd(tick.column) + '╵' + tick.label;
  block.push(' '.repeat(12) + axis);
  const out = [`## ${md(section.title)}`, '', `${md(section.detail)}.`, '', ...fencedBlock(block), ''];
  if (section.more !== null) out.push(md(section.more), '');
  return out;
}

function recommendationLines(section: SectionOf<'recommendations'>): string[] {
  const out = [`## ${md(section.title)}`, ''];
  section.items.forEach((rec, i) => {
    out.push(`### ${i + 1}. ${md(rec.title)}`, '');
    if (rec.facts !== '') out.push(md(rec.facts), '');
    if (rec.reason !== '') out.push(md(rec.reason), '');
    for (const server of rec.servers) {
      out.push(`**${md(server.name)}** — ${md(server.setting)}`, '', ...fencedBlock(server.snippet), '');
      if (server.note !== null) out.push(md(server.note), '');
    }
    if (rec.alsoServers.length > 0) out.push(md(`Also: ${rec.alsoServers.join(', ')} (snippets in --format json).`), '');
  });
  return out;
}

function sampleLines(section: SectionOf<'samples'>): string[] {
  const out = [`## ${md(section.title)}`, '', `${md(section.detail)}.`, ''];
  for (const cls of section.classes) {
    out.push(`### ${md(cls.title)}`, '');
    for (const r of cls.rows) {
      const where = [r.time, r.group].filter((p) => p !== '').join(' · ');
      out.push(`- ${md(r.place)}  `, `  ${md(where)}: ${md(r.route)}  `, `  ${md(r.request)}  `, `  ${md(r.answer)}`);
    }
    out.push('');
  }
  return out;
}
