import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { MAX_LINE_BYTES } from '../../src/parse/parseLine.js';
import { columnsFor, LAYOUTS, SPEC, SPEC_INDEX } from '../support/albSpec.js';
import { errorOf, parseText, recordOf } from '../support/parseText.js';

/**
 * A full 2026 line (34 fields), token by token as the ALB writes it, and the record the `parse`
 * contract says it gives. Both written by hand; the layouts below are prefixes of it.
 */
const FULL: readonly string[] = [
  'https',
  '2026-03-01T10:00:00.123456Z',
  'app/my-loadbalancer/50dc6c495c0c9188',
  '192.168.131.39:2817',
  '10.0.0.1:80',
  '0.001',
  '0.052',
  '0.000',
  '200',
  '200',
  '589',
  '2084',
  '"GET https://www.example.com:443/a/b?c=d HTTP/1.1"',
  '"curl/8.5.0"',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'TLSv1.2',
  'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067',
  '"Root=1-58337281-1d84f3d73c47ec4e58577259"',
  '"www.example.com"',
  '"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012"',
  '1',
  '2026-03-01T10:00:00.070000Z',
  '"forward"',
  '"-"',
  '"-"',
  '"10.0.0.1:80"',
  '"200"',
  '"-"',
  '"-"',
  'TID_dc57cebed65b444ebc8177bb698fe166',
  '"-"',
  '"-"',
  '"-"',
  '10.0.5.17',
];

const FULL_RECORD: Readonly<Record<string, unknown>> = {
  type: 'https',
  time: '2026-03-01T10:00:00.123456Z',
  elb: 'app/my-loadbalancer/50dc6c495c0c9188',
  client_ip: '192.168.131.39',
  client_port: 2817,
  target_ip: '10.0.0.1',
  target_port: 80,
  request_processing_time: 0.001,
  target_processing_time: 0.052,
  response_processing_time: 0,
  elb_status_code: 200,
  target_status_code: 200,
  received_bytes: 589,
  sent_bytes: 2084,
  request_verb: 'GET',
  request_url: 'https://www.example.com:443/a/b?c=d',
  request_proto: 'HTTP/1.1',
  user_agent: 'curl/8.5.0',
  ssl_cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
  ssl_protocol: 'TLSv1.2',
  target_group_arn: 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067',
  trace_id: 'Root=1-58337281-1d84f3d73c47ec4e58577259',
  domain_name: 'www.example.com',
  chosen_cert_arn: 'arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012',
  matched_rule_priority: 1,
  request_creation_time: '2026-03-01T10:00:00.070000Z',
  actions_executed: 'forward',
  redirect_url: null,
  error_reason: null,
  target_port_list: '10.0.0.1:80',
  target_status_code_list: '200',
  classification: null,
  classification_reason: null,
  conn_trace_id: 'TID_dc57cebed65b444ebc8177bb698fe166',
  transformed_host: null,
  transformed_uri: null,
  request_transform_status: null,
  ip_address: '10.0.5.17',
};

/** FULL with some fields replaced (by AWS field name), cut to `count` fields. */
function lineWith(changes: Record<string, string> = {}, count = FULL.length): string {
  const tokens = [...FULL];
  for (const [name, token] of Object.entries(changes)) {
    const index = SPEC_INDEX[name];
    if (index === undefined) throw new Error(`no field ${name}`);
    tokens[index] = token;
  }
  return tokens.slice(0, count).join(' ');
}

/** FULL_RECORD cut to the columns of `count` fields, with `_file`/`_line`. */
function recordWith(changes: Record<string, unknown> = {}, count = FULL.length): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const column of columnsFor(count)) record[column] = column in changes ? changes[column] : FULL_RECORD[column];
  return { ...record, _file: 'test.log', _line: 1 };
}

