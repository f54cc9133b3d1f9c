/**
 * Every rendered template against a real grammar, so a syntax error shows here and not on Athena: the
 * queries with dt-sql-parser's Trino parser (Athena engine v3 is Trino), the table DDL with its Hive
 * parser (Athena runs CREATE TABLE as Hive DDL). DuckDB (parity.test.ts) is more lenient than Trino in
 * places, so running there proves nothing about this.
 */
import { HiveSQL, TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import { listTemplates, loadTemplate, renderTemplate, type RenderMode } from '../../src/athena/templates.js';

const trino = new TrinoSQL();
const hive = new HiveSQL();

const RANGE = { database: 'alb_logs', table: 'access_logs', from: '2026-03-14T21:00Z', to: '2026-03-14T23:00Z' };
const DDL = { database: 'alb_logs', table: 'access_logs', location: 's3://my-bucket/AWSLogs/123456789012/elasticloadbalancing/us-east-1/' };

/** Representative values for every parameter a template declares (the optional ones too, unless told). */
function paramsFor(name: string, withOptional = true): Record<string, string> {
  const declared = new Set(loadTemplate(name).params.filter((p) => withOptional || !p.optional).map((p) => p.name));
  const all: Record<string, string> = { ...RANGE, ...DDL, projection_start: '2026/01/01', alb_idle_timeout: '65', bucket_seconds: '900' };
  return Object.fromEntries(Object.entries(all).filter(([key]) => declared.has(key)));
}

const messages = (errors: readonly { message: string; startLine: number }[]): string[] => errors.map((e) => `line ${e.startLine}: ${e.message}`);

const queries = listTemplates().filter((name) => loadTemplate(name).kind === 'query');
const ddl = listTemplates().filter((name) => loadTemplate(name).kind === 'ddl');

describe('Trino grammar', () => {
  const cases: [string, RenderMode][] = queries.flatMap((name) => (['inline', 'execution'] as const).map((mode): [string, RenderMode] => [name, mode]));
  it.each(cases)('%s (%s) has no syntax error', (name, mode) => {
    const { sql } = renderTemplate(name, paramsFor(name), { mode });
    expect(messages(trino.validate(sql))).toEqual([]);
  });

  it.each(queries)('%s with the optional values left out (NULL, defaults) has none either', (name) => {
    const { sql } = renderTemplate(name, paramsFor(name, false));
    expect(messages(trino.validate(sql))).toEqual([]);
  });

  it('finds the errors it is there for', () => {
    // DuckDB's `AS MATERIALIZED` (local.ts adds it there), a stray parenthesis, a comma too many.
    const { sql } = renderTemplate('keepalive-estimate', paramsFor('keepalive-estimate'));
    expect(trino.validate(sql.replace('settings AS (', 'settings AS MATERIALIZED (')).length).toBeGreaterThan(0);
    const small = renderTemplate('malformed-lines', paramsFor('malformed-lines')).sql;
    expect(trino.validate(small.replace('GROUP BY "$path"', 'GROUP BY "$path")')).length).toBeGreaterThan(0);
    expect(trino.validate(small.replace('AS file,', 'AS file,,')).length).toBeGreaterThan(0);
  });
});

describe('Hive grammar (DDL)', () => {
  it('covers both tables', () => {
    expect(ddl).toEqual(['create-table', 'create-table-no-projection']);
  });

  it.each(ddl)('%s has no syntax error', (name) => {
    const { sql } = renderTemplate(name, paramsFor(name));
    expect(messages(hive.validate(sql))).toEqual([]);
  });

  it('finds the errors it is there for', () => {
    const { sql } = renderTemplate('create-table', paramsFor('create-table'));
    // Trino's own grammar has no CREATE EXTERNAL TABLE; and a column without a type is no DDL.
    expect(trino.validate(sql).length).toBeGreaterThan(0);
    expect(hive.validate(sql.replace('`type` string,', '`type`,')).length).toBeGreaterThan(0);
  });
});
