/**
 * `alb-doctor athena …`: the query templates in queries/, rendered, run on Athena, or run on DuckDB over
 * local files.
 *
 *   athena list                                   the templates and what each answers
 *   athena render <template> --param k=v …        prints the SQL (values inline, validated)
 *   athena run <template> --param k=v …           runs it on Athena: rows, data scanned and cost
 *   athena local <template> <source…> --param …   runs it on DuckDB over log files (plain or gzip)
 *
 * Rows go to stdout (a table, or JSON with --format json); the query id, data scanned and cost go to
 * stderr, so stdout stays data. Errors are AlbDoctorErrors thrown to the caller (cli.ts main), which
 * prints them and picks the exit code.
 */
import type { Readable, Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { AlbDoctorError } from '../errors.js';
import { escapeTerminal } from '../report/render/escape.js';
import { formatCount } from '../report/render/format.js';
import { countOf } from '../report/render/labels.js';
import { escapeJsonControls } from '../safeText.js';
// DuckDB and the AWS SDK are loaded only by the subcommands that use them: holding them in memory costs
// every other command time at startup and, through garbage collection, throughput (bench: the SDK alone
// slowed the local parse by a fifth).
import type { Row } from './local.js';
import type { AthenaResult } from './run.js';
import { DEFAULT_MAX_DAYS, listTemplates, loadTemplate, renderTemplate } from './templates.js';

/** What the athena commands need of cli.ts's CliIo. */
export interface AthenaIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  now?: () => number;
}

type Format = 'table' | 'json';

/** The names `athena local` gives its DuckDB table unless --param database/table say otherwise. */
export const LOCAL_DATABASE = 'alb_logs';
export const LOCAL_TABLE = 'access_logs';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function parseParams(pairs: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AlbDoctorError('USAGE', `--param '${pair}' is not key=value; write it as --param from=2026-03-14T21:00Z.`);
    const key = pair.slice(0, eq).trim();
    if (key in params) throw new AlbDoctorError('USAGE', `--param ${key} is given twice; give it once.`);
    params[key] = pair.slice(eq + 1);
  }
  return params;
}

function parseMaxDays(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_DAYS;
  const days = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(days >= 1 && days <= 3660)) throw new AlbDoctorError('USAGE', `--max-days '${text}' is not a whole number of days from 1 to 3660.`);
  return days;
}

function parsePositive(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0 && n <= max)) throw new AlbDoctorError('USAGE', `${flag} '${text}' is not a number from 0 to ${max}.`);
  return n;
}

const templateHelp = (): string =>
  '\nTemplates:\n' +
  listTemplates()
    .map((name) => `  ${name.padEnd(28)} ${loadTemplate(name).summary}`)
    .join('\n') +
  '\n';

