import { describe, expect, it } from 'vitest';
import {
  dayFolders,
  judgeKey,
  lbNameOf,
  listPrefixOf,
  mayHoldRange,
  parseS3Uri,
  prefixShape,
  rangePrefixes,
  stampToEpochMs,
} from '../../src/sources/s3Keys.js';

// Key layout: domain.md §4 and docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html.
const REGION = 'prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/';
const name = (lb: string, end: string, node = '172.31.4.17'): string =>
  `123456789012_elasticloadbalancing_eu-west-1_app.${lb}.50dc6c495c0c9188_${end}_${node}_20sg8hgm.log.gz`;
const at = (iso: string): Date => new Date(iso);

describe('parseS3Uri', () => {
  it.each([
    ['a bucket', 's3://alb-logs', 'alb-logs', ''],
    ['a bucket and slash', 's3://alb-logs/', 'alb-logs', ''],
    ['a prefix', 's3://alb-logs/prod/AWSLogs/', 'alb-logs', 'prod/AWSLogs/'],
    ['dots in the bucket name', 's3://logs.example.com/x', 'logs.example.com', 'x'],
    ['an upper-case scheme and a legacy bucket name', 'S3://Legacy_Bucket/x', 'Legacy_Bucket', 'x'],
  ])('accepts %s', (_label, uri, bucket, prefix) => {
    expect(parseS3Uri(uri)).toEqual({ bucket, prefix });
  });

  it.each([
    ['no bucket', 's3://'],
    ['an empty bucket before a prefix', 's3:///logs'],
    ['a one-letter bucket', 's3://b/logs'],
    ['a bucket starting with a hyphen', 's3://-logs/'],
    ['a space in the bucket', 's3://my logs/'],
    ['a colon in the bucket', 's3://arn:aws:s3:::logs'],
  ])('rejects %s as a usage error', (_label, uri) => {
    expect(() => parseS3Uri(uri)).toThrow(expect.objectContaining({ code: 'USAGE', source: uri }));
  });
});

describe('prefixShape', () => {
  it.each([
    ['the bucket root', '', { kind: 'above', folder: '' }],
    ['a custom prefix', 'prod', { kind: 'above', folder: 'prod/' }],
    ['a nested custom prefix', 'team/prod/', { kind: 'above', folder: 'team/prod/' }],
    ['AWSLogs without slash', 'prod/AWSLogs', { kind: 'awsLogs', folder: 'prod/AWSLogs/' }],
    ['AWSLogs at the root', 'AWSLogs/', { kind: 'awsLogs', folder: 'AWSLogs/' }],
    ['an account', 'prod/AWSLogs/123456789012', { kind: 'account', folder: 'prod/AWSLogs/123456789012/elasticloadbalancing/', listPrefix: 'prod/AWSLogs/123456789012/' }],
    ['the elasticloadbalancing folder', 'AWSLogs/123456789012/elasticloadbalancing/', { kind: 'account', folder: 'AWSLogs/123456789012/elasticloadbalancing/', listPrefix: 'AWSLogs/123456789012/elasticloadbalancing/' }],
    ['a region without slash', 'prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1', { kind: 'region', folder: REGION, below: '' }],
    ['a region', REGION, { kind: 'region', folder: REGION, below: '' }],
    ['a month below a region', `${REGION}2026/03/`, { kind: 'region', folder: REGION, below: '2026/03/' }],
    ['a partial file name', `${REGION}2026/03/01/123456789012_elasticloadbalancing_eu-west-1_app.web.`, { kind: 'region', folder: REGION, below: '2026/03/01/123456789012_elasticloadbalancing_eu-west-1_app.web.' }],
    ['another service under AWSLogs', 'AWSLogs/123456789012/CloudTrail/', { kind: 'other', prefix: 'AWSLogs/123456789012/CloudTrail/' }],
  ] as const)('%s', (_label, prefix, shape) => {
    expect(prefixShape(prefix)).toEqual(shape);
  });

  it('lists what the user named when there is no range', () => {
    expect(listPrefixOf(prefixShape('prod'))).toBe('prod/');
    expect(listPrefixOf(prefixShape('prod/AWSLogs/123456789012'))).toBe('prod/AWSLogs/123456789012/');
    expect(listPrefixOf(prefixShape(`${REGION}2026/03/0`))).toBe(`${REGION}2026/03/0`);
  });
});

