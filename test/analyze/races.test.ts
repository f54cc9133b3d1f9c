import { describe, expect, it } from 'vitest';
import type { RecentRequests } from '../../src/analyze/connections.js';
import { NO_FIT, type KeepAliveFit } from '../../src/analyze/keepalive.js';
import { classifyRaces, markDeployRuns, REFUSAL_SILENCE_MS, replayIdleAgeMs, RUN_GAP_MS, type RaceCandidate } from '../../src/analyze/races.js';
import type { RaceShape } from '../../src/analyze/classify.js';

const candidate = (shape: RaceShape, dispatchedMs: number, extra: Partial<RaceCandidate> = {}): RaceCandidate => ({
  shape,
  dispatchedMs,
  idleGapMs: 1000,
  target: '10.0.0.1:80',
  answeredBeforeMs: NaN,
  answeredAfterMs: dispatchedMs + 50,
  recent: null,
  ...extra,
});

/** A keep-alive band at 6 s, as fitKeepAlive would give for a Node target. */
const NODE_FIT: KeepAliveFit = {
  estimate: { estimatedSeconds: 6, lowSeconds: 5.998, highSeconds: 6.006, confidence: 'high' },
  raceGapRangeMs: [5990, 6030],
  bandRaces: 20,
  pValue: 1e-30,
};

const recent = (pairs: [dispatchedMs: number, endMs: number][]): RecentRequests => ({
  dispatchedMs: Float64Array.from(pairs.map((p) => p[0])),
  endMs: Float64Array.from(pairs.map((p) => p[1])),
});

describe('markDeployRuns', () => {
  it('finds a run of refusals on one target, and the shutdown closes just before it', () => {
    const c = [
      candidate('A', 9_000), // graceful shutdown closing an idle connection
      candidate('B', 10_000),
      candidate('B', 12_000),
      candidate('B', 15_000),
      candidate('B', 100_000), // long after: not in the run
      candidate('B', 11_000, { target: '10.0.0.2:80' }), // another target
    ];
    expect(markDeployRuns(c)).toEqual([true, true, true, true, false, false]);
  });

  it('does not chain refusals farther apart than the run gap', () => {
    const c = [candidate('B', 0), candidate('B', RUN_GAP_MS + 1), candidate('B', 2 * RUN_GAP_MS + 2)];
    expect(markDeployRuns(c)).toEqual([false, false, false]);
  });

  it('does not chain refusals between which the pair was answered (races on a serving target)', () => {
    const c = [candidate('B', 0), candidate('B', 1000, { answeredBeforeMs: 500 }), candidate('B', 2000, { answeredBeforeMs: 1500 })];
    expect(markDeployRuns(c)).toEqual([false, false, false]);
  });
});

describe('classifyRaces', () => {
  const table: [name: string, c: RaceCandidate, inRun: boolean, fit: KeepAliveFit, expected: string][] = [
    ['shape A in the band', candidate('A', 0, { idleGapMs: 6001 }), false, NODE_FIT, 'keepalive_race'],
    ['shape B in the band', candidate('B', 0, { idleGapMs: 6001 }), false, NODE_FIT, 'keepalive_race'],
    ['shape C in the band', candidate('C', 0, { idleGapMs: 6001 }), false, NODE_FIT, 'keepalive_race'],
    ['in the band but in a deploy run (B)', candidate('B', 0, { idleGapMs: 6001 }), true, NODE_FIT, 'target_connection_error'],
    ['in the band but in a deploy run (A)', candidate('A', 0, { idleGapMs: 6001 }), true, NODE_FIT, 'closed_connection_race'],
    ['above the band', candidate('A', 0, { idleGapMs: 9000 }), false, NODE_FIT, 'closed_connection_race'],
    ['below the band with no history', candidate('A', 0, { idleGapMs: 40 }), false, NODE_FIT, 'closed_connection_race'],
    ['no keep-alive signature in the group', candidate('A', 0, { idleGapMs: 6001 }), false, NO_FIT, 'closed_connection_race'],
    ['unknown gap', candidate('C', 0, { idleGapMs: null }), false, NODE_FIT, 'closed_connection_race'],
    ['a lone refusal: the pair stays silent', candidate('B', 0, { idleGapMs: 40, answeredAfterMs: REFUSAL_SILENCE_MS + 1 }), false, NODE_FIT, 'target_connection_error'],
    ['a lone refusal, nothing answered after it', candidate('B', 0, { idleGapMs: 40, answeredAfterMs: NaN }), false, NO_FIT, 'target_connection_error'],
    ['shape B answered soon after: a close, not a refusal', candidate('B', 0, { idleGapMs: 40, answeredAfterMs: 300 }), false, NODE_FIT, 'closed_connection_race'],
    [
      // Oldest-first: two idle connections, the older one idle 6 s; the gap only sees the newer one.
      'below the band, but an oldest-first pool would have picked a 6 s idle connection',
      candidate('A', 10_000, { idleGapMs: 3000, recent: recent([[3900, 4000], [3950, 7000]]) }),
      false,
      NODE_FIT,
      'keepalive_race',
    ],
    [
      'below the band, and no pool would have picked a connection of racing age',
      candidate('A', 10_000, { idleGapMs: 3000, recent: recent([[4990, 5000], [6990, 7000]]) }),
      false,
      NODE_FIT,
      'closed_connection_race',
    ],
  ];
  it.each(table)('%s', (_name, c, inRun, fit, expected) => {
    expect(classifyRaces([c], [inRun], fit).classes).toEqual([expected]);
  });
});

describe('replayIdleAgeMs', () => {
  // Two requests overlap, so two connections; both idle when the third request comes.
  const history = recent([
    [0, 100],
    [50, 2000],
  ]);
  it('hands out the oldest idle connection, or the newest', () => {
    expect(replayIdleAgeMs(history, 6100, 10_000, 'oldest')).toBe(6000);
    expect(replayIdleAgeMs(history, 6100, 10_000, 'newest')).toBe(4100);
  });
  it('drops connections the target has closed', () => {
    expect(replayIdleAgeMs(history, 6100, 5000, 'oldest')).toBe(4100);
    expect(replayIdleAgeMs(history, 9000, 5000, 'oldest')).toBeNaN();
  });
  it('counts a connection taken by a request still in flight as busy', () => {
    const busy = recent([
      [0, 100],
      [5000, 8000],
    ]);
    expect(replayIdleAgeMs(busy, 6100, 10_000, 'newest')).toBeNaN();
  });
});
