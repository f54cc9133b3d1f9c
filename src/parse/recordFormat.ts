/**
 * AlbRecord → one line of `parse` output. Column names and their order come from the field table; a CSV
 * file has one header for all rows, so columns a line's layout lacks are empty there (and absent in JSONL).
 */
import { COLUMNS, type AlbRecord } from './fields.js';

export type RecordFormat = 'jsonl' | 'csv';

/** The CSV header: every column, then `extra` (trailing tokens joined by a space), `_file`, `_line`. */
export const CSV_HEADER_COLUMNS: readonly string[] = [...COLUMNS, 'extra', '_file', '_line'];

export const recordToJsonLine = (record: AlbRecord): string => JSON.stringify(record) + '\n';

// RFC 4180: quote a value holding a comma, a quote or a line break; double the quotes inside.
const NEEDS_QUOTES = /[",\r\n]/;
function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = Array.isArray(value) ? value.join(' ') : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvHeaderLine = (): string => CSV_HEADER_COLUMNS.join(',') + '\n';

export function recordToCsvLine(record: AlbRecord): string {
  const values = record as Record<string, unknown>;
  return CSV_HEADER_COLUMNS.map((column) => csvValue(values[column])).join(',') + '\n';
}
