/**
 * Text from a log (target group names, hosts, URLs, user agents, file names) made harmless for where it
 * is printed. A terminal obeys control characters: ESC[2J clears the screen, OSC 52 writes the
 * clipboard, OSC 8 opens a link, \r overwrites the row, bidi overrides reorder what is shown. Markdown
 * turns `*`, `[`, `<`, `|` and backtick fences into markup and raw HTML. Every serialiser escapes every
 * string it did not write itself, at the last moment, for its own target.
 */

import { escapeChar, escapeTerminal } from '../../safeText.js';

export { escapeTerminal };

/**
 * Text escaped and cut to `width` columns with `…` when cut. It is cut between whole characters and
 * whole escapes (never `\x1` of `\x1b`), so what is cut off can never leave a sequence open.
 * Every character counts as one column (as in layout.ts); combining marks as none.
 */
export function truncateTerminal(text: string, width: number): string {
  const escaped = escapeTerminal(text);
  if (columnsOf(escaped) <= width) return escaped;
  let out = '';
  let used = 0;
  for (const char of text) {
    const shown = escapeChar(char);
    const columns = columnsOf(shown);
    if (used + columns > width - 1) break;
    out += shown;
    used += columns;
  }
  return out + '…';
}

const COMBINING = /\p{M}/gu;
const columnsOf = (text: string): number => {
  let columns = 0;
  for (const _ of text.replace(COMBINING, '')) columns++;
  return columns;
};

/**
 * Text for a Markdown paragraph, heading, list item or table cell: controls made visible, inline markup
 * and table pipes backslash-escaped, HTML's `<`, `>` and `&` as entities (so no tag, comment or entity
 * from a log is ever raw HTML), and a leading `#`, `-`, `+`, `=` or `1. ` escaped so it starts no block.
 */
export function escapeMarkdown(text: string): string {
  return escapeTerminal(text)
    .replace(/[\\`*_[\]|~!]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/^(\s*)([#+=-])/, '$1\\$2')
    .replace(/^(\s*\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
}

/**
 * A code fence for `lines`: backticks, one more than the longest backtick run inside (at least three),
 * so no line can close it; the lines themselves with controls made visible.
 */
export function fencedBlock(lines: readonly string[]): string[] {
  const body = lines.map(escapeTerminal);
  const longest = Math.max(0, ...body.flatMap((line) => (line.match(/`+/g) ?? []).map((run) => run.length)));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [fence, ...body, fence];
}
