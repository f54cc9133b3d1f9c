/**
 * queries/*.sql → SQL with validated, typed parameters. No user text reaches SQL unchecked: every value
 * is parsed into its type (identifier, timestamp, day, S3 prefix, bounded integer, enum) and written back
 * out by this module, never pasted.
 *
 * A template declares what it needs in its header comment, one line per parameter:
 *   -- @kind query | ddl
 *   -- @param <name> <type> [optional | default <value>]
 *   -- @include <file under queries/>        (inlined where it stands; shared CTEs)
 * and writes a diagnosis threshold as `{{NAME}}`, replaced when the file is read by the constant's SQL
 * text (sqlConstants.ts), in the header as in the body.
 * Types: `identifier`, `timestamp` (ISO 8601, UTC unless it has an offset, or an age such as 6h),
 * `day` (YYYY/MM/DD or YYYY-MM-DD), `s3prefix` (s3://bucket/…/), `integer <min>..<max> [step <n>]`,
 * `enum a|b|c`.
 * The body refers to `:name`, or to a value derived from it (below); a placeholder nothing declares is
 * an error when the template loads, not when it runs.
 *
 * Derived values:
 * - timestamp `x`: `:x_us` (epoch microseconds);
 * - `from` + `to`: `:context_from_us` (from − CONTEXT_BEFORE_WINDOW_MS: requests just before the range
 *   still end the idle gaps of the first ones inside it, as in the streaming analysis), `:scan_from_day` /
 *   `:scan_to_day`
 *   (the day folders to read: the folder is the DELIVERY date, domain.md §4, so a request sits in the
 *   folder of its own day or a later one; DELIVERY_MARGIN_MS covers files delivered late);
 * - s3prefix `x`: `:x_template` (the prefix followed by `${day}`, for partition projection);
 * - day `x`: `:x_range` (`x,NOW`, a projection range).
 *
 * Rendering: `inline` writes every value as a SQL literal (for `render`, DuckDB and DDL). `execution`
 * writes `?` for each value and returns the literals in order, for StartQueryExecution's
 * ExecutionParameters; identifiers are never parameters in Athena, so they are always inline (quoted,
 * after validation), as are absent optional values (NULL) and everything in a DDL statement.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONTEXT_BEFORE_WINDOW_MS } from '../analyze/constants.js';
import { AlbDoctorError } from '../errors.js';
import { parseTimeBound } from '../timeRange.js';
import { injectSqlConstants } from './sqlConstants.js';

/** queries/ next to src/ (and next to dist/ in the package: both are one level below the root). */
export const QUERIES_DIR = fileURLToPath(new URL('../../queries/', import.meta.url));

/** Entries this long before `from` still count for idle gaps, as in the streaming analysis. */
export const CONTEXT_BEFORE_FROM_MS = CONTEXT_BEFORE_WINDOW_MS;
/** Files are delivered about 5 minutes after their interval ends, sometimes later: read that much past `to`. */
export const DELIVERY_MARGIN_MS = 60 * 60_000;
/** A range longer than this needs --max-days: a year of logs is an expensive mistake. */
export const DEFAULT_MAX_DAYS = 31;

export type ParamType =
  | { kind: 'identifier' }
  | { kind: 'timestamp' }
  | { kind: 'day' }
  | { kind: 's3prefix' }
  | { kind: 'integer'; min: number; max: number; step: number }
  | { kind: 'enum'; values: readonly string[] };

export interface ParamSpec {
  name: string;
  type: ParamType;
  /** No value needed; absent means NULL (or the default). */
  optional: boolean;
  defaultValue: string | undefined;
}

export interface Template {
  /** File name without `.sql`. */
  name: string;
  kind: 'query' | 'ddl';
  /** The header's first line, after the file name. */
  summary: string;
  params: readonly ParamSpec[];
  /** The file with its includes inlined. */
  text: string;
}

/** A parameter value after validation: what it renders to. */
type Value =
  | { kind: 'identifier'; name: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'null' };

export type RenderMode = 'inline' | 'execution';

