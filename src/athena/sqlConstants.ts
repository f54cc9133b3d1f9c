/**
 * The diagnosis thresholds as the SQL templates need them: `{{NAME}}` in a file under queries/ is replaced
 * by SQL_CONSTANTS[NAME] when the template loads (templates.ts), so the numbers come from
 * analyze/constants.ts and from nowhere else. Each entry is the constant in the unit and type the SQL
 * uses: `_US` for microseconds (the templates' times), doubles with an exponent (`0.2e0`: Trino reads
 * `0.2` as DECIMAL), integers as digits. A few entries are generated SQL text (the idle-bucket edges).
 * A marker nothing defines is an error when the template loads.
 */
import {
  BAND_MIN_WIDTH,
  CONNECT_TIMEOUT_BAND_MS,
  DEFAULT_ALB_IDLE_TIMEOUT_SECONDS,
  DENSER_BY,
  EDGE_CORRECTION_SPACINGS,
  HIGH_CONFIDENCE_MAX_P_VALUE,
  HIGH_CONFIDENCE_MIN_RACES,
  IDLE_BUCKET_COARSE_FROM_MS,
  IDLE_BUCKET_COARSE_PER_OCTAVE,
  IDLE_BUCKET_FINE_FROM_MS,
  IDLE_BUCKET_FINE_OCTAVES,
  IDLE_BUCKET_FINE_PER_OCTAVE,
  IDLE_BUCKET_SMALL_EDGES_MS,
  KEEPALIVE_MARGIN_SECONDS,
  LINK_LOG,
  MAX_ALB_IDLE_TIMEOUT_SECONDS,
  MAX_P_VALUE,
  MAX_RACE_GAP_EXTRA_MS,
  MAX_RACE_GAP_IDLE_FACTOR,
  MAX_TIMEOUT_ELAPSED_MS,
  MEDIUM_CONFIDENCE_MIN_RACES,
  MIN_ALB_IDLE_TIMEOUT_SECONDS,
  MIN_BAND_RACES,
  MIN_LOW_CORRECTION_MS,
  MIN_RACE_GAP_MS,
  MIN_TIMEOUTS_TO_INFER,
  MIN_WIDTH_LOG,
  ONSET_BELOW_LOWEST_FACTOR,
  ONSET_BELOW_LOWEST_MS,
  ONSET_MIN_MEMBERS,
  POISSON_MAX_TERMS,
  RACE_MAX_ELAPSED_MS,
  RACE_MAX_TARGET_MS,
  RACE_RANGE_HIGH_FACTOR,
  RACE_RANGE_HIGH_SLACK_MS,
  RACE_RANGE_LOW_FACTOR,
  RACE_RANGE_LOW_SLACK_MS,
  RACE_RANGE_MIN_HIGH_FACTOR,
  RECENT_REQUESTS,
  REFUSAL_SILENCE_MS,
  RUN_GAP_MS,
  RUN_MARGIN_MS,
  RUN_MIN_EVENTS,
  SPLIT_PENALTY,
  SPLIT_PENALTY_PER_LOG_N,
  STRAGGLER_MIN_KEPT,
  STRAGGLER_MIN_LOG,
  STRAGGLER_SPACINGS,
  TIMEOUT_PERCENTILE,
  TIMEOUT_RESOLUTION_MS,
  TIMEOUT_ROUNDING_SLACK_MS,
} from '../analyze/constants.js';
import { IDLE_BUCKET_COUNT } from '../analyze/histogram.js';

/** An integer literal; a fraction here would be a unit mistake. */
function int(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`${value} is not a whole number`);
  return String(value);
}

/** A DOUBLE literal in both Trino and DuckDB: always with an exponent. */
function double(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`${value} is not a finite number`);
  // 1e-5, not 0.00001e0
  const text = value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential() : String(value);
  return /e/i.test(text) ? text : `${text}e0`;
}

const US_PER_MS = 1000;

/**
 * The SQL builds its small tables from a table of the digits 0–9 (no sequence function is read alike by
 * Trino and DuckDB): limits the constants must stay within, checked here rather than found wrong on Athena.
 */
function within(name: string, value: number, max: number, why: string): number {
  if (value > max) throw new Error(`${name} = ${value} is above ${max}: ${why}`);
  return value;
}

/** The timeline role counts per minute; races-timeline's buckets are whole multiples of it. */
export const TIMELINE_STEP_SECONDS = 60;