describe('dayFolders', () => {
  it.each([
    ['one hour: the day before and after', '2025-06-15T10:00:00Z', '2025-06-15T11:00:00Z', ['2025/06/14/', '2025/06/15/', '2025/06/16/']],
    ['a range ending at midnight reads the next day too (late files)', '2026-03-01T23:00:00Z', '2026-03-02T00:00:00Z', ['2026/02/28/', '2026/03/01/', '2026/03/02/', '2026/03/03/']],
    ['across a year end', '2025-12-31T12:00:00Z', '2026-01-01T06:00:00Z', ['2025/12/30/', '2025/12/31/', '2026/01/01/', '2026/01/02/']],
    ['across 29 February', '2028-02-28T22:00:00Z', '2028-02-29T02:00:00Z', ['2028/02/27/', '2028/02/28/', '2028/02/29/', '2028/03/01/']],
  ])('%s', (_label, from, to, folders) => {
    expect(dayFolders(at(from), at(to))).toEqual(folders);
  });
});

describe('rangePrefixes', () => {
  const region = { kind: 'region', folder: REGION, below: '' } as const;
  const hour = [at('2025-06-15T10:00:00Z'), at('2025-06-15T11:00:00Z')] as const;

  it('lists day folders', () => {
    expect(rangePrefixes(region, ...hour)).toEqual([`${REGION}2025/06/14/`, `${REGION}2025/06/15/`, `${REGION}2025/06/16/`]);
  });

  it("narrows each day folder to one load balancer's file names", () => {
    expect(rangePrefixes(region, ...hour, 'web')[1]).toBe(`${REGION}2025/06/15/123456789012_elasticloadbalancing_eu-west-1_app.web.`);
  });

  it('keeps only the day folders under a prefix that names a month', () => {
    const june = { ...region, below: '2025/06/' };
    expect(rangePrefixes(june, at('2025-06-30T10:00:00Z'), at('2025-06-30T11:00:00Z'))).toEqual([`${REGION}2025/06/29/`, `${REGION}2025/06/30/`]);
  });

  it('lists a prefix that names part of a day folder as given', () => {
    const partial = { ...region, below: '2025/06/15/123456789012_elasticloadbalancing_eu-west-1_app.web.50dc' };
    expect(rangePrefixes(partial, ...hour, 'web')).toEqual([REGION + partial.below]);
  });

  it('lists nothing when the prefix names days outside the range', () => {
    expect(rangePrefixes({ ...region, below: '2024/' }, ...hour)).toEqual([]);
  });
});

describe('mayHoldRange', () => {
  const range = { from: at('2026-03-01T10:00:00Z'), to: at('2026-03-01T11:00:00Z') };
  it.each([
    ['the interval ending at the start', '2026-03-01T10:00:00Z', false],
    ['an interval ending before the start', '2026-03-01T09:55:00Z', false],
    ['the first interval of the range', '2026-03-01T10:05:00Z', true],
    ['the last interval of the range', '2026-03-01T11:00:00Z', true],
    ['the interval after the range, for entries logged late', '2026-03-01T11:05:00Z', true],
    ['two intervals after the range', '2026-03-01T11:10:00Z', false],
  ])('%s', (_label, end, holds) => {
    expect(mayHoldRange(Date.parse(end), range)).toBe(holds);
  });

  it('treats a missing bound as open', () => {
    expect(mayHoldRange(Date.parse('2020-01-01T00:00:00Z'), { to: range.to })).toBe(true);
    expect(mayHoldRange(Date.parse('2030-01-01T00:00:00Z'), { from: range.from })).toBe(true);
  });

  it('reads the stamp in AWS names as UTC', () => {
    expect(stampToEpochMs('20260301T1005Z')).toBe(Date.parse('2026-03-01T10:05:00Z'));
    expect(stampToEpochMs('2026-03-01T10:05Z')).toBeNaN();
  });
});

