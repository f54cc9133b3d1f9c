/**
 * `alb-doctor report`, run in-process through `main`. Three layers:
 * - command-line checks, which must fail before any input is read;
 * - the wiring (options handed to the analysis, formats, colour, --output, --events, exit codes), with a
 *   stand-in analysis that returns a fixed report, so these pin the CLI alone;
 * - end to end with the real analysis, skipped while it is still a stub.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CliIo, main } from '../../src/cli.js';
import type { AlbEntry } from '../../src/parse/parseLine.js';
import type { Report } from '../../src/report/model.js';
import type { CauseEvent, Input, RunHooks, RunOptions } from '../../src/run.js';
import * as realRun from '../../src/run.js';
import type { LogObject } from '../../src/sources/logObject.js';
import { racyReport } from '../report/fixtures/reports.js';
import { runCli, type CliRun } from '../support/runCli.js';

const NOW_MS = Date.parse('2024-05-02T12:00:00Z');
const HOUR_MS = 3_600_000;
const TG = 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/api/73e2d6bc24d8a067';

/** One ALB entry; `status` 502 with `-1` response time and no target status is the keep-alive race shape. */
function entry(timeMs: number, status: number, target = '10.0.0.1:80'): string {
  const time = new Date(timeMs).toISOString().replace('Z', '000Z');
  const [responseTime, targetStatus] = status === 502 ? ['-1', '-'] : ['0.000', String(status)];
  return (
    `http ${time} app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 ${target} 0.000 0.001 ${responseTime} ` +
    `${status} ${targetStatus} 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - ${TG} ` +
    `"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 ${time} "forward" "-" "-" "10.0.0.1:80" "${targetStatus}" "-" "-"`
  );
}

const dir = mkdtempSync(join(tmpdir(), 'alb-doctor-report-'));
const LOG = join(dir, 'a.log');
writeFileSync(LOG, [entry(NOW_MS - 7 * HOUR_MS, 200), entry(NOW_MS - 2 * HOUR_MS, 200), entry(NOW_MS - HOUR_MS, 502)].join('\n') + '\n');
/** A 502 of another load balancer, between the entries of LOG. */
const OTHER_LB = join(dir, 'other.log');
writeFileSync(OTHER_LB, entry(NOW_MS - 90 * 60_000, 502).replace('app/my-loadbalancer/50dc6c495c0c9188', 'app/other-lb/0123456789abcdef') + '\n');
const TRUNCATED = join(dir, 'cut.log.gz');
const gz = gzipSync(readFileSync(LOG));
writeFileSync(TRUNCATED, gz.subarray(0, gz.length - 12));

type Run = CliRun;
type Main = typeof main;

const run = (argv: string[], io: Partial<Pick<CliIo, 'stdoutIsTTY' | 'stderrIsTTY' | 'env'>> = {}, entry: Main = main): Promise<Run> =>
  runCli(argv, { now: () => NOW_MS, ...io }, entry);

