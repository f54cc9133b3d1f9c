/**
 * Lines for the table-pattern tests, and the comparison of a pattern's captures with the parser's record.
 * Sources: the conformance copies in test/fixtures/conformance/, the wider collection in
 * ../shared/conformance/ when it is present, and every layout the generator writes.
 */
import { existsSync } from 'node:fs';
import { TABLE_COLUMNS, TRAILING_COLUMN, UNPARSED_COLUMN } from '../../src/athena/ddl.js';
import { LineParser } from '../../src/parse/parseLine.js';
import { TokenSpans, tokenize } from '../../src/parse/tokenize.js';
import { LAYOUTS, scenario, simulate } from '../generator/index.js';
import { loadPeerDir } from '../support/conformance.js';
import { fixtureConformanceDir, sharedConformanceDir } from '../support/paths.js';

export interface LineSet {
  name: string;
  lines: string[];
}

export const sharedConformancePresent = existsSync(sharedConformanceDir);

export function fixtureLineSets(): LineSet[] {
  return ['vrl', 'aws-log-parser', 'plaso', 'awsdocs-history'].flatMap((dir) =>
    loadPeerDir(`${fixtureConformanceDir}/${dir}`).map((peer) => ({ name: `fixtures/${dir}/${peer.name}`, lines: peer.lines })),
  );
}

export function sharedLineSets(): LineSet[] {
  if (!sharedConformancePresent) return [];
  return loadPeerDir(`${sharedConformanceDir}/peers`).map((peer) => ({ name: `shared/${peer.name}`, lines: peer.lines }));
}

/** Ten minutes of the `mixed` scenario (every cause, Lambda, malformed requests) in each layout, and without node. */
export function generatorLineSets(seed = 11): LineSet[] {
  const sets: LineSet[] = LAYOUTS.map((layout) => ({
    name: `generator/${layout}`,
    lines: simulate(scenario('mixed', undefined, { durationMs: 10 * 60_000, layout }), seed).files.flatMap((f) => f.lines),
  }));
  sets.push({
    name: 'generator/2026 without node',
    lines: simulate(scenario('mixed', undefined, { durationMs: 10 * 60_000 }), seed, { noNode: true }).files.flatMap((f) => f.lines),
  });
  return sets;
}

export type Captured = (string | null)[];

/**
 * What the parser says the pattern must capture for `line`: one value per table column (numbers as
 * numbers, `-` and absent fields as null), the trailing tokens and the unparsed line. Null when the
 * parser rejects the line (the pattern must then keep it whole in unparsed_line).
 */
export function expectedCaptures(line: string): { values: Record<string, unknown>; extra: string[] | null } | null {
  const parser = new LineParser();
  const buf = Buffer.from(line);
  const result = parser.parse(buf, 0, buf.length, 'line', 1);
  if (!result.ok) return null;
  const record = result.entry.toRecord('line', 1) as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  for (const column of TABLE_COLUMNS) {
    if (column.name === TRAILING_COLUMN || column.name === UNPARSED_COLUMN) continue;
    values[column.name] = record[column.name] ?? null;
  }
  return { values, extra: (record.extra as string[] | undefined) ?? null };
}

/** The tokens of the trailing_fields text, quotes removed, as the parser's `extra` lists them. */
export function trailingTokens(text: string): string[] {
  const buf = Buffer.from(text);
  const spans = new TokenSpans();
  tokenize(buf, 0, buf.length, spans);
  const out: string[] = [];
  for (let i = 0; i < spans.count; i++) out.push(buf.toString('utf8', spans.start[i]!, spans.end[i]!));
  return out;
}

/** Differences between captures (strings, or typed values from DuckDB) and the parser's view; [] when they agree. */
export function compareCaptures(
  line: string,
  captured: Readonly<Record<string, unknown>>,
  options: { emptyIsNull?: boolean } = {},
): string[] {
  const expected = expectedCaptures(line);
  const unparsed = captured[UNPARSED_COLUMN] ?? null;
  if (expected === null) {
    return unparsed === line || (options.emptyIsNull && line.trim() === '' && unparsed === null) ? [] : [`parser rejects it, but unparsed_line is ${JSON.stringify(unparsed)}`];
  }
  const problems: string[] = [];
  if (unparsed !== null) problems.push('parser reads it, but it landed in unparsed_line');
  for (const column of TABLE_COLUMNS) {
    if (column.name === TRAILING_COLUMN || column.name === UNPARSED_COLUMN) continue;
    const raw = captured[column.name] ?? null;
    let got: unknown = raw;
    if (typeof raw === 'string' && column.type !== 'string') got = Number(raw);
    let want = expected.values[column.name];
    // DuckDB's RE2 gives '' for a capture that did not take part; the loader makes every '' NULL.
    if (options.emptyIsNull && want === '') want = null;
    if (got !== want) problems.push(`${column.name}: expected ${JSON.stringify(want)}, captured ${JSON.stringify(got)}`);
  }
  const trailing = captured[TRAILING_COLUMN] ?? null;
  const tokens = typeof trailing === 'string' ? trailingTokens(trailing) : null;
  if (JSON.stringify(tokens) !== JSON.stringify(expected.extra)) {
    problems.push(`trailing_fields ${JSON.stringify(trailing)} vs extra ${JSON.stringify(expected.extra)}`);
  }
  return problems;
}

/**
 * Lines the parser rejects, one per reason, each of which the pattern must keep whole (and blank lines,
 * which are neither entries nor errors: no values at all).
 */
export const MALFORMED_LINES: Readonly<Record<string, string>> = {
  'too few fields (17)':
    'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067',
  'no space after a closing quote':
    'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-"0 2018-07-02T22:22:48.364000Z "forward" "-" "-"',
  'time is not ISO-8601':
    'http 2018-07-02 22:23:00 app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-"',
  'port beyond 65535':
    'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:70000 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-"',
  'status code is not a number':
    'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 2OO 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-"',
  'rule priority is not a number':
    'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" first 2018-07-02T22:22:48.364000Z "forward" "-" "-"',
  'unterminated quote':
    'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1 "curl/7.46.0 - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 Root=1-58337262 - - -',
  'type is not a word': 'HTTP/1.1 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn "Root" "-" "-"',
  'a connection log line': '2026-03-14T21:58:00.123Z 203.0.113.7 51234 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 0.012 - - - Success TID_0123456789abcdef',
  'a health-check log line': 'http 2026-03-14T21:58:00.123Z app/shop-prod/0123456789abcdef 10.0.16.21:3000 0.002 200 "-" "PASS"',
  'AWS test file': 'Enable AccessLog for ELB: shop-prod at 2026-03-14T21:50:00.000Z',
};

export const BLANK_LINES: readonly string[] = ['', '   ', ' \t '];
