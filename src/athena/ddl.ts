/**
 * The Athena table for ALB access logs, generated from the field table (parse/fields.ts): its columns, the
 * RegexSerDe pattern and the two CREATE TABLE statements in queries/. `npx tsx src/athena/ddl.ts` rewrites
 * queries/create-table.sql and queries/create-table-no-projection.sql; test/athena/ddl.test.ts fails when
 * the committed files differ from what this module generates.
 *
 * What the table does that AWS's published one (create-alb-access-logs-table.html) does not:
 * - one pattern for every layout from 2016 to 2026: fields after trace_id are optional, each
 *   present only if the one before it is (AWS adds fields at the end, domain.md §2);
 * - fields 31–34 as columns, tokens after the last documented field in `trailing_fields`;
 * - a line that is not an access-log entry is not turned into an all-NULL row: the pattern's last
 *   alternative keeps it whole in `unparsed_line` (queries/malformed-lines.sql lists them);
 * - `-` (bare or quoted) is NULL, as in the parser's records, so `IS NULL` means "no value" everywhere.
 *
 * The pattern is written in the subset that java.util.regex (Athena's RegexSerDe: Trino's
 * RegexDeserializer, `Pattern.compile(regex, DOTALL)` + `matches()`), JavaScript and RE2 (DuckDB) read
 * alike: no lookaround, no backreferences, no possessive or atomic groups, no inline flags, no `[` or
 * `&&` inside a class (Java reads them as class union/intersection), `[0-9]` instead of `\d`. Captures are
 * numbered by their opening parenthesis in all three; RegexSerDe maps column i to group i, so every
 * capture below is one column, in column order, and everything else is `(?:…)`.
 *
 * It reads every line as the parser does, in the spellings AWS writes (test/athena/regex.test.ts: real
 * lines, every generated layout, and generated lines in every spelling, where a line is either read as
 * the parser reads it or kept whole). Where the two part ways, on lines AWS does not write:
 * - kept in unparsed_line though the parser reads it: a field in a spelling AWS never used (a quoted
 *   number, time or address; a quoted TID; a bare field of an always-quoted one other than `-`; an empty
 *   `""` list), an empty token (two spaces), a quote or backslash in the request's verb or protocol, an
 *   SNI with an inner space;
 * - read though the parser rejects it: a date that does not exist (02-30), a line over 64 KiB, an
 *   unpaired quote around domain_name, chosen_cert_arn or a list (see fieldPattern);
 * - read differently: an address with one bracket (`[ip:80`), which the parser keeps.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ALB_FIELDS, MIN_FIELD_COUNT, type AlbField, type FieldName } from '../parse/fields.js';

export type ColumnType = 'string' | 'bigint' | 'int' | 'double';

export interface TableColumn {
  name: string;
  type: ColumnType;
  /** The field it comes from; null for the two columns that are not fields. */
  field: FieldName | null;
}

/** Tokens after the last documented field, as logged (AWS adds new fields at the end). */
export const TRAILING_COLUMN = 'trailing_fields';
/** The whole line, when it is not an access-log entry (every other column is then NULL). */
export const UNPARSED_COLUMN = 'unparsed_line';
/** The partition column: the day folder `yyyy/MM/dd`, which is the DELIVERY date (domain.md §4). */
export const PARTITION_COLUMN = 'day';

/**
 * Fields AWS has written both bare and in quotes: domain_name and chosen_cert_arn were bare in 2016–2018
 * logs, the two lists bare in AWS's 2020 examples (domain.md §2). The field table records only today's
 * quoting, so these four are named here; the type makes a misspelt name a compile error.
 */
const BARE_OR_QUOTED: ReadonlySet<FieldName> = new Set<FieldName>(['domain_name', 'chosen_cert_arn', 'target:port_list', 'target_status_code_list']);

// ---- building blocks ------------------------------------------------------------------------------