const ANSI = /\x1b\[/;

describe('report: command-line checks, before any input is read', () => {
  const usage: [string, string[], RegExp][] = [
    ['a --from that is no time', ['--from', 'yesterday'], /--from 'yesterday' is not a time/],
    ['a --to that is no time', ['--to', '6x'], /--to '6x' is not a time/],
    ['--from after --to', ['--from', '1h', '--to', '2h'], /--from .* must be before --to/],
    ['--alb-idle-timeout 0', ['--alb-idle-timeout', '0'], /--alb-idle-timeout '0' is not a whole number of seconds from 1 to 4000/],
    ['--alb-idle-timeout 4001', ['--alb-idle-timeout', '4001'], /--alb-idle-timeout '4001'/],
    ['--alb-idle-timeout 1.5', ['--alb-idle-timeout', '1.5'], /--alb-idle-timeout '1.5'/],
    ['--alb-idle-timeout abc', ['--alb-idle-timeout', 'abc'], /--alb-idle-timeout 'abc'/],
    ['a --from too far back for a date', ['--from', '100000001d'], /--from '100000001d' is not between the years 1970 and 9999/],
    ['a --to too far back for a date', ['--to', '99999999999999999999w'], /--to '99999999999999999999w' is not between the years 1970 and 9999/],
    ['an --lb that names no load balancer', ['--lb', 'app/x/y/z'], /--lb 'app\/x\/y\/z' is not a load balancer/],
    ['an unknown format', ['--format', 'xml'], /--format <format>' argument 'xml' is invalid/],
    ['an unknown flag', ['--bogus'], /unknown option '--bogus'/],
    ['an --output in a missing folder', ['--output', join(dir, 'no/such/report.json')], /--output .*: cannot be written/],
    ['an --events in a missing folder', ['--events', join(dir, 'no/such/events.jsonl')], /--events .*: cannot be written \(its folder does not exist\)/],
    ['an --output that is a folder', ['--output', dir], /--output .*: cannot be written \(it is a folder\)/],
    ['--output and --events on one file', ['--output', join(dir, 'same'), '--events', join(dir, 'same')], /both name/],
  ];
  it.each(usage)('%s: exit 2, one sentence on stderr, nothing read', async (_name, flags, message) => {
    const result = await run(['report', join(dir, 'missing.log'), ...flags]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('missing.log');
  });

  it('needs at least one source', async () => {
    const result = await run(['report']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing required argument 'source'/);
  });

  it('prints its version with --version and -V', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await run([flag]);
      expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('lists its flags in --help', async () => {
    const result = await run(['report', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--from', '--to', '--format', '--output', '--events', '--alb-idle-timeout']) expect(result.stdout).toContain(flag);
  });
});

/**
 * Stands in for the analysis behind runReport: records the options it was called with, reads the input for
 * real (runParse), reports every 502 through onEvent, and returns the hand-built racy report with the real
 * input counts.
 */
const built: RunOptions[] = [];
const builtHooks: RunHooks[] = [];
async function standInRunReport(input: Input, options: RunOptions = {}, hooks: RunHooks = {}): ReturnType<typeof realRun.runReport> {
  built.push(options);
  builtHooks.push(hooks);
  let observed = 0;
  const { stats } = await realRun.runParse(input, options, {
    onEntry(view: AlbEntry, object: LogObject, lineNumber: number) {
      observed++;
      const record = view.toRecord(object.name, lineNumber);
      if (record.elb_status_code !== 502) return;
      const event: CauseEvent = {
        idleGapMs: 6003,
        node: null,
        target: String(record.target_ip) + ':' + String(record.target_port),
        targetGroup: 'api',
        class: 'keepalive_race',
        time: String(record.time),
        line: lineNumber,
        file: object.name,
      };
      hooks.onEvent?.(event);
    },
    ...(hooks.afterChunk !== undefined && { afterChunk: hooks.afterChunk }),
  });
  const report = racyReport();
  report.input = { ...report.input, files: stats.files, lines: stats.lines, entries: observed, unread: stats.unread.map((e) => e.toJSON() as never) };
  return { report, stats, state: null as never };
}

describe('report: wiring, with a stand-in analysis', () => {
  let withStandIn: Main;
  beforeAll(async () => {
    vi.resetModules();
    vi.doMock('../../src/run.js', async (importOriginal) => ({
      ...(await importOriginal<typeof import('../../src/run.js')>()),
      runReport: standInRunReport,
    }));
    withStandIn = (await import('../../src/cli.js')).main;
  });
  afterAll(() => {
    vi.doUnmock('../../src/run.js');
    vi.resetModules();
  });
  const report = (argv: string[], io: Parameters<typeof run>[1] = {}): Promise<Run> => run(['report', ...argv], io, withStandIn);
  const lastOptions = (): RunOptions => built[built.length - 1]!;

  it('hands relative --from/--to to the analysis as epoch ms from the injected clock', async () => {
    expect((await report([LOG, '--from', '6h', '--to', '30m'])).code).toBe(0);
    expect(lastOptions().fromMs).toBe(NOW_MS - 6 * HOUR_MS);
    expect(lastOptions().toMs).toBe(NOW_MS - 30 * 60_000);
    await report([LOG, '--from', '2d']);
    expect(lastOptions().fromMs).toBe(NOW_MS - 48 * HOUR_MS);
    expect(lastOptions().toMs).toBeUndefined();
  });

  it('hands ISO --from/--to over as given, UTC when they carry no offset', async () => {
    expect((await report([LOG, '--from', '2024-05-01T10:00', '--to', '2024-05-01T14:30:00+02:00'])).code).toBe(0);
    expect(lastOptions().fromMs).toBe(Date.parse('2024-05-01T10:00:00Z'));
    expect(lastOptions().toMs).toBe(Date.parse('2024-05-01T12:30:00Z'));
    expect((await report([LOG, '--from', '2024-05-01'])).code).toBe(0);
    expect(lastOptions().fromMs).toBe(Date.parse('2024-05-01T00:00:00Z'));
  });

  it('hands --alb-idle-timeout over, and nothing when it is absent', async () => {
    await report([LOG, '--alb-idle-timeout', '4000']);
    expect(lastOptions().albIdleTimeoutSeconds).toBe(4000);
    await report([LOG, '--alb-idle-timeout', '1']);
    expect(lastOptions().albIdleTimeoutSeconds).toBe(1);
    await report([LOG]);
    expect(lastOptions().albIdleTimeoutSeconds).toBeUndefined();
    expect(builtHooks[builtHooks.length - 1]!.onEvent).toBeUndefined();
  });

  it('writes text to a terminal and to a pipe (without colour) unless --format says otherwise', async () => {
    expect((await report([LOG], { stdoutIsTTY: true })).stdout).toContain('VERDICT');
    const piped = (await report([LOG], { stdoutIsTTY: false })).stdout;
    expect(piped).toMatch(/^alb-doctor report/);
    expect(piped).toContain('VERDICT');
    expect(piped).not.toMatch(ANSI);
    expect((await report([LOG, '--format', 'text'])).stdout).toContain('VERDICT');
    expect((await report([LOG, '--format', 'markdown'])).stdout).toContain('## Verdict');
    expect(JSON.parse((await report([LOG, '--format', 'json'], { stdoutIsTTY: true })).stdout)).toMatchObject({ schemaVersion: 1 });
  });

  const colours: [string, boolean, Parameters<typeof run>[1]][] = [
    ['a terminal', true, { stdoutIsTTY: true }],
    ['a terminal with NO_COLOR', false, { stdoutIsTTY: true, env: { NO_COLOR: '1' } }],
    ['a terminal with TERM=dumb', false, { stdoutIsTTY: true, env: { TERM: 'dumb' } }],
    ['a terminal with an empty NO_COLOR', true, { stdoutIsTTY: true, env: { NO_COLOR: '' } }],
    ['a pipe', false, { stdoutIsTTY: false }],
    ['a pipe with FORCE_COLOR', true, { stdoutIsTTY: false, env: { FORCE_COLOR: '1' } }],
    ['a pipe with FORCE_COLOR=0', false, { stdoutIsTTY: false, env: { FORCE_COLOR: '0' } }],
  ];
  it.each(colours)('text on %s: colour %s', async (_name, coloured, io) => {
    const result = await report([LOG, '--format', 'text'], io);
    expect(ANSI.test(result.stdout)).toBe(coloured);
  });

  it('writes --output instead of stdout, its format from the extension, never in colour', async () => {
    const json = join(dir, 'report.json');
    const markdown = join(dir, 'report.md');
    const text = join(dir, 'report.txt');
    const other = join(dir, 'report.out');
    const upper = join(dir, 'REPORT.JSON');
    const page = join(dir, 'report.html');
    for (const path of [json, markdown, text, other, upper, page]) {
      const result = await report([LOG, '--output', path], { stdoutIsTTY: true, env: { FORCE_COLOR: '1' } });
      expect(result).toMatchObject({ code: 0, stdout: '' });
    }
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ schemaVersion: 1, input: { entries: 3 } });
    expect(JSON.parse(readFileSync(upper, 'utf8'))).toMatchObject({ schemaVersion: 1 });
    expect(readFileSync(other, 'utf8')).toContain('VERDICT');
    expect(readFileSync(markdown, 'utf8')).toContain('## Verdict');
    expect(readFileSync(page, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(readFileSync(text, 'utf8')).toContain('VERDICT');
    expect(readFileSync(text, 'utf8')).not.toMatch(ANSI);
    await report([LOG, '-o', text, '--format', 'json']);
    expect(JSON.parse(readFileSync(text, 'utf8'))).toMatchObject({ schemaVersion: 1 });
  });

  it('writes --events as one JSON object per event, keys in the documented order', async () => {
    const events = join(dir, 'events.jsonl');
    const result = await report([LOG, '--events', events, '--format', 'json']);
    expect(result.code).toBe(0);
    const lines = readFileSync(events, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const event = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(event)).toEqual(['file', 'line', 'time', 'class', 'targetGroup', 'target', 'node', 'idleGapMs']);
    expect(event).toMatchObject({ file: LOG, line: 3, class: 'keepalive_race', node: null, idleGapMs: 6003 });
    expect(typeof builtHooks[builtHooks.length - 1]!.onEvent).toBe('function');
  });

  it('reads the rest when an input is missing or cut off: one sentence each on stderr, exit 1', async () => {
    const missing = join(dir, 'missing.log');
    const result = await report([missing, TRUNCATED, LOG, '--format', 'json']);
    expect(result.code).toBe(1);
    const stderr = result.stderr.trimEnd().split('\n');
    expect(stderr).toHaveLength(2);
    expect(stderr[0]).toMatch(/^alb-doctor: .*missing\.log: no such file or folder/);
    expect(stderr[1]).toMatch(/^alb-doctor: .*cut\.log\.gz: the gzip data ends early/);
    // Both readable inputs were read: all of a.log, and the lines of cut.log.gz before the cut.
    expect(JSON.parse(result.stdout).input.entries).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(result.stdout).input.unread).toHaveLength(2);
  });

  it('shows no progress when stderr is not a terminal', async () => {
    const result = await report([LOG, '--format', 'json'], { stderrIsTTY: false });
    expect(result.stderr).toBe('');
  });

  it('keeps parse working beside it', async () => {
    const result = await run(['parse', LOG], {}, withStandIn);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(3);
  });
});

describe('report: end to end with the real analysis', () => {
  it('reports the entries as JSON with the contract keys', async () => {
    const result = await run(['report', LOG, '--format', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ schemaVersion: 1, input: { files: 1, entries: 3, malformed: 0 } });
    expect(report.albIdleTimeoutSeconds).toEqual({ value: 60, source: 'default' });
    expect(report.targetGroups.map((g) => g.name)).toEqual(['api']);
    // The one 502 gets a cause, whichever the analysis decides.
    expect(Object.values(report.classes).reduce((n, count) => n + (count ?? 0), 0)).toBe(1);
  });

  it('applies --from 6h against the clock and echoes the window', async () => {
    const result = await run(['report', LOG, '--from', '6h', '--format', 'json']);
    const report = JSON.parse(result.stdout) as Report;
    expect(Date.parse(report.window.from!)).toBe(NOW_MS - 6 * HOUR_MS);
    expect(report.window.to).toBeNull();
    expect(report.input.outsideWindow).toBe(1);
  });

  it('--lb on local files analyses only that load balancer’s entries and counts the others', async () => {
    const both = JSON.parse((await run(['report', LOG, OTHER_LB, '--format', 'json'])).stdout) as Report;
    expect(Object.values(both.classes).reduce((n, count) => n + (count ?? 0), 0)).toBe(2);
    for (const lb of ['my-loadbalancer', 'app/my-loadbalancer/50dc6c495c0c9188', 'arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/my-loadbalancer/50dc6c495c0c9188']) {
      const result = await run(['report', LOG, OTHER_LB, '--lb', lb, '--format', 'json']);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.input).toMatchObject({ files: 2, entries: 4, outsideWindow: 0, otherLoadBalancer: 1 });
      expect(Object.values(report.classes).reduce((n, count) => n + (count ?? 0), 0)).toBe(1);
    }
    const text = (await run(['report', LOG, OTHER_LB, '--lb', 'my-loadbalancer', '--format', 'text'])).stdout;
    expect(text).toContain('1 entry of other load balancers than --lb names was left out.');
  });

  it('marks --alb-idle-timeout as coming from the flag', async () => {
    const report = JSON.parse((await run(['report', LOG, '--alb-idle-timeout', '75', '--format', 'json'])).stdout) as Report;
    expect(report.albIdleTimeoutSeconds).toEqual({ value: 75, source: 'flag' });
  });

  it('writes the 502 to --events and renders text for a terminal', async () => {
    const events = join(dir, 'real-events.jsonl');
    const result = await run(['report', LOG, '--events', events], { stdoutIsTTY: true, env: { NO_COLOR: '1' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('VERDICT');
    expect(result.stdout).not.toMatch(ANSI);
    const lines = readFileSync(events, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as CauseEvent);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ file: LOG, line: 3, targetGroup: expect.stringContaining('api') });
  });
});
