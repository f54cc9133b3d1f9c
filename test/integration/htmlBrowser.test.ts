/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core. The report of
 * sample-logs/ (made by the real CLI) must render its charts and tables with no console error and no
 * network request at all, fit a phone's width, and follow dark mode; a report whose log values are
 * scripts must run none of them. A screenshot is saved for a person to look at.
 * (Page code is passed as strings: the project's TypeScript has no DOM types, and needs none elsewhere.)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/render/html.js';
import { hostileReport } from '../report/fixtures/hostileReport.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/runCli.js';

const CHROMIUM = '/usr/bin/chromium';
/** Where the screenshots go: ALB_DOCTOR_SCREENSHOT_DIR, else a folder in the OS temp folder. */
const SCREENSHOT_DIR = process.env.ALB_DOCTOR_SCREENSHOT_DIR ?? join(tmpdir(), 'alb-doctor-html');

// CI installs Chromium (.ci/run) and must run this; a developer without it is told why it was skipped.
const missing = !existsSync(CHROMIUM) && process.env.CI !== 'true';
if (missing) console.warn(`${CHROMIUM} is missing: the browser test is skipped (apt-get install chromium).`);

interface Visit {
  page: Page;
  requests: string[];
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
}

describe.skipIf(missing)('HTML report in headless Chromium', () => {
  const work = mkdtempSync(join(tmpdir(), 'alb-doctor-html-'));
  let context: BrowserContext;

  beforeAll(async () => {
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1000, height: 900 },
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function visit(file: string, options: { width?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<Visit> {
    const page = await context.newPage();
    await page.setViewportSize({ width: options.width ?? 1000, height: 900 });
    await page.emulateMedia({ colorScheme: options.colorScheme ?? 'light' });
    const v: Visit = { page, requests: [], consoleErrors: [], pageErrors: [], dialogs: [] };
    page.on('request', (r) => v.requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') v.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => v.pageErrors.push(e.message));
    page.on('dialog', (d) => {
      v.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return v;
  }

  /** Nothing but the page itself was requested, and nothing complained (a CSP violation logs an error). */
  function expectQuiet(v: Visit, file: string): void {
    expect(v.requests).toEqual([pathToFileURL(file).href]);
    expect(v.consoleErrors).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    expect(v.dialogs).toEqual([]);
  }

  it('renders the report of sample-logs/: charts, tables, snippets with copy buttons, samples; loads nothing', async () => {
    const file = join(work, 'report.html');
    const run = await runCli(['report', join(repoRoot, 'sample-logs'), '-o', file]);
    expect(run.code).toBe(0);
    const v = await visit(file);
    const { page } = v;
    const count = (selector: string): Promise<number> => page.locator(selector).count();

    expect(await page.title()).toBe('alb-doctor report');
    expect(await count('svg.chart.idle-age')).toBe(1);
    expect(await count('svg.chart.idle-age rect.bar.race')).toBeGreaterThan(0);
    expect(await count('svg.chart.idle-age line.marker.estimate')).toBe(1);
    expect(await count('svg.chart.idle-age line.marker.alb')).toBe(1);
    expect(await page.locator('svg.chart.idle-age').textContent()).toContain('T̂ 6.0 s');
    expect(await count('svg.chart.timeline')).toBeGreaterThanOrEqual(2);
    expect(await count('svg.chart.timeline rect.bar.race')).toBeGreaterThan(0);
    expect(await count('.s-classes svg.classbar')).toBe(6);
    expect(await count('.s-groups tbody tr:not(.sub)')).toBe(3);
    expect(await page.locator('.s-groups tbody').textContent()).toContain('shop-prod-api');
    // The script ran (its CSP hash matched): one copy button per snippet.
    const snippets = await count('pre[data-copy]');
    expect(snippets).toBeGreaterThan(0);
    expect(await count('button.copy')).toBe(snippets);
    expect(await count('.sample')).toBeGreaterThanOrEqual(6);
    expect(await page.locator('.sample code.where').first().textContent()).toMatch(/\.log\.gz:\d+$/);
    // Drawn, not just present: the chart has a real size on the page.
    const box = await page.locator('svg.chart.idle-age').boundingBox();
    expect(box!.width).toBeGreaterThan(500);
    expect(box!.height).toBeGreaterThan(100);
    // HTML is redacted by default.
    const samples = (await page.locator('.s-samples').textContent()) ?? '';
    expect(samples).toContain('x.x.x.x');
    expect(samples).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3} →/);
    expectQuiet(v, file);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const shot = join(SCREENSHOT_DIR, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    // The README's picture (docs/report.png) is this one: the page down to the first timeline.
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'report-top.png'), fullPage: true, clip: { x: 0, y: 0, width: 1000, height: 1750 } });
    await page.close();
  }, 120_000);

  it('fits a phone and follows dark mode', async () => {
    const file = join(work, 'phone.html');
    const run = await runCli(['report', join(repoRoot, 'sample-logs'), '--format', 'html', '-o', file]);
    expect(run.code).toBe(0);
    const phone = await visit(file, { width: 390, colorScheme: 'dark' });
    // No sideways scrolling of the page: wide tables scroll inside their own box.
    const scrollWidth = (await phone.page.evaluate('document.documentElement.scrollWidth')) as number;
    expect(scrollWidth).toBeLessThanOrEqual(390);
    const dark = (await phone.page.evaluate('getComputedStyle(document.body).backgroundColor')) as string;
    expectQuiet(phone, file);
    await phone.page.screenshot({ path: join(SCREENSHOT_DIR, 'report-phone-dark.png') });
    await phone.page.close();
    const light = await visit(file);
    expect(await light.page.evaluate('getComputedStyle(document.body).backgroundColor')).not.toBe(dark);
    await light.page.close();
  }, 120_000);

  it('runs no script from the logs: injected markup shows as text and sets nothing', async () => {
    const payloads = [
      '<script>window.__pwned = 1</script>',
      '"><img src=x onerror="window.__pwned = 2">',
      "'><svg onload=alert(3)>",
      '</style><script>alert(4)</script><style>',
      '</title></svg><script>window.__pwned = 5</script>',
      'javascript:alert(6)',
    ];
    const value = payloads.join(' ');
    const file = join(work, 'hostile.html');
    writeFileSync(file, renderHtml(hostileReport(value)));
    const v = await visit(file);
    expect(await v.page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await v.page.locator('img, iframe, object, embed').count()).toBe(0);
    expect(await v.page.locator('script').count()).toBe(1);
    const text = (await v.page.locator('body').textContent()) ?? '';
    for (const payload of payloads) expect(text).toContain(payload);
    expectQuiet(v, file);
    expect(readFileSync(file, 'utf8')).not.toContain('<script>window');
    await v.page.close();
  }, 60_000);
});
