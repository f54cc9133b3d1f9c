/**
 * What to change, per target group, and what it removes (domain.md §7).
 *
 * - Keep-alive races: the targets' idle keep-alive must outlast the ALB's idle timeout so the ALB is
 *   always the side that closes. AWS and practice: `T ≥ idle + 5 s` (65 s for the default 60 s). A group
 *   whose races sit at or above the ALB idle timeout (a 60 s server, or one already at 65 s that still
 *   races) gets more margin: idle + 15 s, and at least 10 s above the highest racing idle age.
 *   Only groups with keep-alive races get this advice.
 * - Deploy 502s (target_connection_error): the target stopped listening while the ALB still routed to it.
 * - Closes without a timing signature (closed_connection_race): request-count limits, worker recycling,
 *   shutdown; the fix is a close the ALB can see, or fewer such closes.
 * - 504s at the idle timeout: slow targets. Raising the ALB idle timeout then also means raising the
 *   targets' keep-alive above the new value.
 * - 504s after 10 s of connecting, and 503s with no target: reachability and health checks.
 */
import type { Recommendation, ServerAdvice } from '../types.js';
import { KEEPALIVE_MARGIN_SECONDS } from './constants.js';
import type { GroupState } from './groups.js';
import { GENERIC_SERVER_IDS, matchServers, serverById, type ServerProfile } from './servers.js';

const DAY_MS = 86_400_000;
export { KEEPALIVE_MARGIN_SECONDS } from './constants.js';
export const KEEPALIVE_EXTRA_MARGIN_SECONDS = 15;

export type RecommendationKind = 'keepalive' | 'deploy' | 'closed_connections' | 'slow_targets' | 'connect_timeouts' | 'no_healthy_targets';

/** A Recommendation with the additions this analysis makes (keys only added, per the report contract). */
export interface KindedRecommendation extends Recommendation {
  kind: RecommendationKind;
  /** Entries the advice is about, in the analysed window. */
  events: number;
  /** Those as a share of the group's requests. */
  rateOfRequests: number;
  /** Keep-alive advice from one or a few races at a known close time (knownCloses.ts): likely, not proven. */
  likely?: boolean;
}

export interface RecommendInput {
  groups: readonly GroupState[];
  albIdleTimeoutSeconds: number;
  /** Length of the analysed window (for per-day rates); 0 when unknown. */
  spanMs: number;
}

/** The keep-alive idle timeout to recommend for a group whose races show `estimatedSeconds`..`highSeconds`. */
export function recommendedKeepAliveSeconds(albIdleTimeoutSeconds: number, estimatedSeconds: number | null, highSeconds: number | null): number {
  const base = albIdleTimeoutSeconds + KEEPALIVE_MARGIN_SECONDS;
  const racingAt = Math.max(estimatedSeconds ?? 0, highSeconds ?? 0);
  // Races at (or past) the ALB idle timeout: a tie still races, and +5 s has been seen to race too.
  if (estimatedSeconds !== null && estimatedSeconds >= albIdleTimeoutSeconds - 1) {
    return Math.max(albIdleTimeoutSeconds + KEEPALIVE_EXTRA_MARGIN_SECONDS, Math.ceil(racingAt) + 10);
  }
  return base;
}

export function recommend(input: RecommendInput): KindedRecommendation[] {
  const out: KindedRecommendation[] = [];
  for (const group of input.groups) {
    const keepAlive = keepAliveAdvice(group, input);
    if (keepAlive) out.push(keepAlive);
    const deploy = group.classCount('target_connection_error');
    if (deploy > 0) {
      out.push(base(group, input, 'deploy', deploy, {
        action: `Drain targets of ${group.name} before they stop listening: a deregistration delay longer than the slowest request, and a graceful shutdown that keeps serving until the target is out of service.`,
        reason: `${deploy} request(s) found the target not listening (connection refused in runs on one target at a time), the signature of deploys, restarts or crashes.`,
      }));
    }
    const closed = group.classCount('closed_connection_race');
    if (closed > 0) {
      out.push(base(group, input, 'closed_connections', closed, {
        action: `Make ${group.name}'s targets announce the closes they decide: send "Connection: close" on the last response, raise or remove per-connection request limits (keepalive_requests, maxRequestsPerSocket, maxKeepAliveRequests), spread worker recycling (Gunicorn --max-requests-jitter) and drain before shutdown.`,
        reason: `${closed} 502(s) look like keep-alive races but not at an idle timeout: the target closed connections for another reason (request-count limit, worker recycling, shutdown) while the ALB reused them.`,
      }));
    }
    const connect = group.classCount('connect_timeout');
    if (connect > 0) {
      out.push(base(group, input, 'connect_timeouts', connect, {
        action: `Check that ${group.name}'s targets accept connections promptly: security groups and NACLs from the ALB's subnets, listen backlog, and instances that are overloaded or gone.`,
        reason: `${connect} request(s) got a 504 because the ALB could not connect to the target within 10 s.`,
      }));
    }
    const none = group.classCount('no_healthy_targets');
    if (none > 0) {
      out.push(base(group, input, 'no_healthy_targets', none, {
        action: `Keep healthy targets registered in ${group.name}: check its health checks and deploy order (register the new targets before deregistering the old).`,
        reason: `${none} request(s) got a 503 because ${group.name} had no registered or healthy target.`,
      }));
    }
    const slow = group.classCount('target_timeout');
    if (slow > 0) {
      out.push(base(group, input, 'slow_targets', slow, {
        action: `Find what makes ${group.name} answer after ${input.albIdleTimeoutSeconds} s; if such requests are expected, raise the ALB idle timeout, and then the targets' keep-alive above the new value.`,
        reason: `${slow} request(s) got a 504 after the ALB idle timeout (${input.albIdleTimeoutSeconds} s) with no answer from the target.`,
      }));
    }
  }
  return out;
}

