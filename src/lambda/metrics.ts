/**
 * CloudWatch metrics as Embedded Metric Format log lines (docs.aws.amazon.com/AmazonCloudWatch/latest/
 * monitoring/CloudWatch_Embedded_Metric_Format_Specification.html): CloudWatch Logs turns each line into
 * metrics, with no PutMetricData call and no permission beyond writing logs.
 *
 * Plain EMF rather than @aws-lambda-powertools/metrics: the job emits a handful of documents once per
 * run from a finished report, each stamped with the window's end rather than the invocation time and
 * with its own dimension set (load balancer; load balancer + target group; + class). Powertools' Metrics
 * collects values during an invocation under one dimension set and flushes them at its end; it would need
 * a singleMetric() per group and class, and a dependency in the bundle, to write the same few lines.
 *
 * Counts are per window (Timestamp = window end). A window re-analysed because of late log objects is
 * emitted again with counts at least as large: read these metrics with the Maximum statistic over a period
 * of one window, and re-runs and late deliveries never double-count.
 */
import type { ReportLike } from './analysis.js';

export const NAMESPACE = 'AlbDoctor';

export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [field: string]: unknown;
}

function document(timestampMs: number, dimensions: Record<string, string>, metrics: Record<string, { value: number; unit: string }>): EmfDocument {
  const doc: EmfDocument = {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: NAMESPACE,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.entries(metrics).map(([Name, m]) => ({ Name, Unit: m.unit })),
        },
      ],
    },
    ...dimensions,
  };
  for (const [name, m] of Object.entries(metrics)) doc[name] = m.value;
  return doc;
}

const raceRate = (races: number, requests: number): number => (requests === 0 ? 0 : races / requests);

/**
 * One window's metrics: requests, keep-alive races and their rate per load balancer and per target group,
 * and responses by cause class (the 5xx classes and 460) per target group.
 */
export function windowMetrics(report: ReportLike, loadBalancer: string, windowEndMs: number): EmfDocument[] {
  const requests = report.targetGroups.reduce((sum, g) => sum + g.requests, 0);
  const races = report.classes.keepalive_race ?? 0;
  const docs = [
    document(windowEndMs, { LoadBalancer: loadBalancer }, {
      Requests: { value: requests, unit: 'Count' },
      KeepAliveRaces: { value: races, unit: 'Count' },
      RaceRate: { value: raceRate(races, requests), unit: 'None' },
    }),
  ];
  for (const group of report.targetGroups) {
    const groupRaces = group.classes.keepalive_race ?? 0;
    const dimensions = { LoadBalancer: loadBalancer, TargetGroup: group.name };
    docs.push(
      document(windowEndMs, dimensions, {
        Requests: { value: group.requests, unit: 'Count' },
        KeepAliveRaces: { value: groupRaces, unit: 'Count' },
        RaceRate: { value: raceRate(groupRaces, group.requests), unit: 'None' },
      }),
    );
    for (const [cls, count] of Object.entries(group.classes)) {
      if (count === undefined || count === 0) continue;
      docs.push(document(windowEndMs, { ...dimensions, Class: cls }, { Responses: { value: count, unit: 'Count' } }));
    }
  }
  return docs;
}

/** T̂ of each target group whose estimate the rolling report holds with medium or high confidence. */
export function keepAliveMetrics(rolling: ReportLike, loadBalancer: string, windowEndMs: number): EmfDocument[] {
  return rolling.targetGroups
    .filter((g) => g.keepAlive.estimatedSeconds !== null && (g.keepAlive.confidence === 'medium' || g.keepAlive.confidence === 'high'))
    .map((g) =>
      document(windowEndMs, { LoadBalancer: loadBalancer, TargetGroup: g.name }, {
        KeepAliveTimeoutEstimate: { value: g.keepAlive.estimatedSeconds!, unit: 'Seconds' },
      }),
    );
}

/** Each document as one line on stdout, where the Lambda runtime hands it to CloudWatch Logs unchanged. */
export function emit(docs: readonly EmfDocument[], write: (line: string) => void = (line) => void process.stdout.write(line)): void {
  for (const doc of docs) write(JSON.stringify(doc) + '\n');
}
