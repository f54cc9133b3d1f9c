import { describe, expect, it } from 'vitest';
import { classifyEntry, RACE_MAX_ELAPSED_MS, RACE_MAX_TARGET_MS } from '../../src/analyze/classify.js';
import { line, parse, type RequestSpec } from './lines.js';

/** What classifyEntry returns, as one comparable string: a class id, `race:<shape>`, or `none`. */
function verdictOf(spec: RequestSpec): string {
  const verdict = classifyEntry(parse(line(spec)));
  if (verdict === null) return 'none';
  return verdict.kind === 'final' ? verdict.cls : `race:${verdict.shape}`;
}

const cases: [name: string, spec: RequestSpec, expected: string][] = [
  // Not explained: ordinary answers, target 4xx, client errors.
  ['200 from the target', { at: 0 }, 'none'],
  ['404 from the target', { at: 0, elb: 404 }, 'none'],
  ['403 from a WAF block (not 5xx)', { at: 0, elb: 403, target: null, targetStatus: null, actions: 'waf', rpt: -1 }, 'none'],
  // Keep-alive race shapes (domain.md §5).
  ['race shape A: tpt small, rspt -1', { at: 0, elb: 502, targetStatus: null, tpt: 0.001, rspt: -1 }, 'race:A'],
  ['race shape A at the tpt limit', { at: 0, elb: 502, targetStatus: null, tpt: RACE_MAX_TARGET_MS / 1000, rspt: -1 }, 'race:A'],
  ['race shape B: -1 -1 -1', { at: 0, elb: 502, targetStatus: null, rpt: -1 }, 'race:B'],
  ['race shape C: tpt -1, rspt -1', { at: 0, elb: 502, targetStatus: null, tpt: -1, rspt: -1 }, 'race:C'],
  // Look-alikes that are not races.
  ['target dropped the connection while working', { at: 0, duration: 12_000, elb: 502, targetStatus: null, tpt: 11.5, rspt: -1 }, 'target_reset'],
  ['race shape C that took 8 s is the target dying, not a race', { at: 0, duration: 8_000, elb: 502, targetStatus: null, tpt: -1, rspt: -1 }, 'target_reset'],
  ['race shape B that took 5 s is not a race', { at: 0, duration: 5_000, elb: 502, targetStatus: null, rpt: -1 }, 'target_reset'],
  ['race shape C at the elapsed limit is still a race', { at: 0, duration: RACE_MAX_ELAPSED_MS, elb: 502, targetStatus: null, tpt: -1, rspt: -1 }, 'race:C'],
  ['race shape B in the 2016 layout (no elapsed time)', { at: 0, duration: 5_000, elb: 502, targetStatus: null, rpt: -1, fields: 20 }, 'race:B'],
  ['502 with a target status (malformed response)', { at: 0, elb: 502, targetStatus: 200, tpt: 0.01, rspt: -1 }, 'unclassified'],
  ['502 with a Lambda error reason', { at: 0, elb: 502, target: null, targetStatus: null, tpt: 0.09, errorReason: 'LambdaUnhandled' }, 'lambda_error'],
  ['502 with a race shape but an error reason', { at: 0, elb: 502, targetStatus: null, tpt: 0.001, rspt: -1, errorReason: 'WAFConnectionError' }, 'alb_rejected'],
  // Target answers with 5xx.
  ['500 passed through', { at: 0, elb: 500, targetStatus: 500 }, 'target_5xx'],
  ['503 passed through', { at: 0, elb: 503, targetStatus: 503 }, 'target_5xx'],
  // 504s: the elapsed time tells the idle timeout from the 10 s connect timeout.
  ['504 at the idle timeout, tpt -1', { at: 0, duration: 60_400, elb: 504, targetStatus: null, tpt: -1, rspt: -1 }, 'target_timeout'],
  ['504 at the idle timeout, -1 -1 -1', { at: 0, duration: 60_400, elb: 504, targetStatus: null, rpt: -1 }, 'target_timeout'],
  ['504 after 10 s connecting', { at: 0, duration: 10_003, elb: 504, targetStatus: null, rpt: -1 }, 'connect_timeout'],
  ['504 at an 11 s idle timeout is not a connect timeout', { at: 0, duration: 11_200, elb: 504, targetStatus: null, rpt: -1 }, 'target_timeout'],
  ['504 in the 2016 layout (no request_creation_time)', { at: 0, duration: 60_400, elb: 504, targetStatus: null, rpt: -1, fields: 20 }, 'target_timeout'],
  // No target.
  ['503 with no target', { at: 0, elb: 503, target: null, targetStatus: null, rpt: -1 }, 'no_healthy_targets'],
  ['500 with no target and no reason', { at: 0, elb: 500, target: null, targetStatus: null, rpt: -1 }, 'unclassified'],
  ['561 from the identity provider', { at: 0, elb: 561, target: null, targetStatus: null, rpt: -1, actions: 'authenticate' }, 'alb_rejected'],
  ['500 after an authenticate action', { at: 0, elb: 500, target: null, targetStatus: null, rpt: -1, actions: 'authenticate' }, 'alb_rejected'],
  ['400 for a request the ALB could not parse', { at: 0, elb: 400, target: null, targetStatus: null, rpt: -1, request: '- http://shop.example.com:80- -' }, 'alb_rejected'],
  ['400 from the target is not the ALB rejecting', { at: 0, elb: 400, targetStatus: 400 }, 'none'],
  // Clients.
  ['460: the client gave up', { at: 0, duration: 30_000, elb: 460, targetStatus: null, tpt: -1, rspt: -1 }, 'client_closed'],
  ['460 with no target', { at: 0, elb: 460, target: null, targetStatus: null, rpt: -1 }, 'client_closed'],
  ['auth error reason with a 401 is not explained', { at: 0, elb: 401, target: null, targetStatus: null, rpt: -1, errorReason: 'AuthInvalidIdToken' }, 'none'],
];

describe('classifyEntry', () => {
  it.each(cases)('%s', (_name, spec, expected) => {
    expect(verdictOf(spec)).toBe(expected);
  });

  it('never throws on a line of the oldest layout with every status', () => {
    for (let status = 100; status < 600; status += 7) {
      expect(() => classifyEntry(parse(line({ at: 0, elb: status, fields: 20 })))).not.toThrow();
    }
  });
});