export interface Rendered {
  sql: string;
  /** ExecutionParameters, in order of the `?` in `sql` (empty in inline mode). */
  executionParameters: string[];
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** Template names in queries/ (files starting with `_` or in subfolders are includes, not templates). */
export function listTemplates(dir = QUERIES_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql') && !f.startsWith('_'))
    .map((f) => f.slice(0, -'.sql'.length))
    .sort();
}

export function loadTemplate(name: string, dir = QUERIES_DIR): Template {
  const available = listTemplates(dir);
  if (!available.includes(name)) {
    throw new AlbDoctorError('USAGE', `there is no query template '${name}'; choose one of ${available.join(', ')}.`);
  }
  const raw = injectSqlConstants(readFileSync(`${dir}/${name}.sql`, 'utf8'), `${name}.sql`);
  const text = inlineIncludes(raw, dir, new Set([name]));
  const params: ParamSpec[] = [];
  let kind: Template['kind'] = 'query';
  for (const match of raw.matchAll(/^-- @(kind|param) (.+)$/gm)) {
    if (match[1] === 'kind') {
      const value = match[2]!.trim();
      if (value !== 'query' && value !== 'ddl') throw new Error(`${name}.sql: @kind must be query or ddl`);
      kind = value;
    } else {
      params.push(parseParamLine(match[2]!, name));
    }
  }
  const summary = /^-- [^:]+: (.+)$/m.exec(raw)?.[1]?.trim() ?? '';
  const template: Template = { name, kind, summary, params, text };
  // Every placeholder must be declared or derived: found now, not against a live Athena.
  const known = new Set(placeholderNames(template));
  for (const placeholder of scanPlaceholders(text, kind)) {
    if (!known.has(placeholder.name)) throw new Error(`${name}.sql uses :${placeholder.name}, which no @param declares`);
  }
  return template;
}

function inlineIncludes(text: string, dir: string, seen: Set<string>): string {
  return text.replace(/^-- @include (\S+)$/gm, (_line, file: string) => {
    if (!/^[a-z0-9_/-]+\.sql$/.test(file) || seen.has(file)) throw new Error(`bad or recursive @include ${file}`);
    const included = injectSqlConstants(readFileSync(`${dir}/${file}`, 'utf8'), file);
    return inlineIncludes(included, dir, new Set([...seen, file])).trimEnd();
  });
}

function parseParamLine(line: string, template: string): ParamSpec {
  // <name> <type…> [optional | default <value>] [— description]
  const [declaration] = line.split(' — ');
  const words = declaration!.trim().split(/\s+/);
  const name = words.shift()!;
  if (!NAME.test(name)) throw new Error(`${template}.sql: bad parameter name ${name}`);
  let optional = false;
  let defaultValue: string | undefined;
  const optionalAt = words.indexOf('optional');
  if (optionalAt >= 0) {
    optional = true;
    words.splice(optionalAt, 1);
  }
  const defaultAt = words.indexOf('default');
  if (defaultAt >= 0) {
    defaultValue = words[defaultAt + 1];
    optional = true;
    words.splice(defaultAt, 2);
  }
  const [typeName, argument] = words;
  let type: ParamType;
  switch (typeName) {
    case 'identifier':
    case 'timestamp':
    case 'day':
    case 's3prefix':
      type = { kind: typeName };
      break;
    case 'integer': {
      const range = /^(-?\d+)\.\.(-?\d+)$/.exec(argument ?? '');
      if (!range) throw new Error(`${template}.sql: integer parameter ${name} needs a range such as 1..4000`);
      const stepAt = words.indexOf('step');
      const step = stepAt >= 0 ? Number(words[stepAt + 1]) : 1;
      if (!(step >= 1)) throw new Error(`${template}.sql: integer parameter ${name} has a bad step`);
      type = { kind: 'integer', min: Number(range[1]), max: Number(range[2]), step };
      break;
    }
    case 'enum': {
      const values = (argument ?? '').split('|').filter((v) => NAME.test(v));
      if (values.length === 0) throw new Error(`${template}.sql: enum parameter ${name} needs values a|b|c`);
      type = { kind: 'enum', values };
      break;
    }
    default:
      throw new Error(`${template}.sql: unknown parameter type ${typeName ?? '(none)'}`);
  }
  return { name, type, optional, defaultValue };
}

/** Every name the body may use: the declared ones and what derives from them. */
export function placeholderNames(template: Pick<Template, 'params'>): string[] {
  const names: string[] = [];
  const declared = new Set(template.params.map((p) => p.name));
  for (const p of template.params) {
    names.push(p.name);
    if (p.type.kind === 'timestamp') names.push(`${p.name}_us`);
    if (p.type.kind === 's3prefix') names.push(`${p.name}_template`);
    if (p.type.kind === 'day') names.push(`${p.name}_range`);
  }
  if (declared.has('from') && declared.has('to')) names.push('context_from_us', 'scan_from_day', 'scan_to_day');
  return names;
}

interface Placeholder {
  name: string;
  start: number;
  end: number;
}

/**
 * `:name` outside string literals, quoted identifiers and comments. A tiny lexer rather than a regex, so
 * that `':'` in a literal or `"$path"` is never mistaken for a placeholder.
 */
function scanPlaceholders(sql: string, kind: Template['kind']): Placeholder[] {
  const out: Placeholder[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      // SQL doubles the quote to escape it; Hive DDL string literals also escape with a backslash.
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\' && c === "'" && kind === 'ddl') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      i = newline < 0 ? sql.length : newline + 1;
    } else if (c === ':' && sql[i + 1] !== ':' && sql[i - 1] !== ':' && /[a-z]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < sql.length && /[a-z0-9_]/.test(sql[j]!)) j++;
      out.push({ name: sql.slice(i + 1, j), start: i, end: j });
      i = j;
    } else {
      i++;
    }
  }
  return out;
}

