/**
 * The promise of issue 14, as a user would check it: `NO_COLOR=1 alb-doctor report <hostile logs>` in a
 * real process, its stdout and stderr read as bytes, for every report format, `parse` (JSON lines and
 * CSV), `--events` and `athena local`. The logs carry the hostile corpus (test/support/hostile.ts) in
 * every text field a client or a bucket's writer controls, in file names, and in lines that are
 * malformed (cut by a newline, 100 KB long) or in a damaged gzip, so that stderr names them too. No
 * control byte from the logs may reach either stream: only the `\n` the tool writes itself.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_VALUES } from '../support/hostile.js';
import { repoRoot } from '../support/paths.js';

/** Bytes a terminal may obey: C0 but `\n`, DEL, C1 (as UTF-8), bidi controls and the separators. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const dir = mkdtempSync(join(tmpdir(), 'alb-doctor-hostile-process-'));
const logs = join(dir, 'logs');

/** Values of the corpus short enough for every field of one line (an entry is at most 64 KiB). */
const VALUES = HOSTILE_VALUES.map((v) => v.value).filter((v) => v.length < 1000);
/** Large values that still fit one entry: in the user agent and the target group name. */
const LARGE = ['A\x1b[2J'.repeat(6_000), 'z'.repeat(25_000) + '\x1b]52;c;eA==\x07'];

const at = (minute: number): string => new Date(Date.UTC(2026, 2, 14, 0, 0) + minute * 60_000).toISOString().replace('Z', '000Z');