// The idle-bucket indexes where each part of the recipe starts (histogram.ts buildEdges).
const FIRST_FINE_BUCKET = IDLE_BUCKET_SMALL_EDGES_MS.length;
const FIRST_COARSE_BUCKET = FIRST_FINE_BUCKET + IDLE_BUCKET_FINE_OCTAVES * IDLE_BUCKET_FINE_PER_OCTAVE;

export const SQL_CONSTANTS: Readonly<Record<string, string>> = {
  // classify.ts
  CONNECT_TIMEOUT_FROM_US: int(CONNECT_TIMEOUT_BAND_MS[0] * US_PER_MS),
  CONNECT_TIMEOUT_TO_US: int(CONNECT_TIMEOUT_BAND_MS[1] * US_PER_MS),
  RACE_MAX_TARGET_MS: int(RACE_MAX_TARGET_MS),
  RACE_MAX_ELAPSED_US: int(RACE_MAX_ELAPSED_MS * US_PER_MS),

  // connections.ts: one bit per request of a pair's recent ones in a double, offsets from two digits
  RECENT_REQUESTS: int(within('RECENT_REQUESTS', RECENT_REQUESTS, 53, 'the history marks are bits of a double, and offsets two digits')),

  // histogram.ts: the edges by the same recipe; `WHEN n = i THEN edge` for the small ones, and the small
  // buckets' index of a gap (`gap_us`, a column of the step that uses it)
  IDLE_BUCKET_SMALL_EDGE_CASES: IDLE_BUCKET_SMALL_EDGES_MS.map((edgeMs, i) => `WHEN n = ${i} THEN ${double(edgeMs)}`).join(' '),
  IDLE_BUCKET_SMALL_INDEX_CASES: `${IDLE_BUCKET_SMALL_EDGES_MS.slice(1)
    .map((edgeMs, i) => `WHEN gap_us < ${int(edgeMs * US_PER_MS)} THEN ${i}`)
    .join(' ')} ELSE ${IDLE_BUCKET_SMALL_EDGES_MS.length - 1}`,
  IDLE_BUCKET_FIRST_FINE: int(FIRST_FINE_BUCKET),
  IDLE_BUCKET_FIRST_COARSE: int(FIRST_COARSE_BUCKET),
  IDLE_BUCKET_COUNT: int(within('IDLE_BUCKET_COUNT', IDLE_BUCKET_COUNT, 1000, 'bucket numbers are three digits')),
  IDLE_BUCKET_LAST: int(IDLE_BUCKET_COUNT - 1),
  IDLE_BUCKET_FINE_FROM_MS: double(IDLE_BUCKET_FINE_FROM_MS),
  IDLE_BUCKET_FINE_FROM_US: double(IDLE_BUCKET_FINE_FROM_MS * US_PER_MS),
  IDLE_BUCKET_FINE_PER_OCTAVE: double(IDLE_BUCKET_FINE_PER_OCTAVE),
  IDLE_BUCKET_COARSE_FROM_MS: double(IDLE_BUCKET_COARSE_FROM_MS),
  IDLE_BUCKET_COARSE_FROM_US: double(IDLE_BUCKET_COARSE_FROM_MS * US_PER_MS),
  IDLE_BUCKET_COARSE_PER_OCTAVE: double(IDLE_BUCKET_COARSE_PER_OCTAVE),

  // albIdle.ts
  DEFAULT_ALB_IDLE_TIMEOUT_SECONDS: int(DEFAULT_ALB_IDLE_TIMEOUT_SECONDS),
  MIN_ALB_IDLE_TIMEOUT_SECONDS: int(MIN_ALB_IDLE_TIMEOUT_SECONDS),
  MAX_ALB_IDLE_TIMEOUT_SECONDS: int(MAX_ALB_IDLE_TIMEOUT_SECONDS),
  MIN_TIMEOUTS_TO_INFER: int(MIN_TIMEOUTS_TO_INFER),
  TIMEOUT_PERCENTILE: double(TIMEOUT_PERCENTILE),
  TIMEOUT_RESOLUTION_MS: int(TIMEOUT_RESOLUTION_MS),
  TIMEOUT_RESOLUTION_US: double(TIMEOUT_RESOLUTION_MS * US_PER_MS),
  TIMEOUT_ROUNDING_SLACK_MS: int(TIMEOUT_ROUNDING_SLACK_MS),
  MAX_TIMEOUT_ELAPSED_US: int(MAX_TIMEOUT_ELAPSED_MS * US_PER_MS),

  // keepalive.ts
  MIN_RACE_GAP_MS: double(MIN_RACE_GAP_MS),
  MAX_RACE_GAP_IDLE_FACTOR: double(MAX_RACE_GAP_IDLE_FACTOR),
  MAX_RACE_GAP_EXTRA_MS: int(MAX_RACE_GAP_EXTRA_MS),
  LINK_LOG: double(LINK_LOG),
  STRAGGLER_MIN_LOG: double(STRAGGLER_MIN_LOG),
  STRAGGLER_SPACINGS: double(STRAGGLER_SPACINGS),
  STRAGGLER_MIN_KEPT: int(STRAGGLER_MIN_KEPT),
  MIN_BAND_RACES: int(MIN_BAND_RACES),
  ONSET_MIN_MEMBERS: int(ONSET_MIN_MEMBERS),
  MIN_WIDTH_LOG: double(MIN_WIDTH_LOG),
  SPLIT_PENALTY_PER_LOG_N: int(SPLIT_PENALTY_PER_LOG_N),
  SPLIT_PENALTY: int(SPLIT_PENALTY),
  DENSER_BY: int(DENSER_BY),
  EDGE_CORRECTION_SPACINGS: int(EDGE_CORRECTION_SPACINGS),
  ONSET_BELOW_LOWEST_FACTOR: double(ONSET_BELOW_LOWEST_FACTOR),
  ONSET_BELOW_LOWEST_MS: int(ONSET_BELOW_LOWEST_MS),
  MIN_LOW_CORRECTION_MS: double(MIN_LOW_CORRECTION_MS),
  // the chance count widens the band by half the narrowest width on each side
  BAND_HALF_MIN_WIDTH: double(BAND_MIN_WIDTH / 2),
  MAX_P_VALUE: double(MAX_P_VALUE),
  POISSON_MAX_TERMS: int(within('POISSON_MAX_TERMS', POISSON_MAX_TERMS, 1000, 'term numbers are three digits')),
  HIGH_CONFIDENCE_MIN_RACES: int(HIGH_CONFIDENCE_MIN_RACES),
  HIGH_CONFIDENCE_MAX_P_VALUE: double(HIGH_CONFIDENCE_MAX_P_VALUE),
  MEDIUM_CONFIDENCE_MIN_RACES: int(MEDIUM_CONFIDENCE_MIN_RACES),
  RACE_RANGE_LOW_FACTOR: double(RACE_RANGE_LOW_FACTOR),
  RACE_RANGE_LOW_SLACK_MS: int(RACE_RANGE_LOW_SLACK_MS),
  RACE_RANGE_HIGH_FACTOR: double(RACE_RANGE_HIGH_FACTOR),
  RACE_RANGE_MIN_HIGH_FACTOR: double(RACE_RANGE_MIN_HIGH_FACTOR),
  RACE_RANGE_HIGH_SLACK_MS: int(RACE_RANGE_HIGH_SLACK_MS),

  // races.ts
  RUN_MIN_EVENTS: int(RUN_MIN_EVENTS),
  RUN_GAP_US: int(RUN_GAP_MS * US_PER_MS),
  RUN_MARGIN_US: int(RUN_MARGIN_MS * US_PER_MS),
  REFUSAL_SILENCE_US: int(REFUSAL_SILENCE_MS * US_PER_MS),

  // recommend.ts (quoted in a header)
  KEEPALIVE_MARGIN_SECONDS: int(KEEPALIVE_MARGIN_SECONDS),

  // the SQL's own timeline resolution
  TIMELINE_STEP_SECONDS: int(TIMELINE_STEP_SECONDS),
  TIMELINE_STEP_US: double(TIMELINE_STEP_SECONDS * 1_000_000),
};

/** `{{NAME}}` → its SQL text; `file` names the template in the error for an unknown marker. */
export function injectSqlConstants(text: string, file: string): string {
  return text.replace(/\{\{([^{}]*)\}\}/g, (_marker, name: string) => {
    const sql = Object.hasOwn(SQL_CONSTANTS, name) ? SQL_CONSTANTS[name] : undefined;
    if (sql === undefined) throw new Error(`${file} uses {{${name}}}, which sqlConstants.ts does not define`);
    return sql;
  });
}
