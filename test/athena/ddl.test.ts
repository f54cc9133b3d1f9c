/**
 * The generated table: queries/create-table*.sql are what src/athena/ddl.ts generates from the field
 * table, the pattern stays in the subset Java, JavaScript and RE2 read alike, and its literal in the DDL
 * decodes (Hive string-literal rules) to exactly that pattern.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  GENERATED_QUERY_FILES,
  LINE_REGEX,
  TABLE_COLUMNS,
  TRAILING_COLUMN,
  UNPARSED_COLUMN,
  decodeHiveStringLiteral,
  hiveStringLiteral,
} from '../../src/athena/ddl.js';
import { QUERIES_DIR, renderTemplate } from '../../src/athena/templates.js';
import { COLUMNS } from '../../src/parse/fields.js';

/** The character classes of a pattern, as written (escapes outside classes skipped). */
function characterClasses(pattern: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      i++;
      continue;
    }
    if (pattern[i] !== '[') continue;
    let j = i + 1;
    if (pattern[j] === '^') j++;
    if (pattern[j] === ']') j++; // a leading `]` is literal
    while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
    out.push(pattern.slice(i, j + 1));
    i = j;
  }
  return out;
}

describe('queries/create-table*.sql', () => {
  it.each(Object.keys(GENERATED_QUERY_FILES))('%s is up to date (regenerate: npx tsx src/athena/ddl.ts)', (name) => {
    expect(readFileSync(join(QUERIES_DIR, name), 'utf8')).toBe(GENERATED_QUERY_FILES[name]!());
  });

  it("has the field table's columns, in its order, then trailing_fields and unparsed_line", () => {
    expect(TABLE_COLUMNS.map((c) => c.name)).toEqual([...COLUMNS, TRAILING_COLUMN, UNPARSED_COLUMN]);
    expect(TABLE_COLUMNS.map((c) => c.name)).toContain('error_reason');
    expect(TABLE_COLUMNS.map((c) => c.name)).not.toContain('lambda_error_reason');
    for (const name of ['transformed_host', 'transformed_uri', 'request_transform_status', 'ip_address']) {
      expect(TABLE_COLUMNS.map((c) => c.name)).toContain(name);
    }
  });

  it('types numbers as RegexSerDe can cast them: ports int, counts bigint, times in seconds double', () => {
    const type = Object.fromEntries(TABLE_COLUMNS.map((c) => [c.name, c.type]));
    expect(type).toMatchObject({
      client_port: 'int',
      target_port: 'int',
      elb_status_code: 'bigint',
      received_bytes: 'bigint',
      request_processing_time: 'double',
      time: 'string',
      request_creation_time: 'string',
    });
  });

  it('has exactly one capture per column (RegexSerDe maps column i to group i)', () => {
    const groups = new RegExp(`${LINE_REGEX}|`).exec('')!.length - 1;
    expect(groups).toBe(TABLE_COLUMNS.length);
  });

  it("writes the pattern as a Hive literal that decodes back to it", () => {
    const ddl = readFileSync(join(QUERIES_DIR, 'create-table.sql'), 'utf8');
    const literal = /'input\.regex' = ('(?:[^'\\]|\\.)*')/.exec(ddl)![1]!;
    expect(literal).toBe(hiveStringLiteral(LINE_REGEX));
    expect(decodeHiveStringLiteral(literal)).toBe(LINE_REGEX);
  });

  it('uses only constructs java.util.regex, JavaScript and RE2 read alike', () => {
    const forbidden: [string, RegExp][] = [
      ['lookahead or lookbehind', /\(\?[=!<]/],
      ['backreference', /\\[1-9]/],
      ['possessive quantifier', /[*+?}]\+/],
      ['atomic group', /\(\?>/],
      ['inline flags', /\(\?[a-z]+[):]/],
      ['\\d, \\w or \\b (their Unicode scope differs)', /\\[dwbDWB]/],
    ];
    for (const [what, construct] of forbidden) expect(construct.test(LINE_REGEX), what).toBe(false);
    // Java reads an unescaped `[` inside a class as a nested class, and `&&` as intersection.
    for (const cls of characterClasses(LINE_REGEX)) {
      expect(/(?<!\\)\[/.test(cls.slice(1)), cls).toBe(false);
      expect(cls.includes('&&'), cls).toBe(false);
    }
  });

  it('renders with projection on the day folder, from the given first day until now', () => {
    const { sql } = renderTemplate('create-table', {
      database: 'alb_logs',
      table: 'access_logs',
      location: 's3://my-alb-logs/prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1',
      projection_start: '2024-01-01',
    });
    expect(sql).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS `alb_logs`.`access_logs`');
    expect(sql).toContain("LOCATION 's3://my-alb-logs/prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/'");
    expect(sql).toContain("'projection.day.range' = '2024/01/01,NOW'");
    expect(sql).toContain("'projection.day.format' = 'yyyy/MM/dd'");
    expect(sql).toContain("'storage.location.template' = 's3://my-alb-logs/prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/${day}'");
    expect(sql).toContain('PARTITIONED BY (`day` string)');
  });

  it('renders the variant without projection with no TBLPROPERTIES', () => {
    const { sql } = renderTemplate('create-table-no-projection', {
      database: 'alb_logs',
      table: 'access_logs',
      location: 's3://my-alb-logs/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/',
    });
    expect(sql).not.toContain('TBLPROPERTIES');
    expect(sql).toContain('PARTITIONED BY (`day` string)');
  });
});
