/**
 * queries/*.sql → SQL: every template loads and renders, every value is validated into its type before it
 * reaches SQL, and `execution` mode hands values to Athena as ExecutionParameters instead.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlbDoctorError } from '../../src/errors.js';
import {
  CONTEXT_BEFORE_FROM_MS,
  DELIVERY_MARGIN_MS,
  QUERIES_DIR,
  dayFolder,
  listTemplates,
  loadTemplate,
  renderTemplate,
} from '../../src/athena/templates.js';

const RANGE = { database: 'alb_logs', table: 'access_logs', from: '2026-03-14T21:00Z', to: '2026-03-14T23:00Z' };
const ANALYSIS_TEMPLATES = ['alb-idle-timeout-from-504', 'five-xx-by-class', 'keepalive-estimate', 'keepalive-races', 'race-rate-by-idle-age', 'races-timeline'];

/** The error code a call throws (AlbDoctorError), or 'none'. */
function codeOf(call: () => unknown): string {
  try {
    call();
    return 'none';
  } catch (error) {
    return isAlbDoctorError(error) ? error.code : `not an AlbDoctorError: ${String(error)}`;
  }
}

describe('the templates in queries/', () => {
  it('are the ones the brief names, includes left out', () => {
    expect(listTemplates()).toEqual([
      'alb-idle-timeout-from-504',
      'create-table',
      'create-table-no-projection',
      'five-xx-by-class',
      'keepalive-estimate',
      'keepalive-races',
      'malformed-lines',
      'race-rate-by-idle-age',
      'races-timeline',
    ]);
  });

  it.each(listTemplates())('%s has a header saying what it answers, and declares what it uses', (name) => {
    const template = loadTemplate(name);
    expect(template.summary.length).toBeGreaterThan(20);
    expect(readFileSync(join(QUERIES_DIR, `${name}.sql`), 'utf8')).toMatch(/^-- [a-z0-9-]+\.sql: /);
    expect(template.params.length).toBeGreaterThan(0);
  });

  it.each(ANALYSIS_TEMPLATES.concat('malformed-lines'))('%s reads only the day folders of the range, and filters on time', (name) => {
    const { sql } = renderTemplate(name, RANGE);
    expect(sql).toContain(`"day" BETWEEN '2026/03/14' AND '2026/03/15'`);
    expect(sql).toContain('FROM "alb_logs"."access_logs"');
    if (name !== 'malformed-lines') {
      expect(sql).toContain(`CAST(${Date.parse('2026-03-14T21:00Z') * 1000} AS bigint) AS from_us`);
      expect(sql).toContain(`CAST(${Date.parse('2026-03-14T23:00Z') * 1000} AS bigint) AS to_us`);
      expect(sql).toMatch(/time_us >= settings\.context_from_us AND time_us < settings\.to_us/);
    }
    expect(sql.replace(/--.*$/gm, '')).not.toMatch(/(?<![:\w]):[a-z]/); // no placeholder left
  });

  it.each(ANALYSIS_TEMPLATES)('%s cannot run without a range', (name) => {
    expect(codeOf(() => renderTemplate(name, { database: 'a', table: 'b', from: '2026-03-14T21:00Z' }))).toBe('USAGE');
    expect(codeOf(() => renderTemplate(name, { database: 'a', table: 'b', to: '2026-03-14T21:00Z' }))).toBe('USAGE');
  });
});

/**
 * The WITH steps of a rendered query: name → body, and the final SELECT. Comments and string literals are
 * blanked first, so that parentheses and names inside them do not count.
 */
function withSteps(sql: string): { steps: Map<string, string>; final: string } {
  const code = sql.replace(/--.*$/gm, '').replace(/'(?:[^']|'')*'/g, "''");
  const steps = new Map<string, string>();
  let last = 0;
  for (const match of code.matchAll(/^([a-z_][a-z0-9_]*) AS \($/gm)) {
    let depth = 0;
    let i = match.index + match[0].length - 1;
    for (; i < code.length; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')' && --depth === 0) break;
    }
    steps.set(match[1]!, code.slice(match.index + match[0].length, i));
    last = i + 1;
  }
  return { steps, final: code.slice(last) };
}

describe('Athena runs each WITH step once per reference (Trino inlines them)', () => {
  it.each(ANALYSIS_TEMPLATES.concat('malformed-lines'))('%s reads the logs once: every step over them is used once', (name) => {
    const { sql } = renderTemplate(name, RANGE);
    const { steps, final } = withSteps(sql);
    const references = (body: string, step: string): number => body.match(new RegExp(`\\b(?:FROM|JOIN)\\s+${step}\\b`, 'g'))?.length ?? 0;
    const readsTable = (body: string): boolean => body.includes('"alb_logs"."access_logs"');
    // Steps that read the table, directly or through other steps.
    const overLogs = new Set<string>();
    for (const [step, body] of steps) {
      if (readsTable(body) || [...overLogs].some((other) => references(body, other) > 0)) overLogs.add(step);
    }
    const bodies = [...steps.values(), final];
    expect(bodies.filter(readsTable)).toHaveLength(1);
    if (name !== 'malformed-lines') expect(overLogs.size).toBeGreaterThan(20);
    for (const step of overLogs) expect(bodies.reduce((n, body) => n + references(body, step), 0), step).toBe(1);
  });
});