/**
 * Content of a quoted token, as the tokenizer (parse/tokenize.ts) ends it: at the first `"` that is
 * followed by a space or the end of the line and not preceded by a backslash. Unrolled (normal chars,
 * then one special unit, then normal chars …) so that a backtracking engine has one way to match any
 * text and fails in linear time:
 * - `[^"\\]`            ordinary characters, spaces included;
 * - `"*\\+[^\\]`        quotes, then backslashes and the character they escape (an escaped `"` may be
 *                       followed by a space: it does not end the token);
 * - `"+[^ "\\]`         quotes followed by something that is not a space;
 * - a final `"*`        quotes just before the closing one (`"a""` is the text `a"`).
 * Content never ends in a backslash: that would escape the closing quote.
 */
const QUOTED_CONTENT = String.raw`[^"\\]*(?:(?:"*\\+[^\\]|"+[^ "\\])[^"\\]*)*"*`;
/** The same language, matching as little as possible (for the request URL, split off at the last space). */
const QUOTED_CONTENT_LAZY = String.raw`[^"\\]*?(?:(?:"*\\+[^\\]|"+[^ "\\])[^"\\]*?)*?`;
/** A bare token: anything up to the next space, not starting with a quote (that would open a quoted one). */
const BARE = String.raw`[^ "][^ ]*`;
/** `-` bare or quoted: no capture, so the column is NULL. Tried first; a longer value backtracks past it. */
const DASH = String.raw`-|"-"`;

const TYPE_WORD = '[a-z0-9]{1,16}';
const ISO_TIME =
  '[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\\.[0-9]+)?Z';
const INTEGER = '-?[0-9]{1,15}';
const DECIMAL = '-?[0-9]+(?:\\.[0-9]+)?';
/** 0–65535, leading zeros allowed (the parser reads the digits as a number). */
const PORT = '0*(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';

/** Value patterns of the bare-or-quoted fields: no spaces where a bare token could run into the next field. */
const BARE_OR_QUOTED_VALUE: Partial<Record<FieldName, string>> = {
  // SNI as the client sent it: a leading space occurs (simnalamburt's data), inner spaces do not.
  domain_name: ' *[^ "]*',
  chosen_cert_arn: '[^ "]*',
  // Items are `ip:port` and status codes (a list with no item is `-`): a bare one-item list cannot
  // swallow the bare field after it, which is never shaped like its items.
  'target:port_list': '[^ "]*:[0-9]+(?: [^ "]*:[0-9]+)*',
  target_status_code_list: '[0-9]+(?: [0-9]+)*',
};

/**
 * `"VERB URL PROTO"` split as the parser splits it: at the first and the last space, after dropping
 * trailing spaces; a part that is exactly `-` is NULL. The URL may hold spaces and is matched lazily, so
 * the last space-free run becomes the protocol; the URL group itself is lazy-optional so that
 * `"GET "` is a verb alone. Verb and protocol hold no quote or backslash (AWS escapes both as `\xHH`).
 */
const REQUEST = String.raw`"(?:-|([^ "\\]*))(?: (?:-|(${QUOTED_CONTENT_LAZY}))(?: (?:-|([^ "\\]+)))?)?? *"`;

/** One field's pattern: its captures are exactly its columns. */
function fieldPattern(field: AlbField): string {
  const name: FieldName = field.name;
  if (BARE_OR_QUOTED.has(name)) {
    // One capture for both forms: the quotes are optional on each side independently (a regular
    // expression cannot pair them without a second capture, i.e. a second column). Value patterns
    // without inner spaces keep a bare token from running into the next field; an unpaired quote,
    // which AWS never writes, is accepted.
    return `(?:${DASH}|"?(${BARE_OR_QUOTED_VALUE[name]})"?)`;
  }
  switch (field.kind) {
    case 'text':
      if (name === 'type') return `(${TYPE_WORD})`;
      return field.quoted ? `(?:${DASH}|"(${QUOTED_CONTENT})")` : `(?:${DASH}|(${BARE}))`;
    case 'time':
      // `time` is never `-`; request_creation_time is `-` when the request never arrived whole.
      return name === 'time' ? `(${ISO_TIME})` : `(?:${DASH}|(${ISO_TIME}))`;
    case 'int':
      return `(?:${DASH}|(${INTEGER}))`;
    case 'seconds':
      return `(?:${DASH}|(${DECIMAL}))`;
    case 'address':
      // Split at the LAST colon (IPv6 has no brackets; tolerated and dropped when present): the lazy IP
      // stops at the first colon whose port is followed by the end of the field.
      return `(?:${DASH}|\\[?([^ "\\[][^ ]*?)\\]?:(${PORT}))`;
    case 'request':
      return `(?:-|${REQUEST})`;
  }
}