describe('parseLine: every layout AWS has written', () => {
  const cases: { name: string; count: number; changes?: Record<string, string> }[] = [
    // The original layout ends at trace_id.
    { name: '2016, 18 fields', count: LAYOUTS[2016] },
    // 2017–2018: domain_name and chosen_cert_arn were not quoted yet.
    { name: '2017, 20 fields, bare domain_name/chosen_cert_arn', count: LAYOUTS['2017 (domain_name, chosen_cert_arn)'], changes: { domain_name: 'www.example.com', chosen_cert_arn: 'arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012' } },
    { name: '2017, 20 fields, quoted', count: LAYOUTS['2017 (domain_name, chosen_cert_arn)'] },
    { name: '2018, 23 fields', count: LAYOUTS['2018 (rule priority, creation time, actions)'] },
    { name: '2018, 24 fields', count: LAYOUTS['2018 (redirect_url)'] },
    { name: '2018, 25 fields', count: LAYOUTS['2018 (error_reason)'] },
    // AWS's 2020 examples wrote the lists bare, since 2021 they are quoted; promtail's 2020 line has 27.
    { name: '2020, 27 fields, bare lists', count: LAYOUTS['2020 (lists, no classification)'], changes: { 'target:port_list': '10.0.0.1:80', target_status_code_list: '200' } },
    { name: '2020, 27 fields, quoted lists', count: LAYOUTS['2020 (lists, no classification)'] },
    { name: '2020, 29 fields, bare lists', count: LAYOUTS['2020 (classification)'], changes: { 'target:port_list': '10.0.0.1:80', target_status_code_list: '200' } },
    { name: '2020, 29 fields, quoted lists', count: LAYOUTS['2020 (classification)'] },
    { name: '2024, 30 fields', count: LAYOUTS[2024] },
    { name: '2025, 33 fields', count: LAYOUTS[2025] },
    { name: '2026, 34 fields', count: LAYOUTS[2026] },
  ];
  it.each(cases)('$name', ({ count, changes }) => {
    const record = recordOf(lineWith(changes, count));
    const expected = recordWith({}, count);
    expect(record).toEqual(expected);
    // Fields beyond the layout are absent, not null; keys come in contract order.
    expect(Object.keys(record)).toEqual(Object.keys(expected));
  });

  it('gives numbers for ports, times, status codes, byte counts and rule priority', () => {
    const record = recordOf(lineWith()) as Record<string, unknown>;
    const numeric = ['client_port', 'target_port', 'request_processing_time', 'target_processing_time', 'response_processing_time', 'elb_status_code', 'target_status_code', 'received_bytes', 'sent_bytes', 'matched_rule_priority'];
    for (const column of numeric) expect(typeof record[column], column).toBe('number');
    for (const column of columnsFor(SPEC.length).filter((c) => !numeric.includes(c))) {
      expect(typeof record[column] === 'string' || record[column] === null, column).toBe(true);
    }
  });
});

interface PassingRow {
  name: string;
  changes: Record<string, string>;
  expected: Record<string, unknown>;
  /** Text after the last field (trailing tokens, CR, spaces). */
  suffix?: string;
}

