/**
 * The fixed parts of the HTML report: its style sheet, its one script (the copy buttons) and the
 * Content-Security-Policy that allows exactly those two by their SHA-256 hashes and nothing else: no
 * network request of any kind (default-src 'none'), no other script or style, no style attribute, no
 * form, no <base>. A tag from a log that slipped through escaping would still be inert.
 */
import { createHash } from 'node:crypto';

export const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1d232a;--dim:#5f6b76;--line:#d8dee4;--panel:#f5f7f9;--race:#c62828;--warn:#b26a00;--ok:#2e7d32;--req:#9fb3c8;--band:rgba(198,40,40,.12);--alb:#3559a8;--code:#f0f3f6}
@media (prefers-color-scheme:dark){:root{--bg:#14181d;--fg:#e3e8ee;--dim:#98a4b0;--line:#2e3742;--panel:#1b2128;--race:#ff6b6b;--warn:#f0b429;--ok:#6fcf73;--req:#3d5a75;--band:rgba(255,107,107,.16);--alb:#8fb0ff;--code:#0f1317}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:960px;margin:0 auto;padding:16px}
h1{font-size:1.5rem;margin:.5rem 0 0}h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}h3{font-size:1rem;margin:1.25rem 0 .4rem}
.subtitle,.detail,.dim{color:var(--dim)}.detail{font-size:.9rem;margin:.25rem 0 .75rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:1rem 0}dl.facts dt{color:var(--dim)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.verdict{border-left:4px solid var(--dim);background:var(--panel);padding:.5rem 1rem;margin:0;list-style:none}
.verdict.races{border-color:var(--race)}.verdict.none{border-color:var(--ok)}.verdict.cannot-tell{border-color:var(--warn)}
.verdict li{margin:.35rem 0}
.race{color:var(--race)}.warn{color:var(--warn)}.ok{color:var(--ok)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--dim);font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.name{overflow-wrap:anywhere;min-width:8rem;max-width:24rem}tr.sub td{border-bottom:none;padding-top:0;color:var(--dim);font-size:.85rem}
svg.chart{width:100%;height:auto;display:block;margin:.25rem 0 1rem}
svg text{fill:var(--fg);font:12px system-ui,sans-serif}svg text.tick,svg text.axis-title{fill:var(--dim)}
svg .axis,svg .tickmark{stroke:var(--dim);stroke-width:1}svg .grid{stroke:var(--line);stroke-width:1}
svg .bar.race{fill:var(--race)}svg .bar.warn{fill:var(--warn)}svg .bar.plain,svg .bar.dim,svg .bar.ok{fill:var(--req)}
svg .band{fill:var(--band)}svg .marker{stroke-width:1.5}svg .marker.estimate{stroke:var(--race);stroke-dasharray:2 3}svg text.value{fill:var(--race);font-size:11px}svg .marker.alb{stroke:var(--alb);stroke-dasharray:5 4}
svg text.label.estimate{fill:var(--race);font-weight:600}svg text.label.alb{fill:var(--alb)}
svg path.requests{fill:var(--req);opacity:.55}
svg.classbar{width:100%;min-width:80px;height:.8rem;display:block;margin-top:.35rem}
.legend{font-size:.85rem;color:var(--dim);margin:.25rem 0}.legend span{margin-right:1rem;display:inline-block}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.3em;vertical-align:-.05em}
.swatch.race{background:var(--race)}.swatch.warn{background:var(--warn)}.swatch.req{background:var(--req)}.swatch.alb{background:var(--alb)}
.rec{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.5rem 1rem;margin:.75rem 0}
.rec h3{margin-top:.4rem}.rec p{overflow-wrap:anywhere}
.snippet{position:relative;margin:.4rem 0 .8rem}
pre{background:var(--code);border:1px solid var(--line);border-radius:4px;padding:.6rem .75rem;overflow-x:auto;margin:0;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;user-select:all}
button.copy{position:absolute;top:.3rem;right:.3rem;font:12px system-ui,sans-serif;padding:.15rem .5rem;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg);cursor:pointer}
.sample{border-bottom:1px solid var(--line);padding:.4rem 0}.sample:last-child{border-bottom:none}
.sample code{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere;word-break:break-all}
.sample .where{display:block}.sample .what{display:block;color:var(--dim)}
footer{margin:2.5rem 0 1rem;color:var(--dim);font-size:.85rem}
code{overflow-wrap:anywhere}
@media (max-width:600px){body{font-size:14px}main{padding:10px}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.4rem}}
`.trim();

/**
 * Copy buttons: the script adds them only where the clipboard can be reached, so without it (or with
 * scripts blocked) the snippets stay plain selectable <pre> blocks. No handler attribute: none would run
 * under the CSP.
 */
export const SCRIPT = `
for (const pre of document.querySelectorAll('pre[data-copy]')) {
  if (!navigator.clipboard) break;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy';
  button.textContent = 'Copy';
  button.addEventListener('click', () => {
    navigator.clipboard.writeText(pre.textContent).then(
      () => { button.textContent = 'Copied'; },
      () => { button.textContent = 'Select and copy'; },
    );
  });
  pre.parentElement.append(button);
}
`.trim();

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The policy for the page: the style and the script above by hash, nothing from anywhere. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
