/**
 * The report as one self-contained HTML page, to open from disk or serve from S3 and share: the view
 * (view.ts), as the text and Markdown reports show it, with the charts drawn to scale as inline SVG
 * (htmlCharts.ts). Nothing is loaded from anywhere (no font, image, script or style sheet), and a strict
 * Content-Security-Policy says so to the browser (htmlPage.ts). Every string reaches the page through
 * `html` (htmlMarkup.ts), escaped for text or a quoted attribute; no log value is ever a URL.
 */
import type { Report } from '../model.js';
import { classBar, idleAgeChart, timelineChart } from './htmlCharts.js';
import { html, type Markup, trusted } from './htmlMarkup.js';
import { CONTENT_SECURITY_POLICY, SCRIPT, STYLE } from './htmlPage.js';
import { buildView, type Section } from './view.js';

type SectionOf<K extends Section['kind']> = Extract<Section, { kind: K }>;

export function renderHtml(report: Report): string {
  const view = buildView(report);
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>${view.title}</title>
<style>${trusted(STYLE)}</style>
</head>
<body>
<main>
<header>
<h1>${view.title}</h1>
<div class="subtitle">${view.subtitle}</div>
<dl class="facts">${view.facts.map((f) => html`<dt>${f.label}</dt><dd>${f.value}</dd>`)}</dl>
</header>
${view.sections.map(sectionHtml)}
<footer>${view.footer}</footer>
</main>
<script>${trusted(SCRIPT)}</script>
</body>
</html>
`;
  return page.html;
}

function sectionHtml(section: Section): Markup {
  const body = ((): Markup => {
    switch (section.kind) {
      case 'verdict':
        return html`<ul class="verdict ${section.status}">${section.lines.map((l) => html`<li class="${l.tone}">${l.text}</li>`)}</ul>`;
      case 'input':
        return inputHtml(section);
      case 'groups':
        return groupsHtml(section);
      case 'classes':
        return classesHtml(section);
      case 'idleAge':
        return idleAgeHtml(section);
      case 'timeline':
        return timelineHtml(section);
      case 'recommendations':
        return recommendationsHtml(section);
      case 'samples':
        return samplesHtml(section);
      case 'notes':
        return html`<ul>${section.items.map((n) => html`<li>${n}</li>`)}</ul>`;
    }
  })();
  const detail = 'detail' in section && section.kind !== 'idleAge' ? html`<p class="detail">${section.detail}</p>` : '';
  return html`<section class="s-${section.kind}"><h2>${section.title}</h2>${detail}${body}</section>\n`;
}

function inputHtml(section: SectionOf<'input'>): Markup {
  return html`${section.lines.map((l) => html`<p class="${l.tone}">${l.text}</p>`)}
${section.samples.length > 0 ? html`<ul class="dim">${section.samples.map((s) => html`<li><code>${s}</code></li>`)}</ul>` : ''}
${section.unreadTitle === null ? '' : html`<p class="race">${section.unreadTitle}</p><ul>${section.unread.map((m) => html`<li><code>${m}</code></li>`)}</ul>`}`;
}

function groupsHtml(section: SectionOf<'groups'>): Markup {
  const cellClass = (i: number): string => (section.columns[i]!.align === 'right' ? 'num' : i === 0 ? 'name' : '');
  const rows = section.rows.map((row) => {
    const sub = [row.classes, row.servers.length > 0 ? `keep-alive matches: ${row.servers.join(', ')}` : ''].filter((t) => t !== '').join(' · ');
    return html`<tr class="${row.tone}">${row.cells.map((cell, i) => html`<td class="${cellClass(i)}">${cell}</td>`)}</tr>${sub === '' ? '' : html`<tr class="sub"><td colspan="${row.cells.length}">${sub}</td></tr>`}`;
  });
  const table =
    section.rows.length === 0
      ? ''
      : html`<div class="scroll"><table><thead><tr>${section.columns.map((c, i) => html`<th class="${cellClass(i)}">${c.title}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
  return html`${table}${section.more === null ? '' : html`<p>${section.more}</p>`}${section.outside === null ? '' : html`<p>${section.outside}</p>`}`;
}

function classesHtml(section: SectionOf<'classes'>): Markup {
  return html`<div class="scroll"><table class="classes"><thead><tr><th>cause</th><th class="num">errors</th><th class="num">share</th><th></th></tr></thead><tbody>${section.rows.map(
    (r) => html`<tr><td class="${r.tone}">${r.label}</td><td class="num">${r.countText}</td><td class="num">${r.share}</td><td>${classBar(r)}</td></tr>`,
  )}</tbody></table></div>`;
}

function idleAgeHtml(section: SectionOf<'idleAge'>): Markup {
  const legend = html`<div class="legend"><span><i class="swatch race"></i>race rate</span><span>T̂: the targets' keep-alive timeout, as estimated (shaded: its interval)</span><span><i class="swatch alb"></i>ALB idle timeout (dashed)</span></div>`;
  return html`<p class="detail">${section.detail}</p>${legend}${section.charts.map((chart) => html`<h3>${chart.title}</h3>${idleAgeChart(chart)}`)}${section.more === null ? '' : html`<p class="dim">${section.more}</p>`}`;
}

function timelineHtml(section: SectionOf<'timeline'>): Markup {
  const legend = html`<div class="legend"><span><i class="swatch race"></i>keep-alive races</span><span><i class="swatch warn"></i>other 5xx and 460</span><span><i class="swatch req"></i>requests (own scale)</span></div>`;
  const groups = section.groups.map((group) => {
    const totals = group.series.map((s) => `${s.label} ${s.total}`).join(' · ');
    return html`<h3>${group.name}</h3><p class="detail">${totals}</p>${timelineChart(group, section)}`;
  });
  return html`${legend}${groups}${section.more === null ? '' : html`<p class="dim">${section.more}</p>`}`;
}

function recommendationsHtml(section: SectionOf<'recommendations'>): Markup {
  let snippetId = 0;
  return html`${section.items.map(
    (rec, i) => html`<div class="rec"><h3>${i + 1}. ${rec.title}</h3>
${rec.facts === '' ? '' : html`<p><strong>${rec.facts}</strong></p>`}
${rec.reason === '' ? '' : html`<p class="dim">${rec.reason}</p>`}
${rec.servers.map(
  (server) => html`<p>${server.name}: <code>${server.setting}</code></p><div class="snippet"><pre data-copy="${++snippetId}">${lines(server.snippet)}</pre></div>${server.note === null ? '' : html`<p class="dim">${server.note}</p>`}`,
)}
${rec.alsoServers.length === 0 ? '' : html`<p class="dim">Also: ${rec.alsoServers.join(', ')} (snippets in --format json).</p>`}</div>`,
  )}`;
}

/** Lines of a <pre>, each escaped (a newline inside a line from a log shows as \n), joined by real newlines. */
const lines = (texts: readonly string[]): Markup[] => texts.map((text, i) => html`${i > 0 ? trusted('\n') : ''}${text}`);

function samplesHtml(section: SectionOf<'samples'>): Markup {
  return html`${section.classes.map(
    (cls) => html`<h3 class="${cls.id === 'keepalive_race' ? 'race' : ''}">${cls.title}</h3><div class="samples">${cls.rows.map(
      (r) => html`<div class="sample"><code class="where">${r.place}</code><span class="what">${[r.time, r.group].filter((p) => p !== '').join(' · ')} · ${r.route}</span><code class="what">${r.request}</code><span class="what">${r.answer}</span></div>`,
    )}</div>`,
  )}`;
}
