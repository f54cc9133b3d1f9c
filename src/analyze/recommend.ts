/**
 * What to change, per target group, and what it removes (domain.md §7): the rules that choose the advice,
 * as data. The sentences that say it are written in report/advice.ts.
 *
 * - Keep-alive races: the targets' idle keep-alive must outlast the ALB's idle timeout so the ALB is
 *   always the side that closes. AWS and practice: `T ≥ idle + 5 s` (65 s for the default 60 s). A group
 *   whose races sit at or above the ALB idle timeout (a 60 s server, or one already at 65 s that still
 *   races) gets more margin: idle + 15 s, and at least 10 s above the highest racing idle age.
 *   Only groups with keep-alive races get this advice.
 * - Deploy 502s (target_connection_error): the target stopped listening while the ALB still routed to it.
 *   With measured drain windows (drain.ts), the advice states the longest and derives the drain settings
 *   for the platform the group looks like (platforms.ts); a group that never answered is misconfigured.
 * - Closes without a timing signature (closed_connection_race): request-count limits, worker recycling,
 *   shutdown; the fix is a close the ALB can see, or fewer such closes.
 * - 504s at the idle timeout: slow targets. Raising the ALB idle timeout then also means raising the
 *   targets' keep-alive above the new value.
 * - 504s after 10 s of connecting, and 503s with no target: reachability and health checks.
 */
import type { CauseClass } from '../types.js';
import { KEEPALIVE_MARGIN_SECONDS } from './constants.js';
import type { GroupState } from './groups.js';
import type { RaceChange } from './raceChange.js';
import { GENERIC_SERVER_IDS, matchServers, serverById, type ServerProfile } from './servers.js';
import type { DrainEpisode, DrainKind, TargetActivity } from './drain.js';
import { detectPlatform, drainSettings, platformAdvice, type DrainSettings, type PlatformAdvice, type PlatformId } from './platforms.js';

const DAY_MS = 86_400_000;
export { KEEPALIVE_MARGIN_SECONDS } from './constants.js';
export const KEEPALIVE_EXTRA_MARGIN_SECONDS = 15;

/** `keepalive_verify`: the group's races stopped during the window (raceChange.ts), so the advice is to check that the fix is everywhere. */
export type RecommendationKind = 'keepalive' | 'keepalive_verify' | 'deploy' | 'closed_connections' | 'slow_targets' | 'connect_timeouts' | 'no_healthy_targets';

/** Which class each kind of advice is about. */
export const ADVICE_CLASS: Record<RecommendationKind, CauseClass> = {
  keepalive: 'keepalive_race',
  keepalive_verify: 'keepalive_race',
  deploy: 'target_connection_error',
  closed_connections: 'closed_connection_race',
  connect_timeouts: 'connect_timeout',
  no_healthy_targets: 'no_healthy_targets',
  slow_targets: 'target_timeout',
};

/** The order in which a group's advice is given: the keep-alive fix first. */
const ADVICE_ORDER: readonly Exclude<RecommendationKind, 'keepalive_verify'>[] = ['keepalive', 'deploy', 'closed_connections', 'connect_timeouts', 'no_healthy_targets', 'slow_targets'];

/** One piece of advice, as numbers and choices; report/advice.ts words it. */
export interface AdviceBase {
  kind: RecommendationKind;
  /** The group's ARN, and its name for the sentences. */
  targetGroup: string;
  targetGroupName: string;
  /** Entries the advice is about, in the analysed window. */
  events: number;
  /** The group's requests, the base of `rateOfRequests`. */
  requests: number;
  /** `events` as a share of the group's requests (0 without requests). */
  rateOfRequests: number;
  /** `events` per day of the analysed window, to one decimal (`events` itself when the span is unknown). */
  racesPerDay: number;
  albIdleTimeoutSeconds: number;
  /** Keep-alive advice from one or a few races at a known close time (knownCloses.ts): likely, not proven. */
  likely?: boolean;
}

export interface ServerChoice {
  profile: ServerProfile;
  /** The profile's snippet for the recommended value. */
  snippet: string;
}

