import { describe, expect, it } from 'vitest';
import { analysis } from '../../src/lambda/analysisApi.js';
import { maskIp, maskUrl, redactReport } from '../../src/report/redact.js';
import { renderHtml } from '../../src/report/render/html.js';
import { renderJson } from '../../src/report/render/json.js';
import { renderMarkdown } from '../../src/report/render/markdown.js';
import { renderText } from '../../src/report/render/text.js';
import { racyReport } from './fixtures/reports.js';

const renderers: [string, (r: ReturnType<typeof racyReport>) => string][] = [
  ['text', (r) => renderText(r, { color: false })],
  ['markdown', renderMarkdown],
  ['json', renderJson],
  ['html', renderHtml],
];

describe('redaction', () => {
  it.each([
    ['https://shop.example.com:443/api/orders/61?token=s3cr3t&page=2', 'https://shop.example.com:443/api/orders/61?redacted'],
    ['http://10.0.0.1:80/a#frag', 'http://10.0.0.1:80/a#redacted'],
    ['https://user:pass@host:443/p?x=1', 'https://redacted@host:443/p?redacted'],
    ['https://host:443/p', 'https://host:443/p'],
    ['/relative?q=1', '/relative?redacted'],
    ['?', '?redacted'],
  ])('masks the query, fragment and credentials of %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });

  it.each([
    ['203.0.113.42', 'x.x.x.x'],
    ['2001:db8::7', 'x:x:x:x'],
    ['::ffff:203.0.113.42', 'x:x:x:x'],
    ['not-an-ip<script>', 'redacted'],
  ])('masks the client %s', (ip, masked) => {
    expect(maskIp(ip)).toBe(masked);
  });

  it.each(renderers)('%s: no client IP or query string once redacted, both kept otherwise', (_, render) => {
    const plain = render(racyReport());
    expect(plain).toContain('203.0.113.42');
    expect(plain).toContain('s3cr3t');
    const redacted = render(redactReport(racyReport()));
    for (const secret of ['203.0.113.42', '2001:db8::7', 's3cr3t', 'sig=abc']) expect(redacted).not.toContain(secret);
    expect(redacted).toContain('/api/orders/61?redacted');
  });

  it('the Lambda job writes its page redacted', () => {
    const page = analysis.renderHtml!(racyReport());
    expect(page).not.toContain('203.0.113.42');
    expect(page).not.toContain('s3cr3t');
  });

  it('keeps everything else and says the report was redacted', () => {
    const report = racyReport();
    const redacted = redactReport(report);
    expect(redacted.redacted).toBe(true);
    expect(redacted.samples.map((s) => [s.file, s.line, s.target, s.time])).toEqual(report.samples.map((s) => [s.file, s.line, s.target, s.time]));
    expect({ ...redacted, samples: [], redacted: undefined }).toEqual({ ...report, samples: [], redacted: undefined });
    expect(renderText(redacted, { color: false })).toContain('client IPs and query strings masked');
  });
});
