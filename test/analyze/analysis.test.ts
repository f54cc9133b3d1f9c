import { describe, expect, it } from 'vitest';
import { NO_TARGET_GROUP_NAME } from '../../src/analyze/groups.js';
import { Readable } from 'node:stream';
import { runReport } from '../../src/run.js';
import { CAUSE_CLASSES } from '../../src/report/model.js';
import { analyseFiles, API_TG, line, parse, T0, WEB_TG, type TestFile } from './lines.js';

const NODE = '172.31.0.10';

/**
 * One node, two groups. `api` (Node-like, closes at 6 s) gets quiet traffic with five shape-A/B/C races
 * at an idle gap of 6 s; `web` gets a deploy (a run of refusals on one target), three 504s at a 30 s
 * ALB idle timeout and a 503; plus a malformed request the ALB rejects.
 */
function scenarioFile(): TestFile {
  const lines: string[] = [];
  const api = (at: number, extra = {}): void => void lines.push(line({ at, target: '10.0.0.1:3000', ...extra }));
  let t = 0;
  const gaps = [1500, 2500, 800, 12_000, 3000, 9000, 400, 15_000, 2200, 7000, 1100, 4000, 20_000, 650, 5000];
  for (let round = 0; round < 5; round++) {
    for (const gap of gaps) {
      t += gap;
      api(t);
    }
    // Quiet for exactly the keep-alive (6 s after the last response ended) and a race.
    const lastEnd = t + 20;
    const shape = (['A', 'B', 'C', 'A', 'A'] as const)[round]!;
    const times = shape === 'A' ? { tpt: 0.001, rspt: -1 } : shape === 'B' ? { rpt: -1 } : { tpt: -1, rspt: -1 };
    api(lastEnd + 6000 + round, { elb: 502, targetStatus: null, duration: 2, ...times });
    t = lastEnd + 6000 + round + 10;
  }
  // web: steady traffic on two targets, one of which refuses connections for 8 s (11 requests).
  for (let at = 0; at < 120_000; at += 700) {
    lines.push(line({ at, target: '10.0.1.1:80', targetGroup: WEB_TG }));
    const down = at >= 50_000 && at < 58_000;
    lines.push(line({ at: at + 5, target: '10.0.1.2:80', targetGroup: WEB_TG, ...(down ? { elb: 502, targetStatus: null, rpt: -1, duration: 1 } : {}) }));
  }
  for (const at of [20_000, 40_000, 80_000]) {
    lines.push(line({ at, target: '10.0.1.1:80', targetGroup: WEB_TG, elb: 504, targetStatus: null, tpt: -1, rspt: -1, duration: 30_200 + at / 1000 }));
  }
  lines.push(line({ at: 90_000, target: null, targetGroup: WEB_TG, elb: 503, targetStatus: null, rpt: -1 }));
  lines.push(line({ at: 91_000, target: null, targetGroup: null, elb: 400, targetStatus: null, rpt: -1, request: '- http://shop.example.com:80- -' }));
  return { name: 'node.log', nodeIp: NODE, lines };
}

