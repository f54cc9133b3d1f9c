import { describe, expect, it } from 'vitest';
import { renderText, TEXT_WIDTH } from '../../src/report/render/text.js';
import { visibleWidth } from '../../src/report/render/layout.js';
import { emptyReport, quietReport, racyReport } from './fixtures/reports.js';

const ANSI = /\x1b\[/;
const plain = (report = racyReport()): string => renderText(report, { color: false });

describe('renderText', () => {
  it('puts the keep-alive verdict first: races of 502s, the group and the estimate', () => {
    const text = plain();
    const verdict = text.slice(text.indexOf('VERDICT'), text.indexOf('INPUT'));
    expect(verdict).toContain('Keep-alive races: 41 of 58 502s in api');
    expect(verdict).toContain('≈6.0 s');
    expect(verdict).toContain('low confidence');
    expect(text.indexOf('VERDICT')).toBeLessThan(text.indexOf('TARGET GROUPS'));
  });

  it('shows every recommendation with its group, settings and snippets line by line', () => {
    const report = racyReport();
    const text = plain(report);
    const recommendations = text.slice(text.indexOf('RECOMMENDATIONS'), text.indexOf('NOTES'));
    for (const rec of report.recommendations) {
      for (const server of rec.servers) {
        expect(recommendations).toContain(server.setting);
        for (const code of server.snippet.trim().split('\n')) expect(recommendations).toContain(`┃ ${code}`);
      }
    }
    // Groups by name (recommendations refer to them by ARN), servers by display name when there is one.
    expect(recommendations).toMatch(/1\. Raise the idle keep-alive timeout of api's targets/);
    expect(recommendations).toMatch(/2\. Raise the idle keep-alive timeout of billing-workers-production-eu's/);
    expect(recommendations).toContain('Node.js http/https: server.keepAliveTimeout (ms)');
    expect(recommendations).toContain('Gunicorn: --keep-alive / keepalive');
    expect(recommendations).toContain('target keep-alive ≥ 65 s (ALB idle timeout 60 s) · ≈ 41 errors/day');
    expect(recommendations).toContain('Node closes keepAliveTimeout + 1 s');
    expect(recommendations).not.toContain('arn:aws');
  });

  it('shows the first three servers of a recommendation, names the rest, and says a shared note once', () => {
    const report = racyReport();
    const note = 'Keep headersTimeout ≤ requestTimeout.';
    report.recommendations[0]!.servers = ['nodejs', 'express', 'koa', 'nestjs', 'hapi'].map((server) => ({
      server,
      setting: `${server} keepAliveTimeout`,
      snippet: `${server}.keepAliveTimeout = 65000;`,
      note,
    }));
    const text = plain(report);
    expect(text).toContain('┃ koa.keepAliveTimeout = 65000;');
    expect(text).not.toContain('┃ nestjs');
    expect(text).toContain('Also: NestJS, Hapi (snippets in --format json).');
    expect(text.split(note)).toHaveLength(2);
  });

  it('puts the group name before an action that does not name it', () => {
    const report = racyReport();
    report.recommendations[0]!.action = 'Drain targets before they stop listening.';
    expect(plain(report)).toContain('1. api: Drain targets before they stop listening.');
  });

  it('names every target group and its suspected servers, and counts what no group had', () => {
    const report = racyReport();
    const text = plain(report);
    for (const group of report.targetGroups) expect(text).toContain(group.name);
    expect(text).toContain('keep-alive matches: Node.js http/https, Express, NestJS');
    expect(text).not.toMatch(/\bnodejs\b/);
    expect(text).toContain('Outside any target group: 3 rejected by the ALB.');
  });

  it('draws the race rate by idle age with the estimate marked and empty buckets left out', () => {
    const text = plain();
    const chart = text.slice(text.indexOf('RACE RATE BY IDLE AGE'), text.indexOf('TIMELINE'));
    expect(chart).toMatch(/5\.62 – 6\.31 s +5,420 +41 +0\.76% +│█+ ◀ T̂ 6\.0 s/);
    // Race-free buckets on either side collapse to one row each; buckets without requests do not show.
    expect(chart).toMatch(/0 – 5\.62 s +[\d,]+ +0 +0 +│\n/);
    expect(chart).not.toMatch(/ 0 +0 +0 +│/);
  });

  it('draws a timeline per group with errors, with its totals and a time axis', () => {
    const text = plain();
    const timeline = text.slice(text.indexOf('TIMELINE'), text.indexOf('RECOMMENDATIONS'));
    expect(timeline).toContain('one column = 30 min');
    expect(timeline).toMatch(/api +races │.*│ 41\n/);
    expect(timeline).toContain('billing-workers-pro…');
    expect(timeline).not.toContain('arn:aws');
    expect(timeline).toMatch(/ +other │.*│ 28\n/);
    expect(timeline).toContain('╵00:00');
  });

  it('lists input problems: malformed reasons and samples, skipped files and unreadable inputs', () => {
    const text = plain();
    expect(text).toContain('3 malformed');
    expect(text).toContain('BAD_TIME 2, TOO_FEW_FIELDS 1');
    expect(text).toContain('logs/a.log:17');
    expect(text).toContain('Skipped 2 files: 1 connection log, 1 empty object.');
    expect(text).toContain('logs/c.log.gz: the gzip data ends early');
  });

  it('prints the notes', () => {
    const report = racyReport();
    const text = plain(report);
    expect(text).toContain('NOTES');
    expect(text.replace(/\s+/g, ' ')).toContain(report.notes[1]);
  });

  const cases: [string, () => ReturnType<typeof racyReport>][] = [
    ['racy', racyReport],
    ['no 5xx', quietReport],
    ['empty', emptyReport],
  ];
  it.each(cases)('keeps every line of the %s report within %s columns', (_name, build) => {
    for (const line of renderText(build(), { color: true }).split('\n')) {
      // A single word (an ALB log's name is 115 characters) is never broken, so that it can be copied.
      if (/^ *\S+$/.test(line.replace(/\x1b\[[0-9;]*m/g, ''))) continue;
      expect(visibleWidth(line), line).toBeLessThanOrEqual(TEXT_WIDTH);
    }
  });

  it('has no ANSI escapes without colour, and has them with colour', () => {
    expect(plain()).not.toMatch(ANSI);
    expect(plain(quietReport())).not.toMatch(ANSI);
    expect(renderText(racyReport(), { color: true })).toMatch(ANSI);
    // Colour changes nothing but the escapes.
    expect(renderText(racyReport(), { color: true }).replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain());
  });

  it('says plainly when there is no 5xx, and draws no charts or advice', () => {
    const text = plain(quietReport());
    expect(text).toContain('No 5xx or 460 responses in 3,594,765 entries: nothing to diagnose.');
    expect(text).not.toContain('RACE RATE BY IDLE AGE');
    expect(text).not.toContain('TIMELINE');
    expect(text).not.toContain('RECOMMENDATIONS');
  });

  it('says when nothing was read, or when the window left nothing', () => {
    expect(plain(emptyReport())).toContain('No log entries were read');
    const outside = emptyReport();
    outside.input.entries = 120;
    outside.input.outsideWindow = 120;
    expect(plain(outside)).toContain('All 120 entries fell outside --from/--to');
  });

  it('says when races point to no single timeout', () => {
    const report = racyReport();
    const api = report.targetGroups.find((g) => g.name === 'api')!;
    api.keepAlive = { estimatedSeconds: null, lowSeconds: null, highSeconds: null, confidence: 'none' };
    expect(plain(report)).toContain('point to no single timeout');
  });

  it('lists only the first groups of a long table and sums the rest', () => {
    const report = quietReport();
    const template = report.targetGroups[0]!;
    report.targetGroups = Array.from({ length: 15 }, (_, i) => ({ ...template, name: `group-${i}`, requests: 100 + i }));
    const text = plain(report);
    expect(text).toContain('… and 3 more target groups: 303 requests, 0 errors');
    report.targetGroups = report.targetGroups.slice(0, 13);
    expect(plain(report)).toContain('… and 1 more target group: 100 requests, 0 errors');
  });

  it('says cannot tell, with the reasons, when no race was seen but the data could not show one', () => {
    const report = quietReport();
    report.verdict = {
      status: 'cannot-tell',
      reasons: [{ code: 'WINDOW_TOO_SHORT', text: 'The entries cover 30 min, too short a time to expect a race; read an hour or more.' }],
      targetGroups: [],
    };
    const text = plain(report).replace(/\s+/g, ' ');
    expect(text).toContain(
      'No 5xx or 460 responses in 3,594,765 entries, but that does not show that the targets never race the ALB: The entries cover 30 min, too short a time to expect a race; read an hour or more.',
    );
    expect(text).not.toContain('nothing to diagnose');
  });

  it('names the groups it cannot tell about next to the races', () => {
    const report = racyReport();
    const web = report.verdict.targetGroups.find((g) => g.status === 'none')!;
    web.status = 'cannot-tell';
    web.reasons = [{ code: 'FEW_IDLE_REQUESTS', text: 'Only 12 requests reused a connection idle 1.9 s or more, too few to show a race.' }];
    const verdict = plain(report).slice(0, plain(report).indexOf('INPUT')).replace(/\s+/g, ' ');
    expect(verdict).toContain('▸ Cannot tell for web: Only 12 requests reused a connection idle 1.9 s or more, too few to show a race.');
  });

  it('counts in the singular when there is one', () => {
    const report = quietReport();
    report.classes = { target_5xx: 1 };
    report.targetGroups[0]!.classes = { target_5xx: 1 };
    report.verdict.status = 'none';
    expect(plain(report)).toContain('No keep-alive races: the 1 error is 1 target 5xx.');
  });
});
