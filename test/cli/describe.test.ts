/**
 * `alb-doctor report --describe` end to end, in-process through `main`, with the ELBv2 client stubbed on
 * one instance handed in through CliIo's `describeClient` (no global mock): the settings read replace the
 * inferred ones in every format, and a describe that fails is one sentence on stderr, a note in the
 * report and exit 0, the report standing on what the logs suggest.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeTargetGroupAttributesCommand,
  ElasticLoadBalancingV2Client,
  LoadBalancerNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli } from '../support/runCli.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-2';
const ELB = 'app/my-loadbalancer/50dc6c495c0c9188';
const LB_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/${ELB}`;
const TG = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/api/73e2d6bc24d8a067`;
const START_MS = Date.parse('2024-05-02T10:00:00Z');

/** One entry; `times` are the three processing times (`-1 -1 -1`: the target was not listening). */
function entry(timeMs: number, status: number, target: string, times: string): string {
  const time = new Date(timeMs).toISOString().replace('Z', '000Z');
  const targetStatus = status === 502 ? '-' : String(status);
  return (
    `http ${time} ${ELB} 192.168.131.39:2817 ${target} ${times} ${status} ${targetStatus} 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - ${TG} ` +
    `"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 ${time} "forward" "-" "-" "${target}" "${targetStatus}" "-" "-"`
  );
}

// A minute of answered requests, then a run of refused connections on another target: a deploy's signature.
const dir = mkdtempSync(join(tmpdir(), 'alb-doctor-describe-'));
const lines = [
  ...Array.from({ length: 60 }, (_, i) => entry(START_MS + i * 1000, 200, '10.0.0.1:80', '0.000 0.001 0.000')),
  ...Array.from({ length: 4 }, (_, i) => entry(START_MS + 61_000 + i * 200, 502, '10.0.0.2:80', '-1 -1 -1')),
];
// Named as the ALB names it in S3 (and `aws s3 sync` keeps): the region and account of the load balancer.
writeFileSync(join(dir, `${ACCOUNT}_elasticloadbalancing_${REGION}_app.my-loadbalancer.50dc6c495c0c9188_20240502T1005Z_172.31.4.17_abcd1234.log`), lines.join('\n') + '\n');

const client = new ElasticLoadBalancingV2Client({ region: REGION, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
const elb = mockClient(client);
const regions: string[] = [];
const describeClient = (region: string): ElasticLoadBalancingV2Client => {
  regions.push(region);
  return client;
};

beforeEach(() => {
  elb.reset();
  regions.length = 0;
});

function settingsInForce(idleSeconds = 120, delaySeconds = 300): void {
  elb.on(DescribeLoadBalancerAttributesCommand, { LoadBalancerArn: LB_ARN }).resolves({ Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: String(idleSeconds) }] });
  elb.on(DescribeTargetGroupAttributesCommand, { TargetGroupArn: TG }).resolves({ Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(delaySeconds) }] });
}

const report = async (...flags: string[]) => {
  const run = await runCli(['report', dir, ...flags], { describeClient });
  return { ...run, json: flags.includes('json') ? (JSON.parse(run.stdout) as Report) : null };
};

