/**
 * Fixed-width terminal layout: widths that ignore colour codes and combining marks (the hat in T̂),
 * padding, word wrap, and the block characters behind bars and sparklines.
 */

const ANSI = /\x1b\[[0-9;]*m/g;
const COMBINING = /\p{M}/gu;

/** Columns a string takes in a terminal (every character here is one column wide). */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const _ of text.replace(ANSI, '').replace(COMBINING, '')) width++;
  return width;
}

export const padEnd = (text: string, width: number): string =>
  text + ' '.repeat(Math.max(0, width - visibleWidth(text)));

export const padStart = (text: string, width: number): string =>
  ' '.repeat(Math.max(0, width - visibleWidth(text))) + text;

/** Plain text cut to `width` columns, with `…` when cut. */
export function truncate(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  let out = '';
  for (const char of text) {
    if (visibleWidth(out + char) > width - 1) break;
    out += char;
  }
  return out + '…';
}

/**
 * Plain text → lines of at most `width` columns, each starting with `indent` (`firstIndent` for the
 * first). A single word longer than the line (a path, an S3 key) keeps its own line unbroken, so it can
 * still be copied.
 */
export function wrap(text: string, width: number, indent = '', firstIndent = indent): string[] {
  const lines: string[] = [];
  let line = firstIndent;
  let lineHasWord = false;
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    const candidate = lineHasWord ? `${line} ${word}` : line + word;
    if (lineHasWord && visibleWidth(candidate) > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = candidate;
    }
    lineHasWord = true;
  }
  if (lineHasWord || lines.length === 0) lines.push(line);
  return lines;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `fraction` × `width` columns in eighths; anything above zero shows at least ▏. */
export function bar(fraction: number, width: number): string {
  if (!(fraction > 0)) return '';
  const eighths = Math.max(1, Math.round(Math.min(1, fraction) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

const LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One character per value, scaled to the largest; zero is a space so that "none" and "few" differ. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => (v > 0 ? LEVELS[Math.min(LEVELS.length - 1, Math.ceil((v / max) * LEVELS.length) - 1)] : ' '))
    .join('');
}

/** Sums adjacent values so that at most `columns` remain; returns the sums and how many values each holds. */
export function downsample(values: readonly number[], columns: number): { sums: number[]; perColumn: number } {
  const perColumn = Math.max(1, Math.ceil(values.length / columns));
  const sums: number[] = [];
  for (let i = 0; i < values.length; i += perColumn) {
    let total = 0;
    for (let j = i; j < Math.min(values.length, i + perColumn); j++) total += values[j] ?? 0;
    sums.push(total);
  }
  return { sums, perColumn };
}
