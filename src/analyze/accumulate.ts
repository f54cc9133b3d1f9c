/**
 * Accumulates one shard or time window into an AnalysisState (state.ts); no I/O, nothing decided that
 * needs the whole input. Per entry, in one pass: count it for its target group and the timeline; classify
 * 5xx/460 (classify.ts); put it on its (ALB node, target) pair to measure its idle gap (connections.ts),
 * which feeds the group's idle-gap histogram. Errors with a final class are emitted (--events) as soon as
 * their gap is measured. Race-shaped 502s are held as records with their pair's context: their class
 * depends on the group's keep-alive estimate and on deploy runs (races.ts), decided by conclude.ts.
 *
 * A pair's first requests in the accumulation, before any request on it has ended, have their idle gap in
 * an earlier window: they are held as the pair's head (pending), and merge.ts settles them against the
 * earlier state's tail, or conclude.ts finds they have none. So windows accumulate independently.
 *
 * Memory: one reordering window of dispatches, the live pairs (each with its last reordering window of
 * request ends, for the window after it), fixed-size histograms and the held race records (capped,
 * MAX_HELD_RACES).
 */
import { F } from '../parse/fields.js';
import type { AlbEntry } from '../parse/parseLine.js';
import type { CauseClass, InputStats, LineCounts, LogFileRef } from '../types.js';
import { AlbIdleTimeoutInference, DEFAULT_ALB_IDLE_TIMEOUT_SECONDS } from './albIdle.js';
import { classifyEntry } from './classify.js';
import { ConnectionTracker, pairKey, pruneWindowEnds, recentRequests, type PairState } from './connections.js';
import { MAX_HELD_RESETS } from './constants.js';
import { CONTEXT_BEFORE_WINDOW_MS, MAX_HELD_RACES, type CauseEvent, eventOf, toCandidate } from './events.js';
import { fitKeepAlive, type KeepAliveFit } from './keepalive.js';
import { classifyRaces } from './races.js';
import { IdleGapHistogram, toSparse } from './histogram.js';
import { ByteInterner } from './intern.js';
import { NodeRouting } from './nodeRouting.js';
import { sampleOrder, MAX_SAMPLES } from './inputAccount.js';
import { SampleKeeper, sampleDetail, sampleOf, type SampleDetail } from './samples.js';
import {
  STATE_KIND,
  STATE_VERSION,
  orNull,
  type AnalysisState,
  type EventRecord,
  type FileAccount,
  type HeldReset,
  type PairEdge,
  type RaceRecord,
  type RecentJson,
} from './state.js';
import { TimelineCounter } from './timeline.js';
import { RaceExposure } from './raceExposure.js';
import { TargetActivityKeeper } from './drain.js';

export interface AccumulateOptions {
  /** --from/--to (or the window) as epoch ms: inclusive from, exclusive to, on the entry's `time`. */
  fromMs?: number;
  toMs?: number;
  /**
   * Entries this long before `fromMs` still feed the idle gaps of the first requests in the window
   * (default CONTEXT_BEFORE_WINDOW_MS). 0 for a window that will be merged with the one before it: the
   * earlier state's tail gives those gaps exactly.
   */
  contextBeforeMs?: number;
  /** Called once per 5xx/460 entry (and the ALB's 400 for a malformed request) whose cause is final, as soon as its gap is known. */
  onEvent?: (event: CauseEvent) => void;
  /** For the race-shaped 502s past MAX_HELD_RACES, classified as they come. */
  albIdleTimeoutSeconds?: number;
}

/** Per target group counts while accumulating. `kind` makes it the tag of a plain request (no allocation per line). */
class GroupAccumulator {
  readonly kind = 'request';
  requests = 0;
  readonly classes = new Map<CauseClass, number>();
  readonly histogram = new IdleGapHistogram();
  constructor(readonly arn: string) {}

  count(cls: CauseClass): void {
    this.classes.set(cls, (this.classes.get(cls) ?? 0) + 1);
  }
}

