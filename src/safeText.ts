/**
 * Log text made harmless wherever it is printed, for every layer (parse's CSV, the CLI's stderr, the
 * renderers): a log's fields, file names and S3 keys are whatever a client or a bucket's writer chose.
 * A terminal obeys control characters (ESC[2J clears the screen, OSC 52 writes the clipboard, \r
 * overwrites the row, a C1 CSI starts a sequence too) and bidi overrides reorder what is shown.
 */

/**
 * C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates and marks, and the line and
 * paragraph separators: each is shown as a visible escape (`\x1b`, `\r`, `\u202e`) and never sent raw.
 */
export const UNSAFE_CHAR = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One character as a terminal may show it. */
export function escapeChar(char: string): string {
  if (!UNSAFE_CHAR.test(char)) return char;
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

const UNSAFE_GLOBAL = new RegExp(UNSAFE_CHAR.source, 'g');

/** Text with every control and bidi character shown as a visible escape. */
export const escapeTerminal = (text: string): string => text.replace(UNSAFE_GLOBAL, escapeChar);

/**
 * Characters JSON.stringify leaves raw (it escapes only C0, `"` and `\`): DEL, C1, bidi controls and the
 * separators. They can only stand inside a JSON string, so escaping them in serialised JSON as `\uXXXX`
 * keeps it the same JSON, value for value, and leaves no raw control for a terminal that `cat`s it.
 */
const JSON_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Serialised JSON (or JSON lines) with the controls JSON.stringify leaves raw written as `\uXXXX`. */
export const escapeJsonControls = (json: string): string =>
  json.replace(JSON_RAW, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