export interface ParamOptions {
  /** The clock for ages such as `6h`. */
  nowMs?: number;
  /** Longest from–to range accepted. */
  maxDays?: number;
}

/** `--param k=v` values → validated values for every placeholder the template can use. */
export function resolveParams(template: Template, raw: Readonly<Record<string, string>>, options: ParamOptions = {}): Map<string, Value> {
  const specs = new Map(template.params.map((p) => [p.name, p]));
  for (const key of Object.keys(raw)) {
    if (!specs.has(key)) {
      const names = template.params.map((p) => p.name).join(', ');
      throw new AlbDoctorError('USAGE', `${template.name} has no parameter '${key}'; its parameters are ${names}.`);
    }
  }
  const nowMs = options.nowMs ?? Date.now();
  const values = new Map<string, Value>();
  const epochMs = new Map<string, number>();
  for (const spec of template.params) {
    const text = raw[spec.name] ?? spec.defaultValue;
    if (text === undefined) {
      if (!spec.optional) throw new AlbDoctorError('USAGE', `${template.name} needs --param ${spec.name}=${example(spec.type)}.`);
      values.set(spec.name, { kind: 'null' });
      continue;
    }
    const flag = `--param ${spec.name}`;
    switch (spec.type.kind) {
      case 'identifier':
        // Glue names: lowercase letters, digits, underscore (Athena lowercases; anything else needs quoting
        // rules that differ between DDL and DML, so it is refused).
        if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(text)) {
          throw new AlbDoctorError('USAGE', `${flag} '${text}' is not a database or table name; use letters, digits and _.`);
        }
        values.set(spec.name, { kind: 'identifier', name: text.toLowerCase() });
        break;
      case 'timestamp': {
        const ms = parseTimeBound(text, flag, nowMs);
        epochMs.set(spec.name, ms);
        values.set(spec.name, { kind: 'string', text: new Date(ms).toISOString() });
        values.set(`${spec.name}_us`, { kind: 'number', value: ms * 1000 });
        break;
      }
      case 'day': {
        const day = /^(\d{4})[/-](\d{2})[/-](\d{2})$/.exec(text);
        const ms = day ? Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : NaN;
        if (!day || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(day[3])) {
          throw new AlbDoctorError('USAGE', `${flag} '${text}' is not a day; give it as YYYY/MM/DD.`);
        }
        values.set(spec.name, { kind: 'string', text: dayFolder(ms) });
        values.set(`${spec.name}_range`, { kind: 'string', text: `${dayFolder(ms)},NOW` });
        break;
      }
      case 's3prefix': {
        // Bucket names: 3–63 lowercase letters, digits, dots, hyphens; keys: a conservative character set.
        const prefix = text.endsWith('/') ? text : `${text}/`;
        if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9!_.*()=+-]+)*\/$/.test(prefix)) {
          throw new AlbDoctorError(
            'USAGE',
            `${flag} '${text}' is not an S3 prefix; give s3://<bucket>/<prefix>/AWSLogs/<account>/elasticloadbalancing/<region>/.`,
          );
        }
        values.set(spec.name, { kind: 'string', text: prefix });
        values.set(`${spec.name}_template`, { kind: 'string', text: `${prefix}\${day}` });
        break;
      }
      case 'integer': {
        const { min, max, step } = spec.type;
        const n = /^-?\d{1,15}$/.test(text.trim()) ? Number(text) : NaN;
        if (!(n >= min && n <= max && n % step === 0)) {
          const multiple = step > 1 ? `, a multiple of ${step},` : '';
          throw new AlbDoctorError('USAGE', `${flag} '${text}' is not a whole number${multiple} from ${min} to ${max}.`);
        }
        values.set(spec.name, { kind: 'number', value: n });
        break;
      }
      case 'enum':
        if (!spec.type.values.includes(text)) {
          throw new AlbDoctorError('USAGE', `${flag} '${text}' is not one of ${spec.type.values.join(', ')}.`);
        }
        values.set(spec.name, { kind: 'string', text });
        break;
    }
  }
  const fromMs = epochMs.get('from');
  const toMs = epochMs.get('to');
  if (fromMs !== undefined && toMs !== undefined) {
    if (fromMs >= toMs) {
      throw new AlbDoctorError('USAGE', `--param from (${new Date(fromMs).toISOString()}) must be before --param to (${new Date(toMs).toISOString()}).`);
    }
    const maxDays = options.maxDays ?? DEFAULT_MAX_DAYS;
    if (toMs - fromMs > maxDays * 86_400_000) {
      throw new AlbDoctorError(
        'USAGE',
        `from–to spans ${Math.ceil((toMs - fromMs) / 86_400_000)} days, more than ${maxDays}; narrow the range or pass --max-days to read that much.`,
      );
    }
    values.set('context_from_us', { kind: 'number', value: (fromMs - CONTEXT_BEFORE_FROM_MS) * 1000 });
    values.set('scan_from_day', { kind: 'string', text: dayFolder(fromMs - CONTEXT_BEFORE_FROM_MS) });
    values.set('scan_to_day', { kind: 'string', text: dayFolder(toMs + DELIVERY_MARGIN_MS) });
  }
  return values;
}