/** Tokens after field 34, each bare or quoted, captured as one text without the leading space. */
const TRAILING = `((?:"${QUOTED_CONTENT}"|${BARE})(?: (?:"${QUOTED_CONTENT}"|${BARE}))*)`;

function buildLineRegex(): string {
  const patterns = ALB_FIELDS.map(fieldPattern);
  const required = patterns.slice(0, MIN_FIELD_COUNT).join(' ');
  // Each later field is present only if the one before it is: nest them, innermost last.
  let optional = `(?: ${TRAILING})?`;
  for (let i = patterns.length - 1; i >= MIN_FIELD_COUNT; i--) optional = `(?: ${patterns[i]}${optional})?`;
  // An entry (trailing spaces dropped, as the tokenizer does), else a blank line (no row values), else
  // the line kept whole: matches() then always succeeds, so no line becomes an all-NULL row.
  return `(?:${required}${optional} *|[ \\t\\r]*|([\\s\\S]*))`;
}

/**
 * The RegexSerDe pattern for a whole line (Java `matches()`: implicitly anchored). Engines that search
 * (JavaScript, RE2) need `^(?:…)$` around it: see anchoredLineRegex.
 */
export const LINE_REGEX = buildLineRegex();
export const anchoredLineRegex = (): string => `^(?:${LINE_REGEX})$`;

function columnType(field: AlbField, column: string): ColumnType {
  switch (field.kind) {
    case 'int':
      return 'bigint';
    case 'seconds':
      return 'double';
    case 'address':
      return column.endsWith('_port') ? 'int' : 'string';
    default:
      // Times stay ISO-8601 strings, as in AWS's table: the queries parse them to microseconds.
      return 'string';
  }
}

/** The table's columns in capture order: the field table's columns, then trailing_fields, unparsed_line. */
export const TABLE_COLUMNS: readonly TableColumn[] = [
  ...ALB_FIELDS.flatMap((field) => field.columns.map((name): TableColumn => ({ name, type: columnType(field, name), field: field.name }))),
  { name: TRAILING_COLUMN, type: 'string', field: null },
  { name: UNPARSED_COLUMN, type: 'string', field: null },
];

/**
 * A Hive DDL string literal (Athena parses CREATE TABLE as Hive DDL, whose string literals decode
 * backslash escapes: `\\` is one backslash). The pattern holds no single quote.
 */
export function hiveStringLiteral(text: string): string {
  if (text.includes("'")) throw new Error('a Hive literal with a single quote is not supported here');
  return `'${text.replaceAll('\\', '\\\\')}'`;
}

/**
 * Decodes a Hive DDL string literal the way Hive's `unescapeSQLString` does for the escapes that can
 * occur here: `\\` → `\`, `\'` → `'`, `\"` → `"`, `\t` → tab, `\n` → newline, and a backslash before any
 * other character is dropped. Used by the tests to show the literal decodes to LINE_REGEX.
 */
export function decodeHiveStringLiteral(literal: string): string {
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const next = body[++i]!;
    out += next === 't' ? '\t' : next === 'n' ? '\n' : next === 'r' ? '\r' : next;
  }
  return out;
}

