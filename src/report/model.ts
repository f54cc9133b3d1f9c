import type { ErrorJson } from '../errors.js';

/**
 * The report: plain JSON, the only input of every renderer (text, json, later markdown and html). The
 * keys below are the `report --format json` contract (schemaVersion 1): add keys, never rename or remove.
 */

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

export interface TargetGroupReport {
  arn: string;
  /** The name part of the ARN (`targetgroup/<name>/<id>`), or the ARN when it has none. */
  name: string;
  requests: number;
  classes: ClassCounts;
  idleAge: { buckets: IdleAgeBucket[] };
  keepAlive: KeepAliveEstimate;
  /** Server ids (see analyze/servers.ts) whose default keep-alive matches the estimate, most likely first. */
  suspectedServers: string[];
}

export interface ServerAdvice {
  server: string;
  setting: string;
  snippet: string;
}

export interface Recommendation {
  targetGroup: string;
  action: string;
  targetKeepAliveSeconds: number | null;
  albIdleTimeoutSeconds: number;
  servers: ServerAdvice[];
  racesPerDay: number;
  reason: string;
}

/** Requests and causes over time, for the text and html timelines. Bucket i covers [startMs + i·bucketMs, +bucketMs). */
export interface Timeline {
  startMs: number;
  bucketMs: number;
  groups: { targetGroup: string; requests: number[]; races: number[]; otherErrors: number[] }[];
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
}