export function registerAthenaCommands(program: Command, io: AthenaIo): Command {
  const athena = program
    .command('athena')
    .description('Runs the query templates (queries/*.sql) on Athena, or on DuckDB over local files.')
    .addHelpText('after', templateHelp);

  athena
    .command('list')
    .description('Lists the query templates and the question each answers.')
    .action(() => {
      io.stdout.write(
        listTemplates()
          .map((name) => {
            const template = loadTemplate(name);
            const params = template.params.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(' ');
            return `${name}\n  ${template.summary}\n  parameters: ${params}\n`;
          })
          .join('\n'),
      );
    });

  athena
    .command('render')
    .description('Prints a template as SQL, every parameter checked and written in.')
    .argument('<template>', 'template name (alb-doctor athena list)')
    .option('-p, --param <key=value>', 'a template parameter; repeat for each', collect, [])
    .option('--max-days <days>', `longest from–to range accepted (default ${DEFAULT_MAX_DAYS})`)
    .action((name: string, options: { param: string[]; maxDays?: string }) => {
      const { sql } = renderTemplate(name, parseParams(options.param), {
        nowMs: (io.now ?? Date.now)(),
        maxDays: parseMaxDays(options.maxDays),
      });
      io.stdout.write(sql.endsWith('\n') ? sql : `${sql}\n`);
    });

  athena
    .command('run')
    .description('Runs a template on Athena and prints its rows, the data it scanned and what that cost.')
    .argument('<template>', 'template name (alb-doctor athena list)')
    .option('-p, --param <key=value>', 'a template parameter; repeat for each', collect, [])
    .option('--workgroup <name>', 'Athena workgroup (default: primary)')
    .option('--output-location <s3-uri>', 'where Athena writes results, if the workgroup sets none')
    .option('--catalog <name>', 'data catalog (default: AwsDataCatalog)')
    .option('--region <region>', 'AWS region (default: from the environment)')
    .addOption(new Option('--format <format>', 'rows as a text table or JSON').choices(['table', 'json']).default('table'))
    .option('--max-wait <seconds>', 'give up waiting after this long (default 1800)')
    .option('--stop-on-timeout', 'stop the query when --max-wait passes, so it stops scanning')
    .option('--price-per-tb <usd>', 'Athena price per TB scanned in your region (default 5)')
    .option('--max-days <days>', `longest from–to range accepted (default ${DEFAULT_MAX_DAYS})`)
    .action(async (name: string, options: RunOptions) => {
      const rendered = renderTemplate(name, parseParams(options.param), {
        nowMs: (io.now ?? Date.now)(),
        maxDays: parseMaxDays(options.maxDays),
        mode: 'execution',
      });
      if (options.outputLocation !== undefined && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(options.outputLocation)) {
        throw new AlbDoctorError('USAGE', `--output-location '${options.outputLocation}' is not an s3:// URI; give s3://bucket/prefix/.`);
      }
      const maxWaitSeconds = options.maxWait === undefined ? undefined : parsePositive(options.maxWait, '--max-wait', 86_400);
      const pricePerTbUsd = options.pricePerTb === undefined ? undefined : parsePositive(options.pricePerTb, '--price-per-tb', 1000);
      const region = options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
      const clientConfig = region === undefined ? {} : { region };
      const [{ AthenaClient }, { S3Client }, { runQuery }] = await Promise.all([
        import('@aws-sdk/client-athena'),
        import('@aws-sdk/client-s3'),
        import('./run.js'),
      ]);
      const result = await runQuery(rendered, {
        athena: new AthenaClient(clientConfig),
        s3: new S3Client(clientConfig),
        ...(options.workgroup !== undefined && { workGroup: options.workgroup }),
        ...(options.outputLocation !== undefined && { outputLocation: options.outputLocation }),
        ...(options.catalog !== undefined && { catalog: options.catalog }),
        ...(maxWaitSeconds !== undefined && { wait: { maxWaitSeconds } }),
        ...(pricePerTbUsd !== undefined && { pricePerTbUsd }),
        stopOnTimeout: options.stopOnTimeout === true,
        onStarted: (id) => io.stderr.write(`alb-doctor: query ${id} started (${name}).\n`),
      });
      writeRows(io.stdout, result.columns, result.rows, options.format);
      io.stderr.write(costLine(result));
    });

  athena
    .command('local')
    .description('Runs a template on DuckDB over local log files: the same SQL and table as on Athena.')
    .argument('<template>', 'template name (alb-doctor athena list)')
    .argument('<source...>', 'log files or folders (read recursively), plain or gzip; - for stdin')
    .option('-p, --param <key=value>', 'a template parameter; repeat for each (from/to default to the data)', collect, [])
    .addOption(new Option('--format <format>', 'rows as a text table or JSON').choices(['table', 'json']).default('table'))
    .option('--max-days <days>', `longest from–to range accepted (default ${DEFAULT_MAX_DAYS})`)
    .action(async (name: string, sources: string[], options: { param: string[]; format: Format; maxDays?: string }) => {
      const params = parseParams(options.param);
      const maxDays = parseMaxDays(options.maxDays);
      const nowMs = (io.now ?? Date.now)();
      // Check the template and the given values before reading anything.
      const template = loadTemplate(name);
      const database = params.database ?? LOCAL_DATABASE;
      const table = params.table ?? LOCAL_TABLE;
      const needs = new Set(template.params.map((p) => p.name));
      if (needs.has('database')) params.database = database;
      if (needs.has('table')) params.table = table;
      const { loadLocalTable, runLocalSql } = await import('./local.js');
      const local = await loadLocalTable(sources, { database: validIdentifier(database), table: validIdentifier(table), stdin: io.stdin });
      try {
        const s = local.stats;
        for (const error of s.unread) io.stderr.write(`alb-doctor: ${escapeTerminal(error.message)}\n`);
        if (needs.has('from') && needs.has('to') && (params.from === undefined || params.to === undefined)) {
          const span = await dataSpan(local.connection, database, table);
          if (span === null) {
            if (s.unread.length > 0) throw s.unread[0]!;
            throw new AlbDoctorError('USAGE', `no access-log entry was read from ${sources.join(', ')}; give log files or folders.`);
          }
          params.from ??= span.from;
          params.to ??= span.to;
        }
        const { sql } = renderTemplate(name, params, { nowMs, maxDays });
        let result: { columns: string[]; rows: Row[] };
        try {
          result = await runLocalSql(local.connection, sql);
        } catch (error) {
          throw new AlbDoctorError('LOCAL_QUERY_FAILED', `${name} failed on DuckDB: ${error instanceof Error ? error.message : String(error)}`);
        }
        writeRows(io.stdout, result.columns, result.rows, options.format);
        io.stderr.write(
          `alb-doctor: ${countOf(s.files, 'file')}, ${countOf(s.lines, 'line')} loaded; ${countOf(s.skippedFiles, 'file')} skipped; ${rowCount(result.rows.length)}.\n`,
        );
        if (s.unread.length > 0) {
          throw new AlbDoctorError(s.unread[0]!.code, `${countOf(s.unread.length, 'input')} could not be read completely; the rows above leave them out.`);
        }
      } finally {
        local.close();
      }
    });

  return athena;
}

