/**
 * The README's first command, `alb-doctor report sample-logs/`, checked against the generator's truth
 * for that data (sample-logs/truth.json, written by the simulation, not by the analyzer).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';
import { runCli, type CliRun } from '../support/runCli.js';

interface TruthGroup {
  name: string;
  arn: string;
  idleCloseMs: number;
  counts: Record<string, number>;
  deploys: { target: string; routedWhileDownSeconds: number }[];
}
interface Truth {
  albIdleTimeoutMs: number;
  start: string;
  totals: { lines: number; counts: Record<string, number> };
  groups: TruthGroup[];
  files: unknown[];
  unrouted: { counts: Record<string, number> };
}

const sampleDir = path.join(repoRoot, 'sample-logs');
const truth = JSON.parse(readFileSync(path.join(sampleDir, 'truth.json'), 'utf8')) as Truth;

const run = (argv: string[]): Promise<CliRun> => runCli(argv);

/** Non-ok classes with a count, as the report's `classes` objects list them. */
const causes = (counts: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).filter(([cls, n]) => cls !== 'ok' && n > 0));

describe('report on sample-logs/', () => {
  let report: {
    input: Record<string, number>;
    classes: Record<string, number>;
    targetGroups: { arn: string; name: string; requests: number; classes: Record<string, number>; keepAlive: { estimatedSeconds: number | null }; suspectedServers: string[] }[];
    recommendations: { targetGroup: string; targetKeepAliveSeconds: number | null; servers: { snippet: string }[]; reason: string; kind: string }[];
    notes: string[];
  };

  beforeAll(async () => {
    const { code, stdout } = await run(['report', sampleDir, '--format', 'json']);
    expect(code).toBe(0);
    report = JSON.parse(stdout);
  });

  it('reads every line of every log object and skips the two documentation files', () => {
    expect(report.input.files).toBe(truth.files.length);
    expect(report.input.lines).toBe(truth.totals.lines);
    expect(report.input.entries).toBe(truth.totals.lines);
    expect(report.input.malformed).toBe(0);
    expect(report.input.skippedFiles).toBe(2); // README.md and truth.json
  });

  it('counts every cause as the simulation recorded it', () => {
    expect(report.classes).toEqual(causes(truth.totals.counts));
    for (const group of truth.groups) {
      const found = report.targetGroups.find((g) => g.arn === group.arn);
      expect(found, group.name).toBeDefined();
      expect(found!.classes).toEqual(causes(group.counts));
      expect(found!.requests).toBe(Object.values(group.counts).reduce((a, b) => a + b, 0));
    }
  });

  it('estimates the racing group’s keep-alive within 5 % and recommends 65 s with the Node.js setting', () => {
    const racing = truth.groups.filter((g) => (g.counts.keepalive_race ?? 0) > 0);
    expect(racing.length).toBeGreaterThan(0);
    for (const group of racing) {
      const found = report.targetGroups.find((g) => g.arn === group.arn)!;
      expect(found.keepAlive.estimatedSeconds).not.toBeNull();
      expect(Math.abs(found.keepAlive.estimatedSeconds! * 1000 - group.idleCloseMs) / group.idleCloseMs).toBeLessThan(0.05);
      expect(found.suspectedServers).toContain('nodejs');
    }
    const keepAliveAdvice = report.recommendations.filter((r) => r.targetKeepAliveSeconds !== null);
    expect(keepAliveAdvice).toHaveLength(racing.length);
    expect(keepAliveAdvice[0]!.targetKeepAliveSeconds).toBe(65);
    expect(keepAliveAdvice[0]!.servers.map((s) => s.snippet)).toContain('server.keepAliveTimeout = 65000;');
  });

  it('words every count of its advice and notes with plurals and the class labels, never "(s)"', () => {
    const api = truth.groups.find((g) => (g.counts.keepalive_race ?? 0) > 0)!;
    const reasons = Object.fromEntries(report.recommendations.map((r) => [r.kind, r.reason]));
    expect(reasons.keepalive).toMatch(new RegExp(`^${api.counts.keepalive_race} keep-alive races at `));
    expect(reasons.deploy).toMatch(new RegExp(`^${api.counts.target_connection_error} failed connections to the target in 1 burst, a rolling deploy: `));
    expect(reasons.slow_targets).toMatch(new RegExp(`^${api.counts.target_timeout} target timeouts \\(504\\): `));
    expect(report.notes[0]).toMatch(new RegExp(`from ${truth.totals.counts.target_timeout} target timeouts \\(504\\);`));
    for (const text of [...Object.values(reasons), ...report.notes]) expect(text).not.toContain('(s)');
  });

  it('measures the rolling deploy as one burst, no longer than the true drain windows, and advises a drain that covers them', () => {
    const api = truth.groups.find((g) => g.deploys.length > 0)!;
    const group = report.targetGroups.find((g) => g.arn === api.arn)!;
    const drain = (group as { drain?: { kind: string; windowSeconds: number; perTarget: { target: string; windowSeconds: number }[] }[] }).drain!;
    expect(drain.map((b) => b.kind)).toEqual(['deploy']);
    const trueWindows = new Map(api.deploys.map((d) => [d.target, d.routedWhileDownSeconds]));
    expect(drain[0]!.perTarget.map((t) => t.target).sort()).toEqual([...trueWindows.keys()].sort());
    for (const t of drain[0]!.perTarget) expect(t.windowSeconds).toBeLessThanOrEqual(trueWindows.get(t.target)!);
    const deploy = report.recommendations.find((r) => r.kind === 'deploy') as { drain?: { preStopSleepSeconds: number } } | undefined;
    expect(deploy!.drain!.preStopSleepSeconds).toBeGreaterThanOrEqual(Math.max(...trueWindows.values()));
  });

  it('text output names the racing group, the estimate and the fix', async () => {
    const { code, stdout } = await run(['report', sampleDir, '--format', 'text']);
    expect(code).toBe(0);
    const racing = truth.groups.find((g) => (g.counts.keepalive_race ?? 0) > 0)!;
    expect(stdout).toContain(racing.arn.split('/')[1]); // targetgroup/<name>/<id>
    expect(stdout).toContain('server.keepAliveTimeout = 65000;');
    expect(stdout).not.toMatch(/\u001b\[/); // not a terminal: no colour
  });

  it('notes when --alb-idle-timeout contradicts the 504s and the races, and not when it agrees', async () => {
    const trueSeconds = truth.albIdleTimeoutMs / 1000;
    const wrong = JSON.parse((await run(['report', sampleDir, '--alb-idle-timeout', '4', '--format', 'json'])).stdout) as { notes: string[] };
    const conflict = wrong.notes.filter((n) => n.startsWith('--alb-idle-timeout says 4 s'));
    expect(conflict).toHaveLength(1);
    expect(conflict[0]).toContain(`${truth.totals.counts.target_timeout} target timeouts (504) waited about ${trueSeconds} s`);
    expect(conflict[0]).toMatch(/keep-alive races happen on connections idle longer than that \(shop-prod-api at about 6\.0 s\)/);
    const right = JSON.parse((await run(['report', sampleDir, '--alb-idle-timeout', String(trueSeconds), '--format', 'json'])).stdout) as { notes: string[] };
    expect(right.notes.filter((n) => n.startsWith('--alb-idle-timeout says'))).toEqual([]);
  });
});

/** Every .log.gz under `dir`, in name order, as [path relative to dir, its lines]. */
function logFiles(dir: string): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.log.gz')) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.push([path.relative(dir, full), gunzipSync(readFileSync(full)).toString('utf8').split('\n').filter((l) => l !== '')]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : 1));
}