function keepAliveAdvice(group: GroupState, input: RecommendInput): KindedRecommendation | null {
  const races = group.classCount('keepalive_race');
  const estimate = group.fit.estimate;
  if (races === 0 || estimate.estimatedSeconds === null) return null;
  const albIdle = input.albIdleTimeoutSeconds;
  const targetSeconds = recommendedKeepAliveSeconds(albIdle, estimate.estimatedSeconds, estimate.highSeconds);
  const matched = matchServers(estimate.estimatedSeconds, estimate.lowSeconds ?? estimate.estimatedSeconds, estimate.highSeconds ?? estimate.estimatedSeconds);
  const profiles: ServerProfile[] = matched.length > 0 ? matched : GENERIC_SERVER_IDS.map((id) => serverById(id)!);
  const servers: (ServerAdvice & { name: string; note?: string })[] = profiles.map((s) => ({
    server: s.id,
    name: s.name,
    setting: s.setting,
    snippet: s.snippet(targetSeconds),
    ...(s.note !== undefined && { note: s.note }),
  }));
  const t = formatSeconds(estimate.estimatedSeconds);
  const looksLike = matched.length > 0 ? ` The estimate matches the default of ${matched.slice(0, 3).map((s) => s.name).join(', ')}.` : '';
  const tie = estimate.estimatedSeconds >= albIdle - 1 ? ` Races at or above the ALB idle timeout need more than the usual ${KEEPALIVE_MARGIN_SECONDS} s margin.` : '';
  const advice = base(group, input, 'keepalive', races, {
    action: `Raise the idle keep-alive timeout of ${group.name}'s targets from about ${t} s to ${targetSeconds} s or more (ALB idle timeout ${albIdle} s + margin).`,
    reason:
      `${races} keep-alive race(s) at an idle age of about ${t} s: the targets close idle connections before the ALB (${albIdle} s) does, ` +
      `and the ALB sometimes reuses one as it closes. With the targets' keep-alive at ${targetSeconds} s the ALB always closes first, which removes these 502s.${looksLike}${tie}`,
    targetKeepAliveSeconds: targetSeconds,
    servers,
  });
  return group.fit.method === 'known-close' ? { ...advice, likely: true } : advice;
}

function base(
  group: GroupState,
  input: RecommendInput,
  kind: RecommendationKind,
  events: number,
  fields: Pick<Recommendation, 'action' | 'reason'> & Partial<Pick<Recommendation, 'targetKeepAliveSeconds' | 'servers'>>,
): KindedRecommendation {
  const perDay = input.spanMs > 0 ? (events * DAY_MS) / input.spanMs : events;
  return {
    targetGroup: group.arn,
    action: fields.action,
    targetKeepAliveSeconds: fields.targetKeepAliveSeconds ?? null,
    albIdleTimeoutSeconds: input.albIdleTimeoutSeconds,
    servers: fields.servers ?? [],
    racesPerDay: round(perDay, 1),
    reason: `${fields.reason} That is ${formatRate(events, group.requests)} of the group's requests, about ${round(perDay, 1)} per day.`,
    kind,
    events,
    rateOfRequests: group.requests > 0 ? events / group.requests : 0,
  };
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function formatSeconds(seconds: number): string {
  return seconds >= 10 ? seconds.toFixed(1).replace(/\.0$/, '') : seconds.toFixed(2).replace(/0$/, '');
}

/** "1 in 3,400" for small rates, a percentage otherwise. */
export function formatRate(events: number, requests: number): string {
  if (requests <= 0) return 'an unknown share';
  const rate = events / requests;
  if (rate >= 0.01) return `${round(rate * 100, 1)} %`;
  return `1 in ${Math.round(1 / rate).toLocaleString('en-US')}`;
}