describe('derived values', () => {
  it('reads from the day of from − 10 min to the day of to + the delivery margin', () => {
    expect(CONTEXT_BEFORE_FROM_MS).toBe(10 * 60_000);
    const { sql } = renderTemplate('five-xx-by-class', { ...RANGE, from: '2026-03-14T00:05Z', to: '2026-03-14T23:30Z' });
    expect(sql).toContain(`BETWEEN '${dayFolder(Date.parse('2026-03-13T23:55Z'))}' AND '${dayFolder(Date.parse('2026-03-14T23:30Z') + DELIVERY_MARGIN_MS)}'`);
    expect(sql).toContain(`BETWEEN '2026/03/13' AND '2026/03/15'`);
  });

  it('takes ages relative to now, and offsets', () => {
    const nowMs = Date.parse('2026-03-14T12:00:00Z');
    const { sql } = renderTemplate('keepalive-races', { ...RANGE, from: '6h', to: '2026-03-14T13:00+01:00' }, { nowMs });
    expect(sql).toContain(`CAST(${Date.parse('2026-03-14T06:00Z') * 1000} AS bigint) AS from_us`);
    expect(sql).toContain(`CAST(${Date.parse('2026-03-14T12:00Z') * 1000} AS bigint) AS to_us`);
  });

  it('writes an absent optional value as NULL, and a default where there is one', () => {
    expect(renderTemplate('keepalive-estimate', RANGE).sql).toContain('CAST(NULL AS bigint) AS alb_idle_timeout_flag_s');
    expect(renderTemplate('keepalive-estimate', { ...RANGE, alb_idle_timeout: '65' }).sql).toContain('CAST(65 AS bigint) AS alb_idle_timeout_flag_s');
    expect(renderTemplate('races-timeline', RANGE).sql).toContain('CAST(300 AS bigint) AS bucket_s');
  });
});

describe('validation: no user text reaches SQL unchecked', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['a table name with a quote', { ...RANGE, table: 'logs"; DROP TABLE x; --' }, 'USAGE'],
    ['a database name with a dot', { ...RANGE, database: 'a.b' }, 'USAGE'],
    ['a table name starting with a digit', { ...RANGE, table: '1logs' }, 'USAGE'],
    ['a time with SQL in it', { ...RANGE, from: "2026-03-14' OR '1'='1" }, 'USAGE'],
    ['a time that is not one', { ...RANGE, from: 'yesterday' }, 'USAGE'],
    ['from after to', { ...RANGE, from: '2026-03-15T00:00Z' }, 'USAGE'],
    ['a year of logs', { ...RANGE, from: '2025-03-14T00:00Z' }, 'USAGE'],
    ['an idle timeout above 4000', { ...RANGE, alb_idle_timeout: '4001' }, 'USAGE'],
    ['an idle timeout of 0', { ...RANGE, alb_idle_timeout: '0' }, 'USAGE'],
    ['an idle timeout with SQL', { ...RANGE, alb_idle_timeout: '60) OR (1=1' }, 'USAGE'],
    ['an idle timeout with a fraction', { ...RANGE, alb_idle_timeout: '60.5' }, 'USAGE'],
    ['a parameter the template lacks', { ...RANGE, limit: '10' }, 'USAGE'],
    ['a missing table', { database: 'a', from: RANGE.from, to: RANGE.to }, 'USAGE'],
    ['everything valid', RANGE, 'none'],
    ['an upper-case table name (Athena lowercases it)', { ...RANGE, table: 'Access_Logs' }, 'none'],
  ];
  it.each(cases)('%s', (_what, params, code) => {
    expect(codeOf(() => renderTemplate('keepalive-estimate', params))).toBe(code);
  });

  const ddl: [string, Record<string, string>, string][] = [
    ['a location outside S3', { location: 'https://example.com/logs/' }, 'USAGE'],
    ['a location with a quote', { location: "s3://my-bucket/x'/" }, 'USAGE'],
    ['a location with a space', { location: 's3://my-bucket/a b/' }, 'USAGE'],
    ['a bucket name with upper case', { location: 's3://My-Bucket/AWSLogs/' }, 'USAGE'],
    ['a day that does not exist', { projection_start: '2026/02/30' }, 'USAGE'],
    ['a day in another format', { projection_start: '14.03.2026' }, 'USAGE'],
    ['everything valid', {}, 'none'],
  ];
  it.each(ddl)('create-table: %s', (_what, params, code) => {
    const base = { database: 'alb_logs', table: 'access_logs', location: 's3://my-bucket/AWSLogs/123456789012/elasticloadbalancing/us-east-1/', projection_start: '2026/01/01' };
    expect(codeOf(() => renderTemplate('create-table', { ...base, ...params }))).toBe(code);
  });

  it('takes timeline buckets in whole minutes', () => {
    expect(codeOf(() => renderTemplate('races-timeline', { ...RANGE, bucket_seconds: '90' }))).toBe('USAGE');
    expect(codeOf(() => renderTemplate('races-timeline', { ...RANGE, bucket_seconds: '180' }))).toBe('none');
  });

  it('raises the range limit with maxDays', () => {
    expect(codeOf(() => renderTemplate('five-xx-by-class', { ...RANGE, from: '2026-01-01T00:00Z' }, { maxDays: 90 }))).toBe('none');
  });

  it('names an unknown template with the ones there are', () => {
    expect(codeOf(() => renderTemplate('no-such-template', RANGE))).toBe('USAGE');
  });
});

