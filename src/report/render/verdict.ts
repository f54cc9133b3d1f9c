/**
 * The words every human-facing renderer shares: what each cause class is called, and the headline
 * verdict — the one or few sentences a reader acts on. Plain strings, no colour or markup.
 */
import type { CauseClass, ClassCounts, Report, ServerAdvice, TargetGroupReport } from '../model.js';
import { formatCount, formatSeconds } from './format.js';

export const CLASS_LABELS: Record<CauseClass, string> = {
  keepalive_race: 'keep-alive race',
  closed_connection_race: 'closed connection, not idle-timed',
  target_connection_error: 'connection to target failed',
  target_reset: 'target dropped the request',
  target_5xx: 'target 5xx',
  target_timeout: 'target timeout (504)',
  connect_timeout: 'connect timeout (504)',
  no_healthy_targets: 'no healthy targets (503)',
  lambda_error: 'Lambda error',
  client_closed: 'client closed (460)',
  alb_rejected: 'rejected by the ALB',
  unclassified: 'unclassified',
};

/**
 * Races whose idle age points at the target's keep-alive timeout. A request on a connection the target
 * closed for another reason (request limits, recycling) is `closed_connection_race`: same 502, other fix.
 */
const RACE_CLASSES: readonly CauseClass[] = ['keepalive_race'];
/** Classes whose entries the ALB itself answered with 502. */
const BAD_GATEWAY_CLASSES: readonly CauseClass[] = ['keepalive_race', 'closed_connection_race', 'target_connection_error', 'target_reset'];

const sum = (counts: ClassCounts, classes?: readonly CauseClass[]): number =>
  (classes ?? (Object.keys(counts) as CauseClass[])).reduce((total, id) => total + (counts[id] ?? 0), 0);

export const racesOf = (counts: ClassCounts): number => sum(counts, RACE_CLASSES);
export const badGatewaysOf = (counts: ClassCounts): number => sum(counts, BAD_GATEWAY_CLASSES);
export const errorsOf = (counts: ClassCounts): number => sum(counts);

/** `41 keep-alive race, 10 target 5xx`: classes by count, largest first; `limit` then "…and N more". */
export function describeClasses(counts: ClassCounts, limit = Infinity): string[] {
  const entries = (Object.entries(counts) as [CauseClass, number][])
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const parts = entries.slice(0, limit).map(([id, n]) => `${formatCount(n)} ${CLASS_LABELS[id] ?? id}`);
  const rest = entries.slice(limit).reduce((total, [, n]) => total + n, 0);
  if (rest > 0) parts.push(`${formatCount(rest)} other`);
  return parts;
}

/** Most races first, then most errors, then most requests; ties by name so output is repeatable. */
export function sortGroups(groups: readonly TargetGroupReport[]): TargetGroupReport[] {
  return [...groups].sort(
    (a, b) =>
      racesOf(b.classes) - racesOf(a.classes) ||
      errorsOf(b.classes) - errorsOf(a.classes) ||
      b.requests - a.requests ||
      a.name.localeCompare(b.name),
  );
}

/** Class counts not attributed to any target group (e.g. requests the ALB rejected before routing). */
export function ungroupedClasses(report: Report): ClassCounts {
  const rest: ClassCounts = {};
  for (const [id, total] of Object.entries(report.classes) as [CauseClass, number][]) {
    const inGroups = report.targetGroups.reduce((n, g) => n + (g.classes[id] ?? 0), 0);
    if (total - inGroups > 0) rest[id] = total - inGroups;
  }
  return rest;
}

export type VerdictTone = 'race' | 'other' | 'clear' | 'empty';

export interface VerdictLine {
  tone: VerdictTone;
  text: string;
}

/** How many groups with races get a headline of their own. */
const MAX_RACE_HEADLINES = 3;

