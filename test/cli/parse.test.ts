import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/runCli.js';
import { SAMPLE_LINE, sampleLine, sampleText } from '../support/samples.js';

// The `parse` output contract, written out by hand (not taken from the field table).
const CONTRACT = [
  'type', 'time', 'elb', 'client_ip', 'client_port', 'target_ip', 'target_port',
  'request_processing_time', 'target_processing_time', 'response_processing_time',
  'elb_status_code', 'target_status_code', 'received_bytes', 'sent_bytes',
  'request_verb', 'request_url', 'request_proto', 'user_agent', 'ssl_cipher', 'ssl_protocol',
  'target_group_arn', 'trace_id', 'domain_name', 'chosen_cert_arn', 'matched_rule_priority',
  'request_creation_time', 'actions_executed', 'redirect_url', 'error_reason',
  'target_port_list', 'target_status_code_list', 'classification', 'classification_reason',
  'conn_trace_id', 'transformed_host', 'transformed_uri', 'request_transform_status', 'ip_address',
];

/** A 2026 line (34 fields) with a comma, an escaped quote, a `\"`, non-ASCII text and one trailing token. */
const LINE_2026 =
  'h2 2026-03-01T10:00:00.123456Z app/my-lb/50dc6c495c0c9188 2001:db8::1:50599 10.0.0.1:80 0.001 -1 -1 502 - 589 2084 "GET https://example.com:443/a b HTTP/2.0" "ua é🙂 \\x22x\\x22 \\"y\\"" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/api/73e2d6bc24d8a067 "Root=1-abc" "example.com" "arn:aws:acm:us-east-2:123456789012:certificate/1234" 10 2026-03-01T10:00:00.070000Z "waf,forward" "-" "-" "10.0.0.1:80" "-" "-" "-" TID_dc57cebed65b444ebc8177bb698fe166 "-" "-" "-" 10.0.5.17 "new"';

/** What the contract says LINE_2026 becomes (hand-written). */
const RECORD_2026 = {
  type: 'h2',
  time: '2026-03-01T10:00:00.123456Z',
  elb: 'app/my-lb/50dc6c495c0c9188',
  client_ip: '2001:db8::1',
  client_port: 50599,
  target_ip: '10.0.0.1',
  target_port: 80,
  request_processing_time: 0.001,
  target_processing_time: -1,
  response_processing_time: -1,
  elb_status_code: 502,
  target_status_code: null,
  received_bytes: 589,
  sent_bytes: 2084,
  request_verb: 'GET',
  request_url: 'https://example.com:443/a b',
  request_proto: 'HTTP/2.0',
  user_agent: 'ua é🙂 \\x22x\\x22 \\"y\\"',
  ssl_cipher: 'TLS_AES_128_GCM_SHA256',
  ssl_protocol: 'TLSv1.3',
  target_group_arn: 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/api/73e2d6bc24d8a067',
  trace_id: 'Root=1-abc',
  domain_name: 'example.com',
  chosen_cert_arn: 'arn:aws:acm:us-east-2:123456789012:certificate/1234',
  matched_rule_priority: 10,
  request_creation_time: '2026-03-01T10:00:00.070000Z',
  actions_executed: 'waf,forward',
  redirect_url: null,
  error_reason: null,
  target_port_list: '10.0.0.1:80',
  target_status_code_list: null,
  classification: null,
  classification_reason: null,
  conn_trace_id: 'TID_dc57cebed65b444ebc8177bb698fe166',
  transformed_host: null,
  transformed_uri: null,
  request_transform_status: null,
  ip_address: '10.0.5.17',
  extra: ['new'],
};

const run = (argv: string[], stdinData?: string | Buffer): Promise<CliRun> =>
  runCli(argv, stdinData === undefined ? {} : { stdinData });

