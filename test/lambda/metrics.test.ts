import { describe, expect, it } from 'vitest';
import { emit, keepAliveMetrics, NAMESPACE, windowMetrics } from '../../src/lambda/metrics.js';
import { reportWith } from './reports.js';

const END_MS = Date.parse('2026-03-02T10:00:00Z');

/** What CloudWatch requires of an EMF document: every declared metric and dimension is a root field. */
function expectValidEmf(doc: Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } }) {
  expect(doc._aws.Timestamp).toBe(END_MS);
  for (const directive of doc._aws.CloudWatchMetrics) {
    expect(directive.Namespace).toBe(NAMESPACE);
    for (const set of directive.Dimensions) for (const d of set) expect(typeof doc[d]).toBe('string');
    for (const m of directive.Metrics) expect(typeof doc[m.Name]).toBe('number');
    expect(directive.Dimensions.flat().length).toBeLessThanOrEqual(30);
    expect(directive.Metrics.length).toBeLessThanOrEqual(100);
  }
}

describe('windowMetrics', () => {
  const docs = windowMetrics(reportWith({ status: 'races', confidence: 'high', races: 25, requests: 10_000 }), 'checkout-prod', END_MS);

  it('writes valid EMF documents stamped with the window end', () => {
    for (const doc of docs) expectValidEmf(doc);
  });

  it('gives requests, races and race rate per load balancer and per target group, and responses by class', () => {
    const shape = docs.map((d) => ({
      dimensions: d._aws.CloudWatchMetrics[0]!.Dimensions[0],
      metrics: Object.fromEntries(d._aws.CloudWatchMetrics[0]!.Metrics.map((m) => [m.Name, [d[m.Name], m.Unit]])),
      ...(d.Class !== undefined && { class: d.Class }),
    }));
    expect(shape).toEqual([
      { dimensions: ['LoadBalancer'], metrics: { Requests: [10_000, 'Count'], KeepAliveRaces: [25, 'Count'], RaceRate: [0.0025, 'None'] } },
      { dimensions: ['LoadBalancer', 'TargetGroup'], metrics: { Requests: [10_000, 'Count'], KeepAliveRaces: [25, 'Count'], RaceRate: [0.0025, 'None'] } },
      { dimensions: ['LoadBalancer', 'TargetGroup', 'Class'], metrics: { Responses: [25, 'Count'] }, class: 'keepalive_race' },
      { dimensions: ['LoadBalancer', 'TargetGroup', 'Class'], metrics: { Responses: [3, 'Count'] }, class: 'target_5xx' },
    ]);
    expect(docs[1]).toMatchObject({ LoadBalancer: 'checkout-prod', TargetGroup: 'shop-api' });
  });

  it('gives a zero race rate, not NaN, for a window without requests', () => {
    const [lb] = windowMetrics(reportWith({ status: 'none', confidence: 'none', requests: 0 }), 'lb', END_MS);
    expect(lb!.RaceRate).toBe(0);
  });
});

describe('keepAliveMetrics', () => {
  it('gives T̂ in seconds for estimates of medium or high confidence only', () => {
    const report = reportWith(
      { status: 'races', confidence: 'high', estimatedSeconds: 6.01 },
      { arn: 'b', name: 'low', status: 'races', confidence: 'low', estimatedSeconds: 2 },
      { arn: 'c', name: 'none', status: 'none', confidence: 'none', estimatedSeconds: null },
    );
    const docs = keepAliveMetrics(report, 'lb', END_MS);
    expect(docs).toHaveLength(1);
    expectValidEmf(docs[0]!);
    expect(docs[0]).toMatchObject({ TargetGroup: 'shop-api', KeepAliveTimeoutEstimate: 6.01 });
    expect(docs[0]!._aws.CloudWatchMetrics[0]!.Metrics).toEqual([{ Name: 'KeepAliveTimeoutEstimate', Unit: 'Seconds' }]);
  });
});

describe('emit', () => {
  it('writes one JSON document per line', () => {
    const lines: string[] = [];
    emit(windowMetrics(reportWith({ status: 'none', confidence: 'none' }), 'lb', END_MS), (line) => lines.push(line));
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(JSON.parse(lines[0]!)._aws.Timestamp).toBe(END_MS);
  });
});
