/**
 * The explained entries (5xx, 460, the ALB's 400 for a malformed request) as --events lines, and the
 * limits on what is held for conclude.
 */
import type { CauseClass } from '../types.js';
import type { RaceCandidate } from './races.js';
import type { EventPlace, RaceRecord } from './state.js';

export { CONTEXT_BEFORE_WINDOW_MS, MAX_HELD_RACES } from './constants.js';

/** One line of --events output (a public contract: keys are only added). */
export interface CauseEvent {
  file: string;
  line: number;
  time: string;
  class: CauseClass;
  targetGroup: string | null;
  target: string | null;
  node: string | null;
  idleGapMs: number | null;
}

export function eventOf(place: EventPlace, cls: CauseClass): CauseEvent {
  return {
    file: place.file,
    line: place.line,
    time: place.time,
    class: cls,
    targetGroup: place.arn === '-' ? null : place.arn,
    target: place.target,
    node: place.node,
    idleGapMs: place.idleGapMs === null ? null : Math.round(place.idleGapMs * 1000) / 1000,
  };
}

/** What races.ts needs of a held race record. */
export function toCandidate(record: RaceRecord): RaceCandidate {
  return {
    shape: record.shape,
    dispatchedMs: record.dispatchedMs,
    idleGapMs: record.idleGapMs,
    target: record.target ?? '-',
    answeredBeforeMs: record.answeredBeforeMs ?? NaN,
    answeredAfterMs: record.answeredAfterMs ?? NaN,
    recent:
      record.recent === null
        ? null
        : { dispatchedMs: Float64Array.from(record.recent.dispatchedMs), endMs: Float64Array.from(record.recent.endMs, (x) => x ?? NaN) },
  };
}
