/**
 * `alb-doctor athena …` through registerAthenaCommands on a fresh commander program, in-process: render
 * prints validated SQL, run goes through the (stubbed) Athena service and prints rows and cost, local runs
 * the same template on DuckDB over log files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerAthenaCommands, textTable } from '../../src/athena/cli.js';
import { HOSTILE_VALUES, TERMINAL_UNSAFE } from '../support/hostile.js';
import { isAlbDoctorError } from '../../src/errors.js';
import { scenario, writeScenario } from '../generator/index.js';

interface Result {
  stdout: string;
  stderr: string;
  /** The AlbDoctorError code thrown to cli.ts main, if any. */
  error: string | null;
}

async function athena(argv: string[], env: Record<string, string> = {}): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough().on('data', (d: Buffer) => void (stdout += d.toString()));
  const err = new PassThrough().on('data', (d: Buffer) => void (stderr += d.toString()));
  const program = new Command('alb-doctor').exitOverride().configureOutput({ writeOut: (t) => void (stdout += t), writeErr: (t) => void (stderr += t) });
  registerAthenaCommands(program, { stdin: Readable.from([]), stdout: out, stderr: err, env, now: () => Date.parse('2026-03-15T00:00:00Z') });
  let error: string | null = null;
  try {
    await program.parseAsync(['athena', ...argv], { from: 'user' });
  } catch (e) {
    if (!isAlbDoctorError(e)) throw e;
    error = e.code;
    stderr += e.message;
  }
  await new Promise((resolve) => setImmediate(resolve));
  return { stdout, stderr, error };
}

const RANGE = ['--param', 'database=alb_logs', '--param', 'table=access_logs', '--param', 'from=2026-03-14T21:00Z', '--param', 'to=2026-03-14T23:00Z'];

describe('athena render', () => {
  it('prints the SQL with every value written in', async () => {
    const { stdout, error } = await athena(['render', 'keepalive-races', ...RANGE]);
    expect(error).toBeNull();
    expect(stdout).toMatch(/^-- keepalive-races\.sql: /);
    expect(stdout).toContain('FROM "alb_logs"."access_logs"');
    expect(stdout).toContain(`"day" BETWEEN '2026/03/14' AND '2026/03/15'`);
    expect(stdout).not.toContain(':from_us');
  });

  it('refuses an invalid value before anything runs', async () => {
    expect((await athena(['render', 'keepalive-races', ...RANGE, '--param', "alb_idle_timeout=60; DROP"])).error).toBe('USAGE');
    expect((await athena(['render', 'keepalive-races', '--param', 'nonsense'])).error).toBe('USAGE');
    expect((await athena(['render', 'keepalive-races', ...RANGE, '--param', 'from=2026-03-14T22:00Z'])).error).toBe('USAGE');
  });

  it('lists the templates', async () => {
    const { stdout } = await athena(['list']);
    expect(stdout).toContain('keepalive-estimate\n  What is each target group');
    expect(stdout).toContain('parameters: database table from to [alb_idle_timeout]');
  });
});

