/**
 * Types and ids shared by several layers (parse, analyze, report, sources): a leaf that imports nothing
 * but the error type. Dependencies point toward this module, never away from it.
 */
import type { AlbDoctorError, ErrorCode, ErrorJson } from './errors.js';

/** Stable class ids for every 5xx/460 entry. Add new ids when the logs call for it, never rename. */
export const CAUSE_CLASSES = [
  'keepalive_race',
  'closed_connection_race',
  'target_connection_error',
  'target_reset',
  'target_5xx',
  'target_timeout',
  'connect_timeout',
  'no_healthy_targets',
  'lambda_error',
  'client_closed',
  'alb_rejected',
  'unclassified',
] as const;
export type CauseClass = (typeof CAUSE_CLASSES)[number];

export type ClassCounts = Partial<Record<CauseClass, number>>;

export type Confidence = 'high' | 'medium' | 'low' | 'none';

export interface IdleAgeBucket {
  fromMs: number;
  /** Exclusive upper bound; null for the last, open bucket. */
  toMs: number | null;
  /** Requests dispatched onto a connection whose idle gap fell in the bucket. */
  requests: number;
  /** Of those, keep-alive races. */
  races: number;
}

export interface KeepAliveEstimate {
  estimatedSeconds: number | null;
  lowSeconds: number | null;
  highSeconds: number | null;
  confidence: Confidence;
}

/** Requests and causes over time, for the text and html timelines. Bucket i covers [startMs + i·bucketMs, +bucketMs). */
export interface Timeline {
  startMs: number;
  bucketMs: number;
  groups: { targetGroup: string; requests: number[]; races: number[]; otherErrors: number[] }[];
}

export interface ServerAdvice {
  server: string;
  setting: string;
  snippet: string;
}

/** One piece of advice in the report (the `report --format json` contract: keys are only added). */
export interface Recommendation {
  targetGroup: string;
  action: string;
  targetKeepAliveSeconds: number | null;
  albIdleTimeoutSeconds: number;
  servers: ServerAdvice[];
  racesPerDay: number;
  reason: string;
}

/** Why an object was not read as an access log. */
export type SkipReason =
  | 'connection_log'
  | 'health_check_log'
  | 'test_file'
  | 'nlb_log'
  | 'classic_elb_log'
  | 'empty_object'
  | 'not_a_log_file'
  /** Already read in this run: the same file (by device and inode) or S3 object named again. */
  | 'duplicate';

/** What the analysis needs to know of the file an entry came from. */
export interface LogFileRef {
  /** As given on the command line, as found in a folder, or `s3://bucket/key`; `-` for stdin. */
  readonly name: string;
  /** IP of the ALB node that wrote the file, from its name; null when the name has none. */
  readonly nodeIp: string | null;
}

export interface LineCounts {
  /** Lines read, every kind. */
  lines: number;
  entries: number;
  /** Empty or whitespace-only lines: not entries, not errors. */
  blankLines: number;
  malformed: number;
  malformedByCode: Partial<Record<ErrorCode, number>>;
  /** The first malformed lines (readLog's MAX_KEPT_MALFORMED): code, file, line, field. */
  malformedSamples: AlbDoctorError[];
  /** Plain (uncompressed) bytes read. */
  plainBytes: number;
  /** Valid entries of another load balancer than --lb names: counted in `entries`, neither analysed nor written. */
  otherLoadBalancer: number;
}

export const emptyLineCounts = (): LineCounts => ({
  lines: 0,
  entries: 0,
  blankLines: 0,
  malformed: 0,
  malformedByCode: {},
  malformedSamples: [],
  plainBytes: 0,
  otherLoadBalancer: 0,
});

/** Every object and line of a run, accounted for. */
export interface InputStats extends LineCounts {
  /** Log objects opened. */
  files: number;
  /** Bytes as stored (compressed for .gz). */
  bytes: number;
  skippedFiles: number;
  skippedByReason: Partial<Record<SkipReason, number>>;
  skipped: { name: string; reason: SkipReason }[];
  /** Paths and objects that could not be read (or were cut off): one error each. */
  unread: AlbDoctorError[];
}

export const emptyInputStats = (): InputStats => ({
  ...emptyLineCounts(),
  files: 0,
  bytes: 0,
  skippedFiles: 0,
  skippedByReason: {},
  skipped: [],
  unread: [],
});

/**
 * What `report --describe` read from AWS (src/describe/): the settings really in force, and what could not
 * be read. Plain JSON; the analysis uses the idle timeout, the report shows all of it.
 */
export interface DescribedSettings {
  /** Each load balancer described, by ARN, with `idle_timeout.timeout_seconds`. */
  loadBalancers: { arn: string; idleTimeoutSeconds: number }[];
  /** Each target group described, by ARN, with `deregistration_delay.timeout_seconds`. */
  targetGroups: { arn: string; deregistrationDelaySeconds: number }[];
  /** One per failure (no credentials, access denied, throttled, not found, no ARN): the report falls back on what it infers. */
  errors: ErrorJson[];
}
