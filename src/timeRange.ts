/**
 * --from/--to → epoch ms. A value is an ISO 8601 time or an age relative to now (`90s`, `30m`, `6h`,
 * `2d`, `1w`: now minus that). A time without an offset is read as UTC, because ALB log times are UTC
 * and the report prints UTC; reading it in the machine's zone would shift the window silently.
 */
import { isValid, parseISO, sub } from 'date-fns';
import { AlbDoctorError } from './errors.js';

const RELATIVE = /^(\d+)\s*([smhdw])$/i;
const UNITS = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days', w: 'weeks' } as const;
const OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

export interface TimeWindow {
  /** Inclusive; undefined when no --from was given. */
  fromMs?: number;
  /** Exclusive; undefined when no --to was given. */
  toMs?: number;
}

/** One --from/--to value → epoch ms; a USAGE error naming the flag when it is neither form. */
export function parseTimeBound(text: string, flag: string, nowMs: number): number {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  let timeMs: number;
  if (relative) {
    const unit = UNITS[relative[2]!.toLowerCase() as keyof typeof UNITS];
    // An age too large for a Date (100000001d) gives an invalid one: caught by the range check below.
    timeMs = sub(nowMs, { [unit]: Number(relative[1]) }).getTime();
  } else {
    const time = parseIsoAsUtc(value);
    if (!isValid(time)) {
      throw new AlbDoctorError(
        'USAGE',
        `${flag} '${text}' is not a time; give an ISO time such as 2024-05-01T10:00Z or an age such as 30m, 6h or 2d.`,
      );
    }
    timeMs = time.getTime();
  }
  if (!(timeMs >= MIN_TIME_MS && timeMs <= MAX_TIME_MS)) {
    throw new AlbDoctorError('USAGE', `${flag} '${text}' is not between the years 1970 and 9999; give an ISO time such as 2024-05-01T10:00Z or an age such as 30m, 6h or 2d.`);
  }
  return timeMs;
}

/**
 * Times a report can name: ALB logs start in 2016, and the report writes times as ISO 8601, whose
 * four-digit years end at 9999 (a Date goes on to the year 275760, but prints it as `+275760-…`).
 */
const MIN_TIME_MS = 0;
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Both bounds, checked against each other. */
export function parseTimeWindow(from: string | undefined, to: string | undefined, nowMs: number): TimeWindow {
  const window: TimeWindow = {};
  if (from !== undefined) window.fromMs = parseTimeBound(from, '--from', nowMs);
  if (to !== undefined) window.toMs = parseTimeBound(to, '--to', nowMs);
  if (window.fromMs !== undefined && window.toMs !== undefined && window.fromMs >= window.toMs) {
    throw new AlbDoctorError(
      'USAGE',
      `--from (${new Date(window.fromMs).toISOString()}) must be before --to (${new Date(window.toMs).toISOString()}).`,
    );
  }
  return window;
}

function parseIsoAsUtc(value: string): Date {
  const separator = value.search(/[T ]/i);
  let iso = separator < 0 ? value : `${value.slice(0, separator)}T${value.slice(separator + 1)}`;
  // Only the time part can carry an offset: a date's own "-01" is not one.
  if (separator < 0) iso += 'T00:00:00Z';
  else if (!OFFSET.test(iso.slice(separator + 1))) iso += 'Z';
  return parseISO(iso);
}
