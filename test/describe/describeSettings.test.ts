/**
 * report --describe's AWS calls with the ELBv2 client stubbed (aws-sdk-client-mock on one client instance,
 * handed in as `clientFor`): the settings read, and each failure as one error with its code, while the
 * rest is still read. A real Elastic Load Balancing API cannot run locally, so this is the one place it is mocked.
 */
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeTargetGroupAttributesCommand,
  ElasticLoadBalancingV2Client,
  LoadBalancerNotFoundException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeSettings } from '../../src/describe/describeSettings.js';
import type { DescribeTargets } from '../../src/describe/loadBalancerArns.js';

const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-prod/0339420691ef7069';
const TG_API = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/73e2d6bc24d8a067';
const TG_WEB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';
const TARGETS: DescribeTargets = { loadBalancerArns: [LB], targetGroupArns: [TG_API, TG_WEB], unresolved: [] };

const client = new ElasticLoadBalancingV2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
const elb = mockClient(client);
const regions: string[] = [];
const clientFor = (region: string): ElasticLoadBalancingV2Client => {
  regions.push(region);
  return client;
};
beforeEach(() => {
  elb.reset();
  regions.length = 0;
});

/** An SDK service error as the deserializer throws it for an error code the model does not name. */
function serviceError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} message`), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

const lbAttributes = (idleSeconds: string) => ({
  Attributes: [
    { Key: 'deletion_protection.enabled', Value: 'false' },
    { Key: 'idle_timeout.timeout_seconds', Value: idleSeconds },
  ],
});
const tgAttributes = (delaySeconds: string) => ({
  Attributes: [
    { Key: 'stickiness.enabled', Value: 'false' },
    { Key: 'deregistration_delay.timeout_seconds', Value: delaySeconds },
  ],
});

describe('describeSettings', () => {
  it("reads the idle timeout and each group's deregistration delay, signing for the ARN's region", async () => {
    elb.on(DescribeLoadBalancerAttributesCommand, { LoadBalancerArn: LB }).resolves(lbAttributes('120'));
    elb.on(DescribeTargetGroupAttributesCommand, { TargetGroupArn: TG_API }).resolves(tgAttributes('30'));
    elb.on(DescribeTargetGroupAttributesCommand, { TargetGroupArn: TG_WEB }).resolves(tgAttributes('300'));
    const described = await describeSettings(TARGETS, { clientFor });
    expect(described).toEqual({
      loadBalancers: [{ arn: LB, idleTimeoutSeconds: 120 }],
      targetGroups: [
        { arn: TG_API, deregistrationDelaySeconds: 30 },
        { arn: TG_WEB, deregistrationDelaySeconds: 300 },
      ],
      errors: [],
    });
    expect(elb.commandCalls(DescribeLoadBalancerAttributesCommand)).toHaveLength(1);
    expect(elb.commandCalls(DescribeTargetGroupAttributesCommand)).toHaveLength(2);
    expect(new Set(regions)).toEqual(new Set(['eu-west-1']));
  });

  it('names the denied action and still reads what is allowed', async () => {
    elb.on(DescribeLoadBalancerAttributesCommand).resolves(lbAttributes('60'));
    elb.on(DescribeTargetGroupAttributesCommand).rejects(serviceError('AccessDenied', 403));
    const described = await describeSettings(TARGETS, { clientFor });
    expect(described.loadBalancers).toEqual([{ arn: LB, idleTimeoutSeconds: 60 }]);
    expect(described.targetGroups).toEqual([]);
    expect(described.errors).toHaveLength(1); // not once per group
    expect(described.errors[0]).toMatchObject({ code: 'DESCRIBE_ACCESS_DENIED' });
    expect(described.errors[0]!.message).toContain('elasticloadbalancing:DescribeTargetGroupAttributes');
  });

  it('reports a load balancer that does not exist, and still reads the target groups', async () => {
    elb.on(DescribeLoadBalancerAttributesCommand).rejects(new LoadBalancerNotFoundException({ message: 'One or more load balancers not found', $metadata: { httpStatusCode: 400 } }));
    elb.on(DescribeTargetGroupAttributesCommand, { TargetGroupArn: TG_API }).resolves(tgAttributes('30'));
    elb.on(DescribeTargetGroupAttributesCommand, { TargetGroupArn: TG_WEB }).rejects(new TargetGroupNotFoundException({ message: 'not found', $metadata: { httpStatusCode: 400 } }));
    const described = await describeSettings(TARGETS, { clientFor });
    expect(described.loadBalancers).toEqual([]);
    expect(described.targetGroups).toEqual([{ arn: TG_API, deregistrationDelaySeconds: 30 }]);
    expect(described.errors.map((e) => [e.code, e.source])).toEqual([
      ['DESCRIBE_NOT_FOUND', LB],
      ['DESCRIBE_NOT_FOUND', TG_WEB],
    ]);
  });

  const stopping: [string, Error, string][] = [
    ['no credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'DESCRIBE_NO_CREDENTIALS'],
    ['rejected credentials', serviceError('InvalidClientTokenId', 403), 'DESCRIBE_CREDENTIALS_REJECTED'],
    ['throttling after the SDK retries', serviceError('Throttling', 400), 'DESCRIBE_THROTTLED'],
  ];
  it.each(stopping)('%s: one error, and nothing more is asked', async (_name, error, code) => {
    elb.on(DescribeLoadBalancerAttributesCommand).rejects(error);
    elb.on(DescribeTargetGroupAttributesCommand).resolves(tgAttributes('30'));
    const described = await describeSettings(TARGETS, { clientFor });
    expect(described.errors.map((e) => e.code)).toEqual([code]);
    expect(described.loadBalancers).toEqual([]);
    expect(elb.commandCalls(DescribeTargetGroupAttributesCommand)).toHaveLength(0);
  });

  it('another failure names the call and goes on', async () => {
    elb.on(DescribeLoadBalancerAttributesCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }));
    elb.on(DescribeTargetGroupAttributesCommand).resolves(tgAttributes('0'));
    const described = await describeSettings(TARGETS, { clientFor });
    expect(described.errors.map((e) => e.code)).toEqual(['DESCRIBE_FAILED']);
    expect(described.errors[0]!.message).toMatch(/DescribeLoadBalancerAttributes on arn:.*ECONNREFUSED/);
    expect(described.targetGroups.map((g) => g.deregistrationDelaySeconds)).toEqual([0, 0]);
  });

  it('an attribute missing from the answer is not read, and no error is made up', async () => {
    elb.on(DescribeLoadBalancerAttributesCommand).resolves({ Attributes: [] });
    elb.on(DescribeTargetGroupAttributesCommand).resolves(tgAttributes('not a number'));
    expect(await describeSettings(TARGETS, { clientFor })).toEqual({ loadBalancers: [], targetGroups: [], errors: [] });
  });

  it('a load balancer the logs name without its region and account, or none at all, is an error without a call', async () => {
    const unresolved = await describeSettings({ loadBalancerArns: [], targetGroupArns: [], unresolved: ['app/shop-prod/0339420691ef7069'] }, { clientFor });
    expect(unresolved.errors.map((e) => e.code)).toEqual(['DESCRIBE_NO_ARN']);
    expect(unresolved.errors[0]!.message).toContain('--lb');
    const none = await describeSettings({ loadBalancerArns: [], targetGroupArns: [], unresolved: [] }, { clientFor });
    expect(none.errors.map((e) => e.code)).toEqual(['DESCRIBE_NO_ARN']);
    expect(elb.calls()).toHaveLength(0);
  });

  it('describes dozens of target groups, at most a few at once', async () => {
    const groups = Array.from({ length: 25 }, (_, i) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/g${i}/${String(i).padStart(16, '0')}`);
    let inFlight = 0;
    let most = 0;
    elb.on(DescribeLoadBalancerAttributesCommand).resolves(lbAttributes('60'));
    elb.on(DescribeTargetGroupAttributesCommand).callsFake(async (input: { TargetGroupArn: string }) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return tgAttributes(String(groups.indexOf(input.TargetGroupArn)));
    });
    const described = await describeSettings({ loadBalancerArns: [LB], targetGroupArns: groups, unresolved: [] }, { clientFor });
    expect(described.targetGroups.map((g) => g.deregistrationDelaySeconds)).toEqual(groups.map((_, i) => i));
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
  });
});
