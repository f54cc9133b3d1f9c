/**
 * One scheduled run: bring every window of the history up to date (the current one first, then any that
 * is missing or has log objects its state did not read), merge them into the rolling report, write it,
 * and alert on verdict changes. Each step is idempotent, so a re-run of the same event rewrites the same
 * keys with the same bytes and sends nothing twice; a run that nears its deadline stops between windows
 * and the next run carries on from the states already saved.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { isAlbDoctorError } from '../errors.js';
import { escapeJsonControls } from '../safeText.js';
import { alertMessage, alertSubject, publishAlerts, verdictChanges } from './alerts.js';
import { sendOnce } from './alertOnce.js';
import type { Analysis, AnalysisStateLike, ReportLike, S3ReadOptions } from './analysis.js';
import type { JobConfig } from './config.js';
import type { Logger } from './log.js';
import { listLogObjects, missedObjects } from './logListing.js';
import { emit, type EmfDocument, keepAliveMetrics, windowMetrics } from './metrics.js';
import { saveWindowRecord, updateLatest, WINDOW_RECORD_KIND, type WindowRecord } from './records.js';
import type { ReportStore } from './stateStore.js';
import { eventTimeMs, historyWindows, type Window, windowEndMs } from './windows.js';

export interface JobDeps<S extends AnalysisStateLike, R extends ReportLike> {
  analysis: Analysis<S, R>;
  store: ReportStore;
  /** Absent when no topic is configured. */
  sns: SNSClient | undefined;
  /** How the analysis and the listing reach the log bucket. */
  s3Read: S3ReadOptions;
  log: Logger;
  emitMetrics?: (docs: readonly EmfDocument[]) => void;
  nowMs?: () => number;
}

export interface JobContext {
  getRemainingTimeInMillis(): number;
}

export interface JobResult {
  /** ISO-8601 end of the window this run is named by. */
  windowEnd: string;
  /** Log objects read by the windows accumulated in this run. */
  objectsRead: number;
  /** Keys written under ALB_DOCTOR_REPORTS, in order. */
  keysWritten: string[];
  /** Alerts published by this run (none when a run for the same window end already sent them). */
  alerts: { targetGroup: string; change: string }[];
  /** Window ends (ISO) accumulated in this run, and those left for the next run by the deadline. */
  windowsAccumulated: string[];
  pendingWindows: string[];
}

/** Time kept back for the report, latest.json and the alert after the last window. */
export const REPORT_RESERVE_MS = 60_000;
/** A window is started only if this many times the longest one so far still fits. */
const WINDOW_TIME_FACTOR = 1.5;

const iso = (ms: number): string => new Date(ms).toISOString();

