/**
 * The Athena client path with the service stubbed by aws-sdk-client-mock: what is sent (the rendered SQL
 * itself is never stubbed: it comes from the real templates), how the waiter ends (SUCCEEDED, FAILED,
 * CANCELLED, a wait that runs out), how rows are read (pages, the CSV file on S3) and what it costs.
 */
import { Readable } from 'node:stream';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type GetQueryResultsCommandOutput,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlbDoctorError, type AlbDoctorError } from '../../src/errors.js';
import { queryCost, runQuery, waitForQuery, withoutHeader, type AthenaRunOptions } from '../../src/athena/run.js';
import { renderTemplate } from '../../src/athena/templates.js';

const athenaMock = mockClient(AthenaClient);
const s3Mock = mockClient(S3Client);
beforeEach(() => {
  athenaMock.reset();
  s3Mock.reset();
});
afterEach(() => {
  athenaMock.reset();
  s3Mock.reset();
});

const ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const RANGE = { database: 'alb_logs', table: 'access_logs', from: '2026-03-14T21:00Z', to: '2026-03-14T23:00Z' };
/** Polls every millisecond: the waiter's back-off, without the seconds. */
const FAST_WAIT = { minDelaySeconds: 0.001, maxDelaySeconds: 0.002, maxWaitSeconds: 5 };

function options(extra: Partial<AthenaRunOptions> = {}): AthenaRunOptions {
  return { athena: new AthenaClient({ region: 'eu-west-1' }), s3: new S3Client({ region: 'eu-west-1' }), wait: FAST_WAIT, ...extra };
}

function execution(state: string, extra: Partial<QueryExecution> = {}): { QueryExecution: QueryExecution } {
  return {
    QueryExecution: {
      QueryExecutionId: ID,
      StatementType: 'DML',
      Status: { State: state as 'SUCCEEDED' },
      ResultConfiguration: { OutputLocation: `s3://athena-results/alb-doctor/${ID}.csv` },
      Statistics: { DataScannedInBytes: 3 * 1024 ** 3, EngineExecutionTimeInMillis: 4200 },
      ...extra,
    },
  };
}

const COLUMNS = [
  { Name: 'target_group_arn', Type: 'varchar' },
  { Name: 'class', Type: 'varchar' },
  { Name: 'responses', Type: 'bigint' },
  { Name: 'share_of_requests', Type: 'double' },
];
const row = (...values: (string | undefined)[]) => ({ Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) });
const page = (rows: ReturnType<typeof row>[], next?: string): GetQueryResultsCommandOutput =>
  ({
    ResultSet: { ResultSetMetadata: { ColumnInfo: COLUMNS }, Rows: rows },
    ...(next !== undefined && { NextToken: next }),
    $metadata: {},
  }) as GetQueryResultsCommandOutput;
const HEADER = row('target_group_arn', 'class', 'responses', 'share_of_requests');

