import { describe, expect, it } from 'vitest';
import { FORMATS, render } from '../../src/report/render/index.js';
import { renderJson } from '../../src/report/render/json.js';
import { emptyReport, racyReport } from './fixtures/reports.js';

// The `report --format json` contract (schemaVersion 1), written out by hand: a renderer change that
// drops or renames one of these keys must fail here. Extra keys are allowed.
const CONTRACT = {
  top: ['schemaVersion', 'input', 'window', 'albIdleTimeoutSeconds', 'classes', 'targetGroups', 'recommendations', 'verdict'],
  verdict: ['status', 'reasons', 'targetGroups'],
  groupVerdict: ['arn', 'status', 'reasons'],
  input: ['files', 'bytes', 'lines', 'entries', 'malformed', 'skippedFiles'],
  window: ['from', 'to'],
  albIdleTimeoutSeconds: ['value', 'source'],
  targetGroup: ['arn', 'name', 'requests', 'classes', 'idleAge', 'keepAlive', 'suspectedServers'],
  bucket: ['fromMs', 'toMs', 'requests', 'races'],
  keepAlive: ['estimatedSeconds', 'lowSeconds', 'highSeconds', 'confidence'],
  recommendation: ['targetGroup', 'action', 'targetKeepAliveSeconds', 'albIdleTimeoutSeconds', 'servers', 'racesPerDay', 'reason'],
  server: ['server', 'setting', 'snippet'],
};

type Json = Record<string, unknown>;
const keysOf = (value: unknown): string[] => Object.keys(value as Json);

describe('renderJson', () => {
  const text = renderJson(racyReport());
  const parsed = JSON.parse(text) as Json;

  it('is the report itself, pretty-printed with two spaces and a final newline', () => {
    expect(parsed).toEqual(JSON.parse(JSON.stringify(racyReport())));
    expect(text.split('\n')[1]).toBe('  "schemaVersion": 1,');
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('keeps every contract key', () => {
    expect(keysOf(parsed)).toEqual(expect.arrayContaining(CONTRACT.top));
    expect(parsed.schemaVersion).toBe(1);
    expect(keysOf(parsed.input)).toEqual(expect.arrayContaining(CONTRACT.input));
    expect(keysOf(parsed.window)).toEqual(expect.arrayContaining(CONTRACT.window));
    expect(keysOf(parsed.albIdleTimeoutSeconds)).toEqual(expect.arrayContaining(CONTRACT.albIdleTimeoutSeconds));
    expect(['flag', 'described', 'inferred', 'default']).toContain((parsed.albIdleTimeoutSeconds as Json).source);
    expect(parsed.classes).toMatchObject({ keepalive_race: 47 });

    const groups = parsed.targetGroups as Json[];
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(keysOf(group)).toEqual(expect.arrayContaining(CONTRACT.targetGroup));
      expect(keysOf(group.idleAge)).toContain('buckets');
      for (const bucket of (group.idleAge as { buckets: Json[] }).buckets) {
        expect(keysOf(bucket)).toEqual(expect.arrayContaining(CONTRACT.bucket));
      }
      const keepAlive = group.keepAlive as Json;
      expect(keysOf(keepAlive)).toEqual(expect.arrayContaining(CONTRACT.keepAlive));
      expect(['high', 'medium', 'low', 'none']).toContain(keepAlive.confidence);
      expect(keepAlive.estimatedSeconds === null || typeof keepAlive.estimatedSeconds === 'number').toBe(true);
      expect(Array.isArray(group.suspectedServers)).toBe(true);
    }

    const verdict = parsed.verdict as Json;
    expect(keysOf(verdict)).toEqual(expect.arrayContaining(CONTRACT.verdict));
    expect(['races', 'stopped', 'none', 'cannot-tell']).toContain(verdict.status);
    for (const group of verdict.targetGroups as Json[]) expect(keysOf(group)).toEqual(expect.arrayContaining(CONTRACT.groupVerdict));
    for (const reason of verdict.reasons as Json[]) expect(keysOf(reason)).toEqual(['code', 'text']);

    const recommendations = parsed.recommendations as Json[];
    expect(recommendations.length).toBeGreaterThan(0);
    for (const rec of recommendations) {
      expect(keysOf(rec)).toEqual(expect.arrayContaining(CONTRACT.recommendation));
      for (const server of rec.servers as Json[]) expect(keysOf(server)).toEqual(expect.arrayContaining(CONTRACT.server));
    }
  });

  it('keeps nulls as null (an open last bucket, no estimate, no window)', () => {
    const empty = JSON.parse(renderJson(emptyReport())) as Json;
    expect(empty.window).toEqual({ from: null, to: null });
    const web = (parsed.targetGroups as Json[]).find((g) => g.name === 'web')!;
    expect(web.keepAlive).toMatchObject({ estimatedSeconds: null, confidence: 'none' });
    const buckets = (web.idleAge as { buckets: Json[] }).buckets;
    expect(buckets[buckets.length - 1]!.toMs).toBeNull();
  });
});

describe('render table', () => {
  it('has a renderer for every format, and only json parses as the report', () => {
    expect([...FORMATS].sort()).toEqual(Object.keys(render).sort());
    for (const format of FORMATS) expect(render[format](racyReport(), { color: false }).length).toBeGreaterThan(0);
    expect(JSON.parse(render.json(racyReport(), { color: true }))).toEqual(JSON.parse(JSON.stringify(racyReport())));
  });

  it('markdown carries the verdict, the tables and each snippet in a fenced block', () => {
    const markdown = render.markdown(racyReport(), { color: false });
    expect(markdown).toContain('## Verdict');
    expect(markdown).toContain('- Keep-alive races: 41 of 58 502s in api come from idle connections closed at ≈6.0 s by the target (matches the Node.js http/https default).');
    expect(markdown).toContain('- Other errors: 26 target 5xx, 12 failed connections to the target, 4 client closed (460), 3 rejected by the ALB, 3 closed connections, not idle-timed, 2 requests dropped by the target, 2 target timeouts (504).');
    expect(markdown).toContain('| api | 1,204,311 | 69 | 41 |');
    expect(markdown).toContain('```\nserver.keepAliveTimeout = 65000;\nserver.headersTimeout = 66000; // keep ≤ requestTimeout (300000)\n```');
    expect(markdown).toContain('```\ngunicorn -k gthread --keep-alive 65 app:app   # or keepalive = 65 in gunicorn.conf.py\n```');
    expect(markdown).toContain('### 1. Raise the idle keep-alive timeout of api\'s targets');
    expect(markdown).not.toContain('arn:aws');
    expect(markdown).not.toMatch(/\x1b\[/);
  });
});
