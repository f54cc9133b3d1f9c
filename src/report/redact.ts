/**
 * A report made fit to share: sample entries carry client IPs (personal data in most places) and URLs
 * whose query strings may hold tokens, session ids or e-mail addresses. `--redact` masks both, in every
 * format, before any renderer sees the report; everything else (files, lines, targets, paths) is kept, so
 * the evidence can still be looked up in the logs.
 */
import type { Report, SampleEvent } from './model.js';

export const MASK = 'redacted';

/** The report with every sample's client IP and URL query string (and any user:password@) masked. */
export function redactReport(report: Report): Report {
  return { ...report, samples: (report.samples ?? []).map(redactSample), redacted: true };
}

function redactSample(sample: SampleEvent): SampleEvent {
  return { ...sample, client: sample.client === null ? null : maskIp(sample.client), url: sample.url === null ? null : maskUrl(sample.url) };
}

/** Every digit or hex group of an address masked, its family still readable: `x.x.x.x`, `x:x:x:x`. */
export function maskIp(ip: string): string {
  if (/^[\d.]+$/.test(ip)) return ip.split('.').map(() => 'x').join('.');
  if (ip.includes(':')) return 'x:x:x:x';
  return MASK;
}

/**
 * The URL with its query string and fragment replaced by `redacted` (their keys can be secrets too:
 * `?<token>`), and any credentials before the host. The path stays: it says which endpoint raced.
 */
export function maskUrl(url: string): string {
  const withoutCredentials = url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#@]*@/, `$1${MASK}@`);
  const cut = withoutCredentials.search(/[?#]/);
  return cut < 0 ? withoutCredentials : `${withoutCredentials.slice(0, cut + 1)}${MASK}`;
}
