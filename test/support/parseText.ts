/**
 * Thin helpers to run the real parser on a string: one line → ParseResult / record / tokens.
 */
import { AlbDoctorError } from '../../src/errors.js';
import type { AlbRecord } from '../../src/parse/fields.js';
import { LineParser, type ParseResult } from '../../src/parse/parseLine.js';
import { tokenize, TokenSpans, type TokenizeStatus } from '../../src/parse/tokenize.js';

const parser = new LineParser();

/** Parses one line (no newline). The entry in an ok result is only valid until the next call. */
export function parseText(line: string | Buffer, source = 'test.log', lineNumber = 1): ParseResult {
  const buf = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  return parser.parse(buf, 0, buf.length, source, lineNumber);
}

/** The record of a line that must parse; throws with the error code otherwise. */
export function recordOf(line: string | Buffer, source = 'test.log', lineNumber = 1): AlbRecord {
  const result = parseText(line, source, lineNumber);
  if (!result.ok) throw new Error(`expected an entry, got ${result.error.code} (${result.error.field ?? '-'}): ${result.error.message}`);
  return result.entry.toRecord(source, lineNumber);
}

/** The error of a line that must not parse; throws otherwise. */
export function errorOf(line: string | Buffer, source = 'test.log', lineNumber = 1): AlbDoctorError {
  const result = parseText(line, source, lineNumber);
  if (result.ok) throw new Error('expected a malformed line, got an entry');
  return result.error;
}

export interface Token {
  text: string;
  quoted: boolean;
}

/** The tokenizer's view of a line: status and tokens as text (quotes removed). */
export function tokensOf(line: string | Buffer): { status: TokenizeStatus; tokens: Token[]; overflow: boolean } {
  const buf = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const spans = new TokenSpans();
  const status = tokenize(buf, 0, buf.length, spans);
  const tokens: Token[] = [];
  for (let i = 0; i < spans.count; i++) {
    tokens.push({ text: buf.toString('utf8', spans.start[i], spans.end[i]), quoted: spans.quoted[i] === 1 });
  }
  return { status, tokens, overflow: spans.overflow };
}
