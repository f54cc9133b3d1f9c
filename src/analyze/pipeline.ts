/**
 * STUB — to be implemented (issue 4). Feeds each entry to every analyzer; no I/O.
 * The contract between the analysis and the CLI `report` command:
 */
import type { AlbEntry } from '../parse/parseLine.js';
import type { InputStats } from '../run.js';
import type { LogObject } from '../sources/logObject.js';
import type { CauseClass, Report } from '../report/model.js';

export interface AnalysisOptions {
  /** --alb-idle-timeout; when absent it is inferred from 504s, else 60. */
  albIdleTimeoutSeconds?: number;
  /** --from/--to as epoch ms (inclusive from, exclusive to), filtering on the entry's `time`. */
  fromMs?: number;
  toMs?: number;
  /** Called once per 5xx/460 entry in the window, for --events. */
  onEvent?: (event: CauseEvent) => void;
}

/** One line of --events output. */
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

export class Analysis {
  constructor(readonly options: AnalysisOptions = {}) {}

  observe(_entry: AlbEntry, _object: LogObject, _lineNumber: number): void {
    throw new Error('not implemented');
  }

  finish(_stats: InputStats): Report {
    throw new Error('not implemented');
  }
}
