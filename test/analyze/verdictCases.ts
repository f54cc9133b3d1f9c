/** Verdict inputs and what the rules answer for them (analyze/verdict.ts), shared by the rule and wording tests. */
import type { VerdictGroupInput, VerdictInput, VerdictStatus } from '../../src/analyze/verdict.js';

export const HOUR_MS = 3_600_000;

/** Exposure at two known closes; `perDay` requests a day in each band, a twelfth of which would race. */
const exposure = (perDay: number): VerdictGroupInput['exposure'] => [
  { closeSeconds: 5, fromMs: 4992, toMs: 5030, requestsPerDay: perDay, expectedRacesPerDay: perDay / 12 },
  { closeSeconds: 6, fromMs: 5991, toMs: 6032, requestsPerDay: 2 * perDay, expectedRacesPerDay: (2 * perDay) / 12 },
];

/** A group whose requests reused connections idle 0.5 s (`busy`) and 3 s (`idle`). */
export function group(name: string, parts: { busy?: number; idle?: number; races?: number; estimate?: number | null; perDay?: number } = {}): VerdictGroupInput {
  const { busy = 10_000, idle = 500, races = 0, estimate = null, perDay = 1_000 } = parts;
  return {
    arn: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/0123456789abcdef`,
    name,
    requests: busy + idle,
    classes: races > 0 ? { keepalive_race: races, target_5xx: 2 } : { target_5xx: 2 },
    keepAlive: { estimatedSeconds: estimate, confidence: estimate === null ? 'none' : 'medium' },
    idleAgeBuckets: [
      { fromMs: 0, toMs: 1000, requests: busy, races: 0 },
      { fromMs: 1000, toMs: 2000, requests: 0, races: 0 },
      { fromMs: 2000, toMs: 5000, requests: idle, races: 0 },
      { fromMs: 5000, toMs: 7000, requests: races * 20, races },
    ],
    exposure: exposure(perDay),
  };
}

/** 21 races before noon, none in the 12 h after, where 10 were expected. */
export const change = (verdict: 'stopped' | 'started'): NonNullable<VerdictGroupInput['raceChange']> => ({
  at: '2026-03-14T12:00:00.000Z',
  verdict,
  before: { races: verdict === 'stopped' ? 21 : 0 },
  after: { races: verdict === 'stopped' ? 0 : 21 },
  pValue: 2e-6,
  expectedRaces: 10,
  quietMs: 12 * HOUR_MS,
});

export function input(groups: VerdictGroupInput[], over: Partial<VerdictInput> = {}): VerdictInput {
  const dispatches = groups.reduce((n, g) => n + g.requests, 0);
  return { entries: dispatches, spanMs: 6 * HOUR_MS, dispatches, outOfOrder: 0, withoutIdleGap: 0, groups, ...over };
}

export const VERDICT_CASES: [name: string, input: VerdictInput, overall: VerdictStatus, overallCodes: string[], perGroup: VerdictStatus[]][] = [
  ['one group races', input([group('api', { races: 8, estimate: 6 })]), 'races', ['KEEPALIVE_RACES'], ['races']],
  ['races outrank a healthy group', input([group('web'), group('api', { races: 3, estimate: 6 })]), 'races', ['KEEPALIVE_RACES'], ['none', 'races']],
  ['races outrank a group that cannot tell', input([group('api', { races: 3, estimate: 6 }), group('cron', { idle: 40 })]), 'races', ['KEEPALIVE_RACES'], ['races', 'cannot-tell']],
  ['races even in a short window', input([group('api', { races: 2, estimate: 6 })], { spanMs: 10 * 60_000 }), 'races', ['KEEPALIVE_RACES'], ['races']],
  ['healthy groups with long idle reuse', input([group('web'), group('api', { idle: 100 })]), 'none', ['NO_RACES', 'NO_RACES'], ['none', 'none']],
  ['cannot tell outranks none', input([group('web'), group('cron', { idle: 99 })]), 'cannot-tell', ['FEW_IDLE_REQUESTS'], ['none', 'cannot-tell']],
  ['no entries', input([], { entries: 0 }), 'cannot-tell', ['NO_ENTRIES'], []],
  ['no group reached a target', input([], { entries: 120, dispatches: 0 }), 'cannot-tell', ['NO_TARGET_ENTRIES'], []],
  ['entries but none dispatched to a target', input([group('api')], { dispatches: 0 }), 'cannot-tell', ['NO_TARGET_ENTRIES'], ['cannot-tell']],
  ['too short a window', input([group('web')], { spanMs: 59 * 60_000 }), 'cannot-tell', ['WINDOW_TOO_SHORT'], ['cannot-tell']],
  ['many entries out of order', input([group('web', { busy: 9_500 })], { outOfOrder: 101 }), 'cannot-tell', ['MANY_OUT_OF_ORDER'], ['cannot-tell']],
  ['a few entries out of order', input([group('web', { busy: 9_500 })], { outOfOrder: 100 }), 'none', ['NO_RACES'], ['none']],
  ['many requests without an idle gap', input([group('web', { busy: 9_500 })], { withoutIdleGap: 200 }), 'cannot-tell', ['MANY_WITHOUT_IDLE_GAP'], ['cannot-tell']],
  ['busy group, no connection idle long enough', input([group('web', { idle: 0 })]), 'cannot-tell', ['FEW_IDLE_REQUESTS'], ['cannot-tell']],
  // 31 requests a day near 5 s: a 5 s target would race about 2.6 times a day, so 6 h without one says little.
  ['little traffic near a known close', input([group('web', { perDay: 31 })]), 'cannot-tell', ['LITTLE_EXPOSURE'], ['cannot-tell']],
  ['enough traffic near every known close', input([group('web', { perDay: 200 })]), 'none', ['NO_RACES'], ['none']],
  ['no exposure measured at all', input([{ ...group('web'), exposure: [] }]), 'cannot-tell', ['LITTLE_EXPOSURE'], ['cannot-tell']],
  ['group without requests', input([group('web'), { ...group('empty', { busy: 0, idle: 0 }) }]), 'cannot-tell', ['NO_REQUESTS'], ['none', 'cannot-tell']],
  ['races that stopped in the window', input([{ ...group('api', { races: 21, estimate: 6 }), raceChange: change('stopped') }]), 'stopped', ['RACES_STOPPED', 'KEEPALIVE_RACES'], ['stopped']],
  ['races elsewhere outrank races that stopped', input([{ ...group('api', { races: 21, estimate: 6 }), raceChange: change('stopped') }, group('app', { races: 3, estimate: 2 })]), 'races', ['KEEPALIVE_RACES'], ['stopped', 'races']],
  ['stopped outranks cannot tell', input([{ ...group('api', { races: 21, estimate: 6 }), raceChange: change('stopped') }, group('cron', { idle: 40 })]), 'stopped', ['RACES_STOPPED', 'KEEPALIVE_RACES'], ['stopped', 'cannot-tell']],
  ['races that started in the window', input([{ ...group('api', { races: 21, estimate: 6 }), raceChange: change('started') }]), 'races', ['RACES_STARTED', 'KEEPALIVE_RACES'], ['races']],
];
