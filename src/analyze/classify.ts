/**
 * One 5xx/460 entry → its cause, from the entry alone (domain.md §5). Most causes are final here. The
 * three shapes a keep-alive race can take in the log are not: whether a race-shaped 502 is a
 * `keepalive_race`, a `closed_connection_race` or a `target_connection_error` depends on its idle gap,
 * on the target group's estimated keep-alive timeout and on the 502s around it (see races.ts), so it is
 * returned as `race` with its shape and decided when the whole input has been read.
 */
import { F } from '../parse/fields.js';
import type { AlbEntry } from '../parse/parseLine.js';
import type { CauseClass } from '../types.js';
import { CONNECT_TIMEOUT_BAND_MS, RACE_MAX_ELAPSED_MS, RACE_MAX_TARGET_MS } from './constants.js';

/**
 * How the ALB logged a 502 that could be a race (domain.md §5):
 * - A: rpt ≥ 0, tpt ≥ 0 and small, rspt -1: the request was written onto a socket the target had closed.
 * - B: -1 -1 -1: the ALB saw the close at dispatch; also what a refused connection looks like.
 * - C: rpt ≥ 0, tpt -1, rspt -1.
 */
export type RaceShape = 'A' | 'B' | 'C';

export type Verdict = { kind: 'final'; cls: CauseClass } | { kind: 'race'; shape: RaceShape };

export { CONNECT_TIMEOUT_BAND_MS, RACE_MAX_ELAPSED_MS, RACE_MAX_TARGET_MS } from './constants.js';

const FINAL = new Map<CauseClass, Verdict>();
const final = (cls: CauseClass): Verdict => {
  let v = FINAL.get(cls);
  if (!v) FINAL.set(cls, (v = { kind: 'final', cls }));
  return v;
};
const RACE: Record<RaceShape, Verdict> = {
  A: { kind: 'race', shape: 'A' },
  B: { kind: 'race', shape: 'B' },
  C: { kind: 'race', shape: 'C' },
};

/** Whether an entry is one the analysis explains: any 5xx from the ALB, and 460. */
export function isErrorStatus(elbStatus: number | null): boolean {
  return elbStatus !== null && (elbStatus === 460 || (elbStatus >= 500 && elbStatus <= 599));
}

/**
 * The cause of a 5xx/460 entry, or null for any other entry. Never throws. One 4xx is classified too:
 * the ALB's 400 for a request it could not parse (target `-`, request `"- …"`), domain.md §5's
 * "malformed request", as `alb_rejected`; every other 4xx is the target's or the client's business.
 */
export function classifyEntry(entry: AlbEntry): Verdict | null {
  const status = entry.number(F.elb_status_code);
  if (status === 400 && entry.isNull(F.target_port) && isMalformedRequest(entry)) return final('alb_rejected');
  if (!isErrorStatus(status)) return null;
  if (status === 460) return final('client_closed');

  const errorReason = entry.text(F.error_reason);
  if (errorReason !== null) {
    // Lambda targets report their failures here; never a race, they have no keep-alive connection.
    if (errorReason.startsWith('Lambda')) return final('lambda_error');
    // Auth*, JWT, WAF* and weighted-target-group codes: the ALB itself refused or failed the request.
    return final('alb_rejected');
  }

  const targetStatus = entry.number(F.target_status_code);
  if (targetStatus !== null && targetStatus >= 500) return final('target_5xx');

  const hasTarget = !entry.isNull(F.target_port);
  if (!hasTarget) {
    if (status === 503) return final('no_healthy_targets');
    // 561 authentication IdP errors; 5xx on malformed requests or after a WAF/authenticate action.
    if (status === 561 || status === 562 || isMalformedRequest(entry) || hasAlbOnlyAction(entry)) return final('alb_rejected');
    return final('unclassified');
  }

  const rpt = entry.number(F.request_processing_time);
  const tpt = entry.number(F.target_processing_time);
  const rspt = entry.number(F.response_processing_time);

  if (status === 504) {
    const elapsedMs = entry.timeMs - entry.requestCreationTimeMs;
    if (elapsedMs >= CONNECT_TIMEOUT_BAND_MS[0] && elapsedMs < CONNECT_TIMEOUT_BAND_MS[1]) return final('connect_timeout');
    // Both rpt ≥ 0 with tpt -1 and -1 -1 -1 are logged for idle-timeout 504s. Without
    // request_creation_time (2016 layout) the elapsed time is unknown: the idle timeout, by far the more
    // common of the two, is assumed.
    return final('target_timeout');
  }

  if (status === 502 && targetStatus === null) {
    // A drop seconds after the request arrived is the target dying mid-request, not a race (RACE_MAX_ELAPSED_MS).
    // Without request_creation_time (2016 layout) the elapsed time is unknown (NaN) and says nothing.
    if (entry.timeMs - entry.requestCreationTimeMs > RACE_MAX_ELAPSED_MS && (rpt === -1 || (rpt !== null && rpt >= 0 && rspt === -1 && tpt !== null))) return final('target_reset');
    if (rpt === -1) return RACE.B;
    if (rpt !== null && rpt >= 0 && rspt === -1) {
      if (tpt === -1) return RACE.C;
      if (tpt !== null && tpt >= 0) return tpt * 1000 <= RACE_MAX_TARGET_MS ? RACE.A : final('target_reset');
    }
    return final('unclassified');
  }
  // 502 with a non-5xx target status (malformed response headers), 500, 501, 505, 508, …
  return final('unclassified');
}

/** Request field `"- http://host:80- -"`: the client sent no parseable request. */
function isMalformedRequest(entry: AlbEntry): boolean {
  if (entry.isNull(F.request)) return true;
  const start = entry.spans.start[F.request]!;
  const end = entry.spans.end[F.request]!;
  return end - start >= 2 && entry.buf[start] === 0x2d /* - */ && entry.buf[start + 1] === 0x20;
}

/** actions_executed shows the ALB stopped at WAF or authentication before forwarding. */
function hasAlbOnlyAction(entry: AlbEntry): boolean {
  const actions = entry.text(F.actions_executed);
  if (actions === null) return false;
  return !actions.includes('forward') && /waf|authenticate/.test(actions);
}
