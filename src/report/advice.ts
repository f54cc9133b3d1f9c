/**
 * The advice chosen by analyze/recommend.ts, in words: each piece becomes one of the Report's
 * `recommendations` (the JSON contract's keys, plus `kind`, `events` and `rateOfRequests`). Counts are
 * written with thousands separators and plurals, each class by its one label (render/labels.ts).
 */
import type { Advice, DeployAdvice, DrainAdvice, KeepAliveAdvice, RecommendationKind } from '../analyze/recommend.js';
import { ADVICE_CLASS, KEEPALIVE_MARGIN_SECONDS } from '../analyze/recommend.js';
import type { DrainRecommendation, Recommendation, ServerAdvice } from './model.js';
import { formatCount } from './render/format.js';
import { classCount } from './render/labels.js';

/** A Recommendation with the additions this analysis makes (keys only added, per the report contract). */
export interface KindedRecommendation extends Recommendation {
  kind: RecommendationKind;
  /** Entries the advice is about, in the analysed window. */
  events: number;
  /** Those as a share of the group's requests. */
  rateOfRequests: number;
  /** Keep-alive advice from one or a few races at a known close time: likely, not proven. */
  likely?: true;
  /** Deploy advice with measured drain windows: the derived settings and the platform rows. */
  drain?: DrainRecommendation;
}

/** A server's setting with the additions the renderers show (its display name, a side condition). */
type ServerAdviceJson = ServerAdvice & { name: string; note?: string };

export interface WordOptions {
  /** Target group ARN → `deregistration_delay.timeout_seconds` as read with --describe. */
  deregistrationDelays?: ReadonlyMap<string, number>;
}

export function wordAdvice(advice: readonly Advice[], options: WordOptions = {}): KindedRecommendation[] {
  return advice.map((a) => word(a, options.deregistrationDelays?.get(a.targetGroup)));
}

function word(advice: Advice, deregistrationDelaySeconds: number | undefined): KindedRecommendation {
  const drain = advice.kind === 'deploy' ? (advice.drain ?? null) : null;
  const { words, servers, targetKeepAliveSeconds } =
    advice.kind === 'keepalive' || advice.kind === 'keepalive_verify'
      ? { words: advice.kind === 'keepalive_verify' ? verifyWords(advice) : keepAliveWords(advice), servers: serverAdvice(advice), targetKeepAliveSeconds: advice.targetKeepAliveSeconds }
      : advice.kind === 'deploy' && drain !== null
        ? { words: drainWords(advice, drain), servers: [], targetKeepAliveSeconds: null }
        : { words: OTHER_WORDS[advice.kind](advice.targetGroupName, advice.events, advice.albIdleTimeoutSeconds), servers: [], targetKeepAliveSeconds: null };
  // The delay the group really has, read with --describe, beside what the logs show of its drains.
  const described =
    advice.kind === 'deploy' && deregistrationDelaySeconds !== undefined
      ? ` ${describedDelayWords(advice.targetGroupName, deregistrationDelaySeconds)}`
      : '';
  // Keys in the order the report has always written them.
  return {
    targetGroup: advice.targetGroup,
    action: words.action + described,
    targetKeepAliveSeconds,
    albIdleTimeoutSeconds: advice.albIdleTimeoutSeconds,
    servers,
    racesPerDay: advice.racesPerDay,
    reason: `${words.reason} That is ${formatRate(advice.events, advice.requests)} of the group's requests, about ${formatPerDay(advice.racesPerDay)} per day.`,
    kind: advice.kind,
    events: advice.events,
    rateOfRequests: advice.rateOfRequests,
    ...(advice.likely === true && { likely: true as const }),
    ...(drain !== null && { drain: drainJson(drain) }),
  };
}

function drainJson(drain: DrainAdvice): DrainRecommendation {
  return {
    kinds: drain.kinds,
    bursts: drain.bursts,
    windowSeconds: drain.windowSeconds,
    longestTargets: drain.longestTargets,
    resets: drain.resets,
    preStopSleepSeconds: drain.settings?.keepServingSeconds ?? null,
    terminationGracePeriodSeconds: drain.settings?.gracePeriodSeconds ?? null,
    deregistrationDelaySeconds: drain.settings?.deregistrationDelaySeconds ?? null,
    platform: drain.platform,
    platformEvidence: drain.platformEvidence,
    platforms: drain.platforms.map((p) => ({ platform: p.id, name: p.name, setting: p.setting, snippet: p.snippet, source: p.source, ...(p.note !== undefined && { note: p.note }) })),
  };
}

const KIND_WORDS: Record<DrainAdvice['kinds'][number], [one: string, many: string]> = {
  deploy: ['a rolling deploy', 'rolling deploys'],
  'scale-in': ['a scale-in or node removal with no deploy (targets failed at once and none came back)', 'scale-ins or node removals with no deploy'],
  misconfiguration: ['a misconfiguration (targets that never answered)', 'misconfigurations'],
};

