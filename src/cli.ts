/**
 * argv → run → output: `parse` writes records, `report` renders the analysis (text, json, markdown, html). `main` takes argv and the process streams as parameters so tests run the real CLI
 * in-process; bin/alb-doctor.js is the only caller that touches `process`, and exit codes are returned,
 * never `process.exit`ed here. Exit codes: 0 done, 1 some input could not be read, 2 usage error.
 */
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import { registerAthenaCommands } from './athena/cli.js';
import { AlbDoctorError, isAlbDoctorError } from './errors.js';
import { csvHeaderLine, type RecordFormat, recordToCsvLine } from './parse/recordFormat.js';
import { createReadProgress } from './progress.js';
import { redactReport } from './report/redact.js';
import { formatCount } from './report/render/format.js';
import { FORMATS, type Format, render } from './report/render/index.js';
import type { DescribeOptions } from './describe/describeSettings.js';
import { countOf } from './report/render/labels.js';
import { MAX_THREADS, runCompare, runParse, runReport, type CauseEvent, type InputStats } from './run.js';
import { renderCompareJson, renderCompareMarkdown, renderCompareText, type Comparison } from './report/compare.js';
import { DEFAULT_CONCURRENCY, S3_FLAGS, type S3SourceOptions } from './sources/index.js';
import { isS3Uri, lbNameOf } from './sources/s3Keys.js';
import { escapeJsonControls, escapeTerminal } from './safeText.js';
import { parseTimeBound, parseTimeWindow } from './timeRange.js';
import { createWriteStream, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { extname } from 'node:path';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** Whether stdout/stderr are terminals: the report's default format, colour and the progress line follow. */
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** `report --describe`: the ELBv2 client for a region, instead of one made with the default credentials (tests). */
  describeClient?: DescribeOptions['clientFor'];
  /** The clock behind relative --from/--to (`6h` = now minus 6 hours); Date.now unless a test fixes it. */
  now?: () => number;
}

export const EXIT_OK = 0;
export const EXIT_INPUT_ERROR = 1;
export const EXIT_USAGE = 2;

// Output is gathered into strings of about this size before each write (bench: per-line writes are 3× slower).
const OUTPUT_FLUSH_CHARS = 1 << 20;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('alb-doctor')
    .description('Finds the cause of HTTP 502s behind an AWS Application Load Balancer from its access logs.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Commander's own messages already start with "error:"; make them one sentence that says what to do.
      outputError: () => {},
    });

  program
    .command('parse')
    .description('Writes every access-log entry as one record per line (Athena column names).')
    .argument('<source...>', SOURCE_HELP)
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--csv-raw', "CSV: write text as logged: without the leading ' that stops spreadsheets running text that starts with = + - @, a tab or a CR as a formula, and with control characters raw instead of as visible escapes such as \\x1b")
    .option('--from <time>', 'only entries at or after this time: ISO 8601 (UTC unless it has an offset) or an age such as 30m, 6h, 2d')
    .option('--to <time>', 'only entries before this time; same forms as --from')
    .action(async (sources: string[], options: ParseOptions) => {
      exitCode = await parseCommand(sources, options, io);
    });
  addS3Options(program.commands.at(-1)!);

  program
    .command('report')
    .description('Finds the causes of the 5xx and 460 responses in access logs: keep-alive races first.')
    .argument('<source...>', SOURCE_HELP)
    .option('--from <time>', 'only entries at or after this time: ISO 8601 (UTC unless it has an offset) or an age such as 30m, 6h, 2d')
    .option('--to <time>', 'only entries before this time; same forms as --from')
    .addOption(
      new Option('--format <format>', 'report format (default: text, on a terminal or not; with --output, from its extension: .json, .md, .txt)').choices(FORMATS),
    )
    .option('-o, --output <file>', 'write the report to this file instead of stdout')
    .option('--events <file>', 'also write every 5xx and 460 entry with its cause to this file, one JSON object per line')
    .option('--alb-idle-timeout <seconds>', "the load balancer's idle timeout, 1-4000 (default: inferred from 504s, else 60)")
    .option('--describe', "read the load balancer's idle timeout and each target group's deregistration delay from AWS (read-only calls; needs credentials) and use them instead of inferring")
    .option('--redact', 'mask client IPs and URL query strings in the sample entries, for sharing (default for html)')
    .option('--no-redact', 'keep client IPs and query strings in an html report')
    .option('--threads <n>', `read local files on up to n threads, 1-${MAX_THREADS}, split by ALB node (the node IP in S3 file names); stdin, s3:// and other file names use one (default: 1)`)
    .action(async (sources: string[], options: ReportOptions) => {
      exitCode = await reportCommand(sources, options, io);
    });
  addS3Options(program.commands.at(-1)!);

  program
    .command('compare')
    .description('Compares keep-alive races per exposed request between two periods (before and after a fix), per target group.')
    .argument('<source...>', SOURCE_HELP)
    .requiredOption('--before <from/to>', 'the period before: two times as --from takes them, joined by /, e.g. 2026-03-01T00:00Z/2026-03-01T12:00Z')
    .requiredOption('--after <from/to>', 'the period after, the same way; the two may not overlap')
    .addOption(new Option('--format <format>', 'output format (default: text; with --output, from its extension: .json, .md, .txt)').choices(COMPARE_FORMATS))
    .option('-o, --output <file>', 'write the comparison to this file instead of stdout')
    .option('--alb-idle-timeout <seconds>', "the load balancer's idle timeout, 1-4000 (default: inferred from 504s, else 60)")
    .action(async (sources: string[], options: CompareOptions) => {
      exitCode = await compareCommand(sources, options, io);
    });
  addS3Options(program.commands.at(-1)!);

  registerAthenaCommands(program, io);

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return EXIT_OK;
      }
      const message = error.message.replace(/^error: /, '').trimEnd().replace(/\.$/, '');
      io.stderr.write(`alb-doctor: ${escapeTerminal(message)}; run 'alb-doctor --help' for usage.\n`);
      return EXIT_USAGE;
    }
    if (isAlbDoctorError(error)) {
      // Messages name files, S3 keys and flag values: any of them may hold a terminal escape.
      io.stderr.write(`alb-doctor: ${escapeTerminal(error.message)}\n`);
      return error.code === 'USAGE' ? EXIT_USAGE : EXIT_INPUT_ERROR;
    }
    throw error; // a bug: let the stack trace show
  }
  return exitCode;
}

