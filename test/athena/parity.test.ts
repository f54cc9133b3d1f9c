/**
 * The SQL templates, run on DuckDB over generated logs (the same files, the same table as on Athena),
 * against the streaming analyzer (src/run.ts runReport) over the same files and range.
 *
 * Exact: causes per target group, requests per group, race-shaped 502s with their idle gap and class,
 * keep-alive races per idle-age bucket, T̂ (estimate, low, high, confidence), the ALB idle timeout from
 * 504s, and the timeline. One number cannot always agree, for a stated reason:
 *
 * Requests per idle-age bucket. SQL sorts each pair's requests completely; the analyzer measures them in
 * one pass through a bounded reordering window (connections.ts), and counts what it misses:
 * - `unknownGap`: a request that lasted longer than the window (a 60 s 504, a slow export) arrives after
 *   later requests on its pair were measured; the analyzer gives it no gap, SQL does. So per bucket the
 *   analyzer has at most SQL's count, and the totals differ by at most `unknownGap`.
 * - `outOfOrder`: an end that arrives after the window passed it (lines shuffled further than the window
 *   had grown to, or the delivery-date folder putting the last files before midnight into the next
 *   day's folder) is learnt too late: the requests measured meanwhile on that pair get a longer gap.
 *   Each such request moves between buckets (two in Σ|difference|); in these files a late end lands on
 *   a pair whose next request is the only one measured meanwhile, hence Σ|difference| ≤ unknownGap +
 *   2·outOfOrder. With outOfOrder = 0 the tighter bound holds: per bucket, analyzer ≤ SQL.
 * The same missing requests enter the keep-alive fit's chance count (requests in the band and in range):
 * a few out of thousands, which moves the p-value in its fifth digit (3.5288e-18 vs 3.5287e-18 in the
 * first case) and no decision; the classes and T̂ below are compared exactly.
 * The analyzer's counters come from its state (`state.connections`): the report shows them only as
 * notes past a threshold.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStats } from '../../src/analyze/connections.js';
import { loadLocalTable, runLocalSql, type LocalTable, type Row } from '../../src/athena/local.js';
import { renderTemplate } from '../../src/athena/templates.js';
import type { Report } from '../../src/report/model.js';
import { runReport, type CauseEvent } from '../../src/run.js';
import { openLocalSources } from '../../src/sources/local.js';
import { scenario, writeScenario, type Scenario } from '../generator/index.js';

const DATABASE = 'alb_logs';
const TABLE = 'access_logs';

interface Case {
  name: string;
  scenario: Scenario;
  seed: number;
  /** What the data must contain for the comparison to mean something. */
  expect: { keepaliveRaces: boolean; replayedRaces?: boolean; deployRun?: boolean; inferredIdleTimeout?: boolean };
}

const HOUR_MS = 3_600_000;
const CASES: Case[] = [
  {
    // Node.js (races at 6 s), a rolling deploy, 504s at the ALB idle timeout, 460s; over midnight.
    name: 'sample (Node.js, deploy, 504s; crosses midnight)',
    scenario: scenario('sample', undefined, { durationMs: 6 * HOUR_MS }),
    seed: 7,
    expect: { keepaliveRaces: true, deployRun: true, inferredIdleTimeout: true },
  },
  {
    // Gunicorn (2 s, closes late) behind oldest-first pools: races below the band, found by the replay.
    name: 'gunicorn, oldest-first pools',
    scenario: scenario('gunicorn', undefined, { durationMs: 1.5 * HOUR_MS, poolPolicy: 'oldest' }),
    seed: 1,
    expect: { keepaliveRaces: true, replayedRaces: true },
  },
  {
    // Every cause: Node, Gunicorn with request limits, nginx, a 60 s server, Lambda, deploys, resets.
    name: 'mixed',
    scenario: scenario('mixed', undefined, { durationMs: 1.5 * HOUR_MS }),
    seed: 3,
    expect: { keepaliveRaces: true, deployRun: true, inferredIdleTimeout: true },
  },
];

interface Run {
  report: Report;
  events: CauseEvent[];
  connections: ConnectionStats;
  range: { from: string; to: string };
  sql: (template: string, extra?: Record<string, string>) => Promise<Row[]>;
}

