/**
 * Number and time readers that work on bytes in place: the hot path validates every numeric field of
 * every line, and building a string per field only to call Number() on it would allocate for nothing.
 * Each returns NaN for anything that is not exactly the form AWS writes.
 */

const ZERO = 0x30;
const NINE = 0x39;
const MINUS = 0x2d;
const DOT = 0x2e;

/** `-?[0-9]+` → number, else NaN. */
export function readInt(buf: Uint8Array, start: number, end: number): number {
  let pos = start;
  let negative = false;
  if (pos < end && buf[pos] === MINUS) {
    negative = true;
    pos++;
  }
  if (pos >= end || end - pos > 15) return NaN;
  let value = 0;
  for (; pos < end; pos++) {
    const c = buf[pos]!;
    if (c < ZERO || c > NINE) return NaN;
    value = value * 10 + (c - ZERO);
  }
  return negative ? -value : value;
}

/** `-?[0-9]+(\.[0-9]+)?` → number, else NaN. Used for the processing times in seconds. */
export function readDecimal(buf: Uint8Array, start: number, end: number): number {
  let pos = start;
  let negative = false;
  if (pos < end && buf[pos] === MINUS) {
    negative = true;
    pos++;
  }
  if (pos >= end || end - pos > 24) return NaN;
  let whole = 0;
  let digits = 0;
  for (; pos < end; pos++) {
    const c = buf[pos]!;
    if (c === DOT) break;
    if (c < ZERO || c > NINE) return NaN;
    whole = whole * 10 + (c - ZERO);
    digits++;
  }
  if (digits === 0) return NaN;
  if (pos < end) {
    pos++; // the dot
    if (pos >= end) return NaN;
    let fraction = 0;
    let scale = 1;
    for (; pos < end; pos++) {
      const c = buf[pos]!;
      if (c < ZERO || c > NINE) return NaN;
      fraction = fraction * 10 + (c - ZERO);
      scale *= 10;
    }
    // One division of two exact integers is correctly rounded, so `1.118` reads as Number('1.118');
    // `whole + fraction / scale` rounds twice and gave 1.1179999999999999.
    whole = (whole * scale + fraction) / scale;
    // Past 2^53 the integers above are not exact: let Number() read the text, already validated.
    if (whole * scale > Number.MAX_SAFE_INTEGER) return Number(String.fromCharCode(...buf.subarray(start, end)));
  } else if (whole > Number.MAX_SAFE_INTEGER) {
    return Number(String.fromCharCode(...buf.subarray(start, end)));
  }
  return negative ? -whole : whole;
}

const digit = (buf: Uint8Array, i: number): number => {
  const c = buf[i]! - ZERO;
  return c >= 0 && c <= 9 ? c : NaN;
};
const two = (buf: Uint8Array, i: number): number => digit(buf, i) * 10 + digit(buf, i + 1);

// The date part repeats on every line of a file: remember the last one (bench: Date.UTC per line costs ~8%).
let cachedDayKey = -1;
let cachedDayMs = 0;

/**
 * `YYYY-MM-DDTHH:MM:SS[.f…]Z` → epoch milliseconds with the fraction kept (µs survive in a double for
 * dates of this century), else NaN.
 */
export function readIsoTimeMs(buf: Uint8Array, start: number, end: number): number {
  if (end - start < 20 || buf[end - 1] !== 0x5a /* Z */) return NaN;
  if (buf[start + 4] !== MINUS || buf[start + 7] !== MINUS || buf[start + 10] !== 0x54 /* T */) return NaN;
  if (buf[start + 13] !== 0x3a || buf[start + 16] !== 0x3a) return NaN;
  const year = two(buf, start) * 100 + two(buf, start + 2);
  const month = two(buf, start + 5);
  const day = two(buf, start + 8);
  const hour = two(buf, start + 11);
  const minute = two(buf, start + 14);
  const second = two(buf, start + 17);
  // NaN fails every comparison, so one check catches a non-digit anywhere above.
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60)) {
    return NaN;
  }
  let fractionMs = 0;
  let pos = start + 19;
  if (pos < end - 1) {
    if (buf[pos] !== DOT) return NaN;
    pos++;
    if (pos >= end - 1) return NaN;
    let scale = 100;
    for (; pos < end - 1; pos++) {
      const d = digit(buf, pos);
      if (Number.isNaN(d)) return NaN;
      fractionMs += d * scale;
      scale /= 10;
    }
  }
  const dayKey = (year * 100 + month) * 100 + day;
  if (dayKey !== cachedDayKey) {
    const dayMs = Date.UTC(year, month - 1, day);
    // Date.UTC rolls 2026-02-31 over into March: reject dates that do not exist.
    if (new Date(dayMs).getUTCDate() !== day) return NaN;
    cachedDayKey = dayKey;
    cachedDayMs = dayMs;
  }
  return cachedDayMs + ((hour * 60 + minute) * 60 + second) * 1000 + fractionMs;
}
