/**
 * queries/_replay.sql, the closed forms of the pool replay (oldest-first: a clamp recurrence; newest-first:
 * a stack height), against the loop it replaces (src/analyze/races.ts replayIdleAgeMs), on random request
 * histories run through DuckDB in one query.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { replayIdleAgeMs } from '../../src/analyze/races.js';
import { QUERIES_DIR } from '../../src/athena/templates.js';
import { runLocalSql } from '../../src/athena/local.js';

interface History {
  /** Requests oldest first: dispatch (ms), and the end when it freed its connection. */
  requests: { dispatchedMs: number; endMs: number | null }[];
  dispatchedMs: number;
  closedAfterMs: number;
}

// Whole milliseconds, strictly increasing dispatches, durations of at least 1 ms, and a close limit
// with a half millisecond: no exact ties, whose order neither side defines.
const history: fc.Arbitrary<History> = fc
  .record({
    steps: fc.array(fc.record({ gapMs: fc.integer({ min: 1, max: 800 }), durationMs: fc.integer({ min: 1, max: 3000 }), frees: fc.boolean() }), { maxLength: 32 }),
    lastGapMs: fc.integer({ min: 1, max: 3000 }),
    closedAfterMs: fc.integer({ min: 300, max: 4000 }).map((ms) => ms + 0.5),
  })
  .map(({ steps, lastGapMs, closedAfterMs }) => {
    let t = 1_000_000;
    const requests = steps.map((s) => {
      t += s.gapMs;
      return { dispatchedMs: t, endMs: s.frees ? t + s.durationMs : null };
    });
    return { requests, dispatchedMs: t + lastGapMs, closedAfterMs };
  });

describe('the pool replay in SQL', () => {
  it('hands out the same connection as races.ts, oldest-first and newest-first', async () => {
    const histories = fc.sample(history, { numRuns: 1000, seed: 42 });
    // replay_in: per history i, its 502 (role candidate) and the requests before it (role history).
    const rows = histories.flatMap((h, i) => [
      `('candidate', 'node', 'target-${i}', 1000, NULL, ${h.dispatchedMs * 1000}, NULL, ${h.closedAfterMs}e0, ${i})`,
      ...h.requests.map((r, k) => `('history', 'node', 'target-${i}', 1000, ${k + 1}, ${r.dispatchedMs * 1000}, ${r.endMs === null ? 'NULL' : r.endMs * 1000}, ${h.closedAfterMs}e0, ${i})`),
    ]);
    const replay = readFileSync(join(QUERIES_DIR, '_replay.sql'), 'utf8');
    const sql = `WITH
replay_in AS (
  SELECT role, k_node, k_target, k_seq, CAST(k_history AS BIGINT) AS k_history, dispatched_us, CAST(end_us AS BIGINT) AS end_us, replay_closed_after_ms, history
  FROM (VALUES ${rows.join(',\n')}) AS t (role, k_node, k_target, k_seq, k_history, dispatched_us, end_us, replay_closed_after_ms, history)
),
${replay}
SELECT history, oldest_first_age_ms, newest_first_age_ms FROM replay_out WHERE role = 'candidate' ORDER BY history`;
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const { rows: replayed } = await runLocalSql(connection, sql);
      expect(replayed).toHaveLength(histories.length);
      let replays = 0;
      histories.forEach((h, i) => {
        const recent = {
          dispatchedMs: Float64Array.from(h.requests.map((r) => r.dispatchedMs)),
          endMs: Float64Array.from(h.requests.map((r) => r.endMs ?? NaN)),
        };
        const oldest = replayIdleAgeMs(recent, h.dispatchedMs, h.closedAfterMs, 'oldest');
        const newest = replayIdleAgeMs(recent, h.dispatchedMs, h.closedAfterMs, 'newest');
        const asNull = (x: number): number | null => (Number.isNaN(x) ? null : x);
        expect({ oldest: replayed[i]!.oldest_first_age_ms, newest: replayed[i]!.newest_first_age_ms }, JSON.stringify(h)).toEqual({
          oldest: asNull(oldest),
          newest: asNull(newest),
        });
        if (!Number.isNaN(oldest) && !Number.isNaN(newest) && oldest !== newest) replays++;
      });
      // The histories must often tell the two pools apart, or the comparison proves little.
      expect(replays).toBeGreaterThan(histories.length / 10);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