export async function runJob<S extends AnalysisStateLike, R extends ReportLike>(
  config: JobConfig,
  deps: JobDeps<S, R>,
  event: unknown,
  context: JobContext,
): Promise<JobResult> {
  const { analysis, store } = deps;
  const endMs = windowEndMs(eventTimeMs(event), config);
  const windows = historyWindows(endMs, config);
  const log = deps.log.with({ windowEnd: iso(endMs) });
  const lbLabel = config.lbName ?? `${config.logs.bucket}/${config.logs.prefix}`;
  const emitMetrics = deps.emitMetrics ?? ((docs: readonly EmfDocument[]) => emit(docs));
  const result: JobResult = { windowEnd: iso(endMs), objectsRead: 0, keysWritten: [], alerts: [], windowsAccumulated: [], pendingWindows: [] };

  const [stored, logs] = await Promise.all([
    store.listWindows('state', windows[0]!.toMs, endMs),
    listLogObjects(config.logs.uri, { fromMs: windows[0]!.fromMs, toMs: endMs }, deps.s3Read),
  ]);
  const records = new Map<number, { record: WindowRecord<S>; etag: string }>();
  for (const [windowEnd, object] of stored) {
    const got = await store.getJson<WindowRecord<S>>(object.key);
    if (got !== null && got.value.kind === WINDOW_RECORD_KIND) records.set(windowEnd, { record: got.value, etag: got.etag });
  }

  const todo = [...windows].reverse().filter((w) => {
    const known = records.get(w.toMs);
    return known === undefined || missedObjects(logs, w, known.record.files).length > 0;
  });
  let longestWindowMs = 0;
  for (const [i, window] of todo.entries()) {
    if (context.getRemainingTimeInMillis() < REPORT_RESERVE_MS + WINDOW_TIME_FACTOR * longestWindowMs) {
      result.pendingWindows = todo.slice(i).map((w) => iso(w.toMs));
      break;
    }
    const startedMs = Date.now();
    const record = await accumulate(analysis, config, deps.s3Read, window, logs.some((l) => missedObjects([l], window, []).length > 0));
    const key = store.key('state', window.toMs);
    const saved = await saveWindowRecord(store, key, record, records.get(window.toMs)?.etag);
    records.set(window.toMs, saved);
    if (saved.written) result.keysWritten.push(key);
    result.objectsRead += record.files.length;
    result.windowsAccumulated.push(iso(window.toMs));
    longestWindowMs = Math.max(longestWindowMs, Date.now() - startedMs);
    if (saved.record.state !== null) {
      const windowReport = analysis.reportFromState(saved.record.state, idleOption(config));
      emitMetrics(windowMetrics(windowReport, lbLabel, window.toMs));
    }
    log.info('window accumulated', { window: iso(window.toMs), objects: record.files.length, written: saved.written, ms: Date.now() - startedMs });
  }
  if (result.pendingWindows.length > 0) {
    log.warn('deadline near: windows left for the next run', { pendingWindows: result.pendingWindows, remainingMs: context.getRemainingTimeInMillis() });
    return result;
  }

  const states = windows.flatMap((w) => records.get(w.toMs)?.record.state ?? []);
  if (states.length === 0) {
    log.info('no access logs in the history: no report', { historyHours: config.historyHours });
    return result;
  }
  // The window before the history gives the first one its look-back (the idle gaps of each pair's first
  // requests), as --from's look-back does for the CLI; its counts stay out of the report.
  const before = analysis.asContext ? await store.getJson<WindowRecord<S>>(store.key('state', windows[0]!.fromMs)) : null;
  if (before !== null && before.value.kind === WINDOW_RECORD_KIND && before.value.state !== null) states.unshift(analysis.asContext!(before.value.state));
  const rolling = states.reduce((earlier, later) => analysis.mergeStates(earlier, later));
  const report = analysis.reportFromState(rolling, idleOption(config));
  // As `report --format json` writes it: no raw control from a log for whoever prints the object.
  const reportText = escapeJsonControls(JSON.stringify(report, null, 2)) + '\n';
  const reportKey = store.key('reports', endMs);
  const markdownKey = store.key('reports', endMs, '.md');
  // Unconditional: the same states give the same bytes, so a racing run can only write the same report.
  await store.put(reportKey, reportText, { precondition: 'unconditional', contentType: 'application/json' });
  await store.put(markdownKey, analysis.renderMarkdown(report), { precondition: 'unconditional', contentType: 'text/markdown; charset=utf-8' });
  result.keysWritten.push(reportKey, markdownKey);
  if (analysis.renderHtml !== undefined) {
    const htmlKey = store.key('reports', endMs, '.html');
    await store.put(htmlKey, analysis.renderHtml(report), { precondition: 'unconditional', contentType: 'text/html; charset=utf-8' });
    result.keysWritten.push(htmlKey);
  }
  if (await updateLatest(store, reportText, endMs)) result.keysWritten.push(store.latestKey);
  emitMetrics(keepAliveMetrics(report, lbLabel, endMs));

  const previous = await previousReport<R>(store, endMs, windows[0]!.toMs);
  const changes = verdictChanges(previous, report, config.historyHours);
  if (changes.length > 0) {
    const topicArn = config.snsTopicArn;
    const subject = alertSubject(changes, lbLabel);
    const message = alertMessage(changes, iso(endMs), `s3://${store.bucket}/${reportKey}`);
    const targetGroups = changes.map((c) => ({ arn: c.targetGroup, change: c.change }));
    if (topicArn === undefined || deps.sns === undefined) {
      log.warn('verdict changed; no ALB_DOCTOR_SNS_TOPIC_ARN to alert', { alerts: targetGroups });
    } else {
      const sns = deps.sns;
      const alertKey = store.key('alerts', endMs);
      const outcome = await sendOnce(store, alertKey, { windowEnd: iso(endMs), subject, message, targetGroups }, () => publishAlerts(sns, topicArn, subject, message), (deps.nowMs ?? Date.now)());
      if (outcome === 'sent') {
        result.alerts = changes.map((c) => ({ targetGroup: c.targetGroup, change: c.change }));
        result.keysWritten.push(alertKey);
      }
      log.info('verdict changed', { alerts: targetGroups, outcome });
    }
  }
  log.info('run done', { ...result, keysWritten: result.keysWritten.length });
  return result;
}

const idleOption = (config: JobConfig): { albIdleTimeoutSeconds?: number } =>
  config.albIdleTimeoutSeconds === undefined ? {} : { albIdleTimeoutSeconds: config.albIdleTimeoutSeconds };

async function accumulate<S extends AnalysisStateLike>(
  analysis: Analysis<S, ReportLike>,
  config: JobConfig,
  s3Read: S3ReadOptions,
  window: Window,
  hasLogs: boolean,
): Promise<WindowRecord<S>> {
  const empty: WindowRecord<S> = { kind: WINDOW_RECORD_KIND, version: 1, window: { ...window }, files: [], state: null };
  if (!hasLogs) return empty;
  let state: S;
  try {
    ({ state } = await analysis.accumulateWindow([config.logs.uri], { fromMs: window.fromMs, toMs: window.toMs, s3: s3Read }));
  } catch (error) {
    // Listed a moment ago, gone now (lifecycle rule, a delete): the window has nothing to read.
    if (isAlbDoctorError(error) && error.code === 'S3_NO_LOGS') return empty;
    throw error;
  }
  const files = state.input.files.map((f) => ({ name: f.name, etag: f.etag?.replace(/"/g, '') ?? null })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ...empty, files, state };
}

/** The newest rolling report before `endMs` (within the history), for the verdict it held. */
async function previousReport<R extends ReportLike>(store: ReportStore, endMs: number, oldestEndMs: number): Promise<R | null> {
  const listed = await store.listWindows('reports', oldestEndMs, endMs - 1);
  const newest = [...listed.keys()].sort((a, b) => b - a)[0];
  if (newest === undefined) return null;
  return (await store.getJson<R>(listed.get(newest)!.key))?.value ?? null;
}