const SOURCE_HELP = 'log files, folders (read recursively), - for stdin, or s3://bucket[/prefix]; gzip or plain';

interface S3Flags {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  concurrency?: string;
  lb?: string;
}

function addS3Options(command: Command): void {
  for (const { flag, description } of Object.values(S3_FLAGS)) command.option(flag, description);
}

/** The S3 flags → source options; local paths ignore them (run.ts adds the time range for S3 listings). */
function sourceOptions(flags: S3Flags, io: CliIo, onListed?: S3SourceOptions['onListed']) {
  const concurrency = flags.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new AlbDoctorError('USAGE', `--concurrency '${flags.concurrency}' is not a whole number from 1 to 64; try 8.`);
  }
  if (flags.lb !== undefined && lbNameOf(flags.lb) === null) {
    throw new AlbDoctorError('USAGE', `--lb '${flags.lb}' is not a load balancer; give its name (letters, digits, hyphens), app/<name>/<id> or its ARN.`);
  }
  return {
    stdin: io.stdin,
    env: io.env,
    concurrency,
    ...(flags.profile !== undefined && { profile: flags.profile }),
    ...(flags.region !== undefined && { region: flags.region }),
    ...(flags.endpointUrl !== undefined && { endpointUrl: flags.endpointUrl }),
    ...(flags.lb !== undefined && { lbName: flags.lb }),
    // The clock that relative times were read on also ends an open range's listing.
    now: new Date((io.now ?? Date.now)()),
    ...(onListed !== undefined && { onListed }),
  };
}

interface ParseOptions extends S3Flags {
  format: RecordFormat;
  output?: string;
  csvRaw?: boolean;
  from?: string;
  to?: string;
}