describe('report --describe', () => {
  it("uses the load balancer's idle timeout and shows each group's deregistration delay, with where they came from", async () => {
    settingsInForce();
    const { code, stderr, json } = await report('--describe', '--format', 'json');
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/--describe/);
    // The ARN built from the file name, and the client signed for its region.
    expect(elb.commandCalls(DescribeLoadBalancerAttributesCommand).map((c) => c.args[0].input)).toEqual([{ LoadBalancerArn: LB_ARN }]);
    expect(regions).toContain(REGION);
    expect(json!.albIdleTimeoutSeconds).toEqual({ value: 120, source: 'described' });
    expect(json!.targetGroups.find((g) => g.arn === TG)!.deregistrationDelaySeconds).toEqual({ value: 300, source: 'described' });
    expect(json!.described).toEqual({
      loadBalancers: [{ arn: LB_ARN, idleTimeoutSeconds: 120 }],
      targetGroups: [{ arn: TG, deregistrationDelaySeconds: 300 }],
      errors: [],
    });
    expect(json!.notes.join(' ')).toContain("my-loadbalancer's idle_timeout.timeout_seconds as read from AWS");
    const deploy = json!.recommendations.find((r) => (r as { kind?: string }).kind === 'deploy')!;
    expect(deploy.action).toContain("api's deregistration delay is 300 s");
    expect(deploy.albIdleTimeoutSeconds).toBe(120);
  });

  it.each(['text', 'markdown', 'html'])('%s: the deregistration delay beside the deploy advice, the idle timeout with its source', async (format) => {
    settingsInForce();
    const { code, stdout } = await report('--describe', '--format', format);
    expect(code).toBe(0);
    expect(stdout).toContain('deregistration delay is 300 s');
    expect(stdout).toMatch(/120 s \(the load balancer(&#39;|&#x27;|')s setting, read with --describe\)/);
  });

  it('without --describe nothing is asked and the JSON has none of its keys', async () => {
    settingsInForce();
    const { code, json } = await report('--format', 'json');
    expect(code).toBe(0);
    expect(elb.calls()).toHaveLength(0);
    expect(regions).toEqual([]);
    expect(json!.albIdleTimeoutSeconds.source).toBe('default');
    expect('described' in json!).toBe(false);
    expect('deregistrationDelaySeconds' in json!.targetGroups[0]!).toBe(false);
  });

  it('--alb-idle-timeout still wins, and a note says the load balancer has another value', async () => {
    settingsInForce(120);
    const { json } = await report('--describe', '--alb-idle-timeout', '60', '--format', 'json');
    expect(json!.albIdleTimeoutSeconds).toEqual({ value: 60, source: 'flag' });
    expect(json!.notes.join(' ')).toMatch(/--alb-idle-timeout says 60 s, but the load balancer's idle_timeout.timeout_seconds is 120 s/);
    // The deregistration delay is still read and used.
    expect(json!.targetGroups[0]!.deregistrationDelaySeconds).toEqual({ value: 300, source: 'described' });
  });

  it('--lb as an ARN names the load balancer to describe', async () => {
    const other = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/${ELB}`;
    elb.on(DescribeLoadBalancerAttributesCommand, { LoadBalancerArn: other }).resolves({ Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '90' }] });
    elb.on(DescribeTargetGroupAttributesCommand).resolves({ Attributes: [] });
    const { json } = await report('--describe', '--lb', other, '--format', 'json');
    expect(json!.albIdleTimeoutSeconds).toEqual({ value: 90, source: 'described' });
    expect(regions).toContain('eu-west-1');
  });

  it('load balancers whose idle timeouts differ: none is used, and a note says to pass --lb', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'alb-doctor-describe-two-'));
    const otherElb = 'app/other-lb/0123456789abcdef';
    const otherArn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/${otherElb}`;
    writeFileSync(
      join(otherDir, `${ACCOUNT}_elasticloadbalancing_${REGION}_app.other-lb.0123456789abcdef_20240502T1005Z_172.31.4.18_efgh5678.log`),
      entry(START_MS + 30_000, 200, '10.0.0.1:80', '0.000 0.001 0.000').replace(ELB, otherElb) + '\n',
    );
    settingsInForce(120);
    elb.on(DescribeLoadBalancerAttributesCommand, { LoadBalancerArn: otherArn }).resolves({ Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '60' }] });
    const run = await runCli(['report', dir, otherDir, '--describe', '--format', 'json'], { describeClient });
    const json = JSON.parse(run.stdout) as Report;
    expect(json.described!.loadBalancers.map((lb) => lb.arn)).toEqual([LB_ARN, otherArn]);
    expect(json.albIdleTimeoutSeconds.source).toBe('default');
    expect(json.notes.join(' ')).toContain('The logs hold load balancers with different idle timeouts (my-loadbalancer 120 s, other-lb 60 s)');
    // --lb picks one: its entries only, and its setting.
    const one = await runCli(['report', dir, otherDir, '--describe', '--lb', 'other-lb', '--format', 'json'], { describeClient });
    expect((JSON.parse(one.stdout) as Report).albIdleTimeoutSeconds).toEqual({ value: 60, source: 'described' });
  });

  const failures: [string, () => void, string, RegExp][] = [
    [
      'access denied',
      () => elb.on(DescribeLoadBalancerAttributesCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })),
      'DESCRIBE_ACCESS_DENIED',
      /^alb-doctor: --describe: access denied to elasticloadbalancing:DescribeLoadBalancerAttributes on arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer\/app\/my-loadbalancer\/50dc6c495c0c9188; allow that action/m,
    ],
    [
      'an unknown load balancer',
      () => elb.on(DescribeLoadBalancerAttributesCommand).rejects(new LoadBalancerNotFoundException({ message: 'not found', $metadata: { httpStatusCode: 400 } })),
      'DESCRIBE_NOT_FOUND',
      /^alb-doctor: --describe: no load balancer arn:\S+ in that account and region; /m,
    ],
    [
      'no credentials',
      () => elb.on(DescribeLoadBalancerAttributesCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
      'DESCRIBE_NO_CREDENTIALS',
      /^alb-doctor: --describe: no AWS credentials found \(Could not load credentials from any providers\); run 'aws configure'/m,
    ],
    [
      'throttling',
      () => elb.on(DescribeLoadBalancerAttributesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } })),
      'DESCRIBE_THROTTLED',
      /^alb-doctor: --describe: Elastic Load Balancing throttled elasticloadbalancing:DescribeLoadBalancerAttributes even after retries; /m,
    ],
  ];
  it.each(failures)('%s: one sentence on stderr, a note, exit 0, the inferred values', async (_name, stub, code, sentence) => {
    stub();
    elb.on(DescribeTargetGroupAttributesCommand).resolves({ Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '300' }] });
    const run = await report('--describe', '--format', 'json');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(sentence);
    expect(run.stderr.match(/--describe/g)).toHaveLength(1);
    const json = run.json!;
    expect(json.albIdleTimeoutSeconds).toEqual({ value: 60, source: 'default' });
    expect(json.described!.errors.map((e) => e.code)).toEqual([code]);
    expect(json.notes.join(' ')).toMatch(/--describe could not read every setting from AWS: .*; where it failed, the report uses what the logs suggest\./);
    expect(json.verdict).toBeDefined();
  });
});
