import type { ErrorJson } from '../errors.js';

/**
 * The report: plain JSON, the only input of every renderer (text, json, later markdown and html). The
 * keys below are the `report --format json` contract (schemaVersion 1): add keys, never rename or remove.
 */

export type { Recommendation, ServerAdvice } from '../types.js';
export { CAUSE_CLASSES, type CauseClass, type ClassCounts, type Confidence, type IdleAgeBucket, type KeepAliveEstimate, type Timeline } from '../types.js';
import type { CauseClass, ClassCounts, DescribedSettings, IdleAgeBucket, KeepAliveEstimate, Recommendation, Timeline } from '../types.js';
export type { DescribedSettings } from '../types.js';
import type { SampleDetail } from '../analyze/state.js';
import type { VerdictReasonCode, VerdictStatus } from '../analyze/verdict.js';
import type { BandExposure } from '../analyze/knownCloses.js';
export type { BandExposure } from '../analyze/knownCloses.js';
export type { VerdictReasonCode, VerdictStatus } from '../analyze/verdict.js';

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
  /** `deregistration_delay.timeout_seconds` as read with --describe; absent when it was not read. */
  deregistrationDelaySeconds?: { value: number; source: 'described' };
  /**
   * Bursts of refused connections (`target_connection_error`) with their drain windows: how long the ALB kept
   * routing to targets that no longer listened, and what left them (analyze/drain.ts). Empty when none.
   */
  drain?: DrainBurstReport[];
  /**
   * When the group's keep-alive races stopped or started during the window, found on the requests whose
   * idle gap fell in its race band (analyze/raceChange.ts); null when they did neither (or it had none).
   */
  raceChange?: RaceChangeReport | null;
}

/** Targets of one group that stopped listening together (a rollout, a scale-in) or never listened. */
export interface DrainBurstReport {
  /** `deploy`: one after another, each back or replaced; `scale-in`: at once, none back; `misconfiguration`: never answered. */
  kind: 'deploy' | 'scale-in' | 'misconfiguration';
  targets: string[];
  /** First and last refused request of the burst (dispatch time, ISO). */
  firstFailure: string;
  lastFailure: string;
  /** The longest of its targets' windows (last − first refusal), seconds to the ms. */
  windowSeconds: number;
  failures: number;
  /** Requests its targets dropped while serving them around the burst (`target_reset`): killed with requests in flight. */
  resets: number;
  perTarget: DrainTargetReport[];
}

export interface DrainTargetReport {
  target: string;
  /** The last request it answered before the burst; null when none was seen. */
  lastAnswered: string | null;
  firstFailure: string;
  lastFailure: string;
  /** The first request it answered after the burst; null when it did not. */
  answeredAgain: string | null;
  /** Its last appearance in the log; null when not tracked. */
  lastSeen: string | null;
  /** It never answered again in the log (removed, replaced, or the log ends). */
  vanished: boolean;
  windowSeconds: number;
  failures: number;
  resets: number;
}

/** The drain settings derived from the measured windows, with the platform rows (analyze/platforms.ts). */
export interface DrainRecommendation {
  kinds: ('deploy' | 'scale-in' | 'misconfiguration')[];
  bursts: number;
  /** The longest measured window of a deploy or scale-in (seconds); null when every burst is a misconfiguration. */
  windowSeconds: number | null;
  longestTargets: string[];
  /** Requests cut while served (`target_reset`) in its deploy and scale-in bursts. */
  resets: number;
  /** How long a target must keep serving once told to stop (preStop sleep): the window + 5 s. */
  preStopSleepSeconds: number | null;
  terminationGracePeriodSeconds: number | null;
  deregistrationDelaySeconds: number | null;
  platform: 'eks' | 'ecs' | null;
  platformEvidence: string | null;
  platforms: { platform: string; name: string; setting: string; snippet: string; source: string; note?: string }[];
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
  /** `described` (an addition): read from the load balancer's attributes with --describe. */
  albIdleTimeoutSeconds: { value: number; source: 'flag' | 'described' | 'inferred' | 'default' };
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
  /**
   * Present with --describe: the settings read from AWS (load balancers' idle timeouts, target groups'
   * deregistration delays) and one error per thing that could not be read.
   */
  described?: DescribedSettings;
  /** Present when client IPs and query strings were masked for sharing (--redact). */
  redacted?: true;
}

/** A verdict's reason: a stable code for programs (alerts) and one sentence for people (report/verdict.ts). */
export interface VerdictReason {
  code: VerdictReasonCode;
  text: string;
}

export interface TargetGroupVerdict {
  arn: string;
  status: VerdictStatus;
  reasons: VerdictReason[];
}

/** The verdict (rules and precedence: analyze/verdict.ts), in words. */
export interface Verdict {
  status: VerdictStatus;
  reasons: VerdictReason[];
  targetGroups: TargetGroupVerdict[];
}
