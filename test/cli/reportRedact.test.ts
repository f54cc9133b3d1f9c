/** `report --redact` / `--no-redact` and the html format, end to end on sample-logs/. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/runCli.js';

const sampleDir = join(repoRoot, 'sample-logs');
const IPV4 = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/;

describe('report --redact', () => {
  it('masks every sample client and query string in JSON, and says so', async () => {
    const run = await runCli(['report', sampleDir, '--format', 'json', '--redact']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.redacted).toBe(true);
    expect(report.samples.length).toBeGreaterThan(0);
    for (const s of report.samples) {
      if (s.client !== null) expect(s.client).toMatch(/^(x\.x\.x\.x|x:x:x:x)$/);
      if (s.url !== null) expect(s.url).toMatch(/^[^?#]*([?#]redacted)?$/);
    }
    expect(report.samples.some((s) => s.url?.endsWith('?redacted'))).toBe(true);
  }, 120_000);

  it('keeps them with --no-redact in HTML, where redaction is the default', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'alb-doctor-redact-')), 'report.html');
    const run = await runCli(['report', sampleDir, '-o', file, '--no-redact']);
    expect(run.code).toBe(0);
    const page = readFileSync(file, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    const samples = page.slice(page.indexOf('<section class="s-samples">'));
    expect(samples).toMatch(new RegExp(`${IPV4.source} →`));
    expect(samples).toContain('?q=');
    expect(samples).not.toContain('redacted');
  }, 120_000);
});
