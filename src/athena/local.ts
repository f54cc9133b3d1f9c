/**
 * The Athena templates on DuckDB, over local log files: the same SQL, the same table, no AWS. Used by
 * `alb-doctor athena local` and by the parity tests that hold the SQL to the streaming analyzer.
 *
 * Loading: the files are read by the project's own sources (plain or gzip, folders walked, non-log
 * files skipped and counted), one row per line with the line and its file as `"$path"`. The table is
 * then built with the SAME pattern as the Athena DDL (ddl.ts LINE_REGEX), through DuckDB's
 * `regexp_extract(line, pattern, [column names])`, and cast to the DDL's column types. Its `day`
 * partition is the file's day folder (…/yyyy/mm/dd/…), else the date in its ALB object name, else the
 * line's own date.
 *
 * The compatibility layer, everything that differs between Athena and this table (the templates are
 * written in the SQL both read alike, see queries/_analysis.sql, so there are no function shims):
 * 1. RegexSerDe uses Java `matches()` (whole line); RE2's regexp_extract searches: the pattern is wrapped
 *    in `^(?:…)$`.
 * 2. A capture that did not take part is NULL in Java and '' in RE2: every '' becomes NULL. (So does a
 *    quoted empty field `""`, which Athena reads as ''; AWS writes `-`, not `""`, in the fields the
 *    templates read.)
 * 3. RegexSerDe casts each capture to its column type and writes NULL when that fails: TRY_CAST.
 * 4. Hadoop's line reader ends lines at `\n` and drops a `\r` before it: so does the loader.
 * 5. `"$path"` is an ordinary column holding the file's path (Athena: its s3:// URI); `day` too.
 * 6. `:database.:table` is a DuckDB schema and table of those names.
 * 7. Every WITH step is run `AS MATERIALIZED` (runLocalSql): inlined, DuckDB's optimizer takes minutes to
 *    plan the templates' long chains of window steps. Athena inlines them (each step reads the one
 *    before it once, so nothing is computed twice there either); the results are the same.
 */
import { Readable } from 'node:stream';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { runLines, type InputStats } from '../run.js';
import { openLocalSources } from '../sources/local.js';
import { PARTITION_COLUMN, TABLE_COLUMNS, anchoredLineRegex } from './ddl.js';

/** Lines longer than this are not loaded (a marker row takes their place, and shows as unparsed). */
const MAX_LOADED_LINE_BYTES = 16 * 1024 * 1024;
/** Rows appended between flushes. */
const APPEND_BATCH_ROWS = 50_000;

export type Row = Record<string, string | number | boolean | null>;

export interface LocalTable {
  connection: DuckDBConnection;
  /** Files read, lines loaded, files skipped and unreadable, as run.ts counts them (`entries` stays 0: nothing is parsed). */
  stats: InputStats;
  close(): void;
}