/** One ALB entry with `value` in every field a client or a log's writer controls. */
function line(value: string, i: number, status: 200 | 502): string {
  // As the ALB writes a quote inside a quoted field; a newline would end the line (one malformed line has one).
  const quoted = value.replaceAll('"', '\\x22').replaceAll('\n', ' ').replace(/\\$/, '\\x5c');
  const token = value.replace(/[\s"]/g, '_') || '_';
  const time = at(i);
  const target = status === 502 ? '- -1 -1 502 -' : '0.000 0.004 0.000 200 200';
  return (
    `https ${time} app/shop/0339420691ef7069 203.0.113.7:4321 10.0.0.${i % 4}:3000 ${target.replace(/^- /, '0.000 ')} 100 200 ` +
    `"GET https://h.example:443/${quoted} HTTP/1.1" "${quoted}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ` +
    `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${token}/ecc291c7ce6b2080 "Root=1-${quoted}" "${quoted}" "arn:${quoted}" 10 ${time} ` +
    `"forward" "${quoted}" "${quoted}" "10.0.0.${i % 4}:3000" "${status === 502 ? '-' : '200'}" "${quoted}" "${quoted}" TID_${token} "-" "-" "-" 172.31.19.219`
  );
}

/** An entry with a large value as its user agent and its target group's name, `-` elsewhere. */
const largeLine = (large: string, i: number, status: 200 | 502): string =>
  line('-', i, status)
    .replace('"GET https://h.example:443/- HTTP/1.1" "-"', `"GET https://h.example:443/- HTTP/1.1" "${large}"`)
    .replace('targetgroup/-/', `targetgroup/${large}/`);

function writeCorpus(): void {
  mkdirSync(logs, { recursive: true });
  const lines: string[] = [];
  let i = 0;
  for (const value of VALUES) for (const status of [200, 200, 502] as const) lines.push(line(value, i++, status));
  for (const large of LARGE) for (const status of [200, 502] as const) lines.push(largeLine(large, i++, status));
  // Malformed: a 100 KB value (longer than any entry), raw escapes outside any field, a raw 0x9b.
  lines.push(line('y'.repeat(100_000), i++, 502));
  lines.push('\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J not an entry \r\u009b2J');
  lines.push(line('cut\x1b[2J'.repeat(3), i++, 502).replace('/cut', '/first\nsecond\x1b[2J'));
  const text = Buffer.concat([Buffer.from(lines.join('\n') + '\n'), Buffer.from([0x9b, 0x32, 0x4a, 0x0a])]);
  // File names a bucket's writer could choose: escapes, CR, C1 and a bidi override (a file is read when named).
  writeFileSync(join(logs, 'evil\x1b[2J\x1b]52;c;eA==\x07\r\u202e.log'), text);
  const gz = gzipSync(text);
  writeFileSync(join(logs, 'cut\x1b[31m\u009b.log.gz'), gz.subarray(0, gz.length - 300));
}

/** bin/alb-doctor.js as installed, its one import pointed at the TypeScript sources (run with tsx). */
function entryScript(): string {
  const bin = readFileSync(join(repoRoot, 'bin/alb-doctor.js'), 'utf8');
  const source = pathToFileURL(join(repoRoot, 'src/cli.ts')).href;
  expect(bin).toContain("'../dist/cli.js'");
  const script = join(dir, 'alb-doctor.mjs');
  writeFileSync(script, bin.replace("'../dist/cli.js'", `'${source}'`));
  return script;
}

interface ProcessRun {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

let script = '';
function albDoctor(argv: string[]): Promise<ProcessRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...argv], { cwd: repoRoot, env, encoding: 'buffer', maxBuffer: 1 << 28 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The stream as UTF-8 (it must be valid: a lone 0x9b byte is an 8-bit CSI), checked for raw controls. */
function noRawControl(bytes: Buffer, what: string): string {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const found = RAW_CONTROL.exec(text);
  expect(found === null ? null : `${JSON.stringify(found[0])} near ${JSON.stringify(text.slice(Math.max(0, found.index - 60), found.index + 20))}`, what).toBeNull();
  return text;
}

beforeAll(() => {
  writeCorpus();
  script = entryScript();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('NO_COLOR=1 alb-doctor on hostile logs, as a process: no control byte from a log on stdout or stderr', () => {
  it.each(['text', 'markdown', 'json', 'html'])('report --format %s', async (format) => {
    const run = await albDoctor(['report', logs, '--format', format]);
    // The damaged gzip is named on stderr: exit 1, the rest reported.
    expect(run.code).toBe(1);
    const stdout = noRawControl(run.stdout, 'stdout');
    const stderr = noRawControl(run.stderr, 'stderr');
    expect(stderr).toMatch(/^alb-doctor: \S*\/cut\\x1b\[31m\\x9b\.log\.gz: the gzip data ends early/m);
    if (format === 'json') {
      // The values are all there, exact: JSON escapes what it must and stays the same JSON.
      const report = JSON.parse(stdout) as { targetGroups: { name: string }[]; input: { malformed: number } };
      const names = new Set(report.targetGroups.map((g) => g.name));
      expect(names).toContain('api\x1b[2J\x1b[H');
      expect(names).toContain('c1\u009b2J');
      expect(names).toContain('invoice\u202egpj.exe');
      for (const large of LARGE) expect(names).toContain(large);
      expect(report.input.malformed).toBeGreaterThan(4);
    } else if (format === 'text') {
      expect(stdout).toContain('api\\x1b[2J\\x1b[H');
    } else if (format === 'markdown') {
      expect(stdout).toContain('api\\\\x1b\\[2J\\\\x1b\\[H');
    } else {
      expect(stdout).toContain('api\\x1b[2J\\x1b[H');
    }
  });

  it('report with the default format, --events beside it', async () => {
    const events = join(dir, 'events.jsonl');
    const run = await albDoctor(['report', logs, '--events', events]);
    expect(run.code).toBe(1);
    noRawControl(run.stdout, 'stdout');
    noRawControl(run.stderr, 'stderr');
    const written = noRawControl(readFileSync(events), '--events');
    const targetGroups = written.trimEnd().split('\n').map((l) => (JSON.parse(l) as { targetGroup: string }).targetGroup);
    expect(targetGroups.some((arn) => arn.includes('/c1\u009b2J/'))).toBe(true);
  });

  it.each(['jsonl', 'csv'])('parse --format %s', async (format) => {
    const run = await albDoctor(['parse', logs, '--format', format]);
    expect(run.code).toBe(1);
    const stdout = noRawControl(run.stdout, 'stdout');
    const stderr = noRawControl(run.stderr, 'stderr');
    // The summary counts in words, and names the malformed lines' file as visible escapes.
    expect(stderr).toMatch(/^alb-doctor: 2 files, [\d,]+ lines: [\d,]+ entries, \d+ malformed, 0 blank; 0 files skipped\.$/m);
    expect(stderr).toContain('LINE_TOO_LONG');
    expect(stderr).toMatch(/^  [A-Z_]+ \S*\/cut\\x1b\[31m\\x9b\.log\.gz:\d+: /m);
    if (format === 'jsonl') {
      const agents = stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { user_agent: string | null }).user_agent);
      expect(agents).toContain('grp\x1b]52;c;cm0gLXJmIH4=\x07');
      expect(stdout).toContain('evil\\u001b[2J\\u001b]52;c;eA==\\u0007\\r\\u202e.log');
    } else {
      expect(stdout).toContain('grp\\x1b]52;c;cm0gLXJmIH4=\\x07');
      expect(stdout).toContain('evil\\x1b[2J\\x1b]52;c;eA==\\x07\\r\\u202e.log');
    }
  });

  it.each([['table'], ['json']])('athena local --format %s', async (format) => {
    const run = await albDoctor(['athena', 'local', 'five-xx-by-class', logs, '--format', format]);
    const stdout = noRawControl(run.stdout, 'stdout');
    noRawControl(run.stderr, 'stderr');
    expect(stdout).toMatch(/c1/);
  });
});