/** Deploy advice with measured drain windows: the window, the setting derived from it, the platform. */
function drainWords(advice: DeployAdvice, drain: DrainAdvice): Words {
  const name = advice.targetGroupName;
  const refused = classCount(ADVICE_CLASS.deploy, advice.events);
  const kinds = drain.kinds.map((k) => KIND_WORDS[k][0]).join(', ');
  const on = drain.platformEvidence === null ? '' : ` The group looks like ${drain.platform === 'eks' ? 'EKS with the AWS Load Balancer Controller' : 'ECS'}: ${drain.platformEvidence}.`;
  if (drain.settings === null || drain.windowSeconds === null) {
    return {
      action: `Fix how the ALB reaches ${name}'s targets: every request to them was refused from their first appearance; check the target group's port and protocol against what the targets listen on, and that their security group admits the ALB.`,
      reason: `${refused} in ${countBursts(drain.bursts)}, ${kinds}: the targets never answered, so this is not a drain but a target group that cannot reach its targets (wrong port or protocol, HTTP to an HTTPS target, or a security group that refuses the ALB).`,
    };
  }
  const window = formatSeconds(drain.windowSeconds);
  const keep = drain.settings.keepServingSeconds;
  const how =
    drain.platform === 'eks'
      ? `a preStop sleep of at least ${keep} s`
      : drain.platform === 'ecs'
        ? `keep listening at least ${keep} s after SIGTERM`
        : `keep serving at least ${keep} s after being told to stop (a preStop sleep, a SIGTERM handler that keeps listening, or a termination lifecycle hook)`;
  const longest = drain.longestTargets[0];
  return {
    action: `Drain ${name}'s targets before they stop listening: ${how}; the ALB kept sending requests to stopped targets for up to ${window} s.`,
    reason:
      `${refused} in ${countBursts(drain.bursts)}, ${kinds}: each target stopped listening while the ALB still routed to it, for up to ${window} s` +
      `${longest === undefined ? '' : ` (${longest})`} between its first and last refused request. Serving ${keep} s more (${window} s + ${keep - Math.ceil(drain.windowSeconds)} s margin) covers that; ` +
      `the grace before a forced stop must then cover the drain and the application's shutdown (${drain.settings.gracePeriodSeconds} s), and the deregistration delay must end before it (${drain.settings.deregistrationDelaySeconds} s).` +
      (drain.resets > 0
        ? ` ${classCount('target_reset', drain.resets)} around these bursts: the targets were killed with requests in flight, so the grace before the forced stop must also outlast the slowest request.`
        : '') +
      `${on} ` +
      `Lowering the ALB idle timeout does not shorten this window, and lowered to dodge keep-alive races it turns every request longer than the new timeout into a 504.`,
  };
}

const countBursts = (n: number): string => (n === 1 ? '1 burst' : `${formatCount(n)} bursts`);

interface Words {
  action: string;
  reason: string;
}

function serverAdvice(advice: KeepAliveAdvice): ServerAdviceJson[] {
  return advice.servers.map(({ profile, snippet }) => ({
    server: profile.id,
    name: profile.name,
    setting: profile.setting,
    snippet,
    ...(profile.note !== undefined && { note: profile.note }),
  }));
}

function keepAliveWords(advice: KeepAliveAdvice): Words {
  const name = advice.targetGroupName;
  const t = formatSeconds(advice.estimatedSeconds);
  const albIdle = advice.albIdleTimeoutSeconds;
  const target = advice.targetKeepAliveSeconds;
  const matched = advice.matchedServers.slice(0, 3).map((s) => s.profile.name);
  const looksLike = matched.length > 0 ? ` The estimate matches the default of ${matched.join(', ')}.` : '';
  const tie = advice.racesAtOrAboveAlbIdleTimeout ? ` Races at or above the ALB idle timeout need more than the usual ${KEEPALIVE_MARGIN_SECONDS} s margin.` : '';
  return {
    action: `Raise the idle keep-alive timeout of ${name}'s targets from about ${t} s to ${target} s or more (ALB idle timeout ${albIdle} s + margin).`,
    reason:
      `${classCount(ADVICE_CLASS.keepalive, advice.events)} at an idle age of about ${t} s: the targets close idle connections before the ALB (${albIdle} s) does, ` +
      `and the ALB sometimes reuses one as it closes. With the targets' keep-alive at ${target} s the ALB always closes first, which removes these 502s.${looksLike}${tie}`,
  };
}

