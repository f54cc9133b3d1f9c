/**
 * The table's pattern (queries/create-table.sql, from src/athena/ddl.ts) against the parser, line by line,
 * in the three engines that read it:
 * - JavaScript RegExp, the quick check (the pattern is written in the subset JS and Java read alike);
 * - java.util.regex with Athena's RegexSerDe settings (Trino's RegexDeserializer: DOTALL, `matches()`),
 *   through test/athena/RegexCheck.java, when a `java` is on the PATH (skipped visibly otherwise);
 * - DuckDB's RE2, through the local table (`athena local`), compat layer included.
 * Every line the parser reads must match with captures equal to its record (`toRecord`); every line it
 * rejects must land whole in unparsed_line. Property tests add generated lines in every spelling the
 * parser accepts: where the pattern reads a line, it must read it right (it may decline spellings AWS
 * never writes: those lines are kept whole, never misread).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LINE_REGEX, TABLE_COLUMNS, UNPARSED_COLUMN, anchoredLineRegex } from '../../src/athena/ddl.js';
import { loadLocalTable, runLocalSql } from '../../src/athena/local.js';
import { SPEC } from '../support/albSpec.js';
import { entryArbitrary } from '../support/arbitraries.js';
import { writeLine, type EntrySpec } from '../support/lineWriter.js';
import { sharedConformanceDir } from '../support/paths.js';
import {
  BLANK_LINES,
  MALFORMED_LINES,
  compareCaptures,
  fixtureLineSets,
  generatorLineSets,
  sharedConformancePresent,
  sharedLineSets,
  type LineSet,
} from './lines.js';

const pattern = new RegExp(anchoredLineRegex());
const columnNames = TABLE_COLUMNS.map((c) => c.name);

/** JS captures by column name (undefined → null). */
function jsCaptures(line: string): Record<string, string | null> | null {
  const match = pattern.exec(line);
  if (!match) return null;
  return Object.fromEntries(columnNames.map((name, i) => [name, match[i + 1] ?? null]));
}

function problemsOf(lines: readonly string[], capture: (line: string, index: number) => Record<string, unknown> | null, emptyIsNull = false): string[] {
  const problems: string[] = [];
  lines.forEach((line, i) => {
    const captured = capture(line, i);
    if (captured === null) problems.push(`line ${i + 1}: no match at all (every line must match): ${line.slice(0, 120)}`);
    else for (const p of compareCaptures(line, captured, { emptyIsNull })) problems.push(`line ${i + 1}: ${p}`);
  });
  return problems;
}

const fixtureSets = fixtureLineSets();
const sharedSets = sharedLineSets();
const generatorSets = generatorLineSets();
const malformed = [...Object.values(MALFORMED_LINES)];

describe('JavaScript RegExp reads every line as the parser does', () => {
  it.each(fixtureSets.map((s) => [s.name, s] as const))('%s', (_name, set: LineSet) => {
    expect(problemsOf(set.lines, jsCaptures)).toEqual([]);
  });

  it.skipIf(!sharedConformancePresent)(`the shared conformance lines (${sharedConformanceDir}; skipped when absent)`, () => {
    for (const set of sharedSets) expect(problemsOf(set.lines, jsCaptures), set.name).toEqual([]);
  });

  it.each(generatorSets.map((s) => [s.name, s] as const))('%s', (_name, set: LineSet) => {
    expect(set.lines.length).toBeGreaterThan(500);
    expect(problemsOf(set.lines, jsCaptures)).toEqual([]);
  });

  it.each(Object.entries(MALFORMED_LINES))('keeps a malformed line whole: %s', (_reason, line) => {
    const captured = jsCaptures(line)!;
    expect(captured[UNPARSED_COLUMN]).toBe(line);
    expect(Object.entries(captured).filter(([name, value]) => name !== UNPARSED_COLUMN && value !== null)).toEqual([]);
  });

  it('gives a blank line no values at all (not an entry, not an error)', () => {
    for (const line of BLANK_LINES) expect(Object.values(jsCaptures(line)!).every((v) => v === null)).toBe(true);
  });
});

