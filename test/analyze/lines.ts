/**
 * Hand-written ALB entries for the analysis unit tests: one request described by its timing (dispatch,
 * duration) and outcome, written as a 2026-layout line (34 fields) and read back through the real parser.
 */
import { Readable } from 'node:stream';
import { runReport, type CauseEvent, type RunOptions } from '../../src/run.js';
import { type AlbEntry, LineParser } from '../../src/parse/parseLine.js';
import type { Report } from '../../src/report/model.js';
import type { SourceItem } from '../../src/sources/logObject.js';

export const T0 = Date.parse('2026-03-14T21:00:00Z');
export const API_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef';
export const WEB_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/fedcba9876543210';

export interface RequestSpec {
  /** Dispatch time, ms after T0. */
  at: number;
  /** `time − dispatch` in ms (response generated). */
  duration?: number;
  target?: string | null;
  /** Seconds as logged; -1 for -1. Default: 0, duration − rspt, 0. */
  rpt?: number;
  tpt?: number;
  rspt?: number;
  elb?: number;
  /** null writes `-`. */
  targetStatus?: number | null;
  targetGroup?: string | null;
  errorReason?: string;
  /** Field 34; null writes `-`. */
  node?: string | null;
  request?: string;
  actions?: string;
  type?: string;
  /** Fields to keep (20 = the 2016 layout). */
  fields?: number;
}

const iso = (ms: number, digits: 3 | 6): string => {
  const base = new Date(Math.floor(ms)).toISOString().slice(0, 23);
  if (digits === 3) return `${base}000Z`;
  const micros = Math.round((ms - Math.floor(ms)) * 1000);
  return `${base}${String(micros).padStart(3, '0')}Z`;
};

const secs = (x: number): string => (x < 0 ? '-1' : x.toFixed(3));

/** One access-log line. Defaults: a 200 from 10.0.0.1:8080 of group `api`, 20 ms, node 172.31.0.10. */
export function line(spec: RequestSpec): string {
  const dispatchedMs = T0 + spec.at;
  const durationMs = spec.duration ?? 20;
  const rpt = spec.rpt ?? 0;
  const receivedMs = rpt > 0 ? dispatchedMs - rpt * 1000 : dispatchedMs;
  const rspt = spec.rspt ?? (rpt < 0 ? -1 : 0);
  const tpt = spec.tpt ?? (rpt < 0 ? -1 : Math.max(0, durationMs - 1) / 1000);
  const elb = spec.elb ?? 200;
  const targetStatus = spec.targetStatus === undefined ? (elb < 500 ? elb : null) : spec.targetStatus;
  const target = spec.target === undefined ? '10.0.0.1:8080' : spec.target;
  const tg = spec.targetGroup === undefined ? API_TG : spec.targetGroup;
  const fields = [
    spec.type ?? 'http',
    iso(dispatchedMs + durationMs, 6),
    'app/shop/50dc6c495c0c9188',
    '203.0.113.7:51234',
    target ?? '-',
    secs(rpt),
    secs(tpt),
    secs(rspt),
    String(elb),
    targetStatus === null ? '-' : String(targetStatus),
    '120',
    '512',
    `"${spec.request ?? 'GET http://shop.example.com:80/api/items HTTP/1.1'}"`,
    '"curl/8.5.0"',
    '-',
    '-',
    tg ?? '-',
    '"Root=1-58337262-36d228ad5d99923122bbe354"',
    '"-"',
    '"-"',
    '0',
    iso(receivedMs, 3),
    `"${spec.actions ?? 'forward'}"`,
    '"-"',
    `"${spec.errorReason ?? '-'}"`,
    `"${target ?? '-'}"`,
    `"${targetStatus === null ? '-' : String(targetStatus)}"`,
    '"-"',
    '"-"',
    'TID_0123abcd',
    '"-"',
    '"-"',
    '"-"',
    spec.node === undefined ? '172.31.0.10' : (spec.node ?? '-'),
  ];
  return fields.slice(0, spec.fields ?? fields.length).join(' ');
}

/** The parsed view of one line (valid until the next parse on the same parser). */
export function parse(text: string, parser = new LineParser()): AlbEntry {
  const buf = Buffer.from(text);
  const result = parser.parse(buf, 0, buf.length, 'test.log', 1);
  if (!result.ok) throw new Error(`test line does not parse: ${result.error.message}`);
  return result.entry;
}

export interface TestFile {
  name: string;
  /** Node from the file name; null when the name has none. */
  nodeIp?: string | null;
  lines: string[];
}

/** Runs files through the real input path into an Analysis. */
export async function analyseFiles(files: readonly TestFile[], options: RunOptions = {}): Promise<{ report: Report; events: CauseEvent[] }> {
  const events: CauseEvent[] = [];
  async function* items(): AsyncGenerator<SourceItem> {
    for (const file of files) {
      const body = Buffer.from(file.lines.join('\n') + '\n');
      yield { kind: 'log', name: file.name, nodeIp: file.nodeIp ?? null, sizeBytes: body.length, open: () => Readable.from([body]) };
    }
  }
  const { report } = await runReport(items(), options, { onEvent: (e) => events.push(e) });
  return { report, events };
}

/** Steady traffic on one pair: a request every `everyMs` from `fromMs` until `toMs` (exclusive). */
export function steady(fromMs: number, toMs: number, everyMs: number, spec: Omit<RequestSpec, 'at'> = {}): string[] {
  const out: string[] = [];
  for (let at = fromMs; at < toMs; at += everyMs) out.push(line({ ...spec, at }));
  return out;
}