/** The races stopped in the window: a fix was most likely deployed then; what is left is to check it reached every target. */
function verifyWords(advice: KeepAliveAdvice): Words {
  const name = advice.targetGroupName;
  const t = formatSeconds(advice.estimatedSeconds);
  const target = advice.targetKeepAliveSeconds;
  const stopped = advice.stopped!;
  const at = new Date(stopped.atMs).toISOString().slice(0, 16).replace('T', ' ');
  const expected = stopped.expectedRaces >= 10 ? formatCount(Math.round(stopped.expectedRaces)) : String(Number(stopped.expectedRaces.toPrecision(2)));
  return {
    action: `Check that every target of ${name} now keeps idle connections open ${target} s or more (ALB idle timeout ${advice.albIdleTimeoutSeconds} s + margin): the races stopped at about ${at} UTC, as a fix deployed then would make them; a target still on the old setting (about ${t} s) would race again.`,
    reason:
      `${classCount(ADVICE_CLASS.keepalive_verify, advice.events)} at an idle age of about ${t} s until about ${at} UTC, then none, where about ${expected} were expected at the rate before. ` +
      `Keep the targets' keep-alive at ${target} s or more on every deploy path (images, config maps, autoscaling templates) so they do not come back.`,
  };
}

const OTHER_WORDS: Record<Exclude<RecommendationKind, 'keepalive' | 'keepalive_verify'>, (name: string, events: number, albIdle: number) => Words> = {
  deploy: (name, events) => ({
    action: `Drain targets of ${name} before they stop listening: a deregistration delay longer than the slowest request, and a graceful shutdown that keeps serving until the target is out of service.`,
    reason: `${classCount(ADVICE_CLASS.deploy, events)}: the target was not listening (connection refused in runs on one target at a time), the signature of deploys, restarts or crashes.`,
  }),
  closed_connections: (name, events) => ({
    action: `Make ${name}'s targets announce the closes they decide: send "Connection: close" on the last response, raise or remove per-connection request limits (keepalive_requests, maxRequestsPerSocket, maxKeepAliveRequests), spread worker recycling (Gunicorn --max-requests-jitter) and drain before shutdown.`,
    reason: `${classCount(ADVICE_CLASS.closed_connections, events)}: ${events === 1 ? 'a 502 that looks' : '502s that look'} like a keep-alive race but not at an idle timeout, so the target closed the connection for another reason (request-count limit, worker recycling, shutdown) while the ALB reused it.`,
  }),
  connect_timeouts: (name, events) => ({
    action: `Check that ${name}'s targets accept connections promptly: security groups and NACLs from the ALB's subnets, listen backlog, and instances that are overloaded or gone.`,
    reason: `${classCount(ADVICE_CLASS.connect_timeouts, events)}: the ALB could not connect to the target within 10 s.`,
  }),
  no_healthy_targets: (name, events) => ({
    action: `Keep healthy targets registered in ${name}: check its health checks and deploy order (register the new targets before deregistering the old).`,
    reason: `${classCount(ADVICE_CLASS.no_healthy_targets, events)}: ${name} had no registered or healthy target.`,
  }),
  slow_targets: (name, events, albIdle) => ({
    action: `Find what makes ${name} answer after ${albIdle} s; if such requests are expected, raise the ALB idle timeout, and then the targets' keep-alive above the new value.`,
    reason: `${classCount(ADVICE_CLASS.slow_targets, events)}: no answer from the target within the ALB idle timeout (${albIdle} s).`,
  }),
};

/**
 * The deregistration delay read with --describe, for a group whose targets stopped listening too early.
 * Deregistration stops new requests only once it has reached every ALB node, a few seconds in which
 * requests still arrive, and then waits up to the delay for those in flight
 * (docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#deregistration-delay);
 * a target must keep listening through both.
 */
function describedDelayWords(name: string, delaySeconds: number): string {
  const delay = `${formatCount(delaySeconds)} s`;
  if (delaySeconds === 0) {
    return `${name}'s deregistration delay is 0 s (deregistration_delay.timeout_seconds, read with --describe): the ALB drops requests in flight the moment a target is deregistered, so raise it above the slowest request and keep targets listening until it ends.`;
  }
  return `${name}'s deregistration delay is ${delay} (deregistration_delay.timeout_seconds, read with --describe): the ALB still sends new requests to a target for a few seconds after deregistering it and then waits up to ${delay} for those in flight, so keep each target listening through that time (a preStop sleep on EKS; ECS stops a task only after the delay) and stop it only once its requests have ended.`;
}

/** A keep-alive time in a sentence: `6.0`, `2.01`, `13.5`. */
export function formatSeconds(seconds: number): string {
  return seconds >= 10 ? seconds.toFixed(1).replace(/\.0$/, '') : seconds.toFixed(2).replace(/0$/, '');
}

/** "1 in 3,400" for small rates, a percentage otherwise. */
export function formatRate(events: number, requests: number): string {
  if (requests <= 0) return 'an unknown share';
  const rate = events / requests;
  if (rate >= 0.01) return `${Math.round(rate * 100 * 10) / 10} %`;
  return `1 in ${formatCount(Math.round(1 / rate))}`;
}

/** `32`, `1,234.5`: the per-day figure as the JSON has it, with separators. */
const formatPerDay = (perDay: number): string => perDay.toLocaleString('en-US', { maximumFractionDigits: 1 });
