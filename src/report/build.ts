/**
 * Analyzer results + input statistics → the Report (model.ts), the one input of every renderer. Pure:
 * the analysis has decided everything; this module only maps, orders and words the caveats.
 */
import type { Diagnosis } from '../analyze/conclude.js';
import type { GroupState } from '../analyze/groups.js';
import type { RaceChange } from '../analyze/raceChange.js';
import { matchServers } from '../analyze/servers.js';
import { recommend } from '../analyze/recommend.js';
import { MAX_HELD_RACES } from '../analyze/events.js';
import { formatSeconds, wordAdvice } from './advice.js';
import { describedIdleTimeout } from '../analyze/conclude.js';
import { reportVerdict } from './verdict.js';
import { formatCount } from './render/format.js';
import { classCount, countOf } from './render/labels.js';
import { CAUSE_CLASSES, type CauseClass, type ClassCounts, type Report, type SampleEvent, type TargetGroupReport, type BandExposure, type DrainBurstReport } from './model.js';
import { MAX_TRACKED_TARGETS, type DrainEpisode } from '../analyze/drain.js';

export function buildReport(input: Diagnosis): Report {
  const groups = [...input.groups].sort(
    (a, b) =>
      b.classCount('keepalive_race') - a.classCount('keepalive_race') ||
      b.eventCount() - a.eventCount() ||
      b.requests - a.requests ||
      a.name.localeCompare(b.name) ||
      (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0),
  );
  const delays = new Map((input.described?.targetGroups ?? []).map((g) => [g.arn, g.deregistrationDelaySeconds]));
  const targetGroups = groups.map((g) => groupReport(g, input.exposure.get(g.arn) ?? [], input.drain.get(g.arn) ?? [], delays.get(g.arn), input.raceChanges.get(g.arn) ?? null));
  const classes: ClassCounts = {};
  for (const group of targetGroups) {
    for (const cls of CAUSE_CLASSES) {
      const n = group.classes[cls];
      if (n) classes[cls] = (classes[cls] ?? 0) + n;
    }
  }
  const { input: read } = input;
  return {
    schemaVersion: 1,
    input: {
      files: read.files,
      bytes: read.bytes,
      lines: read.lines,
      entries: read.entries,
      malformed: read.malformed,
      skippedFiles: read.skippedFiles,
      blankLines: read.blankLines,
      outsideWindow: read.outsideWindow,
      otherLoadBalancer: read.otherLoadBalancer,
      malformedByCode: read.malformedByCode,
      malformedSamples: read.malformedSamples,
      skippedByReason: read.skippedByReason,
      unread: read.unread,
    },
    window: {
      from: input.window.fromMs === null ? null : new Date(input.window.fromMs).toISOString(),
      to: input.window.toMs === null ? null : new Date(input.window.toMs).toISOString(),
    },
    albIdleTimeoutSeconds: input.idleTimeout,
    classes,
    targetGroups,
    recommendations: wordAdvice(
      recommend({ groups, albIdleTimeoutSeconds: input.idleTimeout.value, spanMs: input.dataSpanMs, drain: input.drain, targets: input.targets, raceChanges: input.raceChanges }),
      { deregistrationDelays: delays },
    ),
    timeline: input.timeline(groups.map((g) => g.arn)),
    notes: notes(input),
    verdict: reportVerdict(input, targetGroups),
    samples: samples(input),
    ...(input.described !== null && { described: input.described }),
  };
}

/** Samples by class (in CAUSE_CLASSES order), then group, time, file and line: the report reads them in that order. */
function samples(input: Diagnosis): SampleEvent[] {
  const classOrder = (cls: string): number => CAUSE_CLASSES.indexOf(cls as CauseClass);
  return [...input.samples]
    .sort((a, b) => classOrder(a.cls) - classOrder(b.cls) || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0) || a.timeMs - b.timeMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line)
    .map((s) => ({
      class: s.cls,
      targetGroup: s.arn === '-' ? null : s.arn,
      file: s.file,
      line: s.line,
      time: s.time,
      client: s.client,
      target: s.target,
      node: s.node,
      verb: s.verb,
      url: s.url,
      protocol: s.protocol,
      elbStatusCode: s.elbStatusCode,
      targetStatusCode: s.targetStatusCode,
      processingTimes: s.processingTimes,
      idleGapMs: s.idleGapMs === null ? null : Math.round(s.idleGapMs * 1000) / 1000,
    }));
}

