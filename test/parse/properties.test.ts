import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { emptyLineCounts, readLog } from '../../src/parse/readLog.js';
import { entryArbitrary } from '../support/arbitraries.js';
import { expectedRecord, writeLine } from '../support/lineWriter.js';
import { fixtureConformanceDir } from '../support/paths.js';
import { parseText } from '../support/parseText.js';

// Fixed seeds keep runs repeatable; fast-check prints the seed and the shrunk case on failure.
const SEED = 20261124;

describe('property: written records parse back', () => {
  it('any layout (20…34 fields, extra tokens), any quoting, escapes and \\" inside quotes', () => {
    fc.assert(
      fc.property(entryArbitrary({ backslashQuote: true }), fc.constantFrom('', '\r', ' ', '  \r'), fc.integer({ min: 1, max: 1e6 }), (entry, ending, lineNumber) => {
        const line = writeLine(entry) + ending;
        const result = parseText(line, 'gen.log', lineNumber);
        if (!result.ok) throw new Error(`${result.error.code} ${result.error.field ?? ''} for ${JSON.stringify(line)}`);
        const expected = expectedRecord(entry, 'gen.log', lineNumber);
        // The JSON writer must give what JSON.stringify gives for the expected record, byte for byte.
        expect(result.entry.toJson(JSON.stringify('gen.log'), lineNumber)).toBe(JSON.stringify(expected));
        const record = result.entry.toRecord('gen.log', lineNumber);
        expect(record).toEqual(expected);
        expect(Object.keys(record)).toEqual(Object.keys(expected));
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});

/** Real lines to mangle: the permissively licensed peer lines kept in the repository. */
function realLines(): string[] {
  const lines: string[] = [];
  for (const name of ['vrl', 'aws-log-parser', 'plaso', 'awsdocs-history']) {
    const text = readFileSync(path.join(fixtureConformanceDir, name, `${name}.log`), 'utf8');
    lines.push(...text.split('\n').filter((l) => l.length > 0));
  }
  return lines;
}

const REAL = realLines();

/** One random edit of a line's bytes: what truncation, bit rot and bad concatenation do. */
const mangle = (line: Buffer): fc.Arbitrary<Buffer> => {
  const at = fc.integer({ min: 0, max: line.length });
  const byte = fc.oneof(fc.constantFrom(0x22, 0x20, 0x5c, 0x2d, 0x3a, 0x0d, 0x00, 0xff), fc.integer({ min: 0, max: 255 }));
  return fc.oneof(
    at.map((i) => line.subarray(0, i)), // cut
    fc.tuple(at, byte).map(([i, b]) => Buffer.concat([line.subarray(0, i), Buffer.from([b]), line.subarray(i)])), // insert
    fc.tuple(at, byte).map(([i, b]) => {
      const copy = Buffer.from(line);
      if (i < copy.length) copy[i] = b;
      return copy;
    }), // overwrite
    fc.tuple(at, fc.integer({ min: 1, max: 40 })).map(([i, n]) => Buffer.concat([line.subarray(0, i), line.subarray(i + n)])), // delete
    fc.tuple(at, at).map(([i, j]) => Buffer.concat([line.subarray(0, i), line.subarray(j)])), // splice two parts
  );
};

const NEWLINE = 0x0a;

/** A file's bytes: mangled real lines, random bytes, blank lines; `\n` only between lines. */
const fileArbitrary: fc.Arbitrary<Buffer> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...REAL).chain((l) => mangle(Buffer.from(l))) },
      { weight: 1, arbitrary: fc.constantFrom(...REAL).map((l) => Buffer.from(l)) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
      { weight: 1, arbitrary: fc.constantFrom('', '\r', '   ', ' \t \r').map((s) => Buffer.from(s)) },
    ),
    { maxLength: 12 },
  )
  .map((parts) => Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from([NEWLINE]), p]))));

/** Line i (1-based) of `buf`, split by hand: the independent reference for line numbers. */
function splitLines(buf: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === NEWLINE) {
      lines.push(buf.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < buf.length) lines.push(buf.subarray(start));
  return lines;
}

async function* chunked(buf: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let previous = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const at = Math.min(cut, buf.length);
    if (at > previous) yield buf.subarray(previous, at);
    previous = Math.max(previous, at);
  }
  if (previous < buf.length) yield buf.subarray(previous);
}

const CODES = Object.keys(ERROR_CODES);

describe('property: mangled and random input never throws', () => {
  it('each line alone is an entry or a located malformed-line error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...REAL).chain((l) => mangle(Buffer.from(l))), fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a))), fc.integer({ min: 1, max: 1e7 }), (line, lineNumber) => {
        const result = parseText(line, 'm.log', lineNumber);
        if (result.ok) {
          const record = result.entry.toRecord('m.log', lineNumber);
          expect(record._line).toBe(lineNumber);
        } else {
          expect(CODES).toContain(result.error.code);
          expect(result.error.line).toBe(lineNumber);
          expect(result.error.source).toBe('m.log');
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('a whole file in random chunks: every line counted once, line numbers right', async () => {
    await fc.assert(
      fc.asyncProperty(fileArbitrary, fc.array(fc.nat({ max: 4000 }), { maxLength: 8 }), async (file, cuts) => {
        const lines = splitLines(file);
        // Reference verdict per line from parsing each line alone.
        const verdicts = lines.map((line, i) => {
          const blank = /^[ \t\r]*$/.test(line.toString('latin1'));
          return blank ? 'blank' : parseText(line, 'f.log', i + 1).ok ? 'entry' : 'malformed';
        });
        const counts = emptyLineCounts();
        const entryLines: number[] = [];
        await readLog(chunked(file, cuts), 'f.log', (_entry, lineNumber) => entryLines.push(lineNumber), counts);

        expect(counts.lines).toBe(lines.length);
        expect(counts.lines).toBe(counts.entries + counts.malformed + counts.blankLines);
        expect(entryLines).toEqual(verdicts.flatMap((v, i) => (v === 'entry' ? [i + 1] : [])));
        expect(counts.blankLines).toBe(verdicts.filter((v) => v === 'blank').length);
        expect(counts.malformed).toBe(verdicts.filter((v) => v === 'malformed').length);
        const malformedLines = verdicts.flatMap((v, i) => (v === 'malformed' ? [i + 1] : []));
        expect(counts.malformedSamples.map((e) => e.line)).toEqual(malformedLines.slice(0, counts.malformedSamples.length));
        for (const sample of counts.malformedSamples) {
          expect(CODES).toContain(sample.code);
          expect(sample.source).toBe('f.log');
        }
        const byCode = Object.values(counts.malformedByCode).reduce((a, b) => a + (b ?? 0), 0);
        expect(byCode).toBe(counts.malformed);
        expect(counts.plainBytes).toBe(file.length);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
