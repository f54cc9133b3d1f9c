/**
 * The sole user of @aws-sdk/client-athena: start a rendered template, wait for it, read its rows, say
 * what it cost.
 *
 * - Start: StartQueryExecution with the workgroup, the output location (when the workgroup does not
 *   impose one), the database as context, and the template's values as ExecutionParameters (Athena's
 *   positional `?` parameters; DDL takes none, templates.ts renders it inline).
 * - Wait: the SDK ships no Athena waiter, so one is built on @smithy/util-waiter's createWaiter
 *   (exponential back-off with jitter, bounded total wait, abortable): QUEUED/RUNNING retry, SUCCEEDED
 *   succeeds, FAILED/CANCELLED fail; each ends as one AlbDoctorError that names the query id.
 * - Rows: paginateGetQueryResults (the first row of a SELECT's first page is its header). When the result
 *   has more than one page and the caller allows it, the rest comes from the CSV file Athena wrote to
 *   S3, parsed with csv-parse: one GET instead of a request per 1000 rows.
 * - Cost: DataScannedInBytes, billed rounded up to whole megabytes with a 10 MB minimum, at $5 per TB
 *   (the Athena pricing page; some regions differ, hence `pricePerTbUsd`). DDL statements and failed
 *   queries are not billed.
 */
import type { Readable } from 'node:stream';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  paginateGetQueryResults,
  type ColumnInfo,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { WaiterState, checkExceptions, createWaiter } from '@smithy/util-waiter';
import { parse as parseCsv } from 'csv-parse';
import { AlbDoctorError } from '../errors.js';
import type { Rendered } from './templates.js';

export const PRICE_PER_TB_USD = 5;
const BYTES_PER_MB = 1024 ** 2;
const BYTES_PER_TB = 1024 ** 4;
const MINIMUM_BILLED_BYTES = 10 * BYTES_PER_MB;

export type Row = Record<string, string | number | boolean | null>;

export interface WaitOptions {
  /** Give up after this many seconds (the query keeps running unless stopOnTimeout). */
  maxWaitSeconds: number;
  minDelaySeconds: number;
  maxDelaySeconds: number;
  abortSignal?: AbortSignal;
}

export const DEFAULT_WAIT: WaitOptions = { maxWaitSeconds: 30 * 60, minDelaySeconds: 1, maxDelaySeconds: 10 };

export interface AthenaRunOptions {
  athena: AthenaClient;
  /** For large results read from the CSV file; when absent, every page comes from GetQueryResults. */
  s3?: S3Client;
  workGroup?: string;
  /** s3://… where Athena writes results, when the workgroup does not set one. */
  outputLocation?: string;
  /** Glue catalog (default AwsDataCatalog). */
  catalog?: string;
  database?: string;
  wait?: Partial<WaitOptions>;
  /** Stop the query when the wait limit passes, so it stops costing. */
  stopOnTimeout?: boolean;
  pricePerTbUsd?: number;
  /** Called with the query id as soon as Athena accepts the query. */
  onStarted?: (queryExecutionId: string) => void;
}

export interface QueryCost {
  scannedBytes: number;
  billedBytes: number;
  usd: number;
}

export interface AthenaResult {
  queryExecutionId: string;
  columns: string[];
  rows: Row[];
  cost: QueryCost;
  engineMs: number | null;
  /** Where the rows came from. */
  rowsFrom: 'api' | 's3';
}

/** What a query that scanned `scannedBytes` costs: whole MB, 10 MB minimum, at the price per TB. */
export function queryCost(scannedBytes: number, pricePerTbUsd = PRICE_PER_TB_USD, billed = true): QueryCost {
  if (!billed) return { scannedBytes, billedBytes: 0, usd: 0 };
  const billedBytes = Math.max(MINIMUM_BILLED_BYTES, Math.ceil(scannedBytes / BYTES_PER_MB) * BYTES_PER_MB);
  return { scannedBytes, billedBytes, usd: (billedBytes / BYTES_PER_TB) * pricePerTbUsd };
}

/** Starts a rendered template; returns the query execution id. */
export async function startQuery(rendered: Rendered, options: AthenaRunOptions): Promise<string> {
  try {
    const out = await options.athena.send(
      new StartQueryExecutionCommand({
        QueryString: withoutHeader(rendered.sql),
        ...(rendered.executionParameters.length > 0 && { ExecutionParameters: rendered.executionParameters }),
        ...(options.workGroup !== undefined && { WorkGroup: options.workGroup }),
        ...(options.outputLocation !== undefined && { ResultConfiguration: { OutputLocation: options.outputLocation } }),
        ...((options.database !== undefined || options.catalog !== undefined) && {
          QueryExecutionContext: {
            ...(options.database !== undefined && { Database: options.database }),
            ...(options.catalog !== undefined && { Catalog: options.catalog }),
          },
        }),
      }),
    );
    if (!out.QueryExecutionId) throw new Error('StartQueryExecution returned no QueryExecutionId');
    return out.QueryExecutionId;
  } catch (error) {
    throw requestError(error, 'StartQueryExecution');
  }
}