const dirs: string[] = [];
const tables: LocalTable[] = [];
afterAll(() => {
  for (const table of tables) table.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function prepare(c: Case): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'alb-doctor-parity-'));
  dirs.push(dir);
  const logDir = join(dir, 'logs');
  // The S3 layout (day folders by delivery date), gzip, and the objects that are not access logs.
  await writeScenario(c.scenario, { seed: c.seed, logDir, truthDir: join(dir, 'truth'), gzip: true, junk: true, labels: false });
  const startMs = Date.parse(c.scenario.startIso);
  // Past the first 10 minutes, so that the context before `from` is in the files too.
  const range = { from: new Date(startMs + 15 * 60_000).toISOString(), to: new Date(startMs + c.scenario.durationMs - 5 * 60_000).toISOString() };

  const events: CauseEvent[] = [];
  const { report, state } = await runReport(openLocalSources([logDir], Readable.from([])), { fromMs: Date.parse(range.from), toMs: Date.parse(range.to) }, { onEvent: (e) => events.push(e) });
  const connections = state.connections;

  const table = await loadLocalTable([logDir], { database: DATABASE, table: TABLE });
  tables.push(table);
  const results = new Map<string, Promise<Row[]>>();
  const sql = (template: string, extra: Record<string, string> = {}): Promise<Row[]> => {
    const { sql: text } = renderTemplate(template, { database: DATABASE, table: TABLE, ...range, ...extra });
    if (!results.has(text)) results.set(text, runLocalSql(table.connection, text).then((r) => r.rows));
    return results.get(text)!;
  };
  return { report, events, connections, range, sql };
}

const byGroup = <T extends Row>(rows: readonly T[], arn: string): T[] => rows.filter((r) => r.target_group_arn === arn);