async function parseCommand(sources: string[], options: ParseOptions, io: CliIo): Promise<number> {
  if (options.csvRaw === true && options.format !== 'csv') {
    throw new AlbDoctorError('USAGE', '--csv-raw only changes CSV output; add --format csv or drop --csv-raw.');
  }
  const window = parseTimeWindow(options.from, options.to, (io.now ?? Date.now)());
  const parseSources = sourceOptions(options, io);
  const out = options.output ? createWriteStream(options.output) : io.stdout;
  const csv = options.format === 'csv';
  let pending = csv ? csvHeaderLine() : '';
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const ok = out.write(csv ? pending : escapeJsonControls(pending));
    pending = '';
    if (!ok) await once(out, 'drain');
  };
  const csvOptions = { raw: options.csvRaw === true };
  let fileJson = '';
  let fileJsonFor = '';
  // Only the entries in --from/--to are written; S3 objects that cannot hold any are not even fetched.
  const { stats, outsideWindow } = await runParse(sources, { ...window, sources: parseSources }, {
    onEntry(entry, object, lineNumber) {
      if (csv) {
        pending += recordToCsvLine(entry.toRecord(object.name, lineNumber), csvOptions);
        return;
      }
      if (object.name !== fileJsonFor) {
        fileJsonFor = object.name;
        fileJson = JSON.stringify(object.name);
      }
      pending += entry.toJson(fileJson, lineNumber) + '\n';
    },
    async afterChunk() {
      if (pending.length >= OUTPUT_FLUSH_CHARS) await flush();
    },
  });
  await flush();
  if (out !== io.stdout) {
    out.end();
    await once(out, 'finish');
  }
  io.stderr.write(summarize(stats, outsideWindow));
  return stats.unread.length > 0 ? EXIT_INPUT_ERROR : EXIT_OK;
}

interface ReportOptions extends S3Flags {
  from?: string;
  to?: string;
  format?: Format;
  output?: string;
  events?: string;
  albIdleTimeout?: string;
  describe?: boolean;
  /** --redact / --no-redact; undefined when neither was given. */
  redact?: boolean;
  threads?: string;
}

// Event lines are gathered into strings of about this size before each write, as for `parse`.
const EVENTS_FLUSH_CHARS = 1 << 20;

async function reportCommand(sources: string[], options: ReportOptions, io: CliIo): Promise<number> {
  // Every check on the command line comes before any reading: a typo should not cost a long run.
  const window = parseTimeWindow(options.from, options.to, (io.now ?? Date.now)());
  const albIdleTimeoutSeconds = options.albIdleTimeout === undefined ? undefined : parseIdleTimeout(options.albIdleTimeout);
  const threads = options.threads === undefined ? undefined : parseThreads(options.threads);
  const format = options.format ?? formatOfOutput(options.output);
  const color = options.output === undefined && format === 'text' && colorEnabled(io.env, io.stdoutIsTTY === true);
  if (options.output !== undefined && options.output === options.events) {
    throw new AlbDoctorError('USAGE', `--output and --events both name ${options.output}; give each its own file.`);
  }
  // Until the first object arrives, the line names the S3 targets and the endpoint it waits on.
  const s3Targets = sources.filter(isS3Uri);
  const waitingFor = s3Targets.length === 0 ? undefined : escapeTerminal(`${s3Targets.join(', ')} at ${options.endpointUrl ?? `S3${options.region === undefined ? '' : ` (${options.region})`}`}`);
  // The flags are checked before the progress clock starts: a usage error leaves nothing running.
  const onListed: S3SourceOptions['onListed'] = (listing) => progress.addTotals(listing);
  const reportSources = sourceOptions(options, io, onListed);
  const progress = createReadProgress(io.stderr, { isTTY: io.stderrIsTTY === true, ...(waitingFor !== undefined && { waitingFor }) });
  let output: FileHandle | null = null;
  let events: FileHandle | null = null;
  try {
    if (options.output !== undefined) output = await openForWriting(options.output, '--output');
    if (options.events !== undefined) events = await openForWriting(options.events, '--events');
    let pendingEvents = '';
    const flushEvents = async (): Promise<void> => {
      if (events === null || pendingEvents.length === 0) return;
      const text = pendingEvents;
      pendingEvents = '';
      await events.writeFile(text);
    };
    let result: Awaited<ReturnType<typeof runReport>>;
    try {
      result = await runReport(
        sources,
        {
          ...window,
          ...(albIdleTimeoutSeconds !== undefined && { albIdleTimeoutSeconds }),
          sources: reportSources,
          ...(options.describe === true && { describe: describeOptions(options, io) }),
          ...(threads !== undefined && { threads }),
        },
        {
          ...(events !== null && { onEvent: (event: CauseEvent) => void (pendingEvents += eventLine(event)) }),
          async afterChunk(current) {
            progress.update(current);
            if (pendingEvents.length >= EVENTS_FLUSH_CHARS) await flushEvents();
          },
        },
      );
    } finally {
      progress.stop();
    }
    // Races are classified once the whole input is known: their events come last.
    await flushEvents();
    const { report, stats } = result;
    if (threads !== undefined && threads > 1 && result.threads?.reason !== undefined) {
      io.stderr.write(`alb-doctor: --threads ${threads}: ${escapeTerminal(result.threads.reason)}.\n`);
    }
    for (const error of stats.unread) io.stderr.write(`alb-doctor: ${escapeTerminal(error.message)}\n`);
    // A describe that failed is not unreadable input: the report stands on inferred values and says so.
    for (const error of report.described?.errors ?? []) io.stderr.write(`alb-doctor: ${escapeTerminal(error.message)}\n`);
    // A page is made to be shared: it masks client IPs and query strings unless told not to.
    const redact = options.redact ?? format === 'html';
    const text = render[format](redact ? redactReport(report) : report, { color });
    if (output === null) await writeAll(io.stdout, text);
    else await output.writeFile(text);
    return stats.unread.length > 0 ? EXIT_INPUT_ERROR : EXIT_OK;
  } finally {
    progress.stop();
    await output?.close();
    await events?.close();
  }
}