const STATE: Record<string, WaiterState> = {
  QUEUED: WaiterState.RETRY,
  RUNNING: WaiterState.RETRY,
  SUCCEEDED: WaiterState.SUCCESS,
  FAILED: WaiterState.FAILURE,
  CANCELLED: WaiterState.FAILURE,
};

/**
 * Waits until the query leaves QUEUED/RUNNING; returns its final QueryExecution when it SUCCEEDED and
 * throws an AlbDoctorError otherwise. A throttled or failing GetQueryExecution is retried by the SDK
 * client itself; an error that survives those retries ends the wait.
 */
export async function waitForQuery(athena: AthenaClient, queryExecutionId: string, wait: Partial<WaitOptions> = {}): Promise<QueryExecution> {
  const { maxWaitSeconds, minDelaySeconds, maxDelaySeconds, abortSignal } = { ...DEFAULT_WAIT, ...wait };
  const result = await createWaiter<AthenaClient, string, QueryExecution>(
    {
      client: athena,
      maxWaitTime: maxWaitSeconds,
      minDelay: minDelaySeconds,
      maxDelay: maxDelaySeconds,
      ...(abortSignal !== undefined && { abortSignal }),
    },
    queryExecutionId,
    async (client, id) => {
      let execution: QueryExecution | undefined;
      try {
        execution = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution;
      } catch (error) {
        throw requestError(error, 'GetQueryExecution', id);
      }
      const state = STATE[execution?.Status?.State ?? ''] ?? WaiterState.RETRY;
      return { state, reason: execution };
    },
  );
  if (result.state === WaiterState.TIMEOUT) {
    throw new AlbDoctorError(
      'ATHENA_TIMEOUT',
      `query ${queryExecutionId} was still running after ${maxWaitSeconds} s; see it in the Athena console, or wait longer with --max-wait.`,
      { source: queryExecutionId },
    );
  }
  if (result.state === WaiterState.FAILURE) {
    const execution = result.reason as QueryExecution;
    const status = execution.Status;
    const reason = status?.AthenaError?.ErrorMessage ?? status?.StateChangeReason ?? 'no reason given';
    if (status?.State === 'CANCELLED') {
      throw new AlbDoctorError('ATHENA_QUERY_CANCELLED', `query ${queryExecutionId} was cancelled: ${reason}`, { source: queryExecutionId });
    }
    throw new AlbDoctorError('ATHENA_QUERY_FAILED', `query ${queryExecutionId} failed: ${reason}`, {
      source: queryExecutionId,
      hint: hintFor(reason),
    });
  }
  // ABORTED (the caller's signal) becomes the waiter's own AbortError.
  checkExceptions(result);
  return result.reason as QueryExecution;
}

/** Advice for the failures a first run usually meets. */
function hintFor(reason: string): string | undefined {
  if (/TABLE_NOT_FOUND|does not exist/i.test(reason)) return 'create the table first: alb-doctor athena run create-table …';
  if (/output location|OutputLocation/i.test(reason)) return 'give --output-location s3://bucket/prefix/ or use a workgroup that sets one.';
  if (/Access ?Denied|not authorized/i.test(reason)) return 'the credentials need athena:*Query*, glue:GetTable and s3:GetObject on the logs.';
  return undefined;
}

/** Column values from Athena's text: numbers for numeric types, booleans, NULL for an absent value. */
function typedValue(text: string | undefined, type: string | undefined): string | number | boolean | null {
  if (text === undefined) return null;
  switch (type) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'double':
    case 'real':
    case 'float':
    case 'decimal':
      return text === '' ? null : Number(text);
    case 'boolean':
      return text === 'true';
    default:
      return text;
  }
}

