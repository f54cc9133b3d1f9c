/**
 * AlbRecord → one line of `parse` output. Column names and their order come from the field table; a CSV
 * file has one header for all rows, so columns a line's layout lacks are empty there (and absent in JSONL).
 */
import { escapeTerminal } from '../safeText.js';
import { COLUMNS, type AlbRecord } from './fields.js';

export type RecordFormat = 'jsonl' | 'csv';

/** The CSV header: every column, then `extra` (trailing tokens joined by a space), `_file`, `_line`. */
export const CSV_HEADER_COLUMNS: readonly string[] = [...COLUMNS, 'extra', '_file', '_line'];

export const recordToJsonLine = (record: AlbRecord): string => JSON.stringify(record) + '\n';

export interface CsvOptions {
  /**
   * Write text that a spreadsheet would run as a formula as it was logged. By default a text value that
   * starts with `=`, `+`, `-`, `@`, a tab or a CR gets a leading `'` inside its quotes (OWASP, "CSV
   * Injection"): user agents and URLs are the client's text, and Excel, LibreOffice and Sheets would
   * evaluate them. Numbers are never changed: `-1` stays `-1`.
   *
   * Control and bidi characters (ESC, CR, NUL, C1, U+202E…) are written as visible escapes such as
   * `\x1b`, as the ALB itself writes them in URLs and user agents, so a file that is `cat` or opened
   * shows what was logged and obeys none of it. `raw` writes those as logged too.
   */
  raw: boolean;
}

// RFC 4180: quote a value holding a comma, a quote or a line break; double the quotes inside.
const NEEDS_QUOTES = /[",\r\n]/;
// A tab or CR is already a visible `\t`/`\r` unless raw; the rule keeps them for what it was written for.
const FORMULA_START = /^[=+\-@\t\r]/;
function csvValue(value: unknown, options: CsvOptions): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const logged = Array.isArray(value) ? value.join(' ') : String(value);
  const text = options.raw ? logged : escapeTerminal(logged);
  if (!options.raw && FORMULA_START.test(text)) return `"'${text.replaceAll('"', '""')}"`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvHeaderLine = (): string => CSV_HEADER_COLUMNS.join(',') + '\n';

export function recordToCsvLine(record: AlbRecord, options: CsvOptions = { raw: false }): string {
  const values = record as Record<string, unknown>;
  return CSV_HEADER_COLUMNS.map((column) => csvValue(values[column], options)).join(',') + '\n';
}