describe('Analysis on hand-written lines', () => {
  it('classifies every error line once, with its place, gap and node', async () => {
    const file = scenarioFile();
    const { report, events } = await analyseFiles([file]);
    const errorLines = file.lines.map((text, i) => ({ text, line: i + 1 })).filter(({ text }) => / (5\d\d|460|400) (\d+|-) /.test(text.split('"')[0]!));
    expect(events.map((e) => e.line).sort((a, b) => a - b)).toEqual(errorLines.map((l) => l.line));
    expect(new Set(events.map((e) => `${e.file}:${e.line}`)).size).toBe(events.length);
    for (const e of events) expect(CAUSE_CLASSES).toContain(e.class);

    const races = events.filter((e) => e.class === 'keepalive_race');
    expect(races).toHaveLength(5);
    for (const race of races) {
      expect(race).toMatchObject({ file: 'node.log', targetGroup: API_TG, target: '10.0.0.1:3000', node: NODE });
      expect(race.idleGapMs!).toBeGreaterThan(5999);
      expect(race.idleGapMs!).toBeLessThan(6005);
      expect(race.time).toMatch(/^2026-03-14T21:\d\d:\d\d\.\d{6}Z$/);
    }
    expect(events.filter((e) => e.class === 'target_connection_error')).toHaveLength(11);
    expect(events.filter((e) => e.class === 'target_timeout')).toHaveLength(3);
    expect(events.find((e) => e.class === 'no_healthy_targets')).toMatchObject({ target: null, node: NODE, targetGroup: WEB_TG });
    expect(events.find((e) => e.class === 'alb_rejected')).toMatchObject({ targetGroup: null, target: null });

    expect(report.classes).toEqual({ keepalive_race: 5, target_connection_error: 11, target_timeout: 3, no_healthy_targets: 1, alb_rejected: 1 });
  });

  it('builds the report: groups, estimate, servers, advice, timeline, inferred idle timeout', async () => {
    const { report } = await analyseFiles([scenarioFile()]);
    expect(report.schemaVersion).toBe(1);
    expect(report.albIdleTimeoutSeconds).toEqual({ value: 30, source: 'inferred' });
    expect(report.targetGroups.map((g) => g.name)).toEqual(['api', 'web', NO_TARGET_GROUP_NAME]);
    const [api, web, none] = report.targetGroups;
    expect(api!.keepAlive.estimatedSeconds!).toBeGreaterThan(5.9);
    expect(api!.keepAlive.estimatedSeconds!).toBeLessThan(6.1);
    expect(api!.keepAlive.confidence).not.toBe('none');
    expect(api!.suspectedServers).toContain('nodejs');
    expect(api!.idleAge.buckets.reduce((n, b) => n + b.races, 0)).toBe(5);
    expect(api!.idleAge.buckets.reduce((n, b) => n + b.requests, 0)).toBeGreaterThan(70);
    expect(web!.keepAlive.confidence).toBe('none');
    expect(web!.suspectedServers).toEqual([]);
    expect(none).toMatchObject({ arn: '-', classes: { alb_rejected: 1 } });

    const keepAlive = report.recommendations.filter((r) => r.targetKeepAliveSeconds !== null);
    expect(keepAlive).toHaveLength(1);
    expect(keepAlive[0]).toMatchObject({ targetGroup: API_TG, targetKeepAliveSeconds: 35, albIdleTimeoutSeconds: 30 });
    expect(report.recommendations.some((r) => r.targetGroup === WEB_TG && /Drain/.test(r.action))).toBe(true);

    const buckets = report.timeline.groups[0]!.requests.length;
    expect(buckets).toBeGreaterThanOrEqual(60);
    expect(buckets).toBeLessThanOrEqual(121);
    expect(report.timeline.groups.map((g) => g.targetGroup)).toEqual([API_TG, WEB_TG, '-']);
    expect(report.timeline.groups[0]!.races.reduce((a, b) => a + b, 0)).toBe(5);
    expect(report.input).toMatchObject({ files: 1, entries: scenarioFile().lines.length, malformed: 0, outsideWindow: 0 });
  });

  it('takes the ALB idle timeout from the flag over the 504s, and says when it assumed the default', async () => {
    const flagged = await analyseFiles([scenarioFile()], { albIdleTimeoutSeconds: 120 });
    expect(flagged.report.albIdleTimeoutSeconds).toEqual({ value: 120, source: 'flag' });
    const plain = await analyseFiles([{ name: 'a.log', lines: [line({ at: 0 })] }]);
    expect(plain.report.albIdleTimeoutSeconds).toEqual({ value: 60, source: 'default' });
    expect(plain.report.notes.some((n) => n.includes('assumed'))).toBe(true);
  });

  it('counts only entries inside --from/--to and reports the window', async () => {
    const fromMs = T0 + 60_000;
    const toMs = T0 + 100_000;
    const { report, events } = await analyseFiles([scenarioFile()], { fromMs, toMs });
    expect(report.window).toEqual({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() });
    expect(report.input.outsideWindow).toBeGreaterThan(0);
    const times = events.map((e) => Date.parse(e.time));
    expect(times.every((t) => t >= fromMs && t < toMs)).toBe(true);
    expect(report.timeline.startMs).toBeLessThanOrEqual(fromMs);
  });

  it('accounts for the input as the reader counted it: files, lines, blanks, malformed, skipped', async () => {
    const good = Buffer.from([line({ at: 0 }), '', line({ at: 1000 }), 'http 2026-03-14T21:00:00Z broken', ''].join('\n'));
    const other = Buffer.from(line({ at: 2000 }) + '\n');
    async function* items() {
      yield { kind: 'log' as const, name: 'a.log', nodeIp: null, sizeBytes: good.length, open: () => Readable.from([good]) };
      yield { kind: 'skipped' as const, name: 'README.md', reason: 'not_a_log_file' as const };
      yield { kind: 'log' as const, name: 'b.log', nodeIp: null, sizeBytes: other.length, open: () => Readable.from([other]) };
    }
    const { report, stats } = await runReport(items());
    expect(stats).toMatchObject({ files: 2, lines: 5, entries: 3, blankLines: 1, malformed: 1, skippedFiles: 1 });
    expect(report.input).toMatchObject({
      files: stats.files,
      bytes: good.length + other.length,
      lines: stats.lines,
      entries: stats.entries,
      malformed: stats.malformed,
      blankLines: stats.blankLines,
      skippedFiles: 1,
      skippedByReason: { not_a_log_file: 1 },
      outsideWindow: 0,
    });
    expect(report.input.malformedSamples).toEqual([expect.objectContaining({ source: 'a.log', line: 4 })]);
  });
});