export interface LoadOptions {
  database: string;
  table: string;
  stdin?: Readable;
}

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const quoteString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** Reads every line of `sources` into `"database"."table"`, the Athena table's columns and partition. */
export async function loadLocalTable(sources: readonly string[], options: LoadOptions): Promise<LocalTable> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const close = (): void => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    await connection.run(`SET TimeZone = 'UTC'`);
    await connection.run(`CREATE TABLE raw_lines (line VARCHAR, "$path" VARCHAR, ordinal BIGINT)`);
    const stats = await appendLines(connection, sources, options.stdin);
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(options.database)}`);
    await connection.run(buildTableSql(options.database, options.table));
    await connection.run(`DROP TABLE raw_lines`);
    return { connection, stats, close };
  } catch (error) {
    close();
    throw error;
  }
}

async function appendLines(connection: DuckDBConnection, sources: readonly string[], stdin: Readable | undefined): Promise<InputStats> {
  const appender = await connection.createAppender('raw_lines');
  let pending = 0;
  let ordinal = 0;
  const append = (line: string, path: string): void => {
    appender.appendVarchar(line);
    appender.appendVarchar(path);
    appender.appendBigInt(BigInt(ordinal++));
    appender.endRow();
    if (++pending >= APPEND_BATCH_ROWS) {
      appender.flushSync();
      pending = 0;
    }
  };
  // Lines are taken raw, before any parsing, as Athena takes them; objects are accounted for as `report` does.
  const stats = await runLines(openLocalSources(sources, stdin ?? Readable.from([])), {
    line: (text, object) => append(text, object.name),
    tooLong: (bytes, object) => append(`(a line of ${bytes} bytes, too long to load)`, object.name),
  }, MAX_LOADED_LINE_BYTES);
  appender.closeSync();
  return stats;
}

/** CREATE TABLE … AS: the pattern's captures, '' → NULL, cast like RegexSerDe, plus "$path" and day. */
function buildTableSql(database: string, table: string): string {
  const names = TABLE_COLUMNS.map((c) => quoteString(c.name)).join(', ');
  const columns = TABLE_COLUMNS.map((c) => {
    const text = `NULLIF(s.${quoteIdentifier(c.name)}, '')`;
    const sqlType = c.type === 'string' ? 'VARCHAR' : c.type === 'int' ? 'INTEGER' : c.type === 'bigint' ? 'BIGINT' : 'DOUBLE';
    return c.type === 'string' ? `${text} AS ${quoteIdentifier(c.name)}` : `TRY_CAST(${text} AS ${sqlType}) AS ${quoteIdentifier(c.name)}`;
  }).join(',\n    ');
  // The day folder: …/yyyy/mm/dd/<file>; else the end stamp in an ALB object name; else the line's date
  // (its `time`); else, for a line with no time, the first date of its file.
  const folderDay = String.raw`NULLIF(regexp_extract("$path", '/([0-9]{4}/[0-9]{2}/[0-9]{2})/[^/]*$', 1), '')`;
  const stampDay = String.raw`NULLIF(regexp_replace(regexp_extract("$path", '_([0-9]{8})T[0-9]{4}Z_[^/]*$', 1), '^([0-9]{4})([0-9]{2})([0-9]{2})$', '\1/\2/\3'), '')`;
  return `CREATE TABLE ${quoteIdentifier(database)}.${quoteIdentifier(table)} AS
  SELECT
    ${columns},
    "$path",
    COALESCE(day_from_path, line_day, MIN(line_day) OVER (PARTITION BY "$path")) AS ${quoteIdentifier(PARTITION_COLUMN)}
  FROM (
    SELECT s, "$path", ordinal, day_from_path, replace(substr(NULLIF(s."time", ''), 1, 10), '-', '/') AS line_day
    FROM (
      SELECT
        regexp_extract(line, ${quoteString(anchoredLineRegex())}, [${names}]) AS s,
        "$path",
        ordinal,
        COALESCE(${folderDay}, ${stampDay}) AS day_from_path
      FROM raw_lines
    ) extracted
  ) parsed
  -- The files' order, line by line (DuckDB keeps insertion order for scans of the table).
  ORDER BY ordinal`;
}

/** Compat rule 7: each WITH step (a name at the start of a line, then `AS (`) materialized. */
export const materializeSteps = (sql: string): string => sql.replace(/^([a-z_][a-z0-9_]*) AS \($/gm, '$1 AS MATERIALIZED (');

/** Runs SQL on the table's connection; values become JSON-friendly (BIGINT → number, TIMESTAMP → ISO). */
export async function runLocalSql(connection: DuckDBConnection, sql: string): Promise<{ columns: string[]; rows: Row[] }> {
  const reader = await connection.runAndReadAll(materializeSteps(sql));
  const columns = reader.columnNames();
  const rows = reader.getRowObjectsJS().map((raw) => {
    const row: Row = {};
    for (const column of columns) row[column] = plainValue(raw[column]);
    return row;
  });
  return { columns, rows };
}

function plainValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}