/** What a dispatch carries to the gap sink: context only (null), a plain request (its group), or an error. */
type Tag =
  | null
  | GroupAccumulator
  | { kind: 'error'; record: EventRecord; group: GroupAccumulator; detail: SampleDetail }
  | { kind: 'race'; record: RaceRecord; group: GroupAccumulator };

export class Accumulator {
  private readonly tracker = new ConnectionTracker<Tag>(
    (tag, gapMs, pair, pending) => this.measured(tag, gapMs, pair, pending),
    (pair) => this.retire(pair),
  );
  private readonly routing = new NodeRouting<Tag>(this.tracker);
  private readonly groups = new ByteInterner<GroupAccumulator>((arn) => new GroupAccumulator(arn));
  private noGroup: GroupAccumulator | null = null;
  private readonly nodeIps = new ByteInterner<string>((ip) => ip);
  private readonly idleTimeout = new AlbIdleTimeoutInference();
  private readonly timeline = new TimelineCounter();
  private readonly raceExposure = new RaceExposure();
  private firstTimeMs = Infinity;
  private lastTimeMs = -Infinity;
  private entriesWithoutNode = 0;
  private overflowRaces = 0;
  private readonly races: RaceRecord[] = [];
  private readonly samples = new SampleKeeper();
  private readonly pendingEvents: EventRecord[] = [];
  /** Held races whose pair has answered nothing since: the next answer tells a refusal from a race. */
  private readonly awaitingAnswer = new Map<PairState, RaceRecord[]>();
  private readonly headRequests = new Map<string, [number, string][]>();
  /** Edges of pairs forgotten by the tracker's sweep: their head and first answers still belong to the state. */
  private readonly retired = new Map<string, PairEdge>();
  private readonly files: FileAccount[] = [];
  private fileInWindow = 0;
  private finished: AnalysisState | null = null;
  private readonly contextBeforeMs: number;
  private readonly lateFits = new Map<GroupAccumulator, KeepAliveFit>();
  /** First and last appearance and answer per target, for drain windows (drain.ts). */
  private readonly targetActivity = new TargetActivityKeeper();
  private readonly resets: HeldReset[] = [];
  private overflowResets = 0;

  constructor(readonly options: AccumulateOptions = {}) {
    this.contextBeforeMs = options.contextBeforeMs ?? CONTEXT_BEFORE_WINDOW_MS;
  }

  observe(entry: AlbEntry, file: LogFileRef, lineNumber: number): void {
    if (this.finished) throw new Error('Accumulator.observe() after finish()');
    const timeMs = entry.timeMs;
    const { fromMs, toMs } = this.options;
    const inWindow = (fromMs === undefined || timeMs >= fromMs) && (toMs === undefined || timeMs < toMs);
    if (!inWindow) {
      // Requests just before the window still shorten the idle gaps of the first ones inside it.
      if (fromMs !== undefined && timeMs < fromMs && timeMs >= fromMs - this.contextBeforeMs) this.dispatch(entry, file, null);
      return;
    }
    this.fileInWindow++;
    if (timeMs < this.firstTimeMs) this.firstTimeMs = timeMs;
    if (timeMs > this.lastTimeMs) this.lastTimeMs = timeMs;

    const group = this.groupOf(entry);
    group.requests++;
    this.timeline.add(group.arn, timeMs, 'requests');
    this.raceExposure.addRequest(group.arn, timeMs);

    const verdict = classifyEntry(entry);
    if (verdict === null) {
      this.dispatch(entry, file, group);
      return;
    }
    const place = {
      file: file.name,
      line: lineNumber,
      time: entry.text(F.time) ?? new Date(timeMs).toISOString(),
      timeMs,
      dispatchedMs: dispatchedMsOf(entry),
      arn: group.arn,
      target: null,
      node: null,
      pairKey: null,
      idleGapMs: null,
      gapPending: false,
    };
    let tag: Tag;
    if (verdict.kind === 'final') {
      const cls = verdict.cls;
      group.count(cls);
      this.timeline.add(group.arn, timeMs, 'otherErrors');
      if (cls === 'target_timeout') this.idleTimeout.add(timeMs - entry.requestCreationTimeMs);
      tag = { kind: 'error', record: { ...place, cls }, group, detail: sampleDetail(entry) };
    } else {
      const detail = sampleDetail(entry);
      tag = { kind: 'race', record: { ...place, shape: verdict.shape, answeredBeforeMs: null, answeredAfterMs: null, recent: null, detail }, group };
    }
    if (!this.dispatch(entry, file, tag)) {
      tag.record.node = file.nodeIp ?? entry.text(F.ip_address);
      this.measured(tag, null, null, false);
    }
  }