const jsonl = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Two load balancers, ten minutes apart: line 1 at 22:23 and line 2 at 22:33 of my-loadbalancer, line 3 at 22:33 of other-lb. */
const MIXED = [
  sampleLine(0),
  sampleLine(1).replace('2018-07-02T22:23:00.186641Z', '2018-07-02T22:33:00.186641Z'),
  sampleLine(2).replace('2018-07-02T22:23:00.186641Z', '2018-07-02T22:33:00.186641Z').replace('app/my-loadbalancer/50dc6c495c0c9188', 'app/other-lb/0123456789abcdef'),
];

let dir: string;
const at = (name: string): string => path.join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'alb-doctor-cli-'));
  writeFileSync(at('2026.log'), `${LINE_2026}\n`);
  writeFileSync(at('two.log.gz'), gzipSync(sampleText(2)));
  writeFileSync(at('bad.log'), `${sampleLine(0)}\n${sampleLine(1).replace(' 34 366 ', ' 34 3x6 ')}\nnot an entry\n`);
  writeFileSync(at('mixed.log'), MIXED.map((l) => `${l}\n`).join(''));
  mkdirSync(at('out'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('alb-doctor parse', () => {
  it('writes JSONL with the contract keys in order, extra after them, then _file and _line', async () => {
    const result = await run(['parse', at('2026.log')]);
    expect(result.code).toBe(0);
    const [record, ...rest] = jsonl(result.stdout);
    expect(rest).toEqual([]);
    expect(Object.keys(record!)).toEqual([...CONTRACT, 'extra', '_file', '_line']);
    expect(record).toEqual({ ...RECORD_2026, _file: at('2026.log'), _line: 1 });
  });

  it('omits the fields an older layout lacks', async () => {
    const result = await run(['parse', at('two.log.gz')]);
    expect(result.code).toBe(0);
    const records = jsonl(result.stdout);
    // The sample is a 29-field line: it ends at classification_reason.
    const through29 = CONTRACT.slice(0, CONTRACT.indexOf('classification_reason') + 1);
    for (const record of records) expect(Object.keys(record)).toEqual([...through29, '_file', '_line']);
    expect(records.map((r) => [r._file, r._line, r.client_port])).toEqual([
      [at('two.log.gz'), 1, 1000],
      [at('two.log.gz'), 2, 1001],
    ]);
  });

  it('writes CSV with one header of every column, values quoted where needed', async () => {
    const result = await run(['parse', '--format', 'csv', at('2026.log'), at('two.log.gz')]);
    expect(result.code).toBe(0);
    const [header] = result.stdout.split('\n');
    expect(header).toBe([...CONTRACT, 'extra', '_file', '_line'].join(','));
    // Read back with an independent CSV reader.
    const rows = parseCsv(result.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    const text = (v: unknown): string => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v));
    const expected = Object.fromEntries([...CONTRACT, 'extra'].map((c) => [c, text((RECORD_2026 as Record<string, unknown>)[c])]));
    expect(rows[0]).toEqual({ ...expected, _file: at('2026.log'), _line: '1' });
    // Columns the 29-field layout lacks are empty.
    expect(rows[1]!.conn_trace_id).toBe('');
    expect(rows[1]!.ip_address).toBe('');
    expect(rows[1]!.client_port).toBe('1000');
  });

  describe('CSV for spreadsheets', () => {
    // AWS's sample line with a hostile user agent and a hostile target group; its times -1 stay numbers.
    const hostile = (userAgent: string): string =>
      SAMPLE_LINE.replace('"curl/7.46.0"', `"${userAgent}"`)
        .replace('0.000 0.001 0.000 200 200', '0.000 -1 -1 502 -')
        .replace(/arn:aws:elasticloadbalancing:\S+/, '@SUM(1+1)');
    const csvRows = (stdout: string): Record<string, string>[] => parseCsv(stdout, { columns: true, relax_quotes: true }) as Record<string, string>[];

    const cases: { name: string; userAgent: string; written: string }[] = [
      { name: 'equals', userAgent: "=HYPERLINK(\\x22http://evil\\x22)", written: "'=HYPERLINK(\\x22http://evil\\x22)" },
      { name: 'plus', userAgent: '+1+2', written: "'+1+2" },
      { name: 'minus', userAgent: '-2+3', written: "'-2+3" },
      { name: 'at', userAgent: '@SUM(1)', written: "'@SUM(1)" },
      // A tab or CR is written as a visible escape, which no spreadsheet runs.
      { name: 'tab', userAgent: '\t=1+1', written: '\\t=1+1' },
      { name: 'carriage return', userAgent: '\r=1+1', written: '\\r=1+1' },
      // Controls anywhere, as visible escapes: a file that is printed obeys none of them.
      { name: 'an escape sequence', userAgent: 'ua\x1b[2J\x1b]52;c;eA==\x07\u009b\u202e', written: 'ua\\x1b[2J\\x1b]52;c;eA==\\x07\\x9b\\u202e' },
      // Not formulas: left as logged.
      { name: 'plain text', userAgent: 'curl/8.0', written: 'curl/8.0' },
      { name: 'an equals sign inside', userAgent: 'a=b', written: 'a=b' },
      { name: 'a space before the sign', userAgent: ' =1', written: ' =1' },
      { name: 'empty', userAgent: '', written: '' },
      { name: 'a bare dash (null)', userAgent: '-', written: '' },
    ];

    it.each(cases)('a user agent that starts with $name is written as $written', async ({ userAgent, written }) => {
      const file = at(`ua-${userAgent.length}-${Buffer.from(userAgent).toString('hex')}.log`);
      writeFileSync(file, `${hostile(userAgent)}\n`);
      const result = await run(['parse', '--format', 'csv', file]);
      expect(result.code).toBe(0);
      const [row] = csvRows(result.stdout);
      expect(row!.user_agent).toBe(written);
      // Every text column follows the rule; numbers never do.
      expect(row!.target_group_arn).toBe("'@SUM(1+1)");
      expect(row!.target_processing_time).toBe('-1');
      expect(row!.response_processing_time).toBe('-1');
      expect(row!.target_status_code).toBe('');
    });

    it('puts the quote inside the quoted field', async () => {
      const file = at('ua-quoted.log');
      writeFileSync(file, `${hostile('=1+1')}\n`);
      const result = await run(['parse', '--format', 'csv', file]);
      expect(result.stdout).toContain(`,"'=1+1",`);
      expect(result.stdout).toContain(',-1,-1,502,,');
    });

    it('--csv-raw writes the text as logged', async () => {
      const file = at('ua-raw.log');
      writeFileSync(file, `${hostile('=1+1')}\n${hostile('\x1b[2J')}\n`);
      const result = await run(['parse', '--format', 'csv', '--csv-raw', file]);
      expect(result.code).toBe(0);
      const [row, escape] = csvRows(result.stdout);
      expect(escape!.user_agent).toBe('\x1b[2J');
      expect(row!.user_agent).toBe('=1+1');
      expect(row!.target_group_arn).toBe('@SUM(1+1)');
    });

    it('JSONL is never changed, and --csv-raw without CSV is a usage error', async () => {
      const file = at('ua-jsonl.log');
      writeFileSync(file, `${hostile('=1+1')}\n`);
      const result = await run(['parse', file]);
      expect(jsonl(result.stdout)[0]!.user_agent).toBe('=1+1');
      const usage = await run(['parse', '--csv-raw', file]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('--format csv');
    });
  });

  it('reads - from stdin, gzip or plain', async () => {
    const plain = await run(['parse', '-'], sampleText(2));
    expect(plain.code).toBe(0);
    expect(jsonl(plain.stdout).map((r) => [r._file, r._line])).toEqual([
      ['-', 1],
      ['-', 2],
    ]);
    const gz = await run(['parse', '-'], gzipSync(sampleText(3)));
    expect(jsonl(gz.stdout).map((r) => r.client_port)).toEqual([1000, 1001, 1002]);
  });

  it('writes to --output instead of stdout', async () => {
    const target = at('out/records.jsonl');
    const result = await run(['parse', '-o', target, at('two.log.gz')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(jsonl(readFileSync(target, 'utf8'))).toHaveLength(2);
  });

  it('rejects an unknown flag with exit 2 and one line on stderr', async () => {
    const result = await run(['parse', '--no-such-flag', at('2026.log')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--no-such-flag');
  });

  it('rejects an unknown --format with exit 2', async () => {
    const result = await run(['parse', '--format', 'xml', at('2026.log')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('exits 1 for a missing path but still writes the records of the other files', async () => {
    const result = await run(['parse', at('missing.log'), at('two.log.gz')]);
    expect(result.code).toBe(1);
    expect(jsonl(result.stdout).map((r) => [r._file, r._line])).toEqual([
      [at('two.log.gz'), 1],
      [at('two.log.gz'), 2],
    ]);
    expect(result.stderr).toContain(at('missing.log'));
  });

  it('reports malformed lines on stderr with file:line and code, and keeps the good ones', async () => {
    const result = await run(['parse', at('bad.log')]);
    expect(result.code).toBe(0);
    expect(jsonl(result.stdout).map((r) => r._line)).toEqual([1]);
    expect(result.stderr).toContain('BAD_NUMBER');
    expect(result.stderr).toContain(`${at('bad.log')}:2`);
    expect(result.stderr).toContain('TOO_FEW_FIELDS');
    expect(result.stderr).toContain(`${at('bad.log')}:3`);
  });

  describe('--from/--to and --lb choose the entries written, from files as from S3', () => {
    const lines = async (flags: string[]): Promise<unknown[]> => {
      const result = await run(['parse', at('mixed.log'), ...flags]);
      expect(result.code).toBe(0);
      return jsonl(result.stdout).map((r) => r._line);
    };
    const cases: [string, string[], number[]][] = [
      ['no flag: every entry', [], [1, 2, 3]],
      ['--from', ['--from', '2018-07-02T22:30Z'], [2, 3]],
      ['--to', ['--to', '2018-07-02T22:30Z'], [1]],
      ['--from and --to around no entry', ['--from', '2018-07-02T22:24Z', '--to', '2018-07-02T22:30Z'], []],
      ['--lb by name', ['--lb', 'my-loadbalancer'], [1, 2]],
      ['--lb by app/<name>/<id>', ['--lb', 'app/other-lb/0123456789abcdef'], [3]],
      ['--lb by ARN', ['--lb', 'arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/other-lb/0123456789abcdef'], [3]],
      ['--lb of no entry', ['--lb', 'my-loadbalancer2'], []],
      ['--lb and --from', ['--lb', 'my-loadbalancer', '--from', '2018-07-02T22:30Z'], [2]],
    ];
    it.each(cases)('%s', async (_name, flags, expected) => {
      expect(await lines(flags)).toEqual(expected);
    });

    it('says on stderr how many entries were left out, and why', async () => {
      const result = await run(['parse', at('mixed.log'), '--lb', 'my-loadbalancer', '--from', '2018-07-02T22:30Z']);
      expect(result.stderr).toMatch(/left out 1 entry outside --from\/--to/);
      expect(result.stderr).toMatch(/left out 1 entry of other load balancers than --lb names/);
    });

    it('rejects an --lb that names no load balancer: exit 2, one sentence, nothing written', async () => {
      const target = at('out/never.jsonl');
      const result = await run(['parse', at('mixed.log'), '--lb', 'not a name!', '-o', target]);
      expect(result.code).toBe(2);
      expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^alb-doctor: --lb 'not a name!' is not a load balancer; /)]);
      expect(() => readFileSync(target)).toThrow();
    });
  });
});
