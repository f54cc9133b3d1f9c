/**
 * A reference tokenizer for the differential test, built on csv-parse rather than on our byte scanner:
 * space-delimited, `"`-quoted, no escape character (AWS escapes a quote as `\x22`, never by doubling
 * it), quotes inside bare tokens taken literally. The line-level rules that are not CSV's business are
 * applied here first, as domain.md §2 states them: a CR before the newline and trailing spaces are
 * not tokens.
 */
import { parse } from 'csv-parse/sync';

const OPTIONS = {
  delimiter: ' ',
  quote: '"',
  escape: null,
  record_delimiter: '\n',
  relax_quotes: true,
  relax_column_count: true,
  skip_empty_lines: false,
} as const;

const trimLineEnd = (line: string): string => line.replace(/\r$/, '').replace(/ +$/, '');

/** Tokens of each line (lines must not contain `\n`), quotes removed. */
export function referenceTokens(lines: readonly string[]): string[][] {
  const trimmed = lines.map(trimLineEnd);
  // One csv-parse call for all lines; an empty line would vanish, so none is passed in.
  if (trimmed.some((l) => l.length === 0)) throw new Error('referenceTokens: empty line');
  const records = parse(trimmed.join('\n'), OPTIONS) as string[][];
  if (records.length !== lines.length) throw new Error(`referenceTokens: ${records.length} records for ${lines.length} lines`);
  return records;
}
