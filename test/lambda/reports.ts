/** Small ReportLike values for the alert and metric tests: only the fields those modules read. */
import type { ReportLike, TargetGroupStatus } from '../../src/lambda/analysis.js';
import type { Confidence } from '../../src/report/model.js';

export const API_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-api/73e2d6bc24d8a067';

export interface GroupSpec {
  arn?: string;
  name?: string;
  status: TargetGroupStatus;
  confidence: Confidence;
  requests?: number;
  races?: number;
  estimatedSeconds?: number | null;
}

export function reportWith(...groups: GroupSpec[]): ReportLike {
  const tgs = groups.map((g) => ({
    arn: g.arn ?? API_ARN,
    name: g.name ?? 'shop-api',
    requests: g.requests ?? 10_000,
    classes: { keepalive_race: g.races ?? 0, target_5xx: 3 },
    keepAlive: { estimatedSeconds: g.estimatedSeconds === undefined ? 6 : g.estimatedSeconds, confidence: g.confidence },
    suspectedServers: ['nodejs', 'express'],
  }));
  return {
    window: { from: '2026-03-01T10:00:00.000Z', to: '2026-03-02T10:00:00.000Z' },
    classes: { keepalive_race: tgs.reduce((s, g) => s + (g.classes.keepalive_race ?? 0), 0), target_5xx: 3 * tgs.length },
    targetGroups: tgs,
    recommendations: tgs
      .filter((_, i) => groups[i]!.status === 'races')
      .map((g) => ({
        targetGroup: g.arn,
        action: 'raise the targets\' keep-alive timeout above the ALB idle timeout',
        targetKeepAliveSeconds: 65,
        albIdleTimeoutSeconds: 60,
        servers: [{ server: 'nodejs', setting: 'server.keepAliveTimeout (ms)', snippet: 'server.keepAliveTimeout = 65000;' }],
        racesPerDay: 12,
        reason: 'races at 6 s',
      })),
    verdict: { status: 'x', reasons: [], targetGroups: groups.map((g, i) => ({ arn: tgs[i]!.arn, status: g.status, reasons: g.status === 'stopped' ? [{ code: 'NO_RACES', text: 'no race since 09:00' }] : [] })) },
  };
}
