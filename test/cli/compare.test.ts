/**
 * `alb-doctor compare`, run in-process through `main`: usage errors before anything is read (exit 2, one
 * sentence), the formats, and target group names from the logs escaped in every format.
 */
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.js';

const HOUR_MS = 3_600_000;
const START_MS = Date.parse('2024-05-02T00:00:00Z');
const HOSTILE_NAME = 'api\u001b[2J`|<b>';
const TG = `arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/${HOSTILE_NAME}/73e2d6bc24d8a067`;

function entry(timeMs: number, status: number): string {
  const time = new Date(timeMs).toISOString().replace('Z', '000Z');
  const [responseTime, targetStatus] = status === 502 ? ['-1', '-'] : ['0.000', String(status)];
  return (
    `http ${time} app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 ${responseTime} ` +
    `${status} ${targetStatus} 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - ${TG} ` +
    `"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 ${time} "forward" "-" "-" "10.0.0.1:80" "${targetStatus}" "-" "-"`
  );
}

const dir = mkdtempSync(join(tmpdir(), 'alb-doctor-compare-'));
const LOG = join(dir, 'a.log');
const lines: string[] = [];
for (let t = START_MS; t < START_MS + 4 * HOUR_MS; t += 60_000) lines.push(entry(t, 200));
writeFileSync(LOG, lines.join('\n') + '\n');
const BEFORE = '2024-05-02T00:00Z/2024-05-02T02:00Z';
const AFTER = '2024-05-02T02:00Z/2024-05-02T04:00Z';

describe('compare: the command line', () => {
  it.each([
    ['a period without a slash', ['--before', '2024-05-02T00:00Z', '--after', AFTER], /--before '2024-05-02T00:00Z' is not FROM\/TO/],
    ['a period that ends before it starts', ['--before', '2024-05-02T02:00Z/2024-05-02T00:00Z', '--after', AFTER], /--before starts at/],
    ['a time that is no time', ['--before', BEFORE, '--after', 'noon/later'], /--after/],
    ['overlapping periods', ['--before', BEFORE, '--after', '2024-05-02T01:00Z/2024-05-02T03:00Z'], /overlap/],
    ['no --after', ['--before', BEFORE], /--after/],
    ['stdin as a source', ['--before', BEFORE, '--after', AFTER, '-'], /stdin/],
    ['an HTML output file', ['--before', BEFORE, '--after', AFTER, '-o', join(dir, 'x.html')], /not HTML/],
  ])('%s is a usage error (exit 2, one sentence on stderr)', async (_name, flags, message) => {
    const sources = flags.includes('-') ? [] : [LOG];
    const result = await runCli(['compare', ...sources, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('compare: output', () => {
  it('writes the JSON contract with --format json', async () => {
    const result = await runCli(['compare', LOG, '--before', BEFORE, '--after', AFTER, '--format', 'json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.schemaVersion).toBe(1);
    expect(json.before).toEqual({ from: '2024-05-02T00:00:00.000Z', to: '2024-05-02T02:00:00.000Z' });
    expect(json.after).toEqual({ from: '2024-05-02T02:00:00.000Z', to: '2024-05-02T04:00:00.000Z' });
    const [group] = json.targetGroups;
    expect(Object.keys(group)).toEqual(expect.arrayContaining(['arn', 'name', 'before', 'after', 'rateRatio', 'pValue', 'verdict']));
    expect(group.name).toBe(HOSTILE_NAME);
    // 120 requests a period, one a minute, no race: nothing to compare.
    expect(group.before).toEqual({ requests: 120, exposedRequests: 0, races: 0 });
    expect(group.after.requests).toBe(120);
    expect(group.verdict).toBe('cannot-tell');
  });

  it('escapes the names in text (the default) and in Markdown picked by the output extension', async () => {
    const text = await runCli(['compare', LOG, '--before', BEFORE, '--after', AFTER]);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('\u001b');
    expect(text.stdout).toContain('api\\x1b[2J');
    const md = join(dir, 'out.md');
    const written = await runCli(['compare', LOG, '--before', BEFORE, '--after', AFTER, '-o', md]);
    expect(written.code).toBe(0);
    const markdown = readFileSync(md, 'utf8');
    expect(markdown).toMatch(/^# alb-doctor compare/);
    expect(markdown).not.toContain('<b>');
    expect(markdown).toContain('&lt;b&gt;');
    expect(markdown).not.toContain('\u001b');
  });
});
