/**
 * The templates' thresholds come from analyze/constants.ts: no template writes one as a literal, every
 * constant the SQL table defines is used, and a marker nothing defines stops the template from loading.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SQL_CONSTANTS, injectSqlConstants } from '../../src/athena/sqlConstants.js';
import { QUERIES_DIR, loadTemplate } from '../../src/athena/templates.js';

const NUMBER = /(?<![\w.])\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w.])/gi;
const numbersIn = (text: string): number[] => [...text.matchAll(NUMBER)].map((m) => Number(m[0]));

/** Every .sql file as written, the generated DDL aside (it holds no threshold: ddl.test.ts). */
const FILES = readdirSync(QUERIES_DIR).filter((f) => f.endsWith('.sql') && !f.startsWith('create-table'));

/** The code of a file: comments, string literals, quoted names and constant markers blanked. */
function code(file: string): string {
  return readFileSync(join(QUERIES_DIR, file), 'utf8')
    .replace(/--.*$/gm, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""')
    .replace(/\{\{[^{}]*\}\}/g, ' ');
}

/**
 * Numbers the SQL needs for reasons of its own, so a constant with one of these values cannot be told
 * from them by grep (RUN_MIN_EVENTS = 3, say): the digits table and digit arithmetic (0–10, 100), ln k!
 * written exactly below 20, the ms/µs/s conversions (1000, 1000000), the 5xx range (500).
 */
const STRUCTURAL = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 100, 500, 1000, 1_000_000]);

/** The constants whose value a text writes as a literal (their markers blanked first, as code() does). */
function pastedThresholds(text: string): string[] {
  const numbers = new Set(numbersIn(text));
  return Object.entries(SQL_CONSTANTS)
    .filter(([, sql]) => numbersIn(sql).some((n) => !STRUCTURAL.has(n) && numbers.has(n)))
    .map(([name]) => name);
}

describe('thresholds in queries/', () => {
  it.each(FILES)('%s writes no threshold as a literal', (file) => {
    expect(pastedThresholds(code(file))).toEqual([]);
  });

  it('finds a threshold pasted back', () => {
    const text = code('_analysis.sql');
    expect(pastedThresholds(`${text} AND dispatched_us - previous_refusal_us <= ${Number(SQL_CONSTANTS.RUN_GAP_US)}`)).toEqual(['RUN_GAP_US']);
    expect(pastedThresholds(`${text} AND spacing > 0.2e0`)).toEqual(['LINK_LOG']);
  });

  it('exempts only numbers the templates do use for other reasons', () => {
    const all = new Set(FILES.flatMap((f) => numbersIn(code(f))));
    expect([...STRUCTURAL].filter((n) => !all.has(n))).toEqual([]);
  });

  it('has no constant that no template uses', () => {
    const text = FILES.map((f) => readFileSync(join(QUERIES_DIR, f), 'utf8')).join('\n');
    expect(Object.keys(SQL_CONSTANTS).filter((name) => !text.includes(`{{${name}}}`))).toEqual([]);
  });

  it('writes doubles with an exponent, so that Trino does not read them as DECIMAL', () => {
    for (const sql of Object.values(SQL_CONSTANTS)) {
      for (const token of sql.match(/(?<![\w.])\d+\.\d+(?:e[+-]?\d+)?(?![\w.])/gi) ?? []) expect(token).toMatch(/e/i);
    }
  });
});

describe('markers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alb-doctor-sql-constants-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are replaced in the header as in the body', () => {
    writeFileSync(
      join(dir, 'gap.sql'),
      '-- gap.sql: a template with a threshold\n-- @param limit integer {{MIN_ALB_IDLE_TIMEOUT_SECONDS}}..{{MAX_ALB_IDLE_TIMEOUT_SECONDS}}\nSELECT {{RUN_GAP_US}}, :limit\n',
    );
    const template = loadTemplate('gap', dir);
    expect(template.text).toContain(`SELECT ${SQL_CONSTANTS.RUN_GAP_US}, :limit`);
    expect(template.params[0]!.type).toEqual({
      kind: 'integer',
      min: Number(SQL_CONSTANTS.MIN_ALB_IDLE_TIMEOUT_SECONDS),
      max: Number(SQL_CONSTANTS.MAX_ALB_IDLE_TIMEOUT_SECONDS),
      step: 1,
    });
  });

  it('that nothing defines stop the template from loading', () => {
    writeFileSync(join(dir, 'typo.sql'), '-- typo.sql: a template with a misspelt threshold\n-- @param table identifier\nSELECT {{RUN_GAP_SU}} FROM :table\n');
    expect(() => loadTemplate('typo', dir)).toThrow(/RUN_GAP_SU/);
    expect(() => injectSqlConstants('SELECT {{run_gap_us}}', 'x.sql')).toThrow(/run_gap_us/);
    expect(() => injectSqlConstants('SELECT {{toString}}', 'x.sql')).toThrow(/toString/);
  });
});
