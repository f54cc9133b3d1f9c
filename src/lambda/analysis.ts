/**
 * What the job needs from the analysis (src/run.ts): accumulate one window into a plain JSON state, merge
 * states, and conclude a report. The job is written against this interface and handed the implementation,
 * so its orchestration is tested with a stand-in and the bundle takes the real one.
 */
import type { SourceOptions } from '../sources/index.js';
import type { Confidence, Recommendation } from '../report/model.js';

/** Opaque to the job, except for the window and the log objects it read (with their ETags). */
export interface AnalysisStateLike {
  window: { fromMs: number | null; toMs: number | null };
  input: { files: { name: string; etag?: string | null }[] };
}

/** A verdict's reason: a stable code (analyze/verdict.ts) and its sentence (report/verdict.ts). */
export interface VerdictReason {
  code: string;
  text: string;
}

export type TargetGroupStatus = 'races' | 'stopped' | 'none' | 'cannot-tell';

/** The part of the report (report/model.ts, with its verdict) that alerts and metrics read. */
export interface ReportLike {
  window: { from: string | null; to: string | null };
  classes: Partial<Record<string, number>>;
  targetGroups: {
    arn: string;
    name: string;
    requests: number;
    classes: Partial<Record<string, number>>;
    keepAlive: { estimatedSeconds: number | null; confidence: Confidence };
    suspectedServers: string[];
  }[];
  recommendations: Recommendation[];
  verdict?: { status: string; reasons: VerdictReason[]; targetGroups: { arn: string; status: TargetGroupStatus; reasons: VerdictReason[] }[] };
}

export type S3ReadOptions = Omit<SourceOptions, 'stdin' | 'from' | 'to' | 'onListed'>;

export interface Analysis<State extends AnalysisStateLike = AnalysisStateLike, R extends ReportLike = ReportLike> {
  accumulateWindow(sources: string[], options: { fromMs: number; toMs: number; s3: S3ReadOptions }): Promise<{ state: State }>;
  mergeStates(earlier: State, later: State): State;
  /** The state of the window just before the history, reduced to the look-back the first window needs (no counts). */
  asContext?(state: State): State;
  reportFromState(state: State, options: { albIdleTimeoutSeconds?: number }): R;
  renderMarkdown(report: R): string;
  /** The report as a page to share (client IPs and query strings masked); absent: no `.html` is written. */
  renderHtml?(report: R): string;
}