interface RunOptions {
  param: string[];
  workgroup?: string;
  outputLocation?: string;
  catalog?: string;
  region?: string;
  format: Format;
  maxWait?: string;
  stopOnTimeout?: boolean;
  pricePerTb?: string;
  maxDays?: string;
}

function validIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name)) {
    throw new AlbDoctorError('USAGE', `'${name}' is not a database or table name; use letters, digits and _.`);
  }
  return name.toLowerCase();
}

/** First and last `time` in the local table: the default range for `athena local`. */
async function dataSpan(
  connection: Parameters<typeof import('./local.js').runLocalSql>[0],
  database: string,
  table: string,
): Promise<{ from: string; to: string } | null> {
  const { runLocalSql } = await import('./local.js');
  const { rows } = await runLocalSql(connection, `SELECT MIN("time") AS first, MAX("time") AS last FROM "${database.toLowerCase()}"."${table.toLowerCase()}"`);
  const first = rows[0]?.first;
  const last = rows[0]?.last;
  if (typeof first !== 'string' || typeof last !== 'string') return null;
  // Whole milliseconds around the microsecond times: `to` is exclusive.
  const fromMs = Math.floor(Date.parse(first));
  const toMs = Date.parse(last) + 1;
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
}

/** `query … scanned 1.2 GB, billed …: $0.0059` on stderr. */
function costLine(result: AthenaResult): string {
  const { cost } = result;
  const engine = result.engineMs === null ? '' : `, ${(result.engineMs / 1000).toFixed(1)} s`;
  const billed = cost.billedBytes === 0 ? 'not billed' : `billed ${formatBytes(cost.billedBytes)}: $${cost.usd.toFixed(cost.usd < 0.01 ? 5 : 2)}`;
  return `alb-doctor: query ${result.queryExecutionId}: ${rowCount(result.rows.length)}${engine}; scanned ${formatBytes(cost.scannedBytes)}, ${billed}.\n`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

function writeRows(out: Writable, columns: readonly string[], rows: readonly Row[], format: Format): void {
  if (format === 'json') {
    out.write(`${escapeJsonControls(JSON.stringify(rows, null, 2))}\n`);
    return;
  }
  out.write(textTable(columns, rows));
}

/**
 * Columns padded to their widest cell; numbers right-aligned; NULL shown as an empty cell. Cells hold
 * text from the logs (target group names, URLs, user agents), so control and bidi characters are shown
 * as visible escapes, never sent to the terminal.
 */
export function textTable(columns: readonly string[], rows: readonly Row[]): string {
  if (columns.length === 0) return rows.length === 0 ? '' : `${rowCount(rows.length)}\n`;
  const cells = rows.map((row) => columns.map((c) => escapeTerminal(cellText(row[c] ?? null))));
  const titles = columns.map(escapeTerminal);
  const widths = titles.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const numeric = columns.map((c) => rows.some((r) => typeof r[c] === 'number') && rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const line = (values: readonly string[], header = false): string =>
    values
      .map((v, i) => (numeric[i] && !header ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd() + '\n';
  return line(titles, true) + line(widths.map((w) => '-'.repeat(w)), true) + cells.map((r) => line(r)).join('');
}

function cellText(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e6) / 1e6);
  return String(value);
}

/** Re-exported for callers that print a cost without running a query (docs, tests). */

const rowCount = (n: number): string => `${formatCount(n)} ${n === 1 ? 'row' : 'rows'}`;
