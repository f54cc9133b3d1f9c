/**
 * Feeds each entry to the analyzers; no I/O. The contract between the analysis and the CLI `report`
 * command: `new Analysis(options)`, `observe(entry, object, lineNumber)` per entry, `finish(stats)` once.
 *
 * Per entry, in one pass: count it for its target group and the timeline; classify 5xx/460 (classify.ts);
 * put it on its (ALB node, target) pair to measure its idle gap (connections.ts), which feeds the group's
 * idle-gap histogram. Most error classes are final at once and are emitted as soon as their gap is
 * measured. Race-shaped 502s wait for finish(): their class depends on the group's keep-alive estimate
 * and on deploy runs (races.ts), so each is kept as a small record. Memory is one reordering window of
 * dispatches, the live pairs, fixed-size histograms and those records (capped, see MAX_HELD_RACES).
 */
import { F } from '../parse/fields.js';
import type { AlbEntry } from '../parse/parseLine.js';
import type { CauseClass, InputStats, LogFileRef as LogObject } from '../types.js';
import type { Report } from '../report/model.js';
import { buildReport } from '../report/build.js';
import { AlbIdleTimeoutInference } from './albIdle.js';
import { classifyEntry } from './classify.js';
import { ConnectionTracker, recentRequests, type NodeStream, type PairState } from './connections.js';
import { GroupState, MAX_HELD_RACES, finalizeGroups, type ErrorEvent } from './groups.js';
import { ByteInterner } from './intern.js';
import { TimelineCounter } from './timeline.js';

export interface AnalysisOptions {
  /** --alb-idle-timeout; when absent it is inferred from 504s, else 60. */
  albIdleTimeoutSeconds?: number;
  /** --from/--to as epoch ms (inclusive from, exclusive to), filtering on the entry's `time`. */
  fromMs?: number;
  toMs?: number;
  /** Called once per 5xx/460 entry in the window (and per 400 the ALB gave a malformed request), for --events. */
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

/**
 * With the node unknown, a jump back in `time` this large starts a new part of a concatenation: lines
 * within one file are only locally out of order, while the next node's part of the same 5 minutes starts
 * minutes earlier.
 */
const UNKNOWN_NODE_JUMP_MS = 2 * 60_000;
/** Entries this long before --from still feed the idle gaps of the first requests in the window. */
export const CONTEXT_BEFORE_WINDOW_MS = 10 * 60_000;

/** What a dispatch carries to the gap sink: context-only (null), a plain request (its group), or an error. */
type Tag = GroupState | ErrorEvent | null;

export class Analysis {
  private readonly tracker = new ConnectionTracker<Tag>((tag, gapMs, pair) => this.measured(tag, gapMs, pair));
  private readonly groups = new ByteInterner<GroupState>((arn) => new GroupState(arn));
  private noGroup: GroupState | null = null;
  private readonly nodeIps = new ByteInterner<string>((ip) => ip);
  private readonly idleTimeout = new AlbIdleTimeoutInference();
  private readonly timeline = new TimelineCounter();
  private firstTimeMs = Infinity;
  private lastTimeMs = -Infinity;
  private outsideWindow = 0;
  private entriesWithoutNode = 0;
  private heldRaces = 0;
  private overflowRaces = 0;
  private report: Report | null = null;
  /** The file being read, and per node whether it goes to the node's stream or a segment of its own. */
  private currentObject: LogObject | null = null;
  private readonly streamOfNode = new Map<string, NodeStream<Tag> | 'node'>();
  private unknownNodeSegment: NodeStream<Tag> | null = null;
  private readonly awaitingAnswer = new Map<PairState, ErrorEvent[]>();
  private detachedFiles = 0;
  private unknownNodeChunks = 0;

  constructor(readonly options: AnalysisOptions = {}) {}

  observe(entry: AlbEntry, object: LogObject, lineNumber: number): void {
    if (this.report) throw new Error('Analysis.observe() after finish()');
    const timeMs = entry.timeMs;
    const { fromMs, toMs } = this.options;
    const inWindow = (fromMs === undefined || timeMs >= fromMs) && (toMs === undefined || timeMs < toMs);
    if (!inWindow) {
      this.outsideWindow++;
      // Requests just before the window still shorten the idle gaps of the first ones inside it.
      if (fromMs !== undefined && timeMs < fromMs && timeMs >= fromMs - CONTEXT_BEFORE_WINDOW_MS) this.dispatch(entry, object, null);
      return;
    }
    if (timeMs < this.firstTimeMs) this.firstTimeMs = timeMs;
    if (timeMs > this.lastTimeMs) this.lastTimeMs = timeMs;

    const group = this.groupOf(entry);
    group.requests++;
    this.timeline.add(group.arn, timeMs, 'requests');

    const verdict = classifyEntry(entry);
    if (verdict === null) {
      this.dispatch(entry, object, group);
      return;
    }
    const event: ErrorEvent = {
      file: object.name,
      line: lineNumber,
      time: entry.text(F.time) ?? new Date(timeMs).toISOString(),
      timeMs,
      dispatchedMs: dispatchedMsOf(entry),
      cls: verdict.kind === 'final' ? verdict.cls : null,
      shape: verdict.kind === 'race' ? verdict.shape : null,
      group,
      target: null,
      node: null,
      idleGapMs: null,
      answeredBeforeMs: NaN,
      answeredAfterMs: NaN,
      recent: null,
    };
    if (event.cls !== null) {
      group.count(event.cls);
      this.timeline.add(group.arn, timeMs, 'otherErrors');
      if (event.cls === 'target_timeout') this.idleTimeout.add(timeMs - entry.requestCreationTimeMs);
    }
    if (!this.dispatch(entry, object, event)) {
      event.node = object.nodeIp ?? entry.text(F.ip_address);
      this.measured(event, null, null);
    }
  }

