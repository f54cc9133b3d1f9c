import type { ErrorJson } from '../errors.js';

/**
 * The report: plain JSON, the only input of every renderer (text, json, later markdown and html). The
 * keys below are the `report --format json` contract (schemaVersion 1): add keys, never rename or remove.
 */

export type { Recommendation, ServerAdvice } from '../types.js';
export { CAUSE_CLASSES, type CauseClass, type ClassCounts, type Confidence, type IdleAgeBucket, type KeepAliveEstimate, type Timeline } from '../types.js';
import type { CauseClass, ClassCounts, IdleAgeBucket, KeepAliveEstimate, Recommendation, Timeline } from '../types.js';
import type { SampleDetail } from '../analyze/state.js';
import type { Verdict } from '../analyze/verdict.js';
import type { BandExposure } from '../analyze/knownCloses.js';
export type { BandExposure } from '../analyze/knownCloses.js';
export type { TargetGroupVerdict, Verdict, VerdictReason, VerdictReasonCode, VerdictStatus } from '../analyze/verdict.js';

export interface TargetGroupReport {
  arn: string;
  /** The name part of the ARN (`targetgroup/<name>/<id>`), or the ARN when it has none. */
  name: string;
  requests: number;
  classes: ClassCounts;
  idleAge: { buckets: IdleAgeBucket[] };
  keepAlive: KeepAliveReport;
  /** Server ids (see analyze/servers.ts) whose default keep-alive matches the estimate, most likely first. */
  suspectedServers: string[];
  // Additions beyond the contract's keys (always written; optional for reports written before them):
  /**
   * Per known close time (server defaults, and T̂ of other groups): requests that reused a connection
   * idle within its band, and the races a day a target closing there would cause (analyze/knownCloses.ts).
   */
  exposure?: BandExposure[];
  /**
   * When the group's keep-alive races stopped or started during the window, found on the requests whose
   * idle gap fell in its race band (analyze/raceChange.ts); null when they did neither (or it had none).
   */
  raceChange?: RaceChangeReport | null;
}

/** Requests, exposed requests (gap in the race band's idle-age buckets) and keep-alive races on one side of a change. */
export interface PeriodReport {
  races: number;
  requests: number;
  exposedRequests: number;
}

export interface RaceChangeReport {
  /** ISO time of the change: the start of the first time bin of the new regime. */
  at: string;
  verdict: 'stopped' | 'started';
  before: PeriodReport;
  after: PeriodReport;
  /** Chance of a quiet side at least that long with no change at all (exact, both directions). */
  pValue: number;
}

/** The estimate, and (additions) the evidence behind it. */
export interface KeepAliveReport extends KeepAliveEstimate {
  /** `band`: races clustered where chance would not put them; `known-close`: one or a few at a known server close time; null: no estimate. */
  method?: 'band' | 'known-close' | null;
  /** Chance of as many race-shaped 502s in the band by chance (corrected for the places tested); null when none was tested. */
  pValue?: number | null;
}

/**
 * One logged entry of a class, as evidence a reader can look up: where it is (file, line) and what it
 * says. The first few of each (target group, class) by time, file and line (analyze/samples.ts).
 * `--redact` masks `client` and the query string of `url`.
 */
export interface SampleEvent extends SampleDetail {
  class: CauseClass;
  /** The target group's ARN; null for entries in none. */
  targetGroup: string | null;
  file: string;
  line: number;
  time: string;
  target: string | null;
  node: string | null;
  idleGapMs: number | null;
}

/** A malformed line or an unreadable input: code, message, and where (source, line, field), with a hint. */
export type ErrorSample = ErrorJson;

export interface Report {
  schemaVersion: 1;
  input: {
    files: number;
    bytes: number;
    lines: number;
    entries: number;
    malformed: number;
    skippedFiles: number;
    // Additions beyond the contract's keys:
    blankLines: number;
    /** Entries whose `time` fell outside --from/--to. */
    outsideWindow: number;
    /** Entries of another load balancer than --lb named, left out. */
    otherLoadBalancer?: number;
    malformedByCode: Record<string, number>;
    malformedSamples: ErrorSample[];
    skippedByReason: Record<string, number>;
    unread: ErrorSample[];
  };
  window: { from: string | null; to: string | null };
  albIdleTimeoutSeconds: { value: number; source: 'flag' | 'inferred' | 'default' };
  classes: ClassCounts;
  targetGroups: TargetGroupReport[];
  recommendations: Recommendation[];
  // Additions beyond the contract's keys:
  timeline: Timeline;
  /** Caveats a reader must know, one sentence each (e.g. ALB node unknown: idle gaps per target only). */
  notes: string[];
  /** Do the targets race the ALB, overall and per target group (rules and precedence: analyze/verdict.ts). */
  verdict: Verdict;
  /** Sample entries of every class in every target group (SampleEvent); ordered by class, group, time, file, line. */
  samples: SampleEvent[];
  /** Present when client IPs and query strings were masked for sharing (--redact). */
  redacted?: true;
}