export interface KeepAliveAdvice extends AdviceBase {
  kind: 'keepalive' | 'keepalive_verify';
  /** For `keepalive_verify`: when the races stopped, how long it has been quiet, and how many were expected in that time. */
  stopped?: { atMs: number; quietMs: number; expectedRaces: number; pValue: number };
  /** T̂: the idle age at which the targets close. */
  estimatedSeconds: number;
  targetKeepAliveSeconds: number;
  /** The races sit at or above the ALB idle timeout (less 1 s): the usual margin is not enough. */
  racesAtOrAboveAlbIdleTimeout: boolean;
  /** Servers whose default matches T̂, most likely first; empty when none does. */
  matchedServers: ServerChoice[];
  /** The servers to show a setting for: the matched ones, else knobs any value can come from. */
  servers: ServerChoice[];
}

export interface OtherAdvice extends AdviceBase {
  kind: Exclude<RecommendationKind, 'keepalive' | 'keepalive_verify' | 'deploy'>;
}

/** What the measured drain windows of a group say (drain.ts, platforms.ts). */
export interface DrainAdvice {
  /** The kinds of its bursts, in order of first appearance. */
  kinds: DrainKind[];
  bursts: number;
  /** The longest window of its deploy and scale-in bursts (seconds); null when every burst is a misconfiguration. */
  windowSeconds: number | null;
  /** The targets of the burst with the longest window. */
  longestTargets: string[];
  /** Requests cut while served (`target_reset`) in its deploy and scale-in bursts. */
  resets: number;
  settings: DrainSettings | null;
  platform: PlatformId | null;
  /** Why the log points to that platform; null when it cannot tell. */
  platformEvidence: string | null;
  platforms: PlatformAdvice[];
}

export interface DeployAdvice extends AdviceBase {
  kind: 'deploy';
  /** null when no burst was measured (the refusals were past the held cap). */
  drain: DrainAdvice | null;
}

export type Advice = KeepAliveAdvice | DeployAdvice | OtherAdvice;

export interface RecommendInput {
  groups: readonly GroupState[];
  albIdleTimeoutSeconds: number;
  /** Length of the analysed window (for per-day rates); 0 when unknown. */
  spanMs: number;
  /** Groups whose races stopped or started in the window (conclude.ts); absent: none. */
  raceChanges?: ReadonlyMap<string, RaceChange>;
  /** Per group (by ARN): its drain bursts (conclude.ts); none when absent. */
  drain?: ReadonlyMap<string, DrainEpisode[]>;
  /** Per target: its appearances, for the platform's evidence (ports). */
  targets?: ReadonlyMap<string, TargetActivity>;
}

/** The keep-alive idle timeout to recommend for a group whose races show `estimatedSeconds`..`highSeconds`. */
export function recommendedKeepAliveSeconds(albIdleTimeoutSeconds: number, estimatedSeconds: number | null, highSeconds: number | null): number {
  const base = albIdleTimeoutSeconds + KEEPALIVE_MARGIN_SECONDS;
  const racingAt = Math.max(estimatedSeconds ?? 0, highSeconds ?? 0);
  if (racesAtOrAboveAlbIdleTimeout(albIdleTimeoutSeconds, estimatedSeconds)) {
    return Math.max(albIdleTimeoutSeconds + KEEPALIVE_EXTRA_MARGIN_SECONDS, Math.ceil(racingAt) + 10);
  }
  return base;
}

/** Races at (or past) the ALB idle timeout: a tie still races, and +5 s has been seen to race too. */
const racesAtOrAboveAlbIdleTimeout = (albIdleTimeoutSeconds: number, estimatedSeconds: number | null): boolean =>
  estimatedSeconds !== null && estimatedSeconds >= albIdleTimeoutSeconds - 1;