/** Rows of a finished query: by the API, or from its CSV file when larger than a page and allowed. */
export async function readResults(
  options: AthenaRunOptions,
  execution: QueryExecution,
): Promise<{ columns: string[]; rows: Row[]; rowsFrom: 'api' | 's3' }> {
  const id = execution.QueryExecutionId!;
  const columns: string[] = [];
  let info: ColumnInfo[] = [];
  const rows: Row[] = [];
  let first = true;
  try {
    for await (const page of paginateGetQueryResults({ client: options.athena }, { QueryExecutionId: id })) {
      const data = page.ResultSet?.Rows ?? [];
      if (first) {
        info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        columns.push(...info.map((c) => c.Name ?? c.Label ?? ''));
      }
      // A SELECT's first row is the header; a DDL statement's result has no header row.
      const body = first && data.length > 0 && isHeader(data[0]!.Data?.map((d) => d.VarCharValue), columns) ? data.slice(1) : data;
      for (const row of body) rows.push(toRow(row.Data?.map((d) => d.VarCharValue) ?? [], columns, info));
      const csvLocation = execution.ResultConfiguration?.OutputLocation;
      if (first && page.NextToken !== undefined && options.s3 !== undefined && csvLocation?.endsWith('.csv')) {
        // More than a page: the whole result from its CSV file instead of page after page.
        return { columns, rows: await readCsvResult(options.s3, csvLocation, columns, info), rowsFrom: 's3' };
      }
      first = false;
    }
  } catch (error) {
    if (error instanceof AlbDoctorError) throw error;
    throw requestError(error, 'GetQueryResults', id);
  }
  return { columns, rows, rowsFrom: 'api' };
}

function isHeader(values: (string | undefined)[] | undefined, columns: readonly string[]): boolean {
  return values !== undefined && values.length === columns.length && values.every((v, i) => v === columns[i]);
}

function toRow(values: (string | undefined)[], columns: readonly string[], info: readonly ColumnInfo[]): Row {
  const row: Row = {};
  columns.forEach((column, i) => {
    row[column] = typedValue(values[i], info[i]?.Type);
  });
  return row;
}

/** Reads `s3://bucket/key.csv` (header row, then one row per line; an empty field is NULL). */
export async function readCsvResult(s3: S3Client, location: string, columns: readonly string[], info: readonly ColumnInfo[]): Promise<Row[]> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!match) throw new AlbDoctorError('ATHENA_RESULT_UNREADABLE', `the result location ${location} is not an s3:// URI.`, { source: location });
  let body: Readable;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: match[1]!, Key: match[2]! }));
    body = out.Body as Readable;
  } catch (error) {
    throw new AlbDoctorError('ATHENA_RESULT_UNREADABLE', `the result file ${location} could not be read (${messageOf(error)}); check s3:GetObject on it.`, {
      source: location,
    });
  }
  const rows: Row[] = [];
  // Athena quotes every value and writes NULL as an empty unquoted field: the cast tells them apart.
  const parser = body.pipe(
    parseCsv({ from_line: 2, cast: (value, context) => (value === '' && !context.quoting ? undefined : value) }),
  );
  for await (const record of parser as AsyncIterable<(string | undefined)[]>) rows.push(toRow(record, columns, info));
  return rows;
}

/** Starts, waits, reads: the whole `athena run`. */
export async function runQuery(rendered: Rendered & { template?: { kind: 'query' | 'ddl' } }, options: AthenaRunOptions): Promise<AthenaResult> {
  const id = await startQuery(rendered, options);
  options.onStarted?.(id);
  let execution: QueryExecution;
  try {
    execution = await waitForQuery(options.athena, id, options.wait);
  } catch (error) {
    if (error instanceof AlbDoctorError && error.code === 'ATHENA_TIMEOUT' && options.stopOnTimeout) {
      await options.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
    }
    throw error;
  }
  const { columns, rows, rowsFrom } = await readResults(options, execution);
  const isDdl = rendered.template?.kind === 'ddl' || execution.StatementType === 'DDL';
  return {
    queryExecutionId: id,
    columns,
    rows,
    rowsFrom,
    cost: queryCost(execution.Statistics?.DataScannedInBytes ?? 0, options.pricePerTbUsd, !isDdl),
    engineMs: execution.Statistics?.EngineExecutionTimeInMillis ?? null,
  };
}

/**
 * The statement without its leading comment block: the header documents the template for a reader, and
 * Athena tells DDL from DML by the statement's first keyword.
 */
export function withoutHeader(sql: string): string {
  const lines = sql.split('\n');
  let first = 0;
  while (first < lines.length && (lines[first]!.trim() === '' || lines[first]!.trimStart().startsWith('--'))) first++;
  return lines.slice(first).join('\n');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An SDK error → one sentence naming the call, with the service's own message. */
function requestError(error: unknown, call: string, queryExecutionId?: string): AlbDoctorError {
  if (error instanceof AlbDoctorError) return error;
  const name = (error as { name?: string }).name ?? 'Error';
  const where = queryExecutionId ? ` for query ${queryExecutionId}` : '';
  return new AlbDoctorError('ATHENA_REQUEST_FAILED', `${call}${where} failed: ${name}: ${messageOf(error)}`, {
    ...(queryExecutionId !== undefined && { source: queryExecutionId }),
    hint: hintFor(messageOf(error)) ?? 'check the region, the workgroup and the credentials (athena:StartQueryExecution, GetQueryExecution, GetQueryResults).',
  });
}