function describeOptions(flags: S3Flags, io: CliIo): DescribeOptions {
  return {
    ...(flags.profile !== undefined && { profile: flags.profile }),
    ...(io.describeClient !== undefined && { clientFor: io.describeClient }),
  };
}

const COMPARE_FORMATS = ['text', 'json', 'markdown'] as const;
type CompareFormat = (typeof COMPARE_FORMATS)[number];
const RENDER_COMPARISON: Record<CompareFormat, (c: Comparison) => string> = { text: renderCompareText, json: renderCompareJson, markdown: renderCompareMarkdown };

interface CompareOptions extends S3Flags {
  before: string;
  after: string;
  format?: CompareFormat;
  output?: string;
  albIdleTimeout?: string;
}

/** `FROM/TO` → [fromMs, toMs): each side as --from takes it; a usage error in one sentence otherwise. */
function parsePeriod(text: string, flag: string, nowMs: number): { fromMs: number; toMs: number } {
  const parts = text.split('/');
  if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '') {
    throw new AlbDoctorError('USAGE', `${flag} '${text}' is not FROM/TO; give two times joined by /, such as 2026-03-01T00:00Z/2026-03-01T12:00Z or 2d/1d.`);
  }
  const fromMs = parseTimeBound(parts[0]!.trim(), `${flag} (its FROM)`, nowMs);
  const toMs = parseTimeBound(parts[1]!.trim(), `${flag} (its TO)`, nowMs);
  if (fromMs >= toMs) {
    throw new AlbDoctorError('USAGE', `${flag} starts at ${new Date(fromMs).toISOString()}, not before its end ${new Date(toMs).toISOString()}; put the earlier time first.`);
  }
  return { fromMs, toMs };
}

async function compareCommand(sources: string[], options: CompareOptions, io: CliIo): Promise<number> {
  const nowMs = (io.now ?? Date.now)();
  const before = parsePeriod(options.before, '--before', nowMs);
  const after = parsePeriod(options.after, '--after', nowMs);
  if (before.fromMs < after.toMs && after.fromMs < before.toMs) {
    throw new AlbDoctorError('USAGE', `--before and --after overlap; give two periods that do not, such as the day before a fix and the day after it.`);
  }
  if (sources.includes('-')) {
    throw new AlbDoctorError('USAGE', 'compare reads its sources once per period, and stdin (-) can be read only once; save the logs to a file or folder and give that.');
  }
  const albIdleTimeoutSeconds = options.albIdleTimeout === undefined ? undefined : parseIdleTimeout(options.albIdleTimeout);
  const outputFormat = formatOfOutput(options.output);
  if (options.format === undefined && outputFormat === 'html') {
    throw new AlbDoctorError('USAGE', `compare writes text, JSON or Markdown, not HTML; name --output ${options.output} with .txt, .json or .md, or add --format.`);
  }
  const format = options.format ?? (outputFormat as CompareFormat);
  const progress = createReadProgress(io.stderr, { isTTY: io.stderrIsTTY === true });
  const compareSources = sourceOptions(options, io, (listing) => progress.addTotals(listing));
  let output: FileHandle | null = null;
  try {
    if (options.output !== undefined) output = await openForWriting(options.output, '--output');
    let result: Awaited<ReturnType<typeof runCompare>>;
    try {
      result = await runCompare(
        { before: sources, after: sources },
        { before, after, ...(albIdleTimeoutSeconds !== undefined && { albIdleTimeoutSeconds }), sources: compareSources },
        { afterChunk: (current) => progress.update(current) },
      );
    } finally {
      progress.stop();
    }
    const unread = result.stats.flatMap((s) => s.unread);
    for (const error of unread) io.stderr.write(`alb-doctor: ${escapeTerminal(error.message)}\n`);
    const text = RENDER_COMPARISON[format](result.comparison);
    if (output === null) await writeAll(io.stdout, text);
    else await output.writeFile(text);
    return unread.length > 0 ? EXIT_INPUT_ERROR : EXIT_OK;
  } finally {
    await output?.close();
  }
}