describe('judgeKey', () => {
  const range = { from: at('2026-03-01T10:00:00Z'), to: at('2026-03-01T11:00:00Z') };
  const day = `${REGION}2026/03/01/`;
  it.each([
    ['an access log in the range', `${day}${name('web', '20260301T1005Z')}`, 900, {}, { kind: 'read', nodeIp: '172.31.4.17' }],
    ['an access log of the chosen load balancer', `${day}${name('web', '20260301T1005Z', '2a05:d018::1')}`, 900, { lbName: 'web' }, { kind: 'read', nodeIp: '2a05:d018::1' }],
    ['an access log outside the range', `${day}${name('web', '20260301T0955Z')}`, 900, {}, { kind: 'outside' }],
    ["another load balancer's access log", `${day}${name('api', '20260301T1005Z')}`, 900, { lbName: 'web' }, { kind: 'outside' }],
    ['a load balancer whose name starts like the chosen one', `${day}${name('web-2', '20260301T1005Z')}`, 900, { lbName: 'web' }, { kind: 'outside' }],
    ['an empty access log', `${day}${name('web', '20260301T1005Z')}`, 0, {}, { kind: 'skip', reason: 'empty_object' }],
    ['an empty access log outside the range', `${day}${name('web', '20260301T0900Z')}`, 0, {}, { kind: 'outside' }],
    ['a connection log', `${day}conn_log_${name('web', '20260301T1005Z')}`, 90, {}, { kind: 'skip', reason: 'connection_log' }],
    ["another load balancer's connection log", `${day}conn_log_${name('api', '20260301T1005Z')}`, 90, { lbName: 'web' }, { kind: 'outside' }],
    ['a health-check log', `${day}health_check_log_${name('web', '20260301T1005Z')}`, 90, {}, { kind: 'skip', reason: 'health_check_log' }],
    ['the AWS test file', 'prod/AWSLogs/123456789012/ELBAccessLogTestFile', 60, { lbName: 'web' }, { kind: 'skip', reason: 'test_file' }],
    ['an NLB log', `${day}123456789012_elasticloadbalancing_eu-west-1_net.edge.0123456789abcdef_20260301T1005Z_ab12cd34.log.gz`, 90, {}, { kind: 'skip', reason: 'nlb_log' }],
    ['a README', 'prod/README.md', 90, {}, { kind: 'skip', reason: 'not_a_log_file' }],
    ['a console folder marker', `${day}`, 0, {}, { kind: 'outside' }],
    ['a file with an unknown name', 'prod/exports/all-nodes.log.gz', 90, {}, { kind: 'read', nodeIp: null }],
    ['a file with an unknown name when a load balancer is chosen', 'prod/exports/all-nodes.log.gz', 90, { lbName: 'web' }, { kind: 'outside' }],
  ] as const)('%s', (_label, key, size, extra, verdict) => {
    expect(judgeKey(key, size, { range, ...extra })).toEqual(verdict);
  });
});

describe('lbNameOf', () => {
  it.each([
    ['a name', 'my-alb', 'my-alb'],
    ['the log field form', 'app/my-alb/50dc6c495c0c9188', 'my-alb'],
    ['an ARN', 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188', 'my-alb'],
    ['an underscore', 'my_alb', null],
    ['an NLB', 'net/my-nlb/50dc6c495c0c9188', null],
    ['an empty name', '', null],
    ['33 characters', 'a'.repeat(33), null],
    ['a non-hex id', 'app/my-alb/zz', null],
  ])('%s', (_label, input, lbName) => {
    expect(lbNameOf(input)).toBe(lbName);
  });
});
