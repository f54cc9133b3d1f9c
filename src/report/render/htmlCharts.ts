/**
 * The charts of the HTML report as inline SVG strings, drawn from the view (view.ts) without a browser.
 * d3-scale and d3-shape do the arithmetic: they are pure functions (no DOM), and their log scale with
 * round ticks, `nice()` linear axes and step-area paths are what a hand-written version would get wrong at
 * the edges (empty domains, a single value, sub-pixel bars). Every text in a chart goes through `html`
 * (htmlMarkup.ts); colours come from CSS classes, so dark mode needs no second chart and no style attribute
 * (the Content-Security-Policy allows none).
 */
import { scaleLinear, scaleLog } from 'd3-scale';
import { area, curveStepAfter } from 'd3-shape';
import { html, type Markup, trusted } from './htmlMarkup.js';
import { classCount, countOf } from './labels.js';
import type { Chart, ClassRow, Section, TimelineGroup } from './view.js';

type SectionOf<K extends Section['kind']> = Extract<Section, { kind: K }>;

const WIDTH = 720;
const MARGIN = { top: 22, right: 18, bottom: 34, left: 52 };
const round = (x: number): number => Math.round(x * 10) / 10;

/** `250 ms`, `2 s`, `1 min`: an idle age on the axis. */
function formatAxisMs(ms: number): string {
  if (ms < 1000) return `${+ms.toPrecision(3)} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toPrecision(3)} s`;
  return `${+(ms / 60_000).toPrecision(3)} min`;
}