export function verdict(report: Report): VerdictLine[] {
  const { entries, outsideWindow } = report.input;
  if (entries === 0) {
    return [{ tone: 'empty', text: 'No log entries were read, so there is nothing to diagnose; check the paths given.' }];
  }
  if (entries - outsideWindow <= 0) {
    return [{ tone: 'empty', text: `All ${formatCount(entries)} entries fell outside --from/--to, so there is nothing to diagnose; widen the window.` }];
  }
  const errors = errorsOf(report.classes);
  if (errors === 0) {
    return [{ tone: 'clear', text: `No 5xx or 460 responses in ${formatCount(entries - outsideWindow)} entries: nothing to diagnose.` }];
  }
  const lines: VerdictLine[] = [];
  const racing = sortGroups(report.targetGroups).filter((g) => racesOf(g.classes) > 0);
  for (const group of racing.slice(0, MAX_RACE_HEADLINES)) lines.push({ tone: 'race', text: raceHeadline(group) });
  if (racing.length > MAX_RACE_HEADLINES) {
    const more = racing.slice(MAX_RACE_HEADLINES);
    const races = more.reduce((n, g) => n + racesOf(g.classes), 0);
    lines.push({ tone: 'race', text: `Keep-alive races also in ${more.length} more target groups (${formatCount(races)} in all).` });
  }
  const others: ClassCounts = { ...report.classes };
  for (const id of RACE_CLASSES) delete others[id];
  const otherParts = describeClasses(others, 4);
  if (racing.length === 0) {
    lines.push({ tone: 'other', text: `No keep-alive races: the ${formatCount(errors)} errors are ${otherParts.join(', ')}.` });
  } else if (otherParts.length > 0) {
    lines.push({ tone: 'other', text: `Other errors: ${otherParts.join(', ')}.` });
  }
  return lines;
}

function raceHeadline(group: TargetGroupReport): string {
  const races = racesOf(group.classes);
  const badGateways = badGatewaysOf(group.classes);
  const head = `Keep-alive races: ${formatCount(races)} of ${formatCount(badGateways)} 502s in ${group.name}`;
  const { estimatedSeconds, confidence } = group.keepAlive;
  if (estimatedSeconds === null || confidence === 'none') {
    return `${head} hit connections the target had already closed, but their idle ages point to no single timeout (request limits, worker recycling or deploys close connections too).`;
  }
  const server = group.suspectedServers[0];
  const asides = [
    ...(server === undefined ? [] : [`matches the ${server} default`]),
    ...(confidence === 'low' ? ['low confidence: few races so far'] : []),
  ];
  const aside = asides.length === 0 ? '' : ` (${asides.join('; ')})`;
  return `${head} come from idle connections closed at ≈${formatSeconds(estimatedSeconds)} by the target${aside}.`;
}

/**
 * A target group's display name from what the report keys it by elsewhere (recommendations and the
 * timeline may use the ARN): the group's `name`, else the ARN's `targetgroup/<name>/` part, else as given.
 */
export function groupNamer(report: Report): (key: string) => string {
  const names = new Map<string, string>();
  for (const group of report.targetGroups) {
    names.set(group.arn, group.name);
    names.set(group.name, group.name);
  }
  return (key) => names.get(key) ?? /targetgroup\/([^/]+)\//.exec(key)?.[1] ?? key;
}

/** Extra keys a server advice may carry beyond the contract: a display name and a side condition. */
export const serverName = (server: ServerAdvice): string => {
  const name = (server as ServerAdvice & { name?: unknown }).name;
  return typeof name === 'string' && name.trim() !== '' ? name : server.server;
};
export const serverNote = (server: ServerAdvice): string | null => {
  const note = (server as ServerAdvice & { note?: unknown }).note;
  return typeof note === 'string' && note.trim() !== '' ? note : null;
};

export const ALB_IDLE_SOURCE: Record<Report['albIdleTimeoutSeconds']['source'], string> = {
  flag: 'from --alb-idle-timeout',
  inferred: 'inferred from 504s',
  default: 'AWS default; pass --alb-idle-timeout if yours differs',
};