describe('execution mode (ExecutionParameters)', () => {
  it('sends values as parameters, in the order of their `?`, and keeps identifiers inline', () => {
    const { sql, executionParameters } = renderTemplate('alb-idle-timeout-from-504', { ...RANGE, alb_idle_timeout: '65' }, { mode: 'execution' });
    expect(sql).toContain('FROM "alb_logs"."access_logs"');
    expect(sql).toContain('CAST(? AS bigint) AS from_us');
    expect(sql).toContain(`"day" BETWEEN ? AND ?`);
    const code = sql.replace(/--.*$/gm, '').replace(/'(?:[^']|'')*'/g, "''");
    expect(code.split('?').length - 1).toBe(executionParameters.length);
    expect(executionParameters).toEqual([
      String(Date.parse(RANGE.from) * 1000),
      String(Date.parse(RANGE.to) * 1000),
      String((Date.parse(RANGE.from) - CONTEXT_BEFORE_FROM_MS) * 1000),
      '65',
      "'2026/03/14'",
      "'2026/03/15'",
    ]);
  });

  it('keeps an absent optional value as NULL, not a parameter', () => {
    const { sql, executionParameters } = renderTemplate('alb-idle-timeout-from-504', RANGE, { mode: 'execution' });
    expect(sql).toContain('CAST(NULL AS bigint)');
    expect(executionParameters).toHaveLength(5);
  });

  it('renders DDL inline whatever the mode (Athena takes no parameters in DDL)', () => {
    const { executionParameters, sql } = renderTemplate(
      'create-table',
      { database: 'a', table: 'b', location: 's3://my-bucket/p/', projection_start: '2026/01/01' },
      { mode: 'execution' },
    );
    expect(executionParameters).toEqual([]);
    expect(sql).toBe(renderTemplate('create-table', { database: 'a', table: 'b', location: 's3://my-bucket/p/', projection_start: '2026/01/01' }).sql);
  });
});

describe('template files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alb-doctor-templates-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a placeholder nothing declares, when the template loads', () => {
    writeFileSync(join(dir, 'bad.sql'), '-- bad.sql: a template with a typo in it\n-- @param table identifier\nSELECT * FROM :tabel\n');
    expect(() => loadTemplate('bad', dir)).toThrow(/:tabel/);
  });

  it('checks enum and stepped integer values', () => {
    writeFileSync(
      join(dir, 'typed.sql'),
      '-- typed.sql: a template with typed parameters\n-- @param unit enum minute|hour\n-- @param width integer 10..100 step 10 default 20\nSELECT :unit, :width\n',
    );
    expect(renderTemplate('typed', { unit: 'hour' }, { dir }).sql).toContain("SELECT 'hour', 20");
    expect(codeOf(() => renderTemplate('typed', { unit: "hour'; --" }, { dir }))).toBe('USAGE');
    expect(codeOf(() => renderTemplate('typed', { unit: 'hour', width: '15' }, { dir }))).toBe('USAGE');
  });

  it('does not take text in strings, quoted names or comments for placeholders, and inlines includes', () => {
    writeFileSync(join(dir, '_part.sql'), "x AS (SELECT ':not_a_param' AS s, \"$path:x\" FROM :table)");
    writeFileSync(join(dir, 'ok.sql'), '-- ok.sql: a template with an include\n-- @param table identifier\n-- :nothing here\nWITH\n-- @include _part.sql\nSELECT 1\n');
    expect(listTemplates(dir)).toEqual(['bad', 'ok', 'typed']);
    const { sql } = renderTemplate('ok', { table: 't' }, { dir });
    expect(sql).toContain(`SELECT ':not_a_param' AS s, "$path:x" FROM "t")`);
  });
});
