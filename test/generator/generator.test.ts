import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INTERVAL_MS,
  LAYOUTS,
  LAYOUT_FIELD_COUNT,
  TRUTH_CLASSES,
  defineGroup,
  deepMerge,
  idleCloseRangeMs,
  scenario,
  simulate,
  type Label,
  type Layout,
  type SimulationResult,
} from './index.js';
import { main, parseDuration } from './cli.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Our own quote-aware splitter: bare tokens end at a space, quoted ones at `" ` or end of line. */
function tokens(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === '"') {
      let j = i + 1;
      while (j < line.length && !(line[j] === '"' && (j + 1 === line.length || line[j + 1] === ' '))) j++;
      out.push(line.slice(i + 1, j));
      i = j + 2;
    } else {
      let j = line.indexOf(' ', i);
      if (j < 0) j = line.length;
      out.push(line.slice(i, j));
      i = j + 1;
    }
  }
  return out;
}

function lineOf(result: SimulationResult, label: Label): string {
  const file = result.files.find((f) => f.key === label.file);
  const line = file?.lines[label.line - 1];
  if (line === undefined) throw new Error(`no line ${label.line} in ${label.file}`);
  return line;
}

const epochOf = (iso: string): number => Date.parse(iso);

describe('determinism', () => {
  const small = scenario('mixed', undefined, { durationMs: 40 * MINUTE_MS });

  it('gives identical files and labels for the same seed', () => {
    const a = simulate(small, 1234);
    const b = simulate(small, 1234);
    expect(a.files).toEqual(b.files);
    expect(a.labels).toEqual(b.labels);
    expect(a.truth).toEqual(b.truth);
    expect(a.truth.seed).toBe('1234');
  });

  it('differs for another seed', () => {
    const a = simulate(small, 1);
    const b = simulate(small, 2);
    expect(a.files[0]?.lines.slice(0, 5)).not.toEqual(b.files[0]?.lines.slice(0, 5));
  });
});