const passing: PassingRow[] = [
  { name: '-1 timings stay -1', changes: { request_processing_time: '-1', target_processing_time: '-1', response_processing_time: '-1' }, expected: { request_processing_time: -1, target_processing_time: -1, response_processing_time: -1 } },
  { name: 'rule priority -1 (rule error) stays -1', changes: { matched_rule_priority: '-1' }, expected: { matched_rule_priority: -1 } },
  { name: 'rule priority - is null', changes: { matched_rule_priority: '-' }, expected: { matched_rule_priority: null } },
  { name: 'milliseconds read exactly', changes: { request_processing_time: '1.118', target_processing_time: '59.999', response_processing_time: '4000.001' }, expected: { request_processing_time: 1.118, target_processing_time: 59.999, response_processing_time: 4000.001 } },
  { name: 'byte counts beyond 32 bits', changes: { received_bytes: '123456789012', sent_bytes: '0' }, expected: { received_bytes: 123456789012, sent_bytes: 0 } },
  { name: 'target_status_code - is null', changes: { target_status_code: '-' }, expected: { target_status_code: null } },
  { name: 'target - gives null ip and port', changes: { 'target:port': '-' }, expected: { target_ip: null, target_port: null } },
  { name: 'target "-" quoted gives null ip and port', changes: { 'target:port': '"-"' }, expected: { target_ip: null, target_port: null } },
  { name: 'IPv6 client and target without brackets split at the last colon', changes: { 'client:port': '2601:6bbc:c529:9dad:6bbc:c529:9dad:6bbc:50599', 'target:port': 'fd6d:6bbc:c529:6::face:ed83:f46:80' }, expected: { client_ip: '2601:6bbc:c529:9dad:6bbc:c529:9dad:6bbc', client_port: 50599, target_ip: 'fd6d:6bbc:c529:6::face:ed83:f46', target_port: 80 } },
  { name: 'IPv6 with ::', changes: { 'client:port': '2001:db8::1:443' }, expected: { client_ip: '2001:db8::1', client_port: 443 } },
  { name: 'bracketed IPv6 is tolerated', changes: { 'client:port': '[2001:db8::1]:54321', 'target:port': '[fd00::5]:8080' }, expected: { client_ip: '2001:db8::1', client_port: 54321, target_ip: 'fd00::5', target_port: 8080 } },
  { name: 'ports 0 and 65535', changes: { 'client:port': '10.1.2.3:0', 'target:port': '10.1.2.4:65535' }, expected: { client_ip: '10.1.2.3', client_port: 0, target_ip: '10.1.2.4', target_port: 65535 } },
  { name: '\\x22 and \\x5C kept raw in the user agent', changes: { user_agent: '"Mozilla \\x22quoted\\x22 C:\\x5Cpath"' }, expected: { user_agent: 'Mozilla \\x22quoted\\x22 C:\\x5Cpath' } },
  { name: '\\x00000022 kept raw', changes: { user_agent: '"a\\x00000022b"' }, expected: { user_agent: 'a\\x00000022b' } },
  { name: '\\" kept raw', changes: { user_agent: '"say \\"hi\\" now"' }, expected: { user_agent: 'say \\"hi\\" now' } },
  { name: 'non-ASCII escapes kept raw', changes: { user_agent: '"\\xEC\\x97\\x90"' }, expected: { user_agent: '\\xEC\\x97\\x90' } },
  { name: 'raw spaces in the URI: split at the first and the last space', changes: { request: '"GET http://h.example:80/a b  c HTTP/1.1"' }, expected: { request_verb: 'GET', request_url: 'http://h.example:80/a b  c', request_proto: 'HTTP/1.1' } },
  { name: 'malformed request "- http://host:80- -"', changes: { request: '"- http://host:80- -"' }, expected: { request_verb: null, request_url: 'http://host:80-', request_proto: null } },
  { name: 'request "- - -"', changes: { request: '"- - -"' }, expected: { request_verb: null, request_url: null, request_proto: null } },
  // Seen in real logs (simnalamburt/elb-log-parser test data): a space after the version.
  { name: 'space after the HTTP version', changes: { request: '"GET http://h:80/ HTTP/1.0 "' }, expected: { request_verb: 'GET', request_url: 'http://h:80/', request_proto: 'HTTP/1.0' } },
  { name: 'odd methods are kept', changes: { request: '"--location https://example.com/ HTTP/2.0"' }, expected: { request_verb: '--location', request_url: 'https://example.com/', request_proto: 'HTTP/2.0' } },
  { name: '"-" quoted is null', changes: { user_agent: '"-"', trace_id: '"-"', domain_name: '"-"' }, expected: { user_agent: null, trace_id: null, domain_name: null } },
  { name: '- bare is null', changes: { ssl_cipher: '-', ssl_protocol: '-', target_group_arn: '-', conn_trace_id: '-', ip_address: '-' }, expected: { ssl_cipher: null, ssl_protocol: null, target_group_arn: null, conn_trace_id: null, ip_address: null } },
  { name: 'fields 30 and 34 as "-" quoted are null', changes: { conn_trace_id: '"-"', ip_address: '"-"' }, expected: { conn_trace_id: null, ip_address: null } },
  { name: 'request_creation_time - is null', changes: { request_creation_time: '-' }, expected: { request_creation_time: null } },
  { name: '"" is an empty string, not null', changes: { user_agent: '""', actions_executed: '""' }, expected: { user_agent: '', actions_executed: '' } },
  { name: 'several targets and status codes in the lists', changes: { 'target:port_list': '"10.0.0.1:80 10.0.0.2:80"', target_status_code_list: '"200 502"' }, expected: { target_port_list: '10.0.0.1:80 10.0.0.2:80', target_status_code_list: '200 502' } },
  { name: 'SNI with a leading space is kept as logged', changes: { domain_name: '" some-subdomain.domain.com"' }, expected: { domain_name: ' some-subdomain.domain.com' } },
  { name: 'actions list with commas', changes: { actions_executed: '"waf,forward"' }, expected: { actions_executed: 'waf,forward' } },
  { name: 'unknown request type is accepted', changes: { type: 'grpcs' }, expected: { type: 'grpcs' } },
  { name: '460 and 561 status codes', changes: { elb_status_code: '460', target_status_code: '561' }, expected: { elb_status_code: 460, target_status_code: 561 } },
  { name: '29 February of a leap year', changes: { time: '2024-02-29T23:59:59.999999Z', request_creation_time: '2024-02-29T00:00:00.000000Z' }, expected: { time: '2024-02-29T23:59:59.999999Z', request_creation_time: '2024-02-29T00:00:00.000000Z' } },
  { name: 'time without a fraction', changes: { time: '2026-03-01T10:00:00Z' }, expected: { time: '2026-03-01T10:00:00Z' } },
  { name: 'CRLF line end', changes: {}, expected: {}, suffix: '\r' },
  { name: 'trailing space', changes: {}, expected: {}, suffix: ' ' },
  { name: 'trailing spaces and CR', changes: {}, expected: {}, suffix: '   \r' },
  { name: 'extra trailing tokens kept in extra', changes: {}, expected: { extra: ['-', 'x', 'y z', ''] }, suffix: ' "-" x "y z" ""' },
  { name: 'extra trailing token before a CR', changes: {}, expected: { extra: ['TID_more'] }, suffix: ' TID_more\r' },
];