/** The day folder of an instant: `yyyy/MM/dd`, UTC. */
export function dayFolder(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10).replaceAll('-', '/');
}

function example(type: ParamType): string {
  switch (type.kind) {
    case 'identifier':
      return 'alb_logs';
    case 'timestamp':
      return '2026-03-14T21:00Z';
    case 'day':
      return '2026/01/01';
    case 's3prefix':
      return 's3://my-bucket/AWSLogs/123456789012/elasticloadbalancing/us-east-1/';
    case 'integer':
      return String(type.min);
    case 'enum':
      return type.values[0]!;
  }
}

/** A SQL string literal: only validated text reaches here; quotes are doubled all the same. */
const stringLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;

function literal(value: Value, kind: Template['kind']): string {
  switch (value.kind) {
    case 'identifier':
      // DDL is parsed as Hive DDL (backticks), queries as Trino SQL (double quotes).
      return kind === 'ddl' ? `\`${value.name}\`` : `"${value.name}"`;
    case 'string':
      return stringLiteral(value.text);
    case 'number':
      return String(value.value);
    case 'null':
      return 'NULL';
  }
}

/** The template's SQL with every placeholder replaced; see the module comment for the two modes. */
export function render(template: Template, values: ReadonlyMap<string, Value>, mode: RenderMode = 'inline'): Rendered {
  const executionParameters: string[] = [];
  let sql = '';
  let last = 0;
  for (const placeholder of scanPlaceholders(template.text, template.kind)) {
    const value = values.get(placeholder.name);
    if (value === undefined) throw new Error(`${template.name}: no value for :${placeholder.name}`);
    sql += template.text.slice(last, placeholder.start);
    const asParameter = mode === 'execution' && template.kind === 'query' && (value.kind === 'string' || value.kind === 'number');
    if (asParameter) {
      sql += '?';
      executionParameters.push(literal(value, template.kind));
    } else {
      sql += literal(value, template.kind);
    }
    last = placeholder.end;
  }
  sql += template.text.slice(last);
  return { sql, executionParameters };
}

/** Load, validate and render in one call. */
export function renderTemplate(
  name: string,
  raw: Readonly<Record<string, string>>,
  options: ParamOptions & { mode?: RenderMode; dir?: string } = {},
): Rendered & { template: Template } {
  const template = loadTemplate(name, options.dir);
  return { template, ...render(template, resolveParams(template, raw, options), options.mode) };
}