describe('athena run (Athena stubbed)', () => {
  const athenaMock = mockClient(AthenaClient);
  beforeEach(() => athenaMock.reset());
  afterAll(() => athenaMock.restore());

  it('prints the rows as a table, and the query id, data scanned and cost on stderr', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athenaMock.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 5 * 1024 ** 3, EngineExecutionTimeInMillis: 2500 } },
    });
    athenaMock.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'target_group_arn', Type: 'varchar' }, { Name: 'estimated_seconds', Type: 'double' }] },
        Rows: [{ Data: [{ VarCharValue: 'target_group_arn' }, { VarCharValue: 'estimated_seconds' }] }, { Data: [{ VarCharValue: 'arn:tg/api' }, { VarCharValue: '5.999' }] }],
      },
    });
    const { stdout, stderr, error } = await athena(['run', 'keepalive-estimate', ...RANGE, '--workgroup', 'primary', '--region', 'eu-west-1']);
    expect(error).toBeNull();
    expect(stdout).toBe('target_group_arn  estimated_seconds\n----------------  -----------------\narn:tg/api                    5.999\n');
    expect(stderr).toContain('query q-1 started (keepalive-estimate)');
    expect(stderr).toContain('scanned 5.00 GB, billed 5.00 GB: $0.02');
    const sent = athenaMock.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(sent.WorkGroup).toBe('primary');
    expect(sent.ExecutionParameters?.length).toBeGreaterThan(0);
  });

  it('prints JSON with --format json', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athenaMock.on(GetQueryExecutionCommand).resolves({ QueryExecution: { QueryExecutionId: 'q-2', Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 0 } } });
    athenaMock.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'n', Type: 'bigint' }] },
        Rows: [{ Data: [{ VarCharValue: 'n' }] }, { Data: [{ VarCharValue: '7' }] }],
      },
    });
    const { stdout } = await athena(['run', 'alb-idle-timeout-from-504', ...RANGE, '--format', 'json', '--region', 'eu-west-1']);
    expect(JSON.parse(stdout)).toEqual([{ n: 7 }]);
  });

  it('ends a failed query with its code, for main to print', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athenaMock.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { QueryExecutionId: 'q-3', Status: { State: 'FAILED', AthenaError: { ErrorMessage: 'SYNTAX_ERROR' } } },
    });
    const { error, stderr } = await athena(['run', 'keepalive-estimate', ...RANGE, '--region', 'eu-west-1']);
    expect(error).toBe('ATHENA_QUERY_FAILED');
    expect(stderr).toContain('q-3');
  });

  it('checks its own flags before calling Athena', async () => {
    expect((await athena(['run', 'keepalive-estimate', ...RANGE, '--output-location', 'https://x'])).error).toBe('USAGE');
    expect((await athena(['run', 'keepalive-estimate', ...RANGE, '--max-wait', '-1'])).error).toBe('USAGE');
    expect(athenaMock.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});

describe('athena local (DuckDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alb-doctor-athena-cli-'));
  const logDir = join(dir, 'logs');
  beforeAll(async () => {
    await writeScenario(scenario('sample', undefined, { durationMs: 45 * 60_000 }), { seed: 2, logDir, truthDir: join(dir, 'truth'), gzip: true, junk: true, labels: false });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a template over local files, the range defaulting to the data', async () => {
    const { stdout, stderr, error } = await athena(['local', 'five-xx-by-class', logDir, '--format', 'json']);
    expect(error).toBeNull();
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.keys(rows[0]!)).toEqual(['target_group_arn', 'target_group', 'class', 'responses', 'requests', 'share_of_requests']);
    expect(stderr).toMatch(/^alb-doctor: 18 files, 4,735 lines loaded; 5 files skipped; 2 rows\.\n$/);
  });

  it('takes the same parameters as on Athena', async () => {
    const { stdout, error } = await athena(['local', 'alb-idle-timeout-from-504', logDir, '--param', 'from=2026-03-14T21:00Z', '--param', 'to=2026-03-14T21:40Z', '--param', 'alb_idle_timeout=75']);
    expect(error).toBeNull();
    expect(stdout).toMatch(/idle_timeout_seconds/);
    expect(stdout).toMatch(/\s75\s+flag/);
  });

  it('says so when nothing could be read', async () => {
    const missing = await athena(['local', 'five-xx-by-class', join(dir, 'missing')]);
    expect(missing.error).toBe('PATH_NOT_FOUND');
    expect(missing.stderr).toContain('no such file or folder');
    expect((await athena(['local', 'five-xx-by-class', join(dir, 'truth')])).error).toBe('USAGE');
  });
});

describe('textTable', () => {
  it('pads columns, right-aligns numbers and leaves NULL empty', () => {
    expect(textTable(['a', 'n'], [{ a: 'x', n: 1 }, { a: null, n: 22.5 }])).toBe('a  n\n-  ----\nx     1\n   22.5\n');
  });

  it('shows control characters from the logs as visible escapes, padded by what is shown', () => {
    expect(textTable(['name', 'n'], [{ name: 'a\x1b[2J\rb', n: 3 }])).toBe('name         n\n-----------  -\na\\x1b[2J\\rb  3\n');
  });

  it.each(HOSTILE_VALUES)('prints no control character of $name', ({ value }) => {
    const table = textTable(['target_group_name', 'user_agent'], [{ target_group_name: value, user_agent: value }]);
    expect(table).not.toMatch(TERMINAL_UNSAFE);
  });
});