describe('parseLine: passing rows', () => {
  it.each(passing)('$name', ({ changes, expected, suffix }) => {
    const record = recordOf(lineWith(changes) + (suffix ?? ''));
    const { extra, ...columns } = expected;
    const want: Record<string, unknown> = recordWith(columns);
    if (extra !== undefined) {
      // `extra` comes after the fields and before _file/_line.
      const { _file, _line, ...rest } = want;
      expect(record).toEqual({ ...rest, extra, _file, _line });
      expect(Object.keys(record)).toEqual([...Object.keys(rest), 'extra', '_file', '_line']);
    } else {
      expect(record).toEqual(want);
      expect(record).not.toHaveProperty('extra');
    }
  });
});

interface FailingRow {
  name: string;
  line: string;
  code: keyof typeof ERROR_CODES;
  field?: string;
}

const badNumber = (field: string, token: string): FailingRow => ({
  name: `${field} = ${JSON.stringify(token)}`,
  line: lineWith({ [field]: token }),
  code: 'BAD_NUMBER',
  field,
});
const badTime = (field: string, token: string): FailingRow => ({
  name: `${field} = ${JSON.stringify(token)}`,
  line: lineWith({ [field]: token }),
  code: 'BAD_TIME',
  field,
});
const badAddress = (field: string, token: string): FailingRow => ({
  name: `${field} = ${JSON.stringify(token)}`,
  line: lineWith({ [field]: token }),
  code: 'BAD_ADDRESS',
  field,
});

