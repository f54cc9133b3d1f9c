/**
 * token spans → a validated entry view, or a located error. Never throws.
 *
 * Every line is validated when it is read (field count, type, times, numbers, addresses), so bad lines
 * are counted whatever a consumer later touches; numbers found while validating are kept, strings are
 * decoded only when asked for. The entry is a view into the caller's buffer that the parser reuses: it
 * is valid until the next line is parsed; copy what you keep (`toRecord()` or the typed getters).
 */
import { AlbDoctorError, type ErrorCode } from '../errors.js';
import { ALB_FIELDS, F, FIELD_COUNT, MIN_FIELD_COUNT, type AlbRecord } from './fields.js';
import { readDecimal, readInt, readIsoTimeMs } from './numbers.js';
import { tokenize, TokenSpans } from './tokenize.js';

const DASH = 0x2d;
const COLON = 0x3a;
const SPACE = 0x20;

/** No real entry comes near this (AWS caps the logged URL and user agent); protects memory from binary junk. */
export const MAX_LINE_BYTES = 64 * 1024;

const KIND = ALB_FIELDS.map((f) => f.kind);
const NAME = ALB_FIELDS.map((f) => f.name);
const COLUMNS_BY_FIELD = ALB_FIELDS.map((f) => f.columns);

export type ParseResult = { ok: true; entry: AlbEntry } | { ok: false; error: AlbDoctorError };

export interface RequestParts {
  verb: string | null;
  url: string | null;
  proto: string | null;
}

export class AlbEntry {
  buf: Buffer = Buffer.alloc(0);
  lineStart = 0;
  lineEnd = 0;
  /** The line decoded once, when its bytes map 1:1 to UTF-16 units; null when they do not; undefined until asked. */
  lineText: string | null | undefined = undefined;
  readonly spans = new TokenSpans();
  /** Fields present in this line's layout (≤ FIELD_COUNT); tokens beyond are `extra`. */
  fieldCount = 0;
  /** Numbers found while validating: int/seconds fields and the address ports; NaN for `-`. */
  readonly numbers = new Float64Array(FIELD_COUNT);
  /** Epoch ms of `time` and `request_creation_time` (NaN when absent or `-`). */
  timeMs = NaN;
  requestCreationTimeMs = NaN;

  has(field: number): boolean {
    return field < this.fieldCount;
  }

  /** `-`, bare or quoted, or a field the layout lacks. */
  isNull(field: number): boolean {
    if (field >= this.fieldCount) return true;
    const s = this.spans.start[field]!;
    return this.spans.end[field]! - s === 1 && this.buf[s] === DASH;
  }

  /** The field as logged, without quotes, escapes raw; null for `-` or absent. */
  text(field: number): string | null {
    if (this.isNull(field)) return null;
    return this.slice(this.spans.start[field]!, this.spans.end[field]!);
  }

  /** Numeric fields (int, seconds, address port): null for `-` or absent. */
  number(field: number): number | null {
    if (field >= this.fieldCount) return null;
    const n = this.numbers[field]!;
    return Number.isNaN(n) ? null : n;
  }

  /** IP of an address field (`client:port`, `target:port`), brackets removed; null for `-`. */
  addressIp(field: number): string | null {
    if (this.isNull(field)) return null;
    const s = this.spans.start[field]!;
    const colon = lastIndexOf(this.buf, COLON, s, this.spans.end[field]!);
    if (this.buf[s] === 0x5b /* [ */ && this.buf[colon - 1] === 0x5d /* ] */) return this.slice(s + 1, colon - 1);
    return this.slice(s, colon);
  }