/** AWS's spellings: each field bare or quoted as AWS writes it; only the four both-way fields vary. */
const BOTH_WAYS = new Set(['domain_name', 'chosen_cert_arn', 'target:port_list', 'target_status_code_list']);
const awsSpelling = (entry: EntrySpec): EntrySpec | null => {
  const quoted = entry.quoted?.map((q, i) => (q === undefined || BOTH_WAYS.has(SPEC[i]!.name) ? q : SPEC[i]!.quoted));
  for (let i = 0; i < entry.values.length; i++) {
    const value = entry.values[i];
    if (typeof value !== 'string') continue;
    // A bare field with a space or quote in its value is not something AWS writes; nor is an SNI or a
    // certificate ARN with a quote or an inner space.
    if (!SPEC[i]!.quoted && !BOTH_WAYS.has(SPEC[i]!.name) && (value === '' || /[ "]/.test(value))) return null;
    if ((SPEC[i]!.name === 'domain_name' || SPEC[i]!.name === 'chosen_cert_arn') && /"|\S |^ .*[^ ]* /.test(value)) return null;
    if (SPEC[i]!.name === 'chosen_cert_arn' && value.startsWith(' ')) return null;
  }
  return { ...entry, ...(quoted && { quoted }) };
};

describe('generated lines (fast-check)', () => {
  it('never misreads a line: what it reads equals the record, what it declines is kept whole', () => {
    fc.assert(
      fc.property(entryArbitrary({ backslashQuote: true }), (entry) => {
        const line = writeLine(entry);
        const captured = jsCaptures(line)!;
        if (captured[UNPARSED_COLUMN] === line) return; // declined: visible in malformed-lines.sql
        expect(compareCaptures(line, captured)).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it("reads every line spelled as AWS spells it", () => {
    fc.assert(
      fc.property(entryArbitrary({ backslashQuote: true }), (entry) => {
        const aws = awsSpelling(entry);
        fc.pre(aws !== null);
        const line = writeLine(aws!);
        expect(compareCaptures(line, jsCaptures(line)!)).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });
});

const javaAvailable = spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
const work = mkdtempSync(join(tmpdir(), 'alb-doctor-regex-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the pattern through java.util.regex as RegexSerDe does: one JSON array of captures per line. */
function javaCaptures(lines: readonly string[]): (Record<string, string | null> | null)[] {
  const patternFile = join(work, 'pattern.txt');
  writeFileSync(patternFile, LINE_REGEX);
  const run = spawnSync('java', [join(import.meta.dirname, 'RegexCheck.java'), patternFile], {
    input: lines.join('\n') + '\n',
    maxBuffer: 1 << 28,
  });
  if (run.status !== 0) throw new Error(`java failed: ${run.stderr.toString()}`);
  const out = run.stdout.toString().split('\n');
  return lines.map((_line, i) => {
    const groups = JSON.parse(out[i]!) as (string | null)[] | null;
    if (groups === null) return null;
    expect(groups.length).toBe(columnNames.length);
    return Object.fromEntries(columnNames.map((name, g) => [name, groups[g] ?? null]));
  });
}

describe.skipIf(!javaAvailable)('java.util.regex, as Athena\'s RegexSerDe runs it (skipped without java)', () => {
  it('agrees with the parser on every conformance and generated line, and keeps malformed ones whole', () => {
    const lines = [...fixtureSets, ...sharedSets, ...generatorSets].flatMap((s) => s.lines.slice(0, 400));
    const all = [...lines, ...malformed];
    const captured = javaCaptures(all);
    expect(problemsOf(all, (_line, i) => captured[i]!)).toEqual([]);
  });

  it('agrees with JavaScript on generated lines in every spelling', () => {
    const lines = fc.sample(entryArbitrary({ backslashQuote: true }), { numRuns: 2000, seed: 7 }).map(writeLine);
    const java = javaCaptures(lines);
    lines.forEach((line, i) => expect(java[i], line).toEqual(jsCaptures(line)));
  });
});

describe("DuckDB's RE2, through the local table", () => {
  it('loads every line with the columns the parser gives (captures that did not take part are NULL)', async () => {
    const sets = [...fixtureSets, ...sharedSets, { name: 'generator', lines: generatorSets.flatMap((s) => s.lines.slice(0, 300)) }];
    const lines = [...sets.flatMap((s) => s.lines), ...malformed, ...BLANK_LINES];
    const file = join(work, 'lines.log');
    writeFileSync(file, lines.join('\n') + '\n');
    const table = await loadLocalTable([file], { database: 'alb', table: 'logs' });
    try {
      // Lines are appended in file order; the table keeps it.
      const { rows } = await runLocalSql(table.connection, 'SELECT * FROM alb.logs');
      expect(rows.length).toBe(lines.length);
      expect(problemsOf(lines, (_line, i) => rows[i]!, true)).toEqual([]);
    } finally {
      table.close();
    }
  });

  it('agrees with JavaScript on generated lines in every spelling', async () => {
    const lines = fc.sample(entryArbitrary({ backslashQuote: true }), { numRuns: 1000, seed: 9 }).map(writeLine);
    const file = join(work, 'generated.log');
    writeFileSync(file, lines.join('\n') + '\n');
    const table = await loadLocalTable([file], { database: 'alb', table: 'logs' });
    try {
      const { rows } = await runLocalSql(table.connection, `SELECT ${columnNames.map((n) => `"${n}"`).join(', ')} FROM alb.logs`);
      lines.forEach((line, i) => {
        const js = jsCaptures(line)!;
        const duck = rows[i]!;
        for (const column of TABLE_COLUMNS) {
          const want = js[column.name] === '' ? null : js[column.name];
          const got = duck[column.name];
          expect(got === null ? null : String(got), `${column.name} of ${line}`).toBe(want === null ? null : column.type === 'string' ? want : String(Number(want)));
        }
      });
    } finally {
      table.close();
    }
  });
});