  /** After the last entry of a file: its line counts, for the state's input account. */
  fileRead(file: LogFileRef & { etag?: string | null }, counts: LineCounts, bytes: number): void {
    this.files.push({
      name: file.name,
      etag: file.etag ?? null,
      bytes,
      plainBytes: counts.plainBytes,
      lines: counts.lines,
      blankLines: counts.blankLines,
      entries: counts.entries,
      malformed: counts.malformed,
      malformedByCode: { ...counts.malformedByCode } as Record<string, number>,
      inWindow: this.fileInWindow,
      ...(counts.otherLoadBalancer > 0 && { otherLoadBalancer: counts.otherLoadBalancer }),
    });
    this.fileInWindow = 0;
  }

  /** Measures everything still waiting and returns the state; `stats` brings what was skipped or unreadable. */
  finish(stats: InputStats): AnalysisState {
    if (this.finished) return this.finished;
    this.tracker.flush();
    const groups = this.groups.values();
    if (this.noGroup) groups.push(this.noGroup);
    const state: AnalysisState = {
      kind: STATE_KIND,
      version: STATE_VERSION,
      window: { fromMs: this.options.fromMs ?? null, toMs: this.options.toMs ?? null },
      firstTimeMs: orNull(this.firstTimeMs),
      lastTimeMs: orNull(this.lastTimeMs),
      input: {
        files: this.files,
        skipped: [...stats.skipped],
        skippedByReason: { ...stats.skippedByReason },
        malformedSamples: stats.malformedSamples.map((e) => e.toJSON()).sort(sampleOrder).slice(0, MAX_SAMPLES),
        unread: stats.unread.map((e) => e.toJSON()),
      },
      groups: groups
        .map((g) => ({
          arn: g.arn,
          requests: g.requests,
          classes: Object.fromEntries([...g.classes.entries()].sort()),
          idleRequests: toSparse(g.histogram.requests),
          idleRaces: toSparse(g.histogram.races),
        }))
        .sort((a, b) => compareText(a.arn, b.arn)),
      idleTimeoutElapsed: this.idleTimeout.toState(),
      timeline: this.timeline.toState(),
      connections: { ...this.tracker.stats },
      counters: {
        entriesWithoutNode: this.entriesWithoutNode,
        detachedFiles: this.routing.detachedFiles,
        unknownNodeChunks: this.routing.unknownNodeChunks,
        overflowRaces: this.overflowRaces,
        overlappingPairs: 0,
      },
      races: this.races,
      events: this.pendingEvents,
      pairs: this.edges(),
      samples: this.samples.toState(),
      raceExposure: this.raceExposure.toState(),
      targets: this.targetActivity.toState(),
      ...(this.targetActivity.untracked > 0 && { untrackedTargets: this.targetActivity.untracked }),
      resets: this.resets,
      ...(this.overflowResets > 0 && { overflowResets: this.overflowResets }),
    };
    this.awaitingAnswer.clear();
    this.finished = state;
    return state;
  }