async function failure(promise: Promise<unknown>): Promise<AlbDoctorError> {
  try {
    await promise;
  } catch (error) {
    if (isAlbDoctorError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('athena run: start, wait, read', () => {
  it('starts the rendered template with its parameters, waits through QUEUED and RUNNING, and reads the rows', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('QUEUED'))
      .resolvesOnce(execution('RUNNING'))
      .resolves(execution('SUCCEEDED'));
    athenaMock.on(GetQueryResultsCommand).resolves(page([HEADER, row('arn:tg/api', 'keepalive_race', '42', '0.0021'), row('arn:tg/api', 'target_5xx', '3', undefined)]));
    const rendered = renderTemplate('five-xx-by-class', RANGE, { mode: 'execution' });
    const started: string[] = [];
    const result = await runQuery(rendered, options({ workGroup: 'analytics', outputLocation: 's3://athena-results/alb-doctor/', onStarted: (id) => started.push(id) }));

    const start = athenaMock.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start.QueryString).toBe(withoutHeader(rendered.sql));
    expect(start.QueryString).toMatch(/^WITH\n/);
    expect(start.ExecutionParameters).toEqual(rendered.executionParameters);
    expect(start.ExecutionParameters!.length).toBeGreaterThan(0);
    expect(start.WorkGroup).toBe('analytics');
    expect(start.ResultConfiguration).toEqual({ OutputLocation: 's3://athena-results/alb-doctor/' });
    expect(athenaMock.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    expect(started).toEqual([ID]);

    expect(result.columns).toEqual(['target_group_arn', 'class', 'responses', 'share_of_requests']);
    expect(result.rows).toEqual([
      { target_group_arn: 'arn:tg/api', class: 'keepalive_race', responses: 42, share_of_requests: 0.0021 },
      { target_group_arn: 'arn:tg/api', class: 'target_5xx', responses: 3, share_of_requests: null },
    ]);
    expect(result.rowsFrom).toBe('api');
    expect(result.cost).toEqual({ scannedBytes: 3 * 1024 ** 3, billedBytes: 3 * 1024 ** 3, usd: (3 / 1024) * 5 });
    expect(result.engineMs).toBe(4200);
  });

  it('pages through GetQueryResults when no S3 client is given', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athenaMock
      .on(GetQueryResultsCommand)
      .resolvesOnce(page([HEADER, row('a', 'x', '1', '0.5')], 'page-2'))
      .resolvesOnce(page([row('b', 'y', '2', '0.25')], 'page-3'))
      .resolvesOnce(page([row('c', 'z', '3', '0.125')]));
    const result = await runQuery(renderTemplate('five-xx-by-class', RANGE, { mode: 'execution' }), options({ s3: undefined }));
    // (The paginator reuses one input object, so the recorded inputs all show the last token.)
    expect(athenaMock.commandCalls(GetQueryResultsCommand)).toHaveLength(3);
    expect(result.rows.map((r) => r.target_group_arn)).toEqual(['a', 'b', 'c']);
    expect(result.rowsFrom).toBe('api');
  });

  it('reads a result longer than a page from its CSV file on S3 (NULL is an empty unquoted field)', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athenaMock.on(GetQueryResultsCommand).resolves(page([HEADER, row('a', 'x', '1', '0.5')], 'page-2'));
    const csv = '"target_group_arn","class","responses","share_of_requests"\n"a","x","1","0.5"\n"b, with a comma","y","2",\n"c ""quoted""","","3","0.125"\n';
    s3Mock.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from(csv)]) as never });
    const result = await runQuery(renderTemplate('five-xx-by-class', RANGE, { mode: 'execution' }), options());
    expect(s3Mock.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'athena-results', Key: `alb-doctor/${ID}.csv` });
    expect(athenaMock.commandCalls(GetQueryResultsCommand)).toHaveLength(1);
    expect(result.rowsFrom).toBe('s3');
    expect(result.rows).toEqual([
      { target_group_arn: 'a', class: 'x', responses: 1, share_of_requests: 0.5 },
      { target_group_arn: 'b, with a comma', class: 'y', responses: 2, share_of_requests: null },
      { target_group_arn: 'c "quoted"', class: '', responses: 3, share_of_requests: 0.125 },
    ]);
  });

  it('ends a FAILED query with its id and Athena’s reason, and a hint for a missing table', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('RUNNING'))
      .resolves(
        execution('FAILED', {
          Status: {
            State: 'FAILED',
            StateChangeReason: 'TABLE_NOT_FOUND',
            AthenaError: { ErrorCategory: 2, ErrorMessage: "line 1:8: Table 'awsdatacatalog.alb_logs.access_logs' does not exist" },
          },
        }),
      );
    const error = await failure(runQuery(renderTemplate('five-xx-by-class', RANGE, { mode: 'execution' }), options()));
    expect(error.code).toBe('ATHENA_QUERY_FAILED');
    expect(error.message).toContain(ID);
    expect(error.message).toContain('does not exist');
    expect(error.hint).toMatch(/create-table/);
    expect(athenaMock.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('ends a CANCELLED query as such', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('CANCELLED', { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' } }));
    const error = await failure(runQuery(renderTemplate('five-xx-by-class', RANGE, { mode: 'execution' }), options()));
    expect(error.code).toBe('ATHENA_QUERY_CANCELLED');
    expect(error.message).toContain('cancelled by user');
  });

  it('gives up after the wait limit, and stops the query when asked to', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athenaMock.on(StopQueryExecutionCommand).resolves({});
    const error = await failure(
      runQuery(renderTemplate('five-xx-by-class', RANGE, { mode: 'execution' }), options({ wait: { ...FAST_WAIT, maxWaitSeconds: 0.05 }, stopOnTimeout: true })),
    );
    expect(error.code).toBe('ATHENA_TIMEOUT');
    expect(athenaMock.commandCalls(GetQueryExecutionCommand).length).toBeGreaterThan(1);
    expect(athenaMock.commandCalls(StopQueryExecutionCommand)[0]!.args[0].input).toEqual({ QueryExecutionId: ID });
  });

  it('turns a refused StartQueryExecution into one sentence', async () => {
    athenaMock.on(StartQueryExecutionCommand).rejects(Object.assign(new Error('User is not authorized to perform: athena:StartQueryExecution'), { name: 'AccessDeniedException' }));
    const error = await failure(runQuery(renderTemplate('five-xx-by-class', RANGE, { mode: 'execution' }), options()));
    expect(error.code).toBe('ATHENA_REQUEST_FAILED');
    expect(error.message).toMatch(/^StartQueryExecution failed: AccessDeniedException/);
  });

  it('can be aborted while waiting', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    const controller = new AbortController();
    const waiting = waitForQuery(new AthenaClient({ region: 'eu-west-1' }), ID, { ...FAST_WAIT, abortSignal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toThrow(/aborted/i);
  });

  it('runs DDL inline, without parameters, and does not bill it', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED', { StatementType: 'DDL', Statistics: { DataScannedInBytes: 0 } }));
    athenaMock.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] }, $metadata: {} });
    const rendered = renderTemplate(
      'create-table',
      { database: 'alb_logs', table: 'access_logs', location: 's3://my-alb-logs/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/', projection_start: '2026/01/01' },
      { mode: 'execution' },
    );
    const result = await runQuery(rendered, options());
    const start = athenaMock.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start.QueryString).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `alb_logs`\.`access_logs`/);
    expect(start.ExecutionParameters).toBeUndefined();
    expect(result.cost.usd).toBe(0);
    expect(result.rows).toEqual([]);
  });
});

describe('queryCost', () => {
  it('bills whole megabytes, at least 10 MB, at $5 per TB', () => {
    const MB = 1024 ** 2;
    expect(queryCost(0)).toEqual({ scannedBytes: 0, billedBytes: 10 * MB, usd: (10 * MB / 1024 ** 4) * 5 });
    expect(queryCost(10 * MB + 1).billedBytes).toBe(11 * MB);
    expect(queryCost(1024 ** 4).usd).toBe(5);
    expect(queryCost(1024 ** 4, 6.25).usd).toBe(6.25);
  });
});
