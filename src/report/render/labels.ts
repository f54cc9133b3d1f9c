/**
 * Every word the human-facing renderers put next to a number, in one table: what each cause class is
 * called (one and many), what the servers are called (never their ids in prose), and the units counted.
 */
import { serverById } from '../../analyze/servers.js';
import type { CauseClass, Report, ServerAdvice } from '../model.js';
import { formatCount } from './format.js';

interface Label {
  one: string;
  many: string;
}

export const CLASS_LABELS: Record<CauseClass, Label> = {
  keepalive_race: { one: 'keep-alive race', many: 'keep-alive races' },
  closed_connection_race: { one: 'closed connection, not idle-timed', many: 'closed connections, not idle-timed' },
  target_connection_error: { one: 'failed connection to the target', many: 'failed connections to the target' },
  target_reset: { one: 'request dropped by the target', many: 'requests dropped by the target' },
  target_5xx: { one: 'target 5xx', many: 'target 5xx' },
  target_timeout: { one: 'target timeout (504)', many: 'target timeouts (504)' },
  connect_timeout: { one: 'connect timeout (504)', many: 'connect timeouts (504)' },
  no_healthy_targets: { one: '503 with no healthy target', many: '503s with no healthy target' },
  lambda_error: { one: 'Lambda error', many: 'Lambda errors' },
  client_closed: { one: 'client closed (460)', many: 'client closed (460)' },
  alb_rejected: { one: 'rejected by the ALB', many: 'rejected by the ALB' },
  unclassified: { one: 'unclassified', many: 'unclassified' },
};

export const UNITS = {
  entry: { one: 'entry', many: 'entries' },
  error: { one: 'error', many: 'errors' },
  file: { one: 'file', many: 'files' },
  input: { one: 'input', many: 'inputs' },
  line: { one: 'line', many: 'lines' },
  pair: { one: 'ALB node and target pair', many: 'ALB node and target pairs' },
  part: { one: 'part', many: 'parts' },
  raceShaped502: { one: 'race-shaped 502', many: 'race-shaped 502s' },
  request: { one: 'request', many: 'requests' },
  targetGroup: { one: 'target group', many: 'target groups' },
} as const satisfies Record<string, Label>;

const labelFor = (label: Label, count: number): string => (count === 1 ? label.one : label.many);

/** `1 request`, `26,445 requests`; with a word between: `3 more target groups`. */
export const countOf = (count: number, unit: keyof typeof UNITS, between = ''): string =>
  `${formatCount(count)} ${between === '' ? '' : between + ' '}${labelFor(UNITS[unit], count)}`;

/** `1 keep-alive race`, `3 client closed (460)`; an id this version does not know stays as it is. */
export function classCount(id: string, count: number): string {
  const label = (CLASS_LABELS as Record<string, Label | undefined>)[id];
  return `${formatCount(count)} ${label === undefined ? id.replaceAll('_', ' ') : labelFor(label, count)}`;
}

/** `errors/day` as a rate's unit: `≈ 1 error/day`, `≈ 0.5 errors/day`. */
export const perDayUnit = (perDay: number, unit: keyof typeof UNITS): string => `${labelFor(UNITS[unit], perDay)}/day`;

/** A server's display name: the advice's own `name` when it has one, else the server table's, else the id. */
export function serverLabel(server: ServerAdvice | string): string {
  const id = typeof server === 'string' ? server : server.server;
  const own = typeof server === 'string' ? undefined : (server as ServerAdvice & { name?: unknown }).name;
  if (typeof own === 'string' && own.trim() !== '') return own;
  return serverById(id)?.name ?? id;
}

/** A server advice's side condition, an addition beyond the contract. */
export function serverNote(server: ServerAdvice): string | null {
  const note = (server as ServerAdvice & { note?: unknown }).note;
  return typeof note === 'string' && note.trim() !== '' ? note : null;
}

export const ALB_IDLE_SOURCE: Record<Report['albIdleTimeoutSeconds']['source'], string> = {
  flag: 'from --alb-idle-timeout',
  described: "the load balancer's setting, read with --describe",
  inferred: 'inferred from 504s',
  default: 'AWS default; pass --alb-idle-timeout if yours differs',
};

/** `skipped_by_reason` ids read as words: `connection_log` → `connection logs`. */
export const SKIP_REASON_LABELS: Record<string, Label> = {
  connection_log: { one: 'connection log', many: 'connection logs' },
  health_check_log: { one: 'health-check log', many: 'health-check logs' },
  test_file: { one: 'ALB test file', many: 'ALB test files' },
  nlb_log: { one: 'NLB log', many: 'NLB logs' },
  classic_elb_log: { one: 'Classic ELB log', many: 'Classic ELB logs' },
  empty_object: { one: 'empty object', many: 'empty objects' },
  not_a_log_file: { one: 'not a log file', many: 'not log files' },
};

export function skipReasonCount(reason: string, count: number): string {
  const label = SKIP_REASON_LABELS[reason];
  return `${formatCount(count)} ${label === undefined ? reason.replaceAll('_', ' ') : labelFor(label, count)}`;
}
