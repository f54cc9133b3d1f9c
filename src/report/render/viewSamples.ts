/**
 * The evidence sections of the view: the errors by cause (one bar per class) and sample entries of each
 * class with file and line, so a reader can open the log and check. Plain text, log values as logged
 * (each serialiser escapes them); very long values are cut, a 100 KB URL proves nothing more.
 */
import type { ClassCounts, Report, SampleEvent } from '../model.js';
import { CAUSE_CLASSES, type CauseClass } from '../model.js';
import { formatCount, formatPercent } from './format.js';
import { CLASS_LABELS, countOf } from './labels.js';
import type { Tone } from './tone.js';

export interface ClassRow {
  id: CauseClass;
  label: string;
  count: number;
  countText: string;
  /** Share of all errors, as text. */
  share: string;
  /** Bar length as a share of the largest class (0–1). */
  fraction: number;
  tone: Tone;
}

export interface SampleRow {
  /** `file:line`, to open the log at the entry. */
  place: string;
  time: string;
  /** The group's display name; empty for entries in none. */
  group: string;
  /** `203.0.113.42 → 10.0.2.31:8080 via 10.0.1.17` */
  route: string;
  /** `GET https://… HTTP/1.1` */
  request: string;
  /** `ELB 502 · target - · times 0 0.003 -1 · idle 6.001 s` */
  answer: string;
}

export interface SampleClass {
  id: CauseClass;
  title: string;
  rows: SampleRow[];
}

/** Samples shown per class (the report keeps a few per group and class). */
export const MAX_VIEW_SAMPLES = 2;
/** A log value in a sample is cut to this many characters. */
const MAX_SAMPLE_CHARS = 200;

const cut = (text: string, max = MAX_SAMPLE_CHARS): string => {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
};

const raceTone = (id: CauseClass): Tone => (id === 'keepalive_race' ? 'race' : 'warn');

export function classRows(counts: ClassCounts): ClassRow[] {
  const entries = CAUSE_CLASSES.map((id) => [id, counts[id] ?? 0] as const).filter(([, n]) => n > 0);
  const total = entries.reduce((n, [, c]) => n + c, 0);
  const max = Math.max(0, ...entries.map(([, n]) => n));
  return entries
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([id, count]) => ({
      id,
      label: CLASS_LABELS[id].many,
      count,
      countText: formatCount(count),
      share: formatPercent(count / total),
      fraction: max > 0 ? count / max : 0,
      tone: raceTone(id),
    }));
}

export function sampleClasses(report: Report, nameOf: (arn: string) => string): SampleClass[] {
  const byClass = new Map<CauseClass, SampleEvent[]>();
  for (const sample of report.samples ?? []) {
    const list = byClass.get(sample.class);
    if (list) list.push(sample);
    else byClass.set(sample.class, [sample]);
  }
  const out: SampleClass[] = [];
  for (const id of CAUSE_CLASSES) {
    const samples = byClass.get(id);
    if (!samples) continue;
    // Earliest first across groups; the report's order (group, then time) breaks ties.
    const shown = [...samples].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)).slice(0, MAX_VIEW_SAMPLES);
    const total = report.classes[id] ?? samples.length;
    out.push({ id, title: `${CLASS_LABELS[id].many}: ${shown.length} of ${countOf(total, 'entry')}`, rows: shown.map((s) => sampleRow(s, nameOf)) });
  }
  return out;
}

const dash = (value: string | number | null): string => (value === null ? '-' : String(value));

function sampleRow(sample: SampleEvent, nameOf: (arn: string) => string): SampleRow {
  const route = [
    cut(dash(sample.client), 60),
    ...(sample.target === null ? [] : [`→ ${cut(sample.target, 60)}`]),
    ...(sample.node === null ? [] : [`via ${cut(sample.node, 60)}`]),
  ].join(' ');
  const request = [sample.verb, sample.url, sample.protocol].filter((p) => p !== null).map((p) => cut(p!)).join(' ');
  const answer = [
    `ELB ${dash(sample.elbStatusCode)}`,
    `target ${dash(sample.targetStatusCode)}`,
    `times ${sample.processingTimes.map(dash).join(' ')}`,
    ...(sample.idleGapMs === null ? [] : [`idle ${(sample.idleGapMs / 1000).toFixed(3)} s`]),
  ].join(' · ');
  return {
    place: `${cut(sample.file, 400)}:${sample.line}`,
    time: cut(sample.time, 40),
    group: sample.targetGroup === null ? '' : cut(nameOf(sample.targetGroup), 80),
    route,
    request: request === '' ? '-' : request,
    answer,
  };
}