  /** The request split at its first and last space; `-` parts are null. */
  request(): RequestParts {
    const field = F.request;
    if (field >= this.fieldCount) return { verb: null, url: null, proto: null };
    const s = this.spans.start[field]!;
    let e = this.spans.end[field]!;
    // Real lines have a space after the version (`"GET http://host:80/ HTTP/1.0 "`): splitting at that
    // last space would make the version part of the URL.
    while (e > s && this.buf[e - 1] === SPACE) e--;
    const first = indexOf(this.buf, SPACE, s, e);
    if (first < 0) return { verb: this.part(s, e), url: null, proto: null };
    const last = lastIndexOf(this.buf, SPACE, first, e);
    if (last === first) return { verb: this.part(s, first), url: this.part(first + 1, e), proto: null };
    return { verb: this.part(s, first), url: this.part(first + 1, last), proto: this.part(last + 1, e) };
  }

  /** Tokens after the last documented field, as logged. */
  extra(): string[] {
    const out: string[] = [];
    for (let i = this.fieldCount; i < this.spans.count; i++) {
      out.push(this.slice(this.spans.start[i]!, this.spans.end[i]!));
    }
    return out;
  }

  /**
   * Text of `buf[start, end)`. Decoding the line once and slicing it is 3× faster than decoding each field
   * (bench, parse records); when the line holds multi-byte UTF-8 the offsets no longer match, so decode per field.
   */
  slice(start: number, end: number): string {
    if (this.lineText === undefined) {
      const text = this.buf.toString('utf8', this.lineStart, this.lineEnd);
      this.lineText = text.length === this.lineEnd - this.lineStart ? text : null;
    }
    return this.lineText === null
      ? this.buf.toString('utf8', start, end)
      : this.lineText.slice(start - this.lineStart, end - this.lineStart);
  }

  private part(start: number, end: number): string | null {
    return end - start === 1 && this.buf[start] === DASH ? null : this.slice(start, end);
  }

  /** Calls `visit` for every column the line's layout has, in field order (the one walk behind every output). */
  forEachColumn(visit: (column: string, value: string | number | null) => void): void {
    for (let field = 0; field < this.fieldCount; field++) {
      const columns = COLUMNS_BY_FIELD[field]!;
      switch (KIND[field]) {
        case 'int':
        case 'seconds':
          visit(columns[0]!, this.number(field));
          break;
        case 'address':
          visit(columns[0]!, this.addressIp(field));
          visit(columns[1]!, this.number(field));
          break;
        case 'request': {
          const r = this.request();
          visit(columns[0]!, r.verb);
          visit(columns[1]!, r.url);
          visit(columns[2]!, r.proto);
          break;
        }
        default:
          visit(columns[0]!, this.text(field));
      }
    }
  }

  /** The `parse` contract: Athena column names in field order, then `extra`, `_file`, `_line`. */
  toRecord(file: string, line: number): AlbRecord {
    const record: Record<string, unknown> = {};
    this.forEachColumn((column, value) => {
      record[column] = value;
    });
    if (this.spans.count > this.fieldCount) record.extra = this.extra();
    record._file = file;
    record._line = line;
    return record as AlbRecord;
  }

  /**
   * `JSON.stringify(toRecord(file, line))`, written directly: no object per line, and most values need no
   * escaping (bench, parse records: 2.4× the lines/s of stringify on the record).
   */
  toJson(fileJson: string, line: number): string {
    let json = '{';
    this.forEachColumn((column, value) => {
      json += `"${column}":${typeof value === 'string' ? jsonString(value) : value},`;
    });
    if (this.spans.count > this.fieldCount) json += `"extra":${JSON.stringify(this.extra())},`;
    return `${json}"_file":${fileJson},"_line":${line}}`;
  }
}