function groupReport(
  group: GroupState,
  exposure: BandExposure[],
  drain: readonly DrainEpisode[],
  deregistrationDelaySeconds: number | undefined,
  change: RaceChange | null,
): TargetGroupReport {
  const classes: ClassCounts = {};
  for (const cls of CAUSE_CLASSES) {
    const n = group.classCount(cls);
    if (n > 0) classes[cls] = n;
  }
  const estimate = group.fit.estimate;
  const suspected =
    estimate.estimatedSeconds === null || group.classCount('keepalive_race') === 0
      ? []
      : matchServers(estimate.estimatedSeconds, estimate.lowSeconds ?? estimate.estimatedSeconds, estimate.highSeconds ?? estimate.estimatedSeconds).map((s) => s.id);
  return {
    arn: group.arn,
    name: group.name,
    requests: group.requests,
    classes,
    idleAge: { buckets: group.histogram.toBuckets() },
    keepAlive: {
      ...estimate,
      method: group.fit.method ?? null,
      pValue: group.fit.method !== undefined || group.fit.bandRaces > 0 ? significant3(group.fit.pValue) : null,
    },
    suspectedServers: suspected,
    exposure,
    ...(deregistrationDelaySeconds !== undefined && { deregistrationDelaySeconds: { value: deregistrationDelaySeconds, source: 'described' as const } }),
    drain: drain.map(drainReport),
    raceChange:
      change === null
        ? null
        : { at: new Date(change.atMs).toISOString(), verdict: change.verdict, before: change.before, after: change.after, pValue: significant3(change.pValue) },
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

function drainReport(e: DrainEpisode): DrainBurstReport {
  return {
    kind: e.kind,
    targets: e.targets.map((t) => t.target),
    firstFailure: iso(e.firstFailureMs),
    lastFailure: iso(e.lastFailureMs),
    windowSeconds: e.windowSeconds,
    failures: e.failures,
    resets: e.resets,
    perTarget: e.targets.map((t) => ({
      target: t.target,
      lastAnswered: isoOrNull(t.lastAnsweredMs),
      firstFailure: iso(t.firstFailureMs),
      lastFailure: iso(t.lastFailureMs),
      answeredAgain: isoOrNull(t.answeredAgainMs),
      lastSeen: isoOrNull(t.lastSeenMs),
      vanished: t.answeredAgainMs === null,
      windowSeconds: t.windowSeconds,
      failures: t.failures,
      resets: t.resets,
    })),
  };
}

const significant3 = (p: number): number => (p === 0 ? 0 : Number(p.toPrecision(3)));

/** One sentence per caveat the numbers above cannot show. */
function notes(input: Diagnosis): string[] {
  const out: string[] = [];
  const { idleTimeout, connections, counters } = input;
  const windowSeconds = formatCount(Math.round(connections.maxWindowMs / 1000));
  if (idleTimeout.source === 'inferred') {
    out.push(`The ALB idle timeout was inferred as ${idleTimeout.value} s from ${classCount('target_timeout', input.idleTimeoutSamples)}; pass --alb-idle-timeout if it differs.`);
  } else if (idleTimeout.source === 'default') {
    out.push(`The ALB idle timeout was assumed to be the default ${idleTimeout.value} s (too few target timeouts (504) to infer it); pass --alb-idle-timeout if yours differs.`);
  }
  out.push(...describedNotes(input));
  const conflict = input.idleTimeoutConflict;
  if (conflict !== null) {
    const flag = conflict.flagSeconds;
    const evidence: string[] = [];
    if (conflict.inferredSeconds !== null) {
      evidence.push(`${classCount('target_timeout', conflict.timeoutSamples)} waited about ${formatCount(conflict.inferredSeconds)} s before the ALB gave up`);
    }
    if (conflict.racingAboveFlag.length > 0) {
      const shown = conflict.racingAboveFlag.slice(0, 3).map((g) => `${g.name} at about ${formatSeconds(g.estimatedSeconds)} s`);
      const more = conflict.racingAboveFlag.length > 3 ? ` and ${countOf(conflict.racingAboveFlag.length - 3, 'targetGroup', 'more')}` : '';
      evidence.push(`keep-alive races happen on connections idle longer than that (${shown.join(', ')}${more}), which an ALB closes at its idle timeout`);
    }
    out.push(
      `--alb-idle-timeout says ${formatCount(flag)} s, but ${evidence.join(', and ')}, so the advice above, which uses ${formatCount(flag)} s, may be wrong; check the load balancer's idle_timeout.timeout_seconds and pass that value.`,
    );
  }
  if (counters.entriesWithoutNode > 0) {
    out.push(
      `${countOf(counters.entriesWithoutNode, 'entry')} ${counters.entriesWithoutNode === 1 ? 'names' : 'name'} no ALB node (no node IP in the file name, no ip_address field), so ${counters.entriesWithoutNode === 1 ? 'its idle gap was' : 'their idle gaps were'} measured per target, in ${countOf(counters.unknownNodeChunks, 'part')} cut where time jumps back (one node's 5 minutes each in a concatenation of ALB files); read the original per-node files to measure them exactly.`,
    );
  }
  if (counters.detachedFiles > 0) {
    out.push(
      `${countOf(counters.detachedFiles, 'file')} came after later files of the same ALB node and ${counters.detachedFiles === 1 ? 'was' : 'were'} measured on ${counters.detachedFiles === 1 ? 'its' : 'their'} own, so the first request of each connection in ${counters.detachedFiles === 1 ? 'it' : 'them'} has no idle gap; read the files in time order (as named in S3) to measure them all.`,
    );
  }
  // A few displaced lines are normal (lines are only roughly in time order); a share worth a sentence is not.
  if (connections.outOfOrder > 0 && connections.outOfOrder >= 0.001 * connections.dispatches) {
    out.push(
      `${countOf(connections.outOfOrder, 'entry')} arrived more than ${windowSeconds} s behind newer entries of the same ALB node, so some idle gaps near them may be too long; read the files in time order (as named in S3) to measure them exactly.`,
    );
  }
  const unknown = connections.unknownGap - connections.outOfOrder;
  if (connections.dispatches > 0 && unknown / connections.dispatches > 0.01) {
    out.push(`${countOf(unknown, 'request')} lasted longer than the reordering window (${windowSeconds} s) so no idle gap could be measured for ${unknown === 1 ? 'it' : 'them'}; their ends still count for the requests after them.`);
  }
  if (counters.overflowRaces > 0) {
    out.push(`${countOf(counters.overflowRaces, 'raceShaped502')} beyond the first ${formatCount(MAX_HELD_RACES)} were classified as they came, against the estimate so far and without deploy-run context.`);
  }
  if (input.untrackedTargets > 0) {
    out.push(
      `${formatCount(input.untrackedTargets)} ${input.untrackedTargets === 1 ? 'target' : 'targets'} beyond the first ${formatCount(MAX_TRACKED_TARGETS)} were not tracked for drain windows, so their bursts show no last appearance and are never taken for a misconfiguration.`,
    );
  }
  if (counters.overlappingPairs > 0) {
    out.push(`${countOf(counters.overlappingPairs, 'pair')} had requests in two merged parts that overlap in time, so idle gaps near the joins may be off; merge windows in time order, or shards of different ALB nodes.`);
  }
  if ((counters.unsettledGaps ?? 0) > 0) {
    const n = counters.unsettledGaps!;
    out.push(`${countOf(n, 'request')} at the start of a merged window began more than the reordering window (${windowSeconds} s) before the end of the window before, so ${n === 1 ? 'its' : 'their'} idle gap was measured against what that window kept of its pair and may be too long.`);
  }
  return out;
}

/** What --describe changed or could not do, one sentence each. */
function describedNotes(input: Diagnosis): string[] {
  const described = input.described;
  if (described === null) return [];
  const out: string[] = [];
  const { idleTimeout } = input;
  const lbName = (arn: string): string => /loadbalancer\/app\/([^/]+)\//.exec(arn)?.[1] ?? arn;
  if (idleTimeout.source === 'described') {
    const names = described.loadBalancers.map((lb) => lbName(lb.arn)).join(', ');
    out.push(`The ALB idle timeout, ${formatCount(idleTimeout.value)} s, is ${names}'s idle_timeout.timeout_seconds as read from AWS (--describe).`);
  }
  const agreed = describedIdleTimeout(described);
  if (idleTimeout.source === 'flag' && agreed !== undefined && agreed !== idleTimeout.value) {
    out.push(
      `--alb-idle-timeout says ${formatCount(idleTimeout.value)} s, but the load balancer's idle_timeout.timeout_seconds is ${formatCount(agreed)} s (read with --describe); the report uses ${formatCount(idleTimeout.value)} s as told, so drop the flag to use the setting in force.`,
    );
  }
  if (described.loadBalancers.length > 1 && agreed === undefined) {
    const each = described.loadBalancers.map((lb) => `${lbName(lb.arn)} ${formatCount(lb.idleTimeoutSeconds)} s`).join(', ');
    out.push(`The logs hold load balancers with different idle timeouts (${each}), so the report uses ${idleTimeout.source === 'flag' ? 'the flag' : 'what the logs suggest'}; pass --lb to analyse one of them.`);
  }
  if (described.errors.length > 0) {
    const first = described.errors[0]!.message.replace(/^--describe: /, '');
    const more = described.errors.length > 1 ? ` (and ${countOf(described.errors.length - 1, 'error', 'more')})` : '';
    out.push(`--describe could not read every setting from AWS: ${first.replace(/\.$/, '')}${more}; where it failed, the report uses what the logs suggest.`);
  }
  return out;
}