describe('report on sample-logs/ read out of order, or too briefly: never a confident "no"', () => {
  type Verdict = { status: string; reasons: { code: string }[] };
  const racing = truth.groups.filter((g) => (g.counts.keepalive_race ?? 0) > 0);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'alb-doctor-reversed-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each file’s lines reversed (within the reordering window): the true races', async () => {
    const reversed = path.join(dir, 'per-file');
    for (const [name, lines] of logFiles(sampleDir)) {
      mkdirSync(path.dirname(path.join(reversed, name)), { recursive: true });
      writeFileSync(path.join(reversed, name), gzipSync([...lines].reverse().join('\n') + '\n'));
    }
    const { code, stdout } = await run(['report', reversed, '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { verdict: Verdict; classes: Record<string, number> };
    expect(report.verdict.status).toBe('races');
    expect(report.classes.keepalive_race).toBe(truth.totals.counts.keepalive_race);
    expect(racing.length).toBeGreaterThan(0);
  });

  it('all entries in one file in reverse order (beyond the reordering window): cannot tell', async () => {
    const file = path.join(dir, 'all-reversed.log');
    writeFileSync(file, logFiles(sampleDir).flatMap(([, lines]) => lines).reverse().join('\n') + '\n');
    const { code, stdout } = await run(['report', file, '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { verdict: Verdict & { targetGroups: Verdict[] } };
    expect(report.verdict.status).toBe('cannot-tell');
    expect(report.verdict.reasons.map((r) => r.code)).toContain('MANY_OUT_OF_ORDER');
    expect(report.verdict.targetGroups.map((g) => g.status)).not.toContain('none');
    const text = (await run(['report', file])).stdout;
    expect(text).not.toContain('No keep-alive races:');
    expect(text).toContain('Cannot tell whether the targets race the ALB');
  });

  it('ten minutes without a race: cannot tell, because the window is too short', async () => {
    const { stdout } = await run(['report', sampleDir, '--from', truth.start, '--to', new Date(Date.parse(truth.start) + 10 * 60_000).toISOString(), '--format', 'json']);
    const report = JSON.parse(stdout) as { verdict: Verdict; classes: Record<string, number> };
    expect(report.classes.keepalive_race ?? 0).toBe(0);
    expect(report.verdict.status).toBe('cannot-tell');
    expect(report.verdict.reasons.map((r) => r.code)).toContain('WINDOW_TOO_SHORT');
  });
});