describe.each(CASES)('parity: $name', (c) => {
  let run: Run;
  beforeAll(async () => {
    run = await prepare(c);
  }, 60_000);

  it('has the causes the comparison is about', () => {
    const classes = run.report.classes;
    if (c.expect.keepaliveRaces) expect(classes.keepalive_race ?? 0).toBeGreaterThan(0);
    if (c.expect.deployRun) expect(classes.target_connection_error ?? 0).toBeGreaterThan(0);
    if (c.expect.inferredIdleTimeout) expect(run.report.albIdleTimeoutSeconds.source).toBe('inferred');
    // Files measured apart from their node's stream (connections.ts openSegment) would need a bound of
    // their own; none of these runs has one.
    expect(run.connections.detachedDispatches).toBe(0);
  });

  it('five-xx-by-class: the same causes per target group, and the same requests', async () => {
    const rows = await run.sql('five-xx-by-class');
    for (const group of run.report.targetGroups) {
      const sqlClasses = Object.fromEntries(byGroup(rows, group.arn).map((r) => [r.class, r.responses]));
      expect(sqlClasses, group.name).toEqual(group.classes);
      for (const r of byGroup(rows, group.arn)) expect(r.requests, group.name).toBe(group.requests);
    }
    // No group the analyzer left out has a cause in SQL.
    const arns = new Set(run.report.targetGroups.map((g) => g.arn));
    expect(rows.filter((r) => !arns.has(r.target_group_arn as string))).toEqual([]);
  });

  it('keepalive-races: every race-shaped 502 with the same idle gap and class', async () => {
    const rows = await run.sql('keepalive-races');
    const raceClasses = new Set(['keepalive_race', 'closed_connection_race', 'target_connection_error']);
    const analyzer = run.events
      .filter((e) => raceClasses.has(e.class))
      .map((e) => ({ file: e.file, time: e.time, class: e.class, gap: e.idleGapMs, target: e.target }))
      .sort((a, b) => a.time.localeCompare(b.time) || a.file.localeCompare(b.file));
    // The analyzer reports target_connection_error for refusals too; only race-shaped ones are listed here.
    const sqlRows = rows
      .map((r) => ({ file: r.file, time: r.time, class: r.class, gap: r.idle_gap_ms === null ? null : Math.round((r.idle_gap_ms as number) * 1000) / 1000, target: r.target }))
      .sort((a, b) => String(a.time).localeCompare(String(b.time)) || String(a.file).localeCompare(String(b.file)));
    expect(sqlRows.length).toBeGreaterThan(0);
    expect(sqlRows).toEqual(analyzer);
  });

  it('keepalive-estimate: the same T̂ per target group', async () => {
    const rows = await run.sql('keepalive-estimate');
    for (const group of run.report.targetGroups) {
      const [row] = byGroup(rows, group.arn);
      expect(row, group.name).toBeDefined();
      expect(
        { estimatedSeconds: row!.estimated_seconds, lowSeconds: row!.low_seconds, highSeconds: row!.high_seconds, confidence: row!.confidence },
        group.name,
        // The estimate's four fields; the evidence keys (method, pValue) are the streaming report's own.
      ).toEqual({ estimatedSeconds: group.keepAlive.estimatedSeconds, lowSeconds: group.keepAlive.lowSeconds, highSeconds: group.keepAlive.highSeconds, confidence: group.keepAlive.confidence });
      expect(row!.keepalive_races, group.name).toBe(group.classes.keepalive_race ?? 0);
      expect(row!.requests, group.name).toBe(group.requests);
    }
    if (c.expect.replayedRaces) {
      // Races the pool replay found below the band: they must be there for the replay to be compared.
      const races = await run.sql('keepalive-races');
      const estimate = Object.fromEntries(rows.map((r) => [r.target_group_arn, r.estimated_seconds as number | null]));
      const below = races.filter(
        (r) => r.class === 'keepalive_race' && (r.idle_gap_ms === null || (r.idle_gap_ms as number) < 0.98 * 1000 * (estimate[r.target_group_arn as string] ?? 0)),
      );
      expect(below.length).toBeGreaterThan(0);
    }
  });

  it('alb-idle-timeout-from-504: the same idle timeout, from the same 504s', async () => {
    const [row] = await run.sql('alb-idle-timeout-from-504');
    expect({ value: row!.idle_timeout_seconds, source: row!.source }).toEqual(run.report.albIdleTimeoutSeconds);
    expect(row!.target_timeout_504s).toBe(run.events.filter((e) => e.class === 'target_timeout').length);
  });

  it('race-rate-by-idle-age: the same races per bucket; requests within the analyzer’s window effects', async () => {
    const rows = await run.sql('race-rate-by-idle-age');
    const { unknownGap, outOfOrder } = run.connections;
    for (const group of run.report.targetGroups) {
      const sql = new Map(byGroup(rows, group.arn).map((r) => [r.idle_from_ms as number, r]));
      const analyzer = new Map(group.idleAge.buckets.map((b) => [b.fromMs, b]));
      let extra = 0; // Σ (SQL − analyzer)
      let moved = 0; // Σ |SQL − analyzer|
      for (const fromMs of new Set([...sql.keys(), ...analyzer.keys()])) {
        const s = sql.get(fromMs);
        const a = analyzer.get(fromMs);
        expect(s?.races ?? 0, `${group.name} races at ${fromMs} ms`).toBe(a?.races ?? 0);
        if (s && a) expect(s.idle_to_ms, `${group.name} bucket edges`).toBe(a.toMs);
        const diff = ((s?.requests as number | undefined) ?? 0) - (a?.requests ?? 0);
        if (outOfOrder === 0) expect(diff, `${group.name} requests at ${fromMs} ms`).toBeGreaterThanOrEqual(0);
        extra += diff;
        moved += Math.abs(diff);
      }
      expect(extra, group.name).toBeGreaterThanOrEqual(0);
      expect(extra, group.name).toBeLessThanOrEqual(unknownGap);
      expect(moved, group.name).toBeLessThanOrEqual(unknownGap + 2 * outOfOrder);
    }
  });

  it('races-timeline: the same requests, races and other errors per bucket', async () => {
    const { timeline } = run.report;
    const rows = await run.sql('races-timeline', { bucket_seconds: String(timeline.bucketMs / 1000) });
    for (const series of timeline.groups) {
      const sqlRows = byGroup(rows, series.targetGroup);
      const at = (i: number) => sqlRows.find((r) => r.bucket_start_ms === timeline.startMs + i * timeline.bucketMs);
      series.requests.forEach((requests, i) => {
        const row = at(i);
        expect([row?.requests ?? 0, row?.races ?? 0, row?.other_errors ?? 0], `${series.targetGroup} bucket ${i}`).toEqual([
          requests,
          series.races[i],
          series.otherErrors[i],
        ]);
      });
      expect(sqlRows.reduce((n, r) => n + (r.requests as number), 0)).toBe(series.requests.reduce((a, b) => a + b, 0));
    }
  });

  it('malformed-lines: the non-access-log objects are the only unparsed lines', async () => {
    const rows = await run.sql('malformed-lines');
    // The local sources skip conn_log/health_check/NLB/test objects by name, as the analyzer does; the
    // generated access logs themselves hold no malformed line.
    expect(rows.filter((r) => r.file_kind === 'access_log')).toEqual([]);
    expect(run.report.input.malformed).toBe(0);
  });
});
