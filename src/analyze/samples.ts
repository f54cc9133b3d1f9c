/**
 * Sample entries per (target group, class): the evidence a reader can look up by file and line. Kept in
 * the state, bounded, and chosen by (time, file, line), never by arrival, so shards, windows and threads
 * merged in any way keep the same ones: the first MAX_CLASS_SAMPLES of each class in each group.
 */
import { F } from '../parse/fields.js';
import type { AlbEntry } from '../parse/parseLine.js';
import type { CauseClass } from '../types.js';
import type { EventPlace, SampleDetail, SampleRecord } from './state.js';

/** Samples kept per target group and class: enough to check a pattern, few enough to read. */
export const MAX_CLASS_SAMPLES = 3;
/** A URL is cut to this many characters: a held race keeps its sample detail, and a 100 KB URL proves nothing more. */
export const MAX_SAMPLE_URL_CHARS = 512;

/** What a sample shows of its log line besides where it is: who asked for what, and what each side answered. */
export type { SampleDetail, SampleRecord } from './state.js';

export function sampleDetail(entry: AlbEntry): SampleDetail {
  const request = entry.request();
  const url = request.url === null || request.url.length <= MAX_SAMPLE_URL_CHARS ? request.url : request.url.slice(0, MAX_SAMPLE_URL_CHARS - 1) + '…';
  return {
    client: entry.addressIp(F.client_port),
    verb: request.verb,
    url,
    protocol: request.proto,
    elbStatusCode: entry.number(F.elb_status_code),
    targetStatusCode: entry.number(F.target_status_code),
    processingTimes: [entry.number(F.request_processing_time), entry.number(F.target_processing_time), entry.number(F.response_processing_time)],
  };
}

export function sampleOf(place: EventPlace, cls: CauseClass, detail: SampleDetail): SampleRecord {
  return {
    cls,
    arn: place.arn,
    file: place.file,
    line: place.line,
    time: place.time,
    timeMs: place.timeMs,
    target: place.target,
    node: place.node,
    idleGapMs: place.idleGapMs,
    ...detail,
  };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Group, class, then time, file and line: one order for every way a state was built. */
export const sampleOrder = (a: SampleRecord, b: SampleRecord): number =>
  compareText(a.arn, b.arn) || compareText(a.cls, b.cls) || a.timeMs - b.timeMs || compareText(a.file, b.file) || a.line - b.line;

/** The first MAX_CLASS_SAMPLES of each (group, class), sorted; the same line seen twice counts once. */
export function keepFirstSamples(samples: readonly SampleRecord[]): SampleRecord[] {
  const sorted = [...samples].sort(sampleOrder);
  const out: SampleRecord[] = [];
  let kept = 0;
  for (const s of sorted) {
    const last = out[out.length - 1];
    const sameClass = last !== undefined && last.arn === s.arn && last.cls === s.cls;
    if (sameClass && sampleOrder(last, s) === 0) continue;
    kept = sameClass ? kept + 1 : 1;
    if (kept <= MAX_CLASS_SAMPLES) out.push(s);
  }
  return out;
}

/** Keeps the first samples of each (group, class) while entries stream in: memory bounded per class. */
export class SampleKeeper {
  private readonly byKey = new Map<string, SampleRecord[]>();

  offer(sample: SampleRecord): void {
    const key = `${sample.arn}\n${sample.cls}`;
    const list = this.byKey.get(key);
    if (!list) {
      this.byKey.set(key, [sample]);
      return;
    }
    if (list.length >= MAX_CLASS_SAMPLES && sampleOrder(sample, list[list.length - 1]!) >= 0) return;
    list.push(sample);
    list.sort(sampleOrder);
    if (list.length > MAX_CLASS_SAMPLES) list.length = MAX_CLASS_SAMPLES;
  }

  toState(): SampleRecord[] {
    return keepFirstSamples([...this.byKey.values()].flat());
  }
}
