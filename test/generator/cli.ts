// npm run generate -- <flags>: writes simulated ALB access logs and their truth.
// argv is a parameter so tests can run the real CLI in-process.

import { randomInt } from 'node:crypto';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LAYOUTS, type LayoutOption, type LineOrder, type PoolPolicy } from './model.js';
import { PRESET_NAMES, isPresetName, scenario as presetScenario } from './scenarios.js';
import { writeScenario } from './write.js';

const HELP = `Usage: npm run generate -- --out DIR [flags]

Simulates an AWS Application Load Balancer (nodes, keep-alive pools, target servers
with their idle timeouts) and writes its access logs in the S3 key layout, plus the
truth: truth.json (scenario, true keep-alive timeouts, counts per class) and
labels.jsonl (one label per log line).

Flags:
  --scenario NAME    preset: ${PRESET_NAMES.join(', ')} (default sample)
  --seed SEED        number or text; same seed, same bytes (default: random, printed)
  --out DIR          log root; objects go to DIR/AWSLogs/<account>/elasticloadbalancing/...
  --truth DIR        where truth.json and labels.jsonl go, outside --out
                     (default: a sibling of --out named <out>.truth)
  --start ISO        start of the simulated window (default: the preset's)
  --duration D       length, e.g. 6h, 90m, 45s, 2d, 1h30m (default: the preset's)
  --rate N           mean request rate per second before the diurnal curve,
                     quiet periods and bursts (default: the preset's)
  --pool POLICY      idle connection reuse for every group: mru | oldest
                     (oldest = the one idle longest)
  --layout L         ${LAYOUTS.join(' | ')} | mixed (files of different layouts); default 2026
  --order O          line order inside a file: shuffled (time order, locally
                     perturbed; default) | time
  --plain            write uncompressed .log objects instead of .log.gz
  --no-node          one concatenated file, no node IP in its name and no
                     ip_address field (the node-unknown case)
  --junk             also write non-log objects into the day folders (conn_log,
                     health_check_log, an NLB _net. file, ELBAccessLogTestFile,
                     a 0-byte .log.gz)
  --target-mb N      keep generating until about N MB of uncompressed log
                     (ignores --duration; for the benchmark)
  --gzip-level N     gzip level 1-9 for log objects (default 4)
  --no-labels        skip labels.jsonl (truth.json is always written)
  -h, --help         show this help
`;

const OPTIONS = {
  scenario: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  truth: { type: 'string' },
  start: { type: 'string' },
  duration: { type: 'string' },
  rate: { type: 'string' },
  pool: { type: 'string' },
  layout: { type: 'string' },
  order: { type: 'string' },
  plain: { type: 'boolean' },
  'no-node': { type: 'boolean' },
  junk: { type: 'boolean' },
  'target-mb': { type: 'string' },
  'gzip-level': { type: 'string' },
  'no-labels': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

/** `6h`, `90m`, `45s`, `2d`, `1h30m`, `500ms` → milliseconds. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = re.exec(text); match; match = re.exec(text)) {
    total += Number(match[1]) * (units[match[2] as string] as number);
    consumed = re.lastIndex;
  }
  if (consumed !== text.length || consumed === 0 || total <= 0) throw new UsageError(`--duration "${text}" is not a duration like 6h, 90m or 1h30m.`);
  return total;
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${flag} "${text}" must be a positive number.`);
  return value;
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`--${flag} "${text}" must be one of: ${allowed.join(', ')}.`);
  return text as T;
}

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true }>>['values'];
    try {
      ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
    } catch (e) {
      const flag = /option '([^']+)'/i.exec((e as Error).message)?.[1];
      const what = flag ? `Unknown flag ${flag.split(' ')[0]}` : (e as Error).message.split('.')[0];
      throw new UsageError(`${what}; run with --help to see the flags.`);
    }
    if (values.help) {
      out.write(HELP);
      return 0;
    }
    if (!values.out) throw new UsageError('--out DIR is required: the folder the log tree is written to.');
    const name = values.scenario ?? 'sample';
    if (!isPresetName(name)) throw new UsageError(`--scenario "${name}" is unknown; use one of: ${PRESET_NAMES.join(', ')}.`);
    if (values.start !== undefined && Number.isNaN(Date.parse(values.start))) throw new UsageError(`--start "${values.start}" is not an ISO-8601 time.`);
    const gzipLevel = values['gzip-level'] === undefined ? 4 : positiveNumber('gzip-level', values['gzip-level']);
    if (!Number.isInteger(gzipLevel) || gzipLevel > 9) throw new UsageError('--gzip-level must be an integer from 1 to 9.');
    const scenario = presetScenario(name, undefined, {
      ...(values.start !== undefined && { startIso: new Date(values.start).toISOString() }),
      ...(values.duration !== undefined && { durationMs: parseDuration(values.duration) }),
      ...(values.rate !== undefined && { ratePerSec: positiveNumber('rate', values.rate) }),
      ...(values.pool !== undefined && { poolPolicy: oneOf<PoolPolicy>('pool', values.pool, ['mru', 'oldest']) }),
      ...(values.layout !== undefined && { layout: oneOf<LayoutOption>('layout', values.layout, [...LAYOUTS, 'mixed']) }),
    });
    const order = values.order === undefined ? 'shuffled' : oneOf<LineOrder>('order', values.order, ['time', 'shuffled']);
    const targetBytes = values['target-mb'] === undefined ? undefined : positiveNumber('target-mb', values['target-mb']) * 1024 * 1024;
    const seed = values.seed ?? String(randomInt(2 ** 31));
    const logDir = resolve(values.out);
    const truthDir = resolve(values.truth ?? join(dirname(logDir), `${basename(logDir)}.truth`));

    const rel = relative(logDir, truthDir);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
      throw new UsageError(`--truth ${values.truth} is inside --out ${values.out}; the truth must live outside the log tree.`);
    }
    err.write(`generator: scenario=${name} seed=${seed} out=${values.out} truth=${values.truth ?? truthDir}\n`);
    const started = Date.now();
    let nextReportBytes = 64 * 1024 * 1024;
    const summary = await writeScenario(scenario, {
      seed,
      logDir,
      truthDir,
      gzip: !values.plain,
      gzipLevel,
      order,
      noNode: values['no-node'] ?? false,
      junk: values.junk ?? false,
      labels: !values['no-labels'],
      ...(targetBytes !== undefined && { targetBytes }),
      onFile: (_file, totalBytes) => {
        if (totalBytes < nextReportBytes) return;
        nextReportBytes += 64 * 1024 * 1024;
        err.write(`generator: ${(totalBytes / 1048576).toFixed(0)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      },
    });
    const seconds = (Date.now() - started) / 1000;
    const counts = Object.entries(summary.truth.totals.counts).filter(([, n]) => n > 0).map(([cls, n]) => `${cls}=${n}`);
    out.write(
      `generated ${summary.lines} lines in ${summary.files} files, ${(summary.uncompressedBytes / 1048576).toFixed(1)} MB uncompressed, ` +
        `in ${seconds.toFixed(1)} s (seed ${seed})\n${counts.join(' ')}\ntruth: ${summary.truthPath}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`${e.message}\n`);
      return 2;
    }
    err.write(`generator failed: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