  finish(stats: InputStats): Report {
    if (this.report) return this.report;
    this.tracker.flush();
    this.awaitingAnswer.clear();
    const idleTimeout = this.idleTimeout.resolve(this.options.albIdleTimeoutSeconds);
    const groups = this.groups.values();
    if (this.noGroup) groups.push(this.noGroup);
    const decided = finalizeGroups(groups, idleTimeout.value * 1000);
    for (const event of decided) this.recordRace(event);
    // The timeline shows the window asked for; rates per day use the time the entries actually cover.
    const windowFromMs = this.options.fromMs ?? this.firstTimeMs;
    const windowToMs = this.options.toMs ?? (Number.isFinite(this.lastTimeMs) ? this.lastTimeMs + 1 : this.lastTimeMs);
    this.report = buildReport({
      stats,
      outsideWindow: this.outsideWindow,
      window: { fromMs: this.options.fromMs ?? null, toMs: this.options.toMs ?? null },
      dataSpanMs: Number.isFinite(this.firstTimeMs) ? this.lastTimeMs - this.firstTimeMs : 0,
      idleTimeout,
      idleTimeoutSamples: this.idleTimeout.samples,
      groups: groups.filter((g) => g.arn !== '-' || g.eventCount() > 0),
      timeline: (keys) => this.timeline.build(windowFromMs, windowToMs, keys),
      connections: this.tracker.stats,
      entriesWithoutNode: this.entriesWithoutNode,
      detachedFiles: this.detachedFiles,
      unknownNodeChunks: this.unknownNodeChunks,
      overflowRaces: this.overflowRaces,
    });
    return this.report;
  }

  /** Puts an entry with a target on its (node, target) pair; false when it has no target to measure. */
  private dispatch(entry: AlbEntry, object: LogObject, tag: Tag): boolean {
    if (entry.isNull(F.target_port)) return false;
    const dispatchedMs = tag !== null && !(tag instanceof GroupState) ? tag.dispatchedMs : dispatchedMsOf(entry);
    if (Number.isNaN(dispatchedMs)) return false;
    const node = this.nodeOf(entry, object);
    const stream = this.streamFor(node, object, entry.timeMs);
    const pair = this.tracker.pair(stream, entry.buf, entry.spans.start[F.target_port]!, entry.spans.end[F.target_port]!);
    if (tag !== null && !(tag instanceof GroupState)) {
      tag.target = pair.target;
      tag.node = node;
    }
    this.tracker.push(stream, pair, dispatchedMs, entry.timeMs, freesConnection(entry), tag);
    return true;
  }

  /**
   * Where an entry's request is measured (connections.ts):
   * - node known: the node's stream, unless the file's first entry for that node comes after the node's
   *   window has passed it (files out of order); then the whole file is measured on its own;
   * - node unknown: a concatenation of per-node files is the usual case (`cat`, or one object holding all
   *   nodes), and each part is one node's 5 minutes; a jump back in time by more than UNKNOWN_NODE_JUMP_MS
   *   starts a new part, measured on its own, so pairs stay within one node as far as the input allows.
   */
  private streamFor(node: string | null, object: LogObject, timeMs: number): NodeStream<Tag> {
    if (object !== this.currentObject) {
      for (const choice of this.streamOfNode.values()) if (choice !== 'node') this.tracker.closeSegment(choice);
      this.streamOfNode.clear();
      if (this.unknownNodeSegment) this.tracker.closeSegment(this.unknownNodeSegment);
      this.unknownNodeSegment = null;
      this.currentObject = object;
    }
    if (node === null) {
      const current = this.unknownNodeSegment;
      if (current === null || timeMs < current.newestTimeMs - UNKNOWN_NODE_JUMP_MS) {
        if (current !== null) this.tracker.closeSegment(current);
        this.unknownNodeSegment = this.tracker.openSegment(null);
        this.unknownNodeChunks++;
      }
      return this.unknownNodeSegment!;
    }
    let choice = this.streamOfNode.get(node);
    if (choice === undefined) {
      const nodeStream = this.tracker.stream(node);
      choice = this.tracker.isBehindWindow(nodeStream, timeMs) ? this.tracker.openSegment(node) : 'node';
      if (choice !== 'node') this.detachedFiles++;
      this.streamOfNode.set(node, choice);
    }
    return choice === 'node' ? this.tracker.stream(node) : choice;
  }

