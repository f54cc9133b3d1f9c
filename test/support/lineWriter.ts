/**
 * A small ALB line writer for the tests, built on the hand-written SPEC (not on src/): typed values in,
 * one log line out, plus the record the `parse` contract says that line must give. Property and
 * differential tests generate values, write lines with this, and compare the parser's output with
 * `expectedRecord` — the expectation never comes from the code under test.
 */
import { SPEC } from './albSpec.js';

export interface Address {
  ip: string;
  port: number;
  /** Write `[ip]:port` (not what AWS writes, but tolerated). */
  bracketed?: boolean;
}

export interface Request {
  verb: string | null;
  url: string | null;
  proto: string | null;
}

/**
 * One value per field, by SPEC kind: word/time/text → string | null; int → number | null; seconds → the
 * decimal text as logged (`'0.086'`, `'-1'`) | null; address → Address | null; request → Request | null.
 */
export type FieldValue = string | number | Address | Request | null;

export interface ExtraToken {
  text: string;
  quoted: boolean;
}

export interface EntrySpec {
  /** values.length is the layout's field count (20…34). */
  values: FieldValue[];
  /** Per field, whether to write it in quotes; defaults to SPEC[i].quoted. */
  quoted?: (boolean | undefined)[];
  /** Tokens after the 34th field. */
  extra?: ExtraToken[];
}

const DASH = '-';

function fieldText(index: number, value: FieldValue): string {
  if (value === null) return DASH;
  const kind = SPEC[index]!.kind;
  switch (kind) {
    case 'address': {
      const a = value as Address;
      return a.bracketed ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
    }
    case 'request': {
      const r = value as Request;
      return `${r.verb ?? DASH} ${r.url ?? DASH} ${r.proto ?? DASH}`;
    }
    case 'int':
      return String(value as number);
    default:
      return value as string;
  }
}

/** The line as the ALB would write it (no newline). */
export function writeLine(entry: EntrySpec): string {
  const tokens = entry.values.map((value, i) => {
    const text = fieldText(i, value);
    const quoted = entry.quoted?.[i] ?? SPEC[i]!.quoted;
    return quoted ? `"${text}"` : text;
  });
  for (const token of entry.extra ?? []) tokens.push(token.quoted ? `"${token.text}"` : token.text);
  return tokens.join(' ');
}

/** The raw tokens (quotes removed) the line is made of, as an independent tokenizer must see them. */
export function expectedTokens(entry: EntrySpec): string[] {
  return [...entry.values.map((value, i) => fieldText(i, value)), ...(entry.extra ?? []).map((t) => t.text)];
}

const nullIfDash = (text: string | null): string | null => (text === DASH ? null : text);

/** What the `parse` contract says this entry becomes: keys in field order, then extra, _file, _line. */
export function expectedRecord(entry: EntrySpec, file: string, line: number): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  entry.values.forEach((value, i) => {
    const spec = SPEC[i]!;
    const [c0, c1, c2] = spec.columns as [string, string?, string?];
    switch (spec.kind) {
      case 'address': {
        const a = value as Address | null;
        record[c0] = a?.ip ?? null;
        record[c1!] = a?.port ?? null;
        break;
      }
      case 'request': {
        const r = value as Request | null;
        record[c0] = nullIfDash(r?.verb ?? null);
        record[c1!] = nullIfDash(r?.url ?? null);
        record[c2!] = nullIfDash(r?.proto ?? null);
        break;
      }
      case 'int':
        record[c0] = value as number | null;
        break;
      case 'seconds':
        // Number() is the reference decimal reader.
        record[c0] = value === null ? null : Number(value as string);
        break;
      default:
        record[c0] = nullIfDash(value as string | null);
    }
  });
  if (entry.extra && entry.extra.length > 0) record.extra = entry.extra.map((t) => t.text);
  record._file = file;
  record._line = line;
  return record;
}