const STATEMENT_HEADER = (projection: boolean): string => `-- ${projection ? 'create-table.sql' : 'create-table-no-projection.sql'}: the access-log table every other query reads.
--
-- GENERATED from the field table (src/parse/fields.ts) by src/athena/ddl.ts; do not edit by hand
-- (\`npx tsx src/athena/ddl.ts\` rewrites it, a test checks it is up to date).
--
-- One row per log line, whatever the layout (2016 to 2026: 20 to 34 fields, lists bare or quoted,
-- unknown trailing fields in \`trailing_fields\`). \`-\` is NULL. A line that is not an access-log entry
-- is kept whole in \`unparsed_line\` with every other column NULL: malformed-lines.sql lists them.
-- Column names are the \`parse\` command's (Athena's own table calls error_reason lambda_error_reason).
--
-- Partition \`day\` is the day folder, yyyy/MM/dd: the DELIVERY date of the files in it, so a request
-- logged just before midnight can sit in the next day's folder; the other queries read one folder more.
${
  projection
    ? `-- Partition projection: no ALTER TABLE ADD PARTITION, new days appear by themselves.
--
-- Parameters:
--   :database           Glue database (create it first: CREATE DATABASE alb_logs)
--   :table              table name
--   :location           s3://<bucket>[/<prefix>]/AWSLogs/<account>/elasticloadbalancing/<region>/
--   :projection_start   first day with logs, YYYY/MM/DD (days before it are never read)
-- Derived (by \`alb-doctor athena render\`):
--   :location_template        :location followed by \${day}
--   :projection_start_range   :projection_start,NOW`
    : `-- Without partition projection: add each day with
--   ALTER TABLE <database>.<table> ADD PARTITION (day = '2026/03/14')
--     LOCATION 's3://<bucket>/…/AWSLogs/<account>/elasticloadbalancing/<region>/2026/03/14/';
--
-- Parameters:
--   :database           Glue database (create it first: CREATE DATABASE alb_logs)
--   :table              table name
--   :location           s3://<bucket>[/<prefix>]/AWSLogs/<account>/elasticloadbalancing/<region>/`
}
--
-- @kind ddl
-- @param database identifier
-- @param table identifier
-- @param location s3prefix${projection ? '\n-- @param projection_start day' : ''}
`;

/** The text of queries/create-table.sql (projection) or queries/create-table-no-projection.sql. */
export function createTableSql(projection: boolean): string {
  const columns = TABLE_COLUMNS.map((c) => `  \`${c.name}\` ${c.type}`).join(',\n');
  const properties = projection
    ? `
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.${PARTITION_COLUMN}.type' = 'date',
  'projection.${PARTITION_COLUMN}.format' = 'yyyy/MM/dd',
  'projection.${PARTITION_COLUMN}.range' = :projection_start_range,
  'projection.${PARTITION_COLUMN}.interval' = '1',
  'projection.${PARTITION_COLUMN}.interval.unit' = 'DAYS',
  'storage.location.template' = :location_template
)`
    : '';
  return `${STATEMENT_HEADER(projection)}
CREATE EXTERNAL TABLE IF NOT EXISTS :database.:table (
${columns}
)
PARTITIONED BY (\`${PARTITION_COLUMN}\` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'
WITH SERDEPROPERTIES (
  'input.regex' = ${hiveStringLiteral(LINE_REGEX)}
)
LOCATION :location${properties}
`;
}

/** File name → generated text, for the writer below and the up-to-date test. */
export const GENERATED_QUERY_FILES: Readonly<Record<string, () => string>> = {
  'create-table.sql': () => createTableSql(true),
  'create-table-no-projection.sql': () => createTableSql(false),
};

// `npx tsx src/athena/ddl.ts`: rewrite the generated files in queries/.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [name, text] of Object.entries(GENERATED_QUERY_FILES)) {
    const path = fileURLToPath(new URL(`../../queries/${name}`, import.meta.url));
    writeFileSync(path, text());
    process.stdout.write(`wrote queries/${name}\n`);
  }
}