  private measured(tag: Tag, gapMs: number | null, pair: PairState | null): void {
    if (pair !== null && this.awaitingAnswer.size > 0) this.resolveAnswered(pair);
    if (tag === null) return;
    if (tag instanceof GroupState) {
      if (gapMs !== null) tag.histogram.addRequest(gapMs);
      return;
    }
    const event = tag;
    event.idleGapMs = gapMs;
    if (gapMs !== null) event.group.histogram.addRequest(gapMs);
    if (event.cls !== null) {
      this.emit(event);
      return;
    }
    if (pair !== null) {
      event.answeredBeforeMs = pair.lastAnsweredDispatchMs;
      event.recent = recentRequests(pair);
    }
    if (this.heldRaces < MAX_HELD_RACES) {
      this.heldRaces++;
      event.group.holdRace(event);
      if (pair !== null) {
        const waiting = this.awaitingAnswer.get(pair);
        if (waiting) waiting.push(event);
        else this.awaitingAnswer.set(pair, [event]);
      }
    } else {
      this.overflowRaces++;
      event.cls = event.group.classifyLateRace(event, this.idleTimeout.resolve(this.options.albIdleTimeoutSeconds).value * 1000);
      this.recordRace(event);
    }
  }

  /** Race-shaped events whose pair answered nothing since: the next answer tells a refusal from a race. */
  private resolveAnswered(pair: PairState): void {
    const waiting = this.awaitingAnswer.get(pair);
    if (!waiting) return;
    const answeredMs = pair.lastAnsweredDispatchMs;
    let resolved = 0;
    while (resolved < waiting.length && waiting[resolved]!.dispatchedMs < answeredMs) waiting[resolved++]!.answeredAfterMs = answeredMs;
    if (resolved === waiting.length) this.awaitingAnswer.delete(pair);
    else if (resolved > 0) waiting.splice(0, resolved);
  }

  /** Counts and emits a race-shaped event whose class was just decided. */
  private recordRace(event: ErrorEvent): void {
    const cls = event.cls!;
    event.group.count(cls);
    if (cls === 'keepalive_race' && event.idleGapMs !== null) event.group.histogram.addRace(event.idleGapMs);
    this.timeline.add(event.group.arn, event.timeMs, cls === 'keepalive_race' ? 'races' : 'otherErrors');
    this.emit(event);
  }

  private emit(event: ErrorEvent): void {
    this.options.onEvent?.({
      file: event.file,
      line: event.line,
      time: event.time,
      class: event.cls!,
      targetGroup: event.group.arn === '-' ? null : event.group.arn,
      target: event.target,
      node: event.node,
      idleGapMs: event.idleGapMs === null ? null : Math.round(event.idleGapMs * 1000) / 1000,
    });
  }

  private groupOf(entry: AlbEntry): GroupState {
    const field = F.target_group_arn;
    if (entry.isNull(field)) return (this.noGroup ??= new GroupState('-'));
    return this.groups.get(entry.buf, entry.spans.start[field]!, entry.spans.end[field]!);
  }

  /** The file name's node, else field 34 (ip_address), else unknown (pairs fall back to the target alone). */
  private nodeOf(entry: AlbEntry, object: LogObject): string | null {
    if (object.nodeIp !== null) return object.nodeIp;
    const field = F.ip_address;
    if (!entry.isNull(field)) return this.nodeIps.get(entry.buf, entry.spans.start[field]!, entry.spans.end[field]!);
    this.entriesWithoutNode++;
    return null;
  }
}

/**
 * When the ALB wrote the request to the target (domain.md §3): request_creation_time + rpt. A shape-B
 * line (rpt -1) failed at dispatch, right after it was received. Lines of the 2016 layout have no
 * request_creation_time: count back from `time` over the target and response times.
 */
export function dispatchedMsOf(entry: AlbEntry): number {
  const rpt = entry.number(F.request_processing_time);
  const received = entry.requestCreationTimeMs;
  if (!Number.isNaN(received)) return rpt !== null && rpt > 0 ? received + rpt * 1000 : received;
  const tpt = entry.number(F.target_processing_time) ?? -1;
  const rspt = entry.number(F.response_processing_time) ?? -1;
  return entry.timeMs - Math.max(0, tpt) * 1000 - Math.max(0, rspt) * 1000;
}

/**
 * The target answered and the connection went back to the ALB's pool. Not after a race, reset or
 * timeout (the connection is gone), nor after a WebSocket upgrade (the connection is the socket's now).
 */
function freesConnection(entry: AlbEntry): boolean {
  const targetStatus = entry.number(F.target_status_code);
  if (targetStatus === null || entry.number(F.elb_status_code) === 502) return false;
  return entry.buf[entry.spans.start[F.type]!] !== 0x77; /* w: ws, wss */
}

