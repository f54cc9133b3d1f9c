/**
 * Lines other ALB parsers test against must all parse here, and where those projects state parsed
 * values, ours must agree once each peer's conventions are translated (test/support/conformance.ts).
 * Where a peer disagrees with AWS's documentation we follow AWS; the translation rules say where.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { columnsOfDocumentedFields, loadPeer, loadPeerDir, type PeerSet, translate } from '../support/conformance.js';
import { fixtureConformanceDir, sharedConformanceDir } from '../support/paths.js';
import { parseText, recordOf } from '../support/parseText.js';

function definePeerTests(set: PeerSet): void {
  it(`every line is an entry (${set.lines.length} lines)`, () => {
    expect(set.lines.length).toBeGreaterThan(0);
    const malformed = set.lines.flatMap((line, i) => {
      const result = parseText(line, `${set.name}.log`, i + 1);
      return result.ok ? [] : [`line ${i + 1}: ${result.error.code} ${result.error.field ?? ''}`];
    });
    expect(malformed).toEqual([]);
  });

  const stated = set.expected.filter((e) => Object.keys(e).some((k) => k !== 'line' && !k.startsWith('_')));
  if (stated.length > 0) {
    it.each(stated.map((e) => ({ line: e.line, stated: e })))('stated values of line $line', ({ line, stated: values }) => {
      const record = recordOf(set.lines[line - 1]!, `${set.name}.log`, line) as Record<string, unknown>;
      const translation = translate(set.name, values);
      // Every key the peer states is compared or skipped with a reason.
      expect(translation.unknown, 'stated keys with no translation').toEqual([]);
      expect(translation.checks.length).toBeGreaterThan(0);
      for (const check of translation.checks) {
        const actual = check.actual ? check.actual(record) : record[check.column];
        expect(actual, `${set.name} line ${line}: ${check.peerKey} → ${check.column}`).toEqual(check.expected);
      }
    });
  }

  const documented = set.expected.filter((e) => Array.isArray(e._documented_fields));
  if (documented.length > 0) {
    it.each(documented.map((e) => ({ line: e.line, fields: e._documented_fields as string[] })))(
      'line $line has exactly the fields AWS documented at the time',
      ({ line, fields }) => {
        const record = recordOf(set.lines[line - 1]!, `${set.name}.log`, line);
        expect(Object.keys(record)).toEqual([...columnsOfDocumentedFields(fields), '_file', '_line']);
      },
    );
  }
}

const sharedPeers = path.join(sharedConformanceDir, 'peers');
const sharedPresent = existsSync(sharedPeers);

describe.skipIf(!sharedPresent)(
  sharedPresent
    ? 'conformance: peer lines in ../shared/conformance'
    : 'conformance: peer lines in ../shared/conformance — SKIPPED: the folder is absent on this clone',
  () => {
    const sets = sharedPresent ? loadPeerDir(sharedPeers) : [];

    it('found the peer files', () => {
      expect(sets.map((s) => s.name)).toContain('vrl');
    });

    it('the copies in test/fixtures/conformance are byte-identical to the collection', () => {
      for (const name of readdirSync(fixtureConformanceDir).filter((n) => statSync(path.join(fixtureConformanceDir, n)).isDirectory())) {
        for (const file of [`${name}.log`, `${name}.expected.json`]) {
          expect(readFileSync(path.join(fixtureConformanceDir, name, file)), file).toEqual(readFileSync(path.join(sharedPeers, file)));
        }
      }
    });

    for (const set of sets) describe(set.name, () => definePeerTests(set));
  },
);

describe('conformance: permissively licensed peer lines in test/fixtures/conformance', () => {
  const names = readdirSync(fixtureConformanceDir).filter((n) => statSync(path.join(fixtureConformanceDir, n)).isDirectory());

  it('has the four sources, each with a README naming its license', () => {
    expect(names.sort()).toEqual(['aws-log-parser', 'awsdocs-history', 'plaso', 'vrl']);
    for (const name of names) expect(readFileSync(path.join(fixtureConformanceDir, name, 'README.md'), 'utf8')).toMatch(/License: /);
  });

  for (const name of names) describe(name, () => definePeerTests(loadPeer(path.join(fixtureConformanceDir, name), name)));
});