const failing: FailingRow[] = [
  // A quote missing in mid-line is closed by a later one: only a line that runs out is unterminated.
  { name: 'line cut inside the user agent', line: lineWith({}, 14).slice(0, -3), code: 'UNTERMINATED_QUOTE', field: 'user_agent' },
  { name: 'unterminated quote in the request', line: lineWith({ request: '"GET http://h:80/ HTTP/1.1' }, 13), code: 'UNTERMINATED_QUOTE', field: 'request' },
  { name: 'closing quote escaped at the end of the line', line: lineWith({}, 24).replace(/"-"$/, '"-\\"'), code: 'UNTERMINATED_QUOTE', field: 'redirect_url' },
  { name: 'line cut inside the last quoted field', line: lineWith({}, 25).slice(0, -2), code: 'UNTERMINATED_QUOTE', field: 'error_reason' },
  { name: 'too few fields (17)', line: lineWith({}, 17), code: 'TOO_FEW_FIELDS' },
  // Two fields run together: reading on from the stuck quote would swallow the next fields into this one.
  { name: 'no space after the closing quote of chosen_cert_arn ("-"1)', line: lineWith({ chosen_cert_arn: '"-"' }).replace('"-" 1 ', '"-"1 '), code: 'MISSING_SPACE', field: 'chosen_cert_arn' },
  { name: 'no space after the closing quote of chosen_cert_arn, 2017 layout plus rule priority', line: lineWith({ chosen_cert_arn: '"-"' }, 21).replace(/"-" 1$/, '"-"1'), code: 'MISSING_SPACE', field: 'chosen_cert_arn' },
  { name: 'no space after the user agent', line: lineWith({}).replace('"curl/8.5.0" ', '"curl/8.5.0"'), code: 'MISSING_SPACE', field: 'user_agent' },
  { name: 'no space between two quoted fields', line: lineWith({}).replace('"forward" "-"', '"forward""-"'), code: 'MISSING_SPACE', field: 'actions_executed' },
  { name: 'no space after the last quoted field of the 2016 layout', line: `${lineWith({}, 18)}x`, code: 'MISSING_SPACE', field: 'trace_id' },
  { name: 'too few fields (one word)', line: 'hello', code: 'TOO_FEW_FIELDS' },
  { name: 'empty line', line: '', code: 'TOO_FEW_FIELDS' },
  { name: 'a Classic ELB line (no type field, 15 fields)', line: '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -', code: 'TOO_FEW_FIELDS' },
  { name: 'type in capitals', line: lineWith({ type: 'HTTP' }), code: 'BAD_TYPE', field: 'type' },
  { name: 'type with a slash', line: lineWith({ type: 'http/1.1' }), code: 'BAD_TYPE', field: 'type' },
  { name: 'type -', line: lineWith({ type: '-' }), code: 'BAD_TYPE', field: 'type' },
  { name: 'type too long to be a protocol word', line: lineWith({ type: 'abcdefghijklmnopq' }), code: 'BAD_TYPE', field: 'type' },
  { name: 'a Classic ELB line padded to 20 fields', line: '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - - a b c d e', code: 'BAD_TYPE', field: 'type' },
  badTime('time', '2026-02-31T10:00:00.000000Z'),
  badTime('time', '2025-02-29T10:00:00.000000Z'),
  badTime('time', '2026-13-01T10:00:00.000000Z'),
  badTime('time', '2026-00-10T10:00:00.000000Z'),
  badTime('time', '2026-01-00T10:00:00.000000Z'),
  badTime('time', '2026-01-01T24:00:00.000000Z'),
  badTime('time', '2026-01-01T12:60:00.000000Z'),
  badTime('time', '2026-01-01T12:00:00.000000'),
  badTime('time', '2026-01-01T12:00:00.000000+00:00'),
  badTime('time', '2026-01-01T12:00:00.Z'),
  badTime('time', '2026-01-01T12:00:00.12a4Z'),
  badTime('time', '2026-1-01T12:00:00.000000Z'),
  badTime('time', '-'),
  badTime('request_creation_time', '2026-02-30T10:00:00.000000Z'),
  badTime('request_creation_time', 'yesterday'),
  badNumber('request_processing_time', 'abc'),
  badNumber('request_processing_time', '1.'),
  badNumber('target_processing_time', '.5'),
  badNumber('target_processing_time', '1e3'),
  badNumber('response_processing_time', '0,001'),
  badNumber('response_processing_time', '--1'),
  badNumber('elb_status_code', '20O'),
  badNumber('elb_status_code', '""'),
  badNumber('target_status_code', '2.5'),
  badNumber('received_bytes', '1e3'),
  badNumber('received_bytes', '+1'),
  badNumber('sent_bytes', '0x10'),
  badNumber('sent_bytes', '12345678901234567890'),
  badNumber('matched_rule_priority', 'one'),
  badAddress('client:port', '192.168.131.39'),
  badAddress('client:port', '192.168.131.39:http'),
  badAddress('client:port', ':2817'),
  badAddress('target:port', '10.0.0.1:70000'),
  badAddress('target:port', '10.0.0.1:-1'),
  badAddress('target:port', '10.0.0.1:'),
  { name: 'line longer than any entry', line: lineWith({ user_agent: `"${'x'.repeat(MAX_LINE_BYTES)}"` }), code: 'LINE_TOO_LONG' },
];