// Characters JSON.stringify would escape: quote, backslash, controls, and (for well-formed output) surrogates.
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const jsonString = (text: string): string => (NEEDS_JSON_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`);

function indexOf(buf: Uint8Array, byte: number, start: number, end: number): number {
  for (let i = start; i < end; i++) if (buf[i] === byte) return i;
  return -1;
}
function lastIndexOf(buf: Uint8Array, byte: number, start: number, end: number): number {
  for (let i = end - 1; i >= start; i--) if (buf[i] === byte) return i;
  return -1;
}

export class LineParser {
  /** The view handed out by parse(); reused for every line. */
  private readonly entry = new AlbEntry();

  /** Parses `buf[start, end)` (one line, no newline). */
  parse(buf: Buffer, start: number, end: number, source: string, line: number): ParseResult {
    const entry = this.entry;
    if (end - start > MAX_LINE_BYTES) {
      return fail('LINE_TOO_LONG', `line is ${end - start} bytes, more than ${MAX_LINE_BYTES}`, source, line);
    }
    entry.buf = buf;
    entry.lineStart = start;
    entry.lineEnd = end;
    entry.lineText = undefined;
    const spans = entry.spans;
    const status = tokenize(buf, start, end, spans);
    if (status === 'unterminated_quote') {
      return fail('UNTERMINATED_QUOTE', `quoted field ${spans.count + 1} has no closing quote`, source, line, NAME[spans.count]);
    }
    if (status === 'missing_space') {
      return fail('MISSING_SPACE', `quoted field ${spans.count + 1} runs into the next one (no space after its closing quote)`, source, line, NAME[spans.count]);
    }
    if (spans.count < MIN_FIELD_COUNT) {
      return fail('TOO_FEW_FIELDS', `${spans.count} fields, an ALB entry has at least ${MIN_FIELD_COUNT}`, source, line);
    }
    const fieldCount = spans.count < FIELD_COUNT ? spans.count : FIELD_COUNT;
    entry.fieldCount = fieldCount;
    const starts = spans.start;
    const ends = spans.end;
    const numbers = entry.numbers;

    // type: a lowercase word (http, https, h2, grpcs, ws, wss; unknown words are accepted).
    if (!isWord(buf, starts[0]!, ends[0]!)) return fail('BAD_TYPE', 'first field is not a request type', source, line, 'type');

    entry.timeMs = readIsoTimeMs(buf, starts[F.time]!, ends[F.time]!);
    if (Number.isNaN(entry.timeMs)) return fail('BAD_TIME', 'time is not an ISO-8601 UTC timestamp', source, line, 'time');
    entry.requestCreationTimeMs = NaN;

    for (let field = 2; field < fieldCount; field++) {
      const s = starts[field]!;
      const e = ends[field]!;
      const dash = e - s === 1 && buf[s] === DASH;
      switch (KIND[field]) {
        case 'int': {
          const n = dash ? NaN : readInt(buf, s, e);
          if (!dash && Number.isNaN(n)) return fail('BAD_NUMBER', `${NAME[field]} is not a number`, source, line, NAME[field]);
          numbers[field] = n;
          break;
        }
        case 'seconds': {
          const n = dash ? NaN : readDecimal(buf, s, e);
          if (!dash && Number.isNaN(n)) return fail('BAD_NUMBER', `${NAME[field]} is not a number`, source, line, NAME[field]);
          numbers[field] = n;
          break;
        }
        case 'address': {
          if (dash) {
            numbers[field] = NaN;
            break;
          }
          const colon = lastIndexOf(buf, COLON, s, e);
          const port = colon > s ? readInt(buf, colon + 1, e) : NaN;
          if (!(port >= 0 && port <= 65535)) return fail('BAD_ADDRESS', `${NAME[field]} is not ip:port`, source, line, NAME[field]);
          numbers[field] = port;
          break;
        }
        case 'time': {
          if (dash) break;
          const ms = readIsoTimeMs(buf, s, e);
          if (Number.isNaN(ms)) return fail('BAD_TIME', `${NAME[field]} is not an ISO-8601 UTC timestamp`, source, line, NAME[field]);
          if (field === F.request_creation_time) entry.requestCreationTimeMs = ms;
          break;
        }
        default:
      }
    }
    return { ok: true, entry };
  }
}

function isWord(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start < 1 || end - start > 16) return false;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39))) return false;
  }
  return true;
}

function fail(code: ErrorCode, message: string, source: string, line: number, field?: string): ParseResult {
  return {
    ok: false,
    error: new AlbDoctorError(code, `${source}:${line}: ${message}`, {
      source,
      line,
      ...(field !== undefined && { field }),
    }),
  };
}