/** One --events line, keys in a fixed order so the file diffs and greps well. */
const eventLine = (event: CauseEvent): string =>
  escapeJsonControls(
    JSON.stringify({
    file: event.file,
    line: event.line,
    time: event.time,
    class: event.class,
    targetGroup: event.targetGroup,
    target: event.target,
    node: event.node,
    idleGapMs: event.idleGapMs,
    }),
  ) + '\n';

/** `idle_timeout.timeout_seconds` allows whole seconds from 1 to 4000 (AWS: edit-load-balancer-attributes). */
function parseIdleTimeout(text: string): number {
  const seconds = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(seconds >= 1 && seconds <= 4000)) {
    throw new AlbDoctorError(
      'USAGE',
      `--alb-idle-timeout '${text}' is not a whole number of seconds from 1 to 4000; use your load balancer's idle_timeout.timeout_seconds (60 unless changed).`,
    );
  }
  return seconds;
}

function parseThreads(text: string): number {
  const threads = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(threads >= 1 && threads <= MAX_THREADS)) {
    throw new AlbDoctorError('USAGE', `--threads '${text}' is not a whole number from 1 to ${MAX_THREADS}; try 2, or the number of CPU cores.`);
  }
  return threads;
}

/**
 * The human report wherever it goes (a pipe into `less` or `tee` is read by a person too); JSON when asked
 * for, or for an --output named *.json. A file named *.md, *.html or *.txt gets that format.
 */
function formatOfOutput(output: string | undefined): Format {
  const extension = output === undefined ? '' : extname(output).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.md' || extension === '.markdown') return 'markdown';
  if (extension === '.html' || extension === '.htm') return 'html';
  return 'text';
}

/** package.json's version: one level above this module, in src/ as in dist/. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/** no-color.org: NO_COLOR set and not empty turns colour off; FORCE_COLOR (not 0) turns it on anywhere. */
function colorEnabled(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if ((env.NO_COLOR ?? '') !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return isTTY && env.TERM !== 'dumb';
}

const WRITE_ERRORS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
};

async function openForWriting(path: string, flag: string): Promise<FileHandle> {
  try {
    return await open(path, 'w');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const reason = WRITE_ERRORS[code] ?? (error instanceof Error ? error.message : String(error));
    throw new AlbDoctorError('USAGE', `${flag} ${path}: cannot be written (${reason}); give a path in a writable folder.`, { source: path });
  }
}

/** Writes and waits until the stream has taken the text, so the exit code follows the output. */
function writeAll(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

/** What was read, skipped, malformed and unreadable: a few lines on stderr, so stdout stays pure data. */
export function summarize(stats: InputStats, outsideWindow = 0): string {
  const lines: string[] = [];
  lines.push(
    `alb-doctor: ${countOf(stats.files, 'file')}, ${countOf(stats.lines, 'line')}: ${countOf(stats.entries, 'entry')}, ` +
      `${formatCount(stats.malformed)} malformed, ${formatCount(stats.blankLines)} blank; ${countOf(stats.skippedFiles, 'file')} skipped.`,
  );
  if (outsideWindow > 0) lines.push(`  left out ${countOf(outsideWindow, 'entry')} outside --from/--to`);
  if (stats.otherLoadBalancer > 0) lines.push(`  left out ${countOf(stats.otherLoadBalancer, 'entry')} of other load balancers than --lb names`);
  for (const [reason, count] of Object.entries(stats.skippedByReason)) {
    lines.push(`  skipped ${formatCount(count)} × ${reason.replaceAll('_', ' ')}`);
  }
  if (stats.malformed > 0) {
    const byCode = Object.entries(stats.malformedByCode).map(([code, n]) => `${code} ${formatCount(n)}`).join(', ');
    lines.push(`  malformed lines by reason: ${byCode}`);
    // Samples name the file (a log's or an S3 key's text): shown with its controls as visible escapes.
    for (const sample of stats.malformedSamples.slice(0, 5)) lines.push(`  ${sample.code} ${escapeTerminal(sample.message)}`);
  }
  for (const error of stats.unread) lines.push(`alb-doctor: ${escapeTerminal(error.message)}`);
  return lines.join('\n') + '\n';
}

export { AlbDoctorError };
