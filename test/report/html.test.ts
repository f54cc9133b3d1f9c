import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/render/html.js';
import { escapeHtml, html } from '../../src/report/render/htmlMarkup.js';
import { CONTENT_SECURITY_POLICY, SCRIPT, STYLE } from '../../src/report/render/htmlPage.js';
import { emptyReport, quietReport, racyReport } from './fixtures/reports.js';

const count = (text: string, pattern: RegExp): number => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;
const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('renderHtml', () => {
  const page = renderHtml(racyReport());

  it('allows its own style and script by hash and nothing else, in a CSP meta tag before them', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain(`style-src ${hash(STYLE)}`);
    expect(CONTENT_SECURITY_POLICY).toContain(`script-src ${hash(SCRIPT)}`);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    const meta = page.indexOf('http-equiv="Content-Security-Policy"');
    expect(meta).toBeGreaterThan(0);
    expect(meta).toBeLessThan(page.indexOf('<style>'));
    // The hashed text is exactly what the page holds between the tags.
    expect(page).toContain(`<style>${STYLE}</style>`);
    expect(page).toContain(`<script>${SCRIPT}</script>`);
    expect(count(page, /<style/)).toBe(1);
    expect(count(page, /<script/)).toBe(1);
  });

  it('loads nothing: no src, href, url() or @import, no style or event-handler attribute', () => {
    expect(page).not.toMatch(/\s(src|href|srcset|action|style|on[a-z]+)=/i);
    expect(page).not.toMatch(/url\(|@import|https?:\/\/[^\s<"]*\.(js|css|woff2?|png|svg)\b/);
  });

  it('draws an idle-age chart per racing group with T̂ and the ALB idle timeout, a timeline per group with errors', () => {
    expect(count(page, /<svg class="chart idle-age"/)).toBe(2);
    expect(count(page, /class="marker estimate"/)).toBe(2);
    expect(count(page, /class="marker alb"/)).toBe(2);
    expect(page).toContain('T̂ 6.0 s');
    expect(page).toContain('ALB idle timeout 60 s');
    expect(count(page, /<svg class="chart timeline"/)).toBe(3);
    expect(count(page, /<svg class="classbar"/)).toBe(8);
  });

  it('has the group table, every snippet in a selectable block, and samples with file and line', () => {
    expect(page).toMatch(/<td class="name">api<\/td><td class="num">1,204,311<\/td>/);
    expect(count(page, /<pre data-copy=/)).toBe(3);
    expect(page).toContain('server.keepAliveTimeout = 65000;\nserver.headersTimeout = 66000;');
    expect(page).toMatch(/<code class="where">logs\/[^<]+_20240501T0100Z_[^<]+\.log\.gz:161<\/code>/);
    expect(page).toContain('keep-alive races: 2 of 47 entries');
    expect(page).toContain('GET https://shop.example.com:443/api/orders/61?token=s3cr3t&amp;page=2 HTTP/1.1');
  });

  it('counts in its chart titles with the class labels, plurals and thousands separators', () => {
    expect(page).toContain('<title>column 47: 1 keep-alive race, 0 other errors</title>');
    expect(page).toContain('<title>column 1: 3 keep-alive races, 1 other error</title>');
    expect(page).toContain('41 races of 5,420 requests');
    expect(page).not.toMatch(/\b1 (races|errors|requests|entries)\b/);
    const big = racyReport();
    big.timeline.groups[0]!.otherErrors.fill(12_345);
    expect(renderHtml(big)).toContain('3 keep-alive races, 74,070 other errors</title>');
  });

  it('renders a report with no errors and one with no entries', () => {
    const quiet = renderHtml(quietReport());
    expect(quiet).toContain('No 5xx or 460 responses');
    expect(quiet).not.toContain('chart idle-age');
    const empty = renderHtml(emptyReport());
    expect(empty).toContain('No log entries were read');
    expect(empty).toMatch(/<\/html>\n$/);
  });
});

describe('html template', () => {
  it('escapes every value for text and quoted attributes, and controls as visible escapes', () => {
    const value = `<b title='x'>"&</b>\x1b[2J\u202e`;
    expect(html`<p title="${value}">${value}</p>`.html).toBe(
      '<p title="&lt;b title=&#39;x&#39;&gt;&quot;&amp;&lt;/b&gt;\\x1b[2J\\u202e">&lt;b title=&#39;x&#39;&gt;&quot;&amp;&lt;/b&gt;\\x1b[2J\\u202e</p>',
    );
    expect(escapeHtml('a & b')).toBe('a &amp; b');
    expect(html`<i>${[1, 'x<', html`<b>ok</b>`, null, false]}</i>`.html).toBe('<i>1x&lt;<b>ok</b></i>');
  });
});
