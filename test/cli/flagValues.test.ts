/**
 * Property: whatever values --from, --to and --alb-idle-timeout get, `report` and `parse` either succeed
 * or exit 2 with one sentence on stderr; never a stack trace, never another exit code, never a raw
 * control character echoed back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { HOSTILE_VALUES, TERMINAL_UNSAFE } from '../support/hostile.js';
import { runCli, type CliRun } from '../support/runCli.js';
import { sampleText } from '../support/samples.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alb-doctor-flags-'));
const LOG = path.join(dir, 'a.log');
writeFileSync(LOG, sampleText(2));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW_MS = Date.parse('2024-05-02T12:00:00Z');
/** The whole range of a JavaScript Date, and beyond it. */
const MAX_DATE_MS = 8.64e15;

const digits = fc.oneof(fc.nat().map(String), fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String), fc.stringMatching(/^\d{1,25}$/));
/** `6h`, `100000001d`, `0s`, ` 30M `, `1e3h`, `-6h`, `6 h`. */
const age = fc
  .tuple(fc.constantFrom('', '-', '+', ' '), digits, fc.constantFrom('', ' '), fc.constantFrom('s', 'm', 'h', 'd', 'w', 'S', 'M', 'H', 'D', 'W', 'y', 'ms', ''))
  .map(([sign, n, space, unit]) => `${sign}${n}${space}${unit}`);
/** ISO-shaped times across and beyond the Date range, with and without offsets, some cut short. */
const isoTime = fc
  .tuple(
    fc.integer({ min: -MAX_DATE_MS, max: MAX_DATE_MS }),
    fc.constantFrom('Z', '', '+02:00', '-0130', '+25:00', ' '),
    fc.nat({ max: 30 }),
  )
  .map(([ms, offset, cut]) => {
    const iso = new Date(ms).toISOString().replace(/Z$/, offset);
    return cut > 24 ? iso : iso.slice(0, iso.length - cut);
  });
/** Any code points, controls and lone surrogates included, and the hostile corpus: echoed values must stay one visible line. */
const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(...HOSTILE_VALUES.map((v) => v.value)));
const timeValue = fc.oneof(age, isoTime, fc.string(), anyText, fc.constantFrom('', ' ', 'now', 'yesterday', 'NaN', 'Infinity', '1970-01-01', '9999-12-31T23:59:59.999Z', '+275760-09-13T00:00:00Z'));
const idleValue = fc.oneof(digits, fc.string(), anyText, fc.double().map(String), fc.integer({ min: -10, max: 5000 }).map(String), fc.constantFrom('', ' 60 ', '0x3c', '6e1', '60.0'));

function expectCleanOutcome(result: CliRun): void {
  expect([0, 2]).toContain(result.code);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  // A value is echoed with its controls as visible escapes: never a raw one on the terminal.
  expect(result.stderr).not.toMatch(TERMINAL_UNSAFE);
  if (result.code === 2) {
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^alb-doctor: .+[.;] ?/);
  }
}

describe('command-line values never end in a stack trace', () => {
  it('report --from/--to/--alb-idle-timeout', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(timeValue), fc.option(timeValue), fc.option(idleValue), async (from, to, idle) => {
        const argv = ['report', LOG, '--format', 'json'];
        if (from !== null) argv.push(`--from=${from}`);
        if (to !== null) argv.push(`--to=${to}`);
        if (idle !== null) argv.push(`--alb-idle-timeout=${idle}`);
        expectCleanOutcome(await runCli(argv, { now: () => NOW_MS }));
      }),
      { numRuns: 300 },
    );
  });

  it('parse --from/--to', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(timeValue), fc.option(timeValue), async (from, to) => {
        const argv = ['parse', LOG];
        if (from !== null) argv.push(`--from=${from}`);
        if (to !== null) argv.push(`--to=${to}`);
        const result = await runCli(argv, { now: () => NOW_MS });
        expect([0, 2]).toContain(result.code);
        expect(result.stderr).not.toMatch(/\n\s+at /);
        expect(result.stderr).not.toMatch(TERMINAL_UNSAFE);
        if (result.code === 2) expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
  });
});