  /** Puts an entry with a target on its (node, target) pair; false when it has no target to measure. */
  private dispatch(entry: AlbEntry, file: LogFileRef, tag: Tag): boolean {
    if (entry.isNull(F.target_port)) return false;
    const dispatchedMs = tag !== null && tag.kind !== 'request' ? tag.record.dispatchedMs : dispatchedMsOf(entry);
    if (Number.isNaN(dispatchedMs)) return false;
    const node = this.nodeOf(entry, file);
    const stream = this.routing.streamFor(node, file, entry.timeMs);
    const pair = this.tracker.pair(stream, entry.buf, entry.spans.start[F.target_port]!, entry.spans.end[F.target_port]!);
    if (tag !== null && tag.kind !== 'request') {
      tag.record.target = pair.target;
      tag.record.node = node;
      if (!this.tracker.isSegment(stream)) tag.record.pairKey = pairKey(node, pair.target);
    }
    const targetStatus = entry.number(F.target_status_code);
    // Context entries before the window are not the window's appearances. Any status from the target is an
    // answer (a WebSocket upgrade too, though its connection does not go back to the pool).
    if (tag !== null) this.targetActivity.add(pair.target, tag.kind === 'request' ? tag.arn : tag.record.arn, dispatchedMs, targetStatus !== null);
    this.tracker.push(stream, pair, dispatchedMs, entry.timeMs, freesConnection(entry, targetStatus), tag);
    return true;
  }

  private measured(tag: Tag, gapMs: number | null, pair: PairState | null, pending: boolean): void {
    if (pair !== null && this.awaitingAnswer.size > 0) this.resolveAnswered(pair);
    if (tag === null) return;
    if (tag.kind === 'request') {
      if (pending) this.holdHeadRequest(pair!, tag.arn);
      else if (gapMs !== null) {
        tag.histogram.addRequest(gapMs);
        // A measured gap is measured at the pair's cursor: this request's dispatch.
        this.raceExposure.addGap(tag.arn, pair!.cursorMs, gapMs);
      }
      return;
    }
    tag.record.idleGapMs = gapMs;
    tag.record.gapPending = pending;
    if (gapMs !== null) {
      tag.group.histogram.addRequest(gapMs);
      this.raceExposure.addGap(tag.group.arn, tag.record.dispatchedMs, gapMs);
    }
    if (tag.kind === 'error') {
      if (tag.record.cls === 'target_reset' && tag.record.target !== null) {
        if (this.resets.length < MAX_HELD_RESETS) {
          const r = tag.record;
          this.resets.push({ arn: r.arn, target: r.target!, dispatchedMs: r.dispatchedMs, file: r.file, line: r.line });
        } else this.overflowResets++;
      }
      // A pending gap is settled later for --events; the sample shows none (it is evidence of the class).
      this.samples.offer(sampleOf(tag.record, tag.record.cls, tag.detail));
      if (pending) this.pendingEvents.push(tag.record);
      else this.options.onEvent?.(eventOf(tag.record, tag.record.cls));
      return;
    }
    const record = tag.record;
    if (pair !== null) {
      record.answeredBeforeMs = orNull(pair.lastAnsweredDispatchMs);
      record.recent = recentJson(pair);
    }
    if (this.races.length < MAX_HELD_RACES) {
      this.races.push(record);
      if (pair !== null) {
        const waiting = this.awaitingAnswer.get(pair);
        if (waiting) waiting.push(record);
        else this.awaitingAnswer.set(pair, [record]);
      }
      return;
    }
    // Past the cap: decided at once against the estimate from this group's held races, without run context.
    this.overflowRaces++;
    let fit = this.lateFits.get(tag.group);
    if (!fit) {
      const gaps = this.races.filter((r) => r.arn === tag.group.arn && r.idleGapMs !== null).map((r) => r.idleGapMs!);
      fit = fitKeepAlive(gaps, tag.group.histogram, (this.options.albIdleTimeoutSeconds ?? DEFAULT_ALB_IDLE_TIMEOUT_SECONDS) * 1000);
      this.lateFits.set(tag.group, fit);
    }
    const cls = classifyRaces([toCandidate(record)], [false], fit).classes[0]!;
    tag.group.count(cls);
    if (cls === 'keepalive_race' && record.idleGapMs !== null) tag.group.histogram.addRace(record.idleGapMs);
    this.timeline.add(tag.group.arn, record.timeMs, cls === 'keepalive_race' ? 'races' : 'otherErrors');
    if (record.detail !== undefined) this.samples.offer(sampleOf(record, cls, record.detail));
    this.options.onEvent?.(eventOf(record, cls));
  }