describe('parseLine: failing rows', () => {
  it('has at least as many failing rows as passing ones', () => {
    expect(failing.length).toBeGreaterThanOrEqual(passing.length);
  });

  it.each(failing)('$code: $name', ({ line, code, field }) => {
    const error = errorOf(line, 'logs/file.log', 42);
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
    expect(error.source).toBe('logs/file.log');
    expect(error.line).toBe(42);
  });
});

describe('parseLine: processing times', () => {
  it('reads every millisecond value from 0 to 100 s as Number() reads its text', () => {
    const wrong: string[] = [];
    for (let ms = 0; ms <= 100_000; ms++) {
      const text = (ms / 1000).toFixed(3);
      const record = recordOf(lineWith({ target_processing_time: text }));
      if (!Object.is(record.target_processing_time, Number(text))) wrong.push(`${text} → ${record.target_processing_time}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});

describe('parseLine: JSON written directly', () => {
  const rows: { name: string; changes: Record<string, string>; expected: Record<string, unknown>; suffix?: string }[] = [
    { name: 'plain ASCII line', changes: {}, expected: {} },
    { name: 'escapes and \\" in the text', changes: { user_agent: '"a \\x22b\\x22 \\"c\\" d"' }, expected: { user_agent: 'a \\x22b\\x22 \\"c\\" d' } },
    { name: 'multi-byte and astral characters', changes: { user_agent: '"Mozilla é 日本 🙂"', domain_name: '"bücher.example"' }, expected: { user_agent: 'Mozilla é 日本 🙂', domain_name: 'bücher.example' } },
    { name: 'control characters', changes: { user_agent: '"tab\there bell\u0007"' }, expected: { user_agent: 'tab\there bell\u0007' } },
    { name: 'extra tokens', changes: {}, expected: { extra: ['-', 'x y'] }, suffix: ' - "x y"' },
  ];
  it.each(rows)('$name', ({ changes, expected, suffix }) => {
    const result = parseText(lineWith(changes) + (suffix ?? ''), 'a "quoted" name.log', 3);
    if (!result.ok) throw result.error;
    const { extra, ...columns } = expected;
    const want = recordWith(columns);
    delete want._file;
    delete want._line;
    if (extra !== undefined) want.extra = extra;
    Object.assign(want, { _file: 'a "quoted" name.log', _line: 3 });
    expect(result.entry.toJson(JSON.stringify('a "quoted" name.log'), 3)).toBe(JSON.stringify(want));
  });
});

describe('parseLine: entry view', () => {
  it('keeps the times as epoch milliseconds with the microseconds', () => {
    const result = parseText(lineWith({ time: '2026-03-01T10:00:00.123456Z', request_creation_time: '2026-02-28T23:59:59.5Z' }));
    if (!result.ok) throw result.error;
    expect(result.entry.timeMs).toBeCloseTo(Date.UTC(2026, 2, 1, 10, 0, 0, 123) + 0.456, 6);
    expect(result.entry.requestCreationTimeMs).toBeCloseTo(Date.UTC(2026, 1, 28, 23, 59, 59, 500), 6);
  });

  it('has no request creation time when it is -', () => {
    const result = parseText(lineWith({ request_creation_time: '-' }));
    if (!result.ok) throw result.error;
    expect(result.entry.requestCreationTimeMs).toBeNaN();
  });

  it('accepts a valid line after a rejected impossible date on the same day number', () => {
    // The day cache must not remember a date that was rejected.
    expect(errorOf(lineWith({ time: '2026-02-30T10:00:00Z' })).code).toBe('BAD_TIME');
    expect(recordOf(lineWith({ time: '2026-03-30T10:00:00Z' })).time).toBe('2026-03-30T10:00:00Z');
    expect(errorOf(lineWith({ time: '2026-02-30T10:00:00Z' })).code).toBe('BAD_TIME');
  });

  it('puts _file and _line from the caller', () => {
    const record = recordOf(lineWith(), 's3://bucket/key.log.gz', 7);
    expect(record._file).toBe('s3://bucket/key.log.gz');
    expect(record._line).toBe(7);
  });
});