export function recommend(input: RecommendInput): Advice[] {
  const out: Advice[] = [];
  for (const group of input.groups) {
    for (const kind of ADVICE_ORDER) {
      const events = group.classCount(ADVICE_CLASS[kind]);
      if (events === 0) continue;
      if (kind === 'keepalive') {
        const keepAlive = keepAliveAdvice(group, input, events);
        if (keepAlive !== null) out.push(keepAlive);
      } else if (kind === 'deploy') {
        out.push({ ...base(group, input, events), kind, drain: drainAdvice(group, input) });
      } else {
        out.push({ ...base(group, input, events), kind });
      }
    }
  }
  return out;
}

function keepAliveAdvice(group: GroupState, input: RecommendInput, races: number): KeepAliveAdvice | null {
  const estimate = group.fit.estimate;
  if (estimate.estimatedSeconds === null) return null;
  const albIdle = input.albIdleTimeoutSeconds;
  const targetSeconds = recommendedKeepAliveSeconds(albIdle, estimate.estimatedSeconds, estimate.highSeconds);
  const matched = matchServers(estimate.estimatedSeconds, estimate.lowSeconds ?? estimate.estimatedSeconds, estimate.highSeconds ?? estimate.estimatedSeconds);
  const profiles: ServerProfile[] = matched.length > 0 ? matched : GENERIC_SERVER_IDS.map((id) => serverById(id)!);
  const choice = (profile: ServerProfile): ServerChoice => ({ profile, snippet: profile.snippet(targetSeconds) });
  const change = input.raceChanges?.get(group.arn);
  return {
    ...base(group, input, races),
    kind: change?.verdict === 'stopped' ? 'keepalive_verify' : 'keepalive',
    ...(change?.verdict === 'stopped' && { stopped: { atMs: change.atMs, quietMs: change.quietMs, expectedRaces: change.expectedRaces, pValue: change.pValue } }),
    estimatedSeconds: estimate.estimatedSeconds,
    targetKeepAliveSeconds: targetSeconds,
    racesAtOrAboveAlbIdleTimeout: racesAtOrAboveAlbIdleTimeout(albIdle, estimate.estimatedSeconds),
    matchedServers: matched.map(choice),
    servers: profiles.map(choice),
    // One or a few races at a known server close time (knownCloses.ts): likely, not proven.
    ...(group.fit.method === 'known-close' && { likely: true }),
  };
}

function drainAdvice(group: GroupState, input: RecommendInput): DrainAdvice | null {
  const episodes = input.drain?.get(group.arn) ?? [];
  if (episodes.length === 0) return null;
  const kinds: DrainKind[] = [];
  for (const e of episodes) if (!kinds.includes(e.kind)) kinds.push(e.kind);
  const leaving = episodes.filter((e) => e.kind !== 'misconfiguration');
  const longest = leaving.reduce<DrainEpisode | null>((best, e) => (best === null || e.windowSeconds > best.windowSeconds ? e : best), null);
  const targets = [...(input.targets?.values() ?? [])].filter((t) => t.arn === group.arn).map((t) => t.target);
  const { platform, evidence } = detectPlatform(group.name, targets.length > 0 ? targets : episodes.flatMap((e) => e.targets.map((t) => t.target)));
  const settings = longest === null ? null : drainSettings(longest.windowSeconds);
  const mainKind = longest?.kind ?? 'misconfiguration';
  return {
    kinds,
    bursts: episodes.length,
    windowSeconds: longest?.windowSeconds ?? null,
    longestTargets: longest === null ? [] : [...longest.targets].sort((a, b) => b.windowSeconds - a.windowSeconds).map((t) => t.target),
    resets: leaving.reduce((n, e) => n + e.resets, 0),
    settings,
    platform,
    platformEvidence: evidence,
    platforms: platformAdvice(mainKind, platform, settings ?? drainSettings(0)),
  };
}

function base(group: GroupState, input: RecommendInput, events: number): Omit<AdviceBase, 'kind'> {
  const perDay = input.spanMs > 0 ? (events * DAY_MS) / input.spanMs : events;
  return {
    targetGroup: group.arn,
    targetGroupName: group.name,
    events,
    requests: group.requests,
    rateOfRequests: group.requests > 0 ? events / group.requests : 0,
    racesPerDay: round(perDay, 1),
    albIdleTimeoutSeconds: input.albIdleTimeoutSeconds,
  };
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