/** Race rate by idle age: bars to scale on a log axis, T̂ with its interval and the ALB idle timeout marked. */
export function idleAgeChart(chart: Chart): Markup {
  const height = 240;
  const albMs = chart.albIdleTimeoutSeconds * 1000;
  const estimateMs = chart.estimateSeconds === null ? null : chart.estimateSeconds * 1000;
  const raced = chart.rows.filter((r) => r.raceRate > 0);
  const firstRaceMs = Math.min(...raced.map((r) => Math.max(1, r.fromMs)));
  const lastRaceMs = Math.max(...raced.map((r) => r.toMs ?? r.fromMs * 1.5));
  const lowMs = Math.max(1, Math.min(100, firstRaceMs / 2));
  const highMs = Math.max(albMs * 1.3, lastRaceMs * 1.3, (estimateMs ?? 0) * 2);
  const x = scaleLog().domain([lowMs, highMs]).range([MARGIN.left, WIDTH - MARGIN.right]).clamp(true);
  const maxRate = Math.max(...chart.rows.map((r) => r.raceRate), 1e-9);
  const y = scaleLinear().domain([0, maxRate]).nice(4).range([height - MARGIN.bottom, MARGIN.top]);
  const bottom = height - MARGIN.bottom;

  // Round ticks only (1, 2, 5 per decade): a log axis's 1–9 ticks crowd a phone's width.
  const xTicks = x.ticks().filter((t) => [1, 2, 5].includes(Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9))));
  const yTicks = y.ticks(4);
  const percent = (rate: number): string => `${+(rate * 100).toPrecision(3)} %`;

  const bars = chart.rows
    .filter((r) => r.raceRate > 0)
    .map((r) => {
      const x0 = x(Math.max(lowMs, r.fromMs));
      const x1 = x(r.toMs ?? r.fromMs * 1.5);
      const width = Math.max(5, x1 - x0 - 1);
      const left = x0 + (x1 - x0 - 1) / 2 - width / 2;
      return html`<rect class="bar ${r.tone}" x="${round(left)}" y="${round(y(r.raceRate))}" width="${round(width)}" height="${round(bottom - y(r.raceRate))}"><title>${r.label}: ${r.races} ${r.races === '1' ? 'race' : 'races'} of ${r.requests} ${r.requests === '1' ? 'request' : 'requests'} (${r.rate})</title></rect><text class="value" x="${round(left + width + 3)}" y="${round(Math.min(bottom - 4, y(r.raceRate) + 10))}">${r.races}/${r.requests} (${r.rate})</text>`;
    });
  const markers: Markup[] = [];
  if (estimateMs !== null) {
    if (chart.lowSeconds !== null && chart.highSeconds !== null && chart.highSeconds > chart.lowSeconds) {
      const x0 = x(chart.lowSeconds * 1000);
      const x1 = x(chart.highSeconds * 1000);
      markers.push(html`<rect class="band" x="${round(x0)}" y="${MARGIN.top}" width="${round(Math.max(1, x1 - x0))}" height="${bottom - MARGIN.top}"><title>T̂ interval ${chart.lowSeconds} – ${chart.highSeconds} s</title></rect>`);
    }
    const xe = round(x(estimateMs));
    markers.push(html`<line class="marker estimate" x1="${xe}" x2="${xe}" y1="${MARGIN.top - 4}" y2="${bottom}"/><text class="label estimate" x="${xe - 4}" y="${MARGIN.top + 6}" text-anchor="end">T̂ ${(estimateMs / 1000).toFixed(1)} s</text>`);
  }
  const xa = round(x(albMs));
  markers.push(html`<line class="marker alb" x1="${xa}" x2="${xa}" y1="${MARGIN.top - 4}" y2="${bottom}"/><text class="label alb" x="${xa - 4}" y="${MARGIN.top + 6}" text-anchor="end">ALB idle timeout ${chart.albIdleTimeoutSeconds} s</text>`);

  return html`<svg class="chart idle-age" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Race rate by idle age for ${chart.title}">
<title>Race rate by idle age: ${chart.title}</title>
${yTicks.map((t) => html`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${round(y(t))}" y2="${round(y(t))}"/><text class="tick" x="${MARGIN.left - 6}" y="${round(y(t)) + 4}" text-anchor="end">${percent(t)}</text>`)}
${xTicks.map((t) => html`<line class="tickmark" x1="${round(x(t))}" x2="${round(x(t))}" y1="${bottom}" y2="${bottom + 4}"/><text class="tick" x="${round(x(t))}" y="${bottom + 16}" text-anchor="middle">${formatAxisMs(t)}</text>`)}
<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${bottom}" y2="${bottom}"/>
${markers}${bars}
<text class="axis-title" x="${WIDTH - MARGIN.right}" y="${height - 2}" text-anchor="end">idle age of the connection (log scale)</text>
</svg>`;
}

/** One group's timeline: requests as a light step area (own scale), races and other errors as stacked columns. */
export function timelineChart(group: TimelineGroup, section: SectionOf<'timeline'>): Markup {
  const height = 150;
  const bottom = height - MARGIN.bottom;
  const x = scaleLinear().domain([0, section.columns]).range([MARGIN.left, WIDTH - MARGIN.right]);
  const valuesOf = (label: string): number[] => group.series.find((s) => s.label === label)?.values ?? [];
  const races = valuesOf('races');
  const other = valuesOf('other');
  const requests = valuesOf('requests');
  const errorsAt = (i: number): number => (races[i] ?? 0) + (other[i] ?? 0);
  const maxErrors = Math.max(1, ...Array.from({ length: section.columns }, (_, i) => errorsAt(i)));
  const y = scaleLinear().domain([0, maxErrors]).nice(3).range([bottom, MARGIN.top]);
  const yRequests = scaleLinear().domain([0, Math.max(1, ...requests)]).range([bottom, MARGIN.top]);
  const requestArea = area<number>()
    .x((_, i) => x(i))
    .y0(bottom)
    .y1((v) => yRequests(v))
    .curve(curveStepAfter)
    .digits(1);
  // A step curve ends at the last point: repeat it so the last column is drawn full width.
  const requestPath = requests.length === 0 ? '' : requestArea([...requests, requests[requests.length - 1]!]) ?? '';
  const columnWidth = Math.max(1, x(1) - x(0) - 1);
  const columns: Markup[] = [];
  for (let i = 0; i < section.columns; i++) {
    const r = races[i] ?? 0;
    const o = other[i] ?? 0;
    if (r + o === 0) continue;
    const title = html`<title>column ${i + 1}: ${classCount('keepalive_race', r)}, ${countOf(o, 'error', 'other')}</title>`;
    if (r > 0) columns.push(html`<rect class="bar race" x="${round(x(i))}" y="${round(y(r))}" width="${round(columnWidth)}" height="${round(bottom - y(r))}">${title}</rect>`);
    if (o > 0) columns.push(html`<rect class="bar warn" x="${round(x(i))}" y="${round(y(r + o))}" width="${round(columnWidth)}" height="${round(y(r) - y(r + o))}">${title}</rect>`);
  }
  return html`<svg class="chart timeline" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Timeline of ${group.name}">
<title>Timeline: ${group.name}</title>
<path class="requests" d="${trusted(requestPath)}"/>
${y.ticks(3).map((t) => html`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${round(y(t))}" y2="${round(y(t))}"/><text class="tick" x="${MARGIN.left - 6}" y="${round(y(t)) + 4}" text-anchor="end">${t}</text>`)}
${columns}
<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${bottom}" y2="${bottom}"/>
${section.ticks.map((t) => html`<line class="tickmark" x1="${round(x(t.column))}" x2="${round(x(t.column))}" y1="${bottom}" y2="${bottom + 4}"/><text class="tick" x="${round(x(t.column))}" y="${bottom + 16}" text-anchor="middle">${t.label}</text>`)}
${group.change ? html`<line class="axis" x1="${round(x(group.change.column))}" x2="${round(x(group.change.column))}" y1="${MARGIN.top}" y2="${bottom}"/><text class="tick" x="${round(x(group.change.column)) + 4}" y="${MARGIN.top + 10}">${group.change.label}</text>` : ''}
</svg>`;
}

/** A class's bar in the breakdown table: a fixed-ratio SVG that the table cell stretches. */
export function classBar(row: ClassRow): Markup {
  return html`<svg class="classbar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect class="bar ${row.tone}" x="0" y="0" width="${round(Math.max(0.5, row.fraction * 100))}" height="10"/></svg>`;
}
