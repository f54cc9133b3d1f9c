import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { truncateTerminal } from '../../src/report/render/escape.js';
import { renderHtml } from '../../src/report/render/html.js';
import { renderJson } from '../../src/report/render/json.js';
import { renderMarkdown } from '../../src/report/render/markdown.js';
import { renderText } from '../../src/report/render/text.js';
import { HOSTILE_VALUES, TERMINAL_UNSAFE } from '../support/hostile.js';
import { hostileReport } from './fixtures/hostileReport.js';

const SGR = /\x1b\[[0-9;]*m/g;

/** Lines outside fenced code blocks; fails when a fence is closed early or left open. */
function outsideFences(markdown: string): string[] {
  const outside: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    if (fence === null) {
      const open = /^(`{3,}|~{3,})$/.exec(line);
      if (open) fence = open[1]!;
      else outside.push(line);
    } else if (line === fence) {
      fence = null;
    } else {
      // A line of the fence's character at least as long would close it (CommonMark).
      const closes = new RegExp(`^ {0,3}\\${fence[0]}{${fence.length},}\\s*$`);
      expect(line, 'a fenced line closes its fence').not.toMatch(closes);
    }
  }
  expect(fence, 'every fence is closed').toBeNull();
  return outside;
}

/** `|` that Markdown reads as a cell border: not after an odd run of backslashes. */
function bordersOf(line: string): number {
  let count = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '|') count++;
  }
  return count;
}

describe.each(HOSTILE_VALUES)('hostile log text: $name', ({ value }) => {
  const report = hostileReport(value);

  it('reaches the text report only as visible escapes, with colour or without', () => {
    const plain = renderText(report, { color: false });
    expect(plain).not.toMatch(TERMINAL_UNSAFE);
    const coloured = renderText(report, { color: true });
    // The only escapes left are the renderer's own colours: without them it is the plain report.
    expect(coloured.replace(SGR, '')).toBe(plain);
  });

  it('renders as text in Markdown: no raw HTML, no markup, no fence closed early', () => {
    const markdown = renderMarkdown(report);
    expect(markdown).not.toMatch(TERMINAL_UNSAFE);
    const outside = outsideFences(markdown);
    for (const line of outside) {
      expect(line).not.toMatch(/<[A-Za-z!/]/);
      expect(line).not.toMatch(/(?<!\\)\]\(/);
      expect(line).not.toMatch(/(?<!\\)`/);
      // The renderer's own bold label at the start of a line is the only emphasis allowed.
      expect(line.replace(/^(- )?\*\*(?:[^*\\]|\\.)*\*\*/, '')).not.toMatch(/(?<!\\)\*/);
    }
    // The target-group table: its header, then rows up to the first line that is not a row.
    const start = outside.findIndex((line) => line.startsWith('| target group |'));
    expect(start).toBeGreaterThanOrEqual(0);
    const end = outside.findIndex((line, i) => i > start && !line.startsWith('|'));
    const table = outside.slice(start, end);
    expect(table.length).toBeGreaterThan(2);
    for (const line of table) expect(bordersOf(line)).toBe(bordersOf(table[0]!));
  });

  it('renders as text in HTML: the same elements as with a plain name, no raw control, nothing loaded', () => {
    const page = renderHtml(report);
    const plain = renderHtml(hostileReport('plain-name'));
    // Every tag is the renderer's own: the value opened none, closed none, and added no attribute.
    const tags = (h: string): string[] => [...h.matchAll(/<\/?([A-Za-z][\w-]*)[^>]*>/g)].map((m) => m[0].replace(/"[^"]*"/g, '""'));
    expect(tags(page)).toEqual(tags(plain));
    expect(page).not.toMatch(TERMINAL_UNSAFE);
    for (const tag of tags(page)) expect(tag).not.toMatch(/\s(src|href|style|on[a-z]+)=/i);
    expect(page.match(/<script>/g)).toHaveLength(1);
  });

  it('stays exact in JSON, with no raw control (DEL, C1 and bidi written as \\uXXXX)', () => {
    const json = renderJson(report);
    expect(json).not.toMatch(TERMINAL_UNSAFE);
    const parsed = JSON.parse(json) as Report;
    expect(parsed).toEqual(report);
    expect(parsed.targetGroups.some((g) => g.name === value)).toBe(true);
  });
});

describe('hostile log text, as shown', () => {
  const text = (value: string): string => renderText(hostileReport(value), { color: false });
  const markdown = (value: string): string => renderMarkdown(hostileReport(value));

  it('shows controls and bidi characters as escapes a reader can see', () => {
    expect(text('api\x1b[2J\x1b[H')).toContain('Keep-alive races: 41 of 58 502s in api\\x1b[2J\\x1b[H come from');
    expect(text('api\rOVERWRITTEN ROW')).toContain('api\\rOVERWRITTEN ROW');
    expect(text('invoice\u202egpj.exe')).toContain('invoice\\u202egpj.exe');
    expect(text('c1\u009b2J')).toContain('c1\\x9b2J');
    expect(text('a\x00b\x08\x08c\x07')).toContain('a\\x00b\\x08\\x08c\\x07');
    // The drain windows name the group and the target as logged, escaped.
    expect(text('api\x1b[2J')).toMatch(/api\\x1b\[2J: rolling deploy, 1 target/);
    expect(text('api\x1b[2J')).toMatch(/api\\x1b\[2J: last answer 23:11:59\.687, refused/);
  });

  it('cuts a long name in the table after escaping, never inside an escape', () => {
    const name = 'g'.repeat(28) + '\x1b]8;;https://evil.example/\x1b\\tail';
    expect(text(name)).toMatch(new RegExp(`\\n  ${'g'.repeat(28)}… +1,204,311 `));
    expect(truncateTerminal('abc\x1bdef', 6)).toBe('abc…');
    expect(truncateTerminal('abc\x1bdef', 8)).toBe('abc\\x1b…');
    expect(truncateTerminal('abc\x1bdef', 10)).toBe('abc\\x1bdef');
  });

  it('escapes Markdown markup and HTML so the name reads as written', () => {
    expect(markdown('[click](javascript:alert(1))')).toContain('| \\[click\\](javascript:alert(1)) | 1,204,311 |');
    expect(markdown('<script>alert(1)</script>')).toContain('| &lt;script&gt;alert(1)&lt;/script&gt; | 1,204,311 |');
    expect(markdown('<!-- x --> &amp; &lt;')).toContain('| &lt;\\!-- x --&gt; &amp;amp; &amp;lt; | 1,204,311 |');
    expect(markdown('a | b | c')).toContain('| a \\| b \\| c | 1,204,311 |');
    expect(markdown('**bold** _it_ `code` ~~gone~~')).toContain('\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~gone\\~\\~');
  });

  it('fences the timeline with more backticks than any name holds', () => {
    const md = markdown('````\n<b>raw</b>');
    expect(md).toContain('\n`````\n````\\n<b>raw</b>\n');
    expect(outsideFences(md).join('\n')).not.toContain('<b>');
  });
});
