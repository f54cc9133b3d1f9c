/** The report's facts → the verdict's input (analyze/verdict.ts holds the rules). */
import { NO_TARGET_GROUP_NAME } from '../analyze/groups.js';
import { judgeVerdict, type Verdict } from '../analyze/verdict.js';
import type { Diagnosis } from '../analyze/conclude.js';
import type { TargetGroupReport } from './model.js';

/** Entries the ALB answered itself (ARN `-`) never reached a target, so they cannot race one. */
export function reportVerdict(input: Diagnosis, targetGroups: readonly TargetGroupReport[]): Verdict {
  const { connections } = input;
  return judgeVerdict({
    entries: input.input.entries - input.input.outsideWindow - (input.input.otherLoadBalancer ?? 0),
    spanMs: input.dataSpanMs,
    dispatches: connections.dispatches,
    outOfOrder: connections.outOfOrder,
    withoutIdleGap: Math.max(0, connections.unknownGap - connections.outOfOrder),
    groups: targetGroups
      .filter((g) => g.arn !== '-' && g.name !== NO_TARGET_GROUP_NAME)
      .map((g) => {
        const change = input.raceChanges.get(g.arn);
        return {
          arn: g.arn,
          name: g.name,
          requests: g.requests,
          classes: g.classes,
          keepAlive: g.keepAlive,
          idleAgeBuckets: g.idleAge.buckets,
          exposure: g.exposure ?? [],
          raceChange: change === undefined ? null : { ...change, at: new Date(change.atMs).toISOString() },
        };
      }),
  });
}