describe('keep-alive race mechanism', () => {
  // Many (node, target) pairs, each near the rate that makes 6 s gaps most likely.
  const nodeRaces = scenario('node', {
    nodeCount: 3,
    traffic: { ratePerSec: 9, quietPerDay: 0, burstsPerHour: 0, diurnalAmplitude: 0 },
    groups: { api: { share: 1, targetCount: 20 }, web: { share: 0 } },
  }, { durationMs: 3 * HOUR_MS });
  let node: SimulationResult;
  let gunicorn: SimulationResult;
  beforeAll(() => {
    node = simulate(nodeRaces, 7);
    gunicorn = simulate(scenario('gunicorn', undefined, { durationMs: 2 * HOUR_MS }), 7);
  });

  it('puts Node races within a few ms of keepAliveTimeout + 1 s', () => {
    const races = node.labels.filter((l) => l.class === 'keepalive_race');
    expect(races.length).toBeGreaterThan(15);
    const [lo, hi] = idleCloseRangeMs(nodeRaces.groups.api!.server);
    const finMaxMs = nodeRaces.finDelayMs[1];
    for (const race of races) {
      expect(race.closeCause).toBe('idle');
      expect(race.connectionIdleMs).toBeGreaterThanOrEqual(lo - 0.4);
      expect(race.connectionIdleMs).toBeLessThan(hi + finMaxMs);
    }
  });

  it('never reuses a connection the target has already closed and the ALB has seen closed', () => {
    const [, hi] = idleCloseRangeMs(nodeRaces.groups.api!.server);
    const reused = node.labels.filter((l) => l.class === 'ok' && l.connectionIdleMs !== null);
    expect(reused.length).toBeGreaterThan(1000);
    for (const l of reused) expect(l.connectionIdleMs).toBeLessThan(hi + nodeRaces.finDelayMs[1]);
    // …while plenty of requests came after a longer gap and opened a new connection.
    expect(node.labels.filter((l) => l.class === 'ok' && l.connectionIdleMs === null).length).toBeGreaterThan(100);
  });

  it('spreads Gunicorn races over [T, T + 1 s] and never before T', () => {
    const races = gunicorn.labels.filter((l) => l.class === 'keepalive_race');
    expect(races.length).toBeGreaterThan(5);
    for (const race of races) {
      expect(race.connectionIdleMs).toBeGreaterThanOrEqual(2000 - 0.4);
      expect(race.connectionIdleMs).toBeLessThan(3000 + 8);
    }
  });

  it('writes race lines as 502, no target status, target present, error_reason -, shapes A/B/C', () => {
    const shapes = new Set<string>();
    for (const label of node.labels.filter((l) => l.class === 'keepalive_race')) {
      const f = tokens(lineOf(node, label));
      expect(f[8]).toBe('502');
      expect(f[9]).toBe('-');
      expect(f[4]).toBe(label.target);
      expect(f[24]).toBe('-');
      const [rpt, tpt, rspt] = [Number(f[5]), Number(f[6]), Number(f[7])];
      expect(rspt).toBe(-1);
      if (rpt === -1) shapes.add('B');
      else if (tpt === -1) shapes.add('C');
      else {
        expect(tpt).toBeLessThanOrEqual(0.05);
        shapes.add('A');
      }
    }
    expect(shapes).toContain('A');
  });

  it('has no keep-alive races when targets outlast the ALB idle timeout', () => {
    const healthy = simulate(scenario('healthy', undefined, { durationMs: 4 * HOUR_MS }), 3);
    expect(healthy.truth.totals.counts.keepalive_race).toBe(0);
    expect(healthy.truth.groups.every((g) => !g.keepaliveRacesPossible)).toBe(true);
    expect(healthy.truth.totals.counts.target_connection_error).toBeGreaterThan(0);
    // The ALB closes connections idle for its idle timeout itself: none is reused past it.
    for (const l of healthy.labels) if (l.connectionIdleMs !== null) expect(l.connectionIdleMs).toBeLessThan(healthy.truth.albIdleTimeoutMs);
  });

  it('makes request-count closes race at any idle age', () => {
    const result = simulate(scenario('maxRequests', undefined, { durationMs: 25 * MINUTE_MS }), 5);
    const races = result.labels.filter((l) => l.class === 'closed_connection_race');
    expect(races.length).toBeGreaterThan(3);
    expect(races.every((l) => l.closeCause === 'max_requests')).toBe(true);
    expect(result.truth.totals.counts.keepalive_race).toBe(0);
  });
});

