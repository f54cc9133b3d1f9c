/**
 * line bytes → token spans. Byte-level, quote-aware, no strings and no regex: the spans index into the
 * caller's buffer and are reused from line to line (one allocation per parser, not per line).
 *
 * Rules (domain.md §2): tokens are separated by single spaces; a token that starts with `"` runs to the
 * next `"` that is not preceded by a backslash (AWS escapes quotes as `\x22`; a `\"` is tolerated and kept
 * raw), and that quote must be followed by a space or the end of the line (else `missing_space`). Raw
 * spaces inside quotes (request URIs, SNI with a leading space) stay inside the token. Trailing spaces and
 * a CR before the newline are not tokens.
 */

const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CR = 0x0d;

/** More tokens than any layout has; the rest of a longer line is kept as one last span. */
export const MAX_TOKENS = 96;

export class TokenSpans {
  /** Start offset of each token's content (after the opening quote for quoted tokens). */
  readonly start = new Int32Array(MAX_TOKENS);
  /** End offset (exclusive, before the closing quote). */
  readonly end = new Int32Array(MAX_TOKENS);
  /** 1 when the token was quoted. */
  readonly quoted = new Uint8Array(MAX_TOKENS);
  count = 0;
  /** True when the line had more than MAX_TOKENS tokens: the last span holds the rest of the line. */
  overflow = false;
}

export type TokenizeStatus = 'ok' | 'unterminated_quote' | 'missing_space';

/** Splits `buf[lineStart, lineEnd)` into `spans`. Never throws. */
export function tokenize(buf: Uint8Array, lineStart: number, lineEnd: number, spans: TokenSpans): TokenizeStatus {
  let end = lineEnd;
  if (end > lineStart && buf[end - 1] === CR) end--;
  while (end > lineStart && buf[end - 1] === SPACE) end--;

  const starts = spans.start;
  const ends = spans.end;
  const quoted = spans.quoted;
  let count = 0;
  let pos = lineStart;
  spans.overflow = false;

  while (pos < end) {
    if (count === MAX_TOKENS - 1) {
      // Keep the remainder whole rather than fail: extra trailing tokens are never fatal.
      starts[count] = pos;
      ends[count] = end;
      quoted[count] = 0;
      count++;
      spans.overflow = true;
      break;
    }
    if (buf[pos] === QUOTE) {
      const contentStart = pos + 1;
      let q = contentStart;
      // Find the closing quote: followed by a space or the end, not escaped by a backslash.
      for (;;) {
        while (q < end && buf[q] !== QUOTE) q++;
        if (q >= end) {
          spans.count = count;
          return 'unterminated_quote';
        }
        if (buf[q - 1] === BACKSLASH) {
          q++; // `\"` is tolerated inside a value, kept raw
          continue;
        }
        if (q + 1 === end || buf[q + 1] === SPACE) break;
        // AWS writes a quote inside a value as \x22, so a bare quote with text after it is a closing quote
        // whose separating space is missing (`"-"1`): reading on would swallow the next fields into this one.
        spans.count = count;
        return 'missing_space';
      }
      starts[count] = contentStart;
      ends[count] = q;
      quoted[count] = 1;
      count++;
      pos = q + 2; // past the closing quote and the separating space
    } else {
      let s = pos;
      while (s < end && buf[s] !== SPACE) s++;
      starts[count] = pos;
      ends[count] = s;
      quoted[count] = 0;
      count++;
      pos = s + 1;
    }
  }
  spans.count = count;
  return 'ok';
}
