/** The advice in words: each kind, with counts as a reader expects them (separators, plurals, one label per class). */
import { describe, expect, it } from 'vitest';
import type { Advice } from '../../src/analyze/recommend.js';
import { serverById } from '../../src/analyze/servers.js';
import { formatRate, wordAdvice } from '../../src/report/advice.js';

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef';
const base = { targetGroup: ARN, targetGroupName: 'api', albIdleTimeoutSeconds: 60 };
const node = serverById('nodejs')!;

const keepAlive = (events: number, requests: number, racesPerDay: number, estimatedSeconds = 6): Advice => ({
  ...base,
  kind: 'keepalive',
  events,
  requests,
  rateOfRequests: events / requests,
  racesPerDay,
  estimatedSeconds,
  targetKeepAliveSeconds: 65,
  racesAtOrAboveAlbIdleTimeout: estimatedSeconds >= 59,
  matchedServers: [{ profile: node, snippet: 'server.keepAliveTimeout = 65000;' }],
  servers: [{ profile: node, snippet: 'server.keepAliveTimeout = 65000;' }],
});

describe('wordAdvice', () => {
  it('writes the contract keys in their order, then the additions', () => {
    const [rec] = wordAdvice([keepAlive(8, 20_484, 32)]);
    expect(Object.keys(rec!)).toEqual([
      'targetGroup', 'action', 'targetKeepAliveSeconds', 'albIdleTimeoutSeconds', 'servers', 'racesPerDay', 'reason', 'kind', 'events', 'rateOfRequests',
    ]);
    expect(rec).toMatchObject({ targetGroup: ARN, targetKeepAliveSeconds: 65, albIdleTimeoutSeconds: 60, racesPerDay: 32, kind: 'keepalive', events: 8 });
    expect(rec!.servers).toEqual([{ server: 'nodejs', name: node.name, setting: node.setting, snippet: 'server.keepAliveTimeout = 65000;', note: node.note }]);
    expect(rec!.action).toBe("Raise the idle keep-alive timeout of api's targets from about 6.0 s to 65 s or more (ALB idle timeout 60 s + margin).");
  });

  it('counts with plurals and separators, never "(s)"', () => {
    const many = wordAdvice([keepAlive(26_445, 1_000_000, 12_345.5)])[0]!.reason;
    expect(many).toMatch(/^26,445 keep-alive races at an idle age of about 6.0 s/);
    expect(many).toMatch(/about 12,345.5 per day\.$/);
    const one = wordAdvice([keepAlive(1, 20_484, 4)])[0]!.reason;
    expect(one).toMatch(/^1 keep-alive race at/);
    expect(one).toContain('1 in 20,484');
    for (const text of [many, one]) expect(text).not.toContain('(s)');
  });

  const others: [Advice['kind'], number, RegExp][] = [
    ['deploy', 16, /^16 failed connections to the target: /],
    ['deploy', 1, /^1 failed connection to the target: /],
    ['closed_connections', 1_200, /^1,200 closed connections, not idle-timed: 502s that look/],
    ['closed_connections', 1, /^1 closed connection, not idle-timed: a 502 that looks/],
    ['connect_timeouts', 3, /^3 connect timeouts \(504\): /],
    ['no_healthy_targets', 2, /^2 503s with no healthy target: api had no/],
    ['slow_targets', 5, /^5 target timeouts \(504\): no answer from the target within the ALB idle timeout \(60 s\)/],
    ['slow_targets', 1, /^1 target timeout \(504\): /],
  ];
  it.each(others)('%s × %i: the class by its label', (kind, events, reason) => {
    const advice = { ...base, kind, events, requests: 100_000, rateOfRequests: events / 100_000, racesPerDay: events } as Advice;
    const [rec] = wordAdvice([advice]);
    expect(rec!.reason).toMatch(reason);
    expect(rec!.reason).not.toContain('(s)');
    expect(rec).toMatchObject({ targetKeepAliveSeconds: null, servers: [], kind, events });
  });

  it("adds the deregistration delay read with --describe to the group's deploy advice, and to no other", () => {
    const deploy = { ...base, kind: 'deploy', events: 16, requests: 100_000, rateOfRequests: 16 / 100_000, racesPerDay: 16 } as Advice;
    const delays = new Map([[ARN, 300]]);
    const [withDelay, keepAliveAdvice] = wordAdvice([deploy, keepAlive(8, 20_484, 32)], { deregistrationDelays: delays });
    expect(withDelay!.action).toMatch(/^Drain targets of api .*\. api's deregistration delay is 300 s \(deregistration_delay\.timeout_seconds, read with --describe\): .*waits up to 300 s for those in flight/);
    expect(keepAliveAdvice!.action).not.toContain('deregistration delay is');
    // A delay of 0 s is worded as the cut it is.
    expect(wordAdvice([deploy], { deregistrationDelays: new Map([[ARN, 0]]) })[0]!.action).toContain('drops requests in flight the moment a target is deregistered');
    // Without --describe, or for another group, the advice is as it was.
    expect(wordAdvice([deploy], { deregistrationDelays: new Map([['arn:other', 30]]) })[0]!.action).toBe(wordAdvice([deploy])[0]!.action);
  });

  it('says when races sit at or above the ALB idle timeout', () => {
    expect(wordAdvice([keepAlive(8, 20_484, 32, 60)])[0]!.reason).toMatch(/more than the usual 5 s margin/);
    expect(wordAdvice([keepAlive(8, 20_484, 32, 6)])[0]!.reason).not.toMatch(/margin/);
  });
});

describe('formatRate', () => {
  it('writes small rates as 1 in N and larger ones as percentages', () => {
    expect(formatRate(1, 3285)).toBe('1 in 3,285');
    expect(formatRate(5, 100)).toBe('5 %');
    expect(formatRate(1, 0)).toBe('an unknown share');
  });
});