  private holdHeadRequest(pair: PairState, arn: string): void {
    const key = pairKey(pair.node, pair.target);
    const list = this.headRequests.get(key);
    if (list) list.push([pair.cursorMs, arn]);
    else this.headRequests.set(key, [[pair.cursorMs, arn]]);
  }

  private resolveAnswered(pair: PairState): void {
    const waiting = this.awaitingAnswer.get(pair);
    if (!waiting) return;
    const answeredMs = pair.lastAnsweredDispatchMs;
    let resolved = 0;
    while (resolved < waiting.length && waiting[resolved]!.dispatchedMs < answeredMs) waiting[resolved++]!.answeredAfterMs = answeredMs;
    if (resolved === waiting.length) this.awaitingAnswer.delete(pair);
    else if (resolved > 0) waiting.splice(0, resolved);
  }

  private retire(pair: PairState): void {
    const key = pairKey(pair.node, pair.target);
    if (!this.retired.has(key)) this.retired.set(key, this.edgeOf(pair, key));
  }

  private edges(): PairEdge[] {
    const out = new Map(this.retired);
    for (const pair of this.tracker.nodePairs()) {
      if (pair.measuredCount === 0) continue;
      const key = pairKey(pair.node, pair.target);
      const earlier = out.get(key);
      const edge = this.edgeOf(pair, key);
      out.set(key, earlier ? { ...earlier, tail: edge.tail } : edge);
    }
    return [...out.values()].sort((a, b) => compareText(a.key, b.key));
  }

  private edgeOf(pair: PairState, key: string): PairEdge {
    pruneWindowEnds(pair);
    return {
      key,
      node: pair.node,
      target: pair.target,
      headRequests: this.headRequests.get(key) ?? [],
      firstAnsweredDispatchesMs: [...pair.firstAnsweredDispatchesMs],
      firstEndMs: pair.firstEndMs,
      tail: {
        latestEndMs: orNull(pair.latestEndMs),
        cursorMs: orNull(pair.cursorMs),
        inFlightEndsMs: pair.inFlightEndsMs.toArray().sort((a, b) => a - b),
        lastActivityMs: pair.lastActivityMs,
        lastAnsweredDispatchMs: orNull(pair.lastAnsweredDispatchMs),
        measuredCount: pair.measuredCount,
        recent: recentJson(pair),
        windowEndsMs: [...pair.windowEndsMs].sort((a, b) => a - b),
        windowEndsFloorMs: orNull(pair.windowEndsFloorMs),
      },
    };
  }

  private groupOf(entry: AlbEntry): GroupAccumulator {
    const field = F.target_group_arn;
    if (entry.isNull(field)) return (this.noGroup ??= new GroupAccumulator('-'));
    return this.groups.get(entry.buf, entry.spans.start[field]!, entry.spans.end[field]!);
  }

  /** The file name's node, else field 34 (ip_address), else unknown (pairs fall back to the target alone). */
  private nodeOf(entry: AlbEntry, file: LogFileRef): string | null {
    if (file.nodeIp !== null) return file.nodeIp;
    const field = F.ip_address;
    if (!entry.isNull(field)) return this.nodeIps.get(entry.buf, entry.spans.start[field]!, entry.spans.end[field]!);
    this.entriesWithoutNode++;
    return null;
  }
}

function recentJson(pair: PairState): RecentJson {
  const recent = recentRequests(pair);
  return { dispatchedMs: Array.from(recent.dispatchedMs), endMs: Array.from(recent.endMs, orNull) };
}

/** Code-unit order, the same in every locale: state keys must sort identically wherever they are made. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

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
function freesConnection(entry: AlbEntry, targetStatus: number | null): boolean {
  if (targetStatus === null || entry.number(F.elb_status_code) === 502) return false;
  return entry.buf[entry.spans.start[F.type]!] !== 0x77; /* w: ws, wss */
}
