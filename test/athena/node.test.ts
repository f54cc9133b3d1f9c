/**
 * The ALB node of an entry: the SQL takes it from "$path" with a regular expression (queries/_analysis.sql);
 * the analyzer from the object name (src/sources/logNames.ts). Both must name the same node for every
 * key, or pairs would differ between Athena and the report.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUERIES_DIR } from '../../src/athena/templates.js';
import { classifyLogName } from '../../src/sources/logNames.js';
import { scenario, simulate } from '../generator/index.js';

const analysisSql = readFileSync(join(QUERIES_DIR, '_analysis.sql'), 'utf8');
const nodePattern = /regexp_extract\(path, '([^']+)', 1\)/.exec(analysisSql)![1]!;
const sqlNode = (path: string): string | null => new RegExp(nodePattern).exec(path)?.[1] ?? null;

const keys = [
  ...simulate(scenario('sample', undefined, { durationMs: 20 * 60_000 }), 4).files.map((f) => `s3://my-alb-logs/prod/${f.key}`),
  ...simulate(scenario('sample', undefined, { durationMs: 20 * 60_000 }), 4, { noNode: true }).files.map((f) => `/var/tmp/${f.key}`),
  's3://b/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/03/14/123456789012_elasticloadbalancing_eu-west-1_app.my-lb.50dc6c495c0c9188_20260314T2340Z_2001:db8::7_a1b2c3d4.log.gz',
  's3://b/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/03/14/123456789012_elasticloadbalancing_eu-west-1_app.my-lb.50dc6c495c0c9188_20260314T2340Z_10.0.1.7_a1b2c3d4.log',
  '/logs/123456789012_elasticloadbalancing_eu-west-1_my-classic-lb_20260314T2340Z_10.0.1.7_a1b2c3d4.log',
  '/logs/access.log',
];

describe('the node IP in "$path"', () => {
  it.each(keys.map((k) => [basename(k), k]))('%s', (_name, key) => {
    const verdict = classifyLogName(basename(key), true);
    const analyzerNode = verdict.kind === 'alb' ? verdict.nodeIp : null;
    expect(sqlNode(key)).toBe(analyzerNode);
  });

  it('is found in the generated S3 keys', () => {
    expect(keys.filter((k) => sqlNode(k) !== null).length).toBeGreaterThan(4);
  });
});
