/**
 * Analyzer results + input statistics → the Report (model.ts), the one input of every renderer. Pure:
 * the analysis has decided everything; this module only maps, orders and words the caveats.
 */
import type { Diagnosis } from '../analyze/conclude.js';
import type { GroupState } from '../analyze/groups.js';
import { matchServers } from '../analyze/servers.js';
import { recommend } from '../analyze/recommend.js';
import { MAX_HELD_RACES } from '../analyze/events.js';
import { reportVerdict } from './verdict.js';
import { CAUSE_CLASSES, type BandExposure, type ClassCounts, type Report, type TargetGroupReport } from './model.js';

export function buildReport(input: Diagnosis): Report {
  const groups = [...input.groups].sort(
    (a, b) =>
      b.classCount('keepalive_race') - a.classCount('keepalive_race') ||
      b.eventCount() - a.eventCount() ||
      b.requests - a.requests ||
      a.name.localeCompare(b.name) ||
      (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0),
  );
  const targetGroups = groups.map((g) => groupReport(g, input.exposure.get(g.arn) ?? []));
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
    recommendations: recommend({ groups, albIdleTimeoutSeconds: input.idleTimeout.value, spanMs: input.dataSpanMs }),
    timeline: input.timeline(groups.map((g) => g.arn)),
    notes: notes(input),
    verdict: reportVerdict(input, targetGroups),
  };
}

function groupReport(group: GroupState, exposure: BandExposure[]): TargetGroupReport {
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
  };
}

const significant3 = (p: number): number => (p === 0 ? 0 : Number(p.toPrecision(3)));

/** One sentence per caveat the numbers above cannot show. */
function notes(input: Diagnosis): string[] {
  const out: string[] = [];
  const { idleTimeout, connections, counters } = input;
  if (idleTimeout.source === 'inferred') {
    out.push(`The ALB idle timeout was inferred as ${idleTimeout.value} s from ${input.idleTimeoutSamples} 504 target timeouts; pass --alb-idle-timeout if it differs.`);
  } else if (idleTimeout.source === 'default') {
    out.push(`The ALB idle timeout was assumed to be the default ${idleTimeout.value} s (too few 504 target timeouts to infer it); pass --alb-idle-timeout if yours differs.`);
  }
  if (counters.entriesWithoutNode > 0) {
    out.push(
      `${counters.entriesWithoutNode} entries name no ALB node (no node IP in the file name, no ip_address field), so their idle gaps were measured per target, in ${counters.unknownNodeChunks} part(s) cut where time jumps back (one node's 5 minutes each in a concatenation of ALB files); read the original per-node files to measure them exactly.`,
    );
  }
  if (counters.detachedFiles > 0) {
    out.push(
      `${counters.detachedFiles} file(s) came after later files of the same ALB node and were measured on their own, so the first request of each connection in them has no idle gap; read the files in time order (as named in S3) to measure them all.`,
    );
  }
  // A few displaced lines are normal (lines are only roughly in time order); a share worth a sentence is not.
  if (connections.outOfOrder > 0 && connections.outOfOrder >= 0.001 * connections.dispatches) {
    out.push(
      `${connections.outOfOrder} entries arrived more than ${Math.round(connections.maxWindowMs / 1000)} s behind newer entries of the same ALB node, so some idle gaps near them may be too long; read the files in time order (as named in S3) to measure them exactly.`,
    );
  }
  const unknown = connections.unknownGap - connections.outOfOrder;
  if (connections.dispatches > 0 && unknown / connections.dispatches > 0.01) {
    out.push(`${unknown} requests lasted longer than the reordering window (${Math.round(connections.maxWindowMs / 1000)} s) and have no idle gap of their own; their ends still count for the requests after them.`);
  }
  if (counters.overflowRaces > 0) {
    out.push(`${counters.overflowRaces} race-shaped 502s beyond the first ${MAX_HELD_RACES} were classified as they came, against the estimate so far and without deploy-run context.`);
  }
  if (counters.overlappingPairs > 0) {
    out.push(`${counters.overlappingPairs} ALB node and target pair(s) had requests in two merged parts that overlap in time, so idle gaps near the joins may be off; merge windows in time order, or shards of different ALB nodes.`);
  }
  return out;
}