describe('labels and truth', () => {
  let result: SimulationResult;
  beforeAll(() => {
    result = simulate(scenario('mixed', undefined, { durationMs: 5 * HOUR_MS, ratePerSec: 3 }), 11);
  });

  it('has one label per line, numbered 1..n in each file', () => {
    const lines = result.files.reduce((n, f) => n + f.lines.length, 0);
    expect(result.labels.length).toBe(lines);
    expect(result.truth.totals.lines).toBe(lines);
    for (const file of result.files) {
      const numbers = result.labels.filter((l) => l.file === file.key).map((l) => l.line);
      expect(numbers).toEqual(file.lines.map((_, i) => i + 1));
    }
  });

  it('counts every class the same way in labels and truth', () => {
    for (const cls of TRUTH_CLASSES) {
      expect(result.labels.filter((l) => l.class === cls).length, cls).toBe(result.truth.totals.counts[cls]);
    }
    for (const g of result.truth.groups) {
      const mine = result.labels.filter((l) => l.targetGroup === g.arn);
      expect(mine.length).toBe(g.requests);
    }
    // The mixed preset exercises most causes in five hours.
    const seen = TRUTH_CLASSES.filter((cls) => result.truth.totals.counts[cls] > 0);
    expect(seen.length).toBeGreaterThanOrEqual(10);
  });

  it('writes lines consistent with the timing model and their class', () => {
    const idleTimeoutS = result.truth.albIdleTimeoutMs / 1000;
    for (const label of result.labels) {
      const f = tokens(lineOf(result, label));
      const timeS = epochOf(f[1]!) / 1000 + Number(f[1]!.slice(23, 26)) / 1e6;
      const receivedS = epochOf(f[21]!) / 1000;
      const parts = [Number(f[5]), Number(f[6]), Number(f[7])].filter((x) => x >= 0);
      expect(timeS + 1e-6).toBeGreaterThanOrEqual(receivedS + parts.reduce((a, b) => a + b, 0));
      if (label.class === 'target_timeout') {
        expect(f.slice(4, 10)).toEqual([label.target, '-1', '-1', '-1', '504', '-']);
        expect(timeS - receivedS).toBeGreaterThan(idleTimeoutS - 0.01);
        expect(timeS - receivedS).toBeLessThan(idleTimeoutS + 0.02);
      }
      if (label.class === 'no_healthy_targets') expect(f.slice(4, 10)).toEqual(['-', '-1', '-1', '-1', '503', '-']);
      if (label.class === 'alb_rejected') expect(f[12]).toMatch(/^- http:\/\/[^ ]+:80- -$/);
      if (label.class === 'lambda_error') {
        expect(f[4]).toBe('-');
        expect(f[24]).toMatch(/^Lambda/);
        expect(Number(f[6])).toBeGreaterThanOrEqual(0);
      }
      if (label.class === 'target_reset') expect(Number(f[6])).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('files and keys', () => {
  const result = simulate(scenario('sample', undefined, { durationMs: 2 * HOUR_MS, startIso: '2026-06-30T22:40:00Z' }), 21);
  const keyPattern =
    /^AWSLogs\/(\d{12})\/elasticloadbalancing\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_elasticloadbalancing_\2_app\.([\w-]+)\.([0-9a-f]{16})_(\d{8}T\d{4}Z)_(\d+\.\d+\.\d+\.\d+)_([a-z0-9]{8})\.log\.gz$/;

  it('names one object per node per 5 minutes after the interval END, in the delivery-date folder', () => {
    let nextDay = 0;
    const seen = new Set<string>();
    for (const file of result.files) {
      const m = keyPattern.exec(file.key);
      expect(m, file.key).not.toBeNull();
      const [, , , yyyy, mm, dd, , , stamp, nodeIp] = m as RegExpExecArray;
      const s = stamp as string;
      const endMs = Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13));
      expect(endMs % INTERVAL_MS).toBe(0);
      expect(nodeIp).toBe(file.node);
      expect(seen.has(`${s}/${nodeIp}`)).toBe(false);
      seen.add(`${s}/${nodeIp}`);
      // The folder is the delivery date: 1–9 minutes after the end.
      const folderMs = Date.UTC(+(yyyy as string), +(mm as string) - 1, +(dd as string));
      const allowed = [endMs + MINUTE_MS, endMs + 9 * MINUTE_MS].map((t) => Math.floor(t / 86_400_000) * 86_400_000);
      expect(allowed).toContain(folderMs);
      if (folderMs > Math.floor(endMs / 86_400_000) * 86_400_000) nextDay++;
      for (const line of file.lines) {
        const f = tokens(line);
        const t = epochOf(f[1]!);
        expect(t).toBeGreaterThanOrEqual(endMs - INTERVAL_MS);
        expect(t).toBeLessThan(endMs);
        expect(f[33]).toBe(nodeIp);
      }
    }
    // The window crosses midnight: the 23:55 interval is delivered into the next day.
    expect(nextDay).toBeGreaterThan(0);
  });

  it('orders lines by time only when asked, and only perturbs locally otherwise', () => {
    const timeOrdered = simulate(scenario('sample', undefined, { durationMs: 30 * MINUTE_MS }), 4, { order: 'time' });
    const shuffled = simulate(scenario('sample', undefined, { durationMs: 30 * MINUTE_MS }), 4);
    const times = (lines: string[]): string[] => lines.map((l) => tokens(l)[1]!);
    for (const file of timeOrdered.files) expect(times(file.lines)).toEqual([...times(file.lines)].sort());
    const outOfOrder = shuffled.files.filter((f) => times(f.lines).join() !== [...times(f.lines)].sort().join());
    expect(outOfOrder.length).toBeGreaterThan(0);
  });

  it('writes the right number of fields for every layout', () => {
    for (const layout of LAYOUTS) {
      const r = simulate(scenario('mixed', undefined, { durationMs: 15 * MINUTE_MS, layout }), 9);
      for (const file of r.files) {
        expect(file.layout).toBe(layout);
        for (const line of file.lines) expect(tokens(line).length, `${layout}: ${line}`).toBe(LAYOUT_FIELD_COUNT[layout]);
      }
      const sample = tokens(r.files[0]!.lines[0]!);
      // 2016 wrote domain_name and chosen_cert_arn unquoted.
      if (layout === '2016') expect(r.files[0]!.lines[0]).not.toMatch(/" "[^"]*"$/);
      expect(sample[2]).toMatch(/^app\/shop-prod\/[0-9a-f]{16}$/);
    }
  });

  it('mixes layouts across files and drops the node for the node-unknown file', () => {
    const mixed = simulate(scenario('mixed', undefined, { durationMs: 60 * MINUTE_MS, layout: 'mixed' }), 9);
    const layouts = new Set<Layout>(mixed.files.map((f) => f.layout));
    expect(layouts.size).toBeGreaterThan(2);
    for (const file of mixed.files) for (const line of file.lines) expect(tokens(line).length).toBe(LAYOUT_FIELD_COUNT[file.layout]);

    const noNode = simulate(scenario('sample', undefined, { durationMs: 30 * MINUTE_MS }), 9, { noNode: true });
    expect(noNode.files.length).toBe(1);
    const only = noNode.files[0]!;
    expect(only.key).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
    expect(only.layout).toBe('2025');
    for (const line of only.lines) expect(tokens(line).length).toBe(33);
    expect(noNode.labels.map((l) => l.line)).toEqual(only.lines.map((_, i) => i + 1));
  });
});

describe('targets leaving: deploys, scale-in, misconfiguration', () => {
  const start = (r: SimulationResult): number => Date.parse(r.truth.start);
  /** Refused requests (labels) per target, with their request times from the lines. */
  const refusedAt = (r: SimulationResult, target: string): number[] => {
    const lines = new Map(r.files.map((f) => [f.key, f.lines]));
    return r.labels
      .filter((l) => l.class === 'target_connection_error' && l.target === target)
      .map((l) => Date.parse(tokens(lines.get(l.file)![l.line - 1]!)[1]!))
      .sort((a, b) => a - b);
  };

  it('records the true drain window of a rolling deploy: refusals only while the ALB still routes to a stopped target', () => {
    const r = simulate(scenario('rollout'), 3);
    const deploys = r.truth.groups[0]!.deploys;
    expect(deploys.length).toBe(3);
    for (const d of deploys) {
      expect(d.kind).toBe('deploy');
      const from = Date.parse(d.downFrom);
      const until = from + d.routedWhileDownSeconds * 1000;
      expect(d.routedWhileDownSeconds).toBeCloseTo((Math.min(Date.parse(d.outOfServiceFrom), Date.parse(d.downUntil!)) - from) / 1000, 2);
      const refused = refusedAt(r, d.target).filter((t) => t >= from - 1000 && t <= until + 5000);
      expect(refused.length).toBeGreaterThan(20);
      expect(refused[0]! - from).toBeLessThan(1000);
      expect(until - refused[refused.length - 1]!).toBeLessThan(1000);
      expect(refused[refused.length - 1]!).toBeLessThanOrEqual(until + 10);
    }
    expect(start(r)).toBeLessThan(Date.parse(deploys[0]!.downFrom));
  });

  it('removes two targets at once for good in a scale-in, and keeps serving on the third', () => {
    const r = simulate(scenario('scaleIn'), 3);
    const group = r.truth.groups[0]!;
    expect(group.deploys.map((d) => [d.kind, d.downFrom, d.downUntil, d.backInServiceAt])).toEqual([
      ['scale-in', group.deploys[0]!.downFrom, null, null],
      ['scale-in', group.deploys[0]!.downFrom, null, null],
    ]);
    for (const d of group.deploys) {
      const lastRefused = refusedAt(r, d.target).at(-1)!;
      // Nothing reaches it after the health check took it out, and nothing it was sent since it stopped was answered.
      expect(lastRefused).toBeLessThanOrEqual(Date.parse(d.outOfServiceFrom) + 10);
      expect(Date.parse(d.outOfServiceFrom) - lastRefused).toBeLessThan(1000);
    }
    const survivor = group.targets.find((t) => !group.deploys.some((d) => d.target === t))!;
    expect(refusedAt(r, survivor)).toEqual([]);
  });

  it('refuses every request to a misconfigured group from the first, on every target', () => {
    const r = simulate(scenario('misconfigured'), 3);
    const admin = r.truth.groups.find((g) => g.name === 'admin')!;
    expect(admin.deploys.map((d) => d.kind)).toEqual(['misconfiguration', 'misconfiguration']);
    expect(admin.counts.ok).toBe(0);
    expect(admin.counts.target_connection_error).toBeGreaterThan(1000);
    expect(admin.deploys[0]!.routedWhileDownSeconds).toBe(3600);
    expect(r.truth.groups.find((g) => g.name === 'api')!.counts.target_connection_error).toBe(0);
  });
});

describe('scenario helpers', () => {
  it('deep-merges overrides and keeps the preset intact', () => {
    const base = scenario('sample');
    const merged = deepMerge(base, { traffic: { ratePerSec: 9 }, groups: { api: { poolPolicy: 'oldest' } } });
    expect(merged.traffic.ratePerSec).toBe(9);
    expect(merged.traffic.quietFactor).toBe(base.traffic.quietFactor);
    expect(merged.groups.api?.poolPolicy).toBe('oldest');
    expect(base.groups.api?.poolPolicy).toBe('mru');
    expect(defineGroup({ share: 2 }).share).toBe(2);
    expect(parseDuration('1h30m')).toBe(90 * MINUTE_MS);
  });
});

describe('writer and CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alb-gen-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const sink = (): Writable & { text: string } => {
    const w = new Writable({
      write(chunk, _enc, done) {
        w.text += String(chunk);
        done();
      },
    }) as Writable & { text: string };
    w.text = '';
    return w;
  };

  it('rejects an unknown flag with exit code 2 and one sentence', async () => {
    const err = sink();
    expect(await main(['--out', dir, '--bogus'], sink(), err)).toBe(2);
    expect(err.text.trim().split('\n')).toHaveLength(1);
    expect(err.text).toContain('--bogus');
  });

  it('documents every flag in --help', async () => {
    const out = sink();
    expect(await main(['--help'], out, sink())).toBe(0);
    for (const flag of ['--scenario', '--seed', '--out', '--truth', '--start', '--duration', '--rate', '--pool', '--layout', '--order', '--plain', '--no-node', '--junk', '--target-mb', '--gzip-level', '--no-labels']) {
      expect(out.text).toContain(flag);
    }
  });

  it('writes gzip objects, junk and truth outside the log tree, matching the in-memory run', async () => {
    const logDir = join(dir, 'logs');
    const truthDir = join(dir, 'truth');
    const args = ['--scenario', 'sample', '--seed', '5', '--duration', '20m', '--out', logDir, '--truth', truthDir, '--junk'];
    expect(await main(args, sink(), sink())).toBe(0);
    const truth = JSON.parse(await readFile(join(truthDir, 'truth.json'), 'utf8'));
    const labels = (await readFile(join(truthDir, 'labels.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Label);
    const memory = simulate(scenario('sample', undefined, { durationMs: 20 * MINUTE_MS }), 5);
    expect(labels).toEqual(memory.labels);
    for (const file of memory.files) {
      const body = gunzipSync(await readFile(join(logDir, file.key))).toString('utf8');
      expect(body).toBe(file.lines.join('\n') + '\n');
    }
    expect(truth.junk.length).toBeGreaterThanOrEqual(5);
    for (const key of truth.junk as string[]) await stat(join(logDir, key));
    expect(truth.junk.some((k: string) => k.endsWith('ELBAccessLogTestFile'))).toBe(true);
    const all = await readdir(logDir, { recursive: true });
    expect(all.some((p) => p.includes('truth'))).toBe(false);
    expect(await main(['--out', logDir, '--truth', join(logDir, 'inside'), '--duration', '5m'], sink(), sink())).toBe(2);
    expect(relative(logDir, truthDir).startsWith('..')).toBe(true);
  });
});
