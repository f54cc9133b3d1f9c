/** Which ARNs --describe reads, from the logs' `elb` fields, file names, target groups and --lb. */
import { describe, expect, it } from 'vitest';
import { describeTargets, type LoadBalancerSighting } from '../../src/describe/loadBalancerArns.js';

const ELB = 'app/shop-prod/0339420691ef7069';
const S3_NAME =
  's3://logs/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/03/14/123456789012_elasticloadbalancing_eu-west-1_app.shop-prod.0339420691ef7069_20260314T2220Z_172.31.19.219_wvj8idyb.log.gz';
const TG = 'arn:aws:elasticloadbalancing:us-east-2:210987654321:targetgroup/api/73e2d6bc24d8a067';
const TG_OTHER_REGION = 'arn:aws:elasticloadbalancing:eu-central-1:210987654321:targetgroup/web/0123456789abcdef';
const LB_ARN = (region: string, account: string, elb = ELB, partition = 'aws'): string => `arn:${partition}:elasticloadbalancing:${region}:${account}:loadbalancer/${elb}`;
const seen = (elb: string, objectName = 'local.log'): LoadBalancerSighting => ({ elb, objectName });

describe('describeTargets', () => {
  const cases: [string, LoadBalancerSighting[], string[], string | undefined, { lbs: string[]; unresolved: string[] }][] = [
    ['region and account from the S3 object name', [seen(ELB, S3_NAME)], [TG], undefined, { lbs: [LB_ARN('eu-west-1', '123456789012')], unresolved: [] }],
    ['from the file name of a synced folder', [seen(ELB, `/tmp/${S3_NAME.split('/').at(-1)}`)], [], undefined, { lbs: [LB_ARN('eu-west-1', '123456789012')], unresolved: [] }],
    ['from the target groups when the file name says nothing', [seen(ELB)], [TG], undefined, { lbs: [LB_ARN('us-east-2', '210987654321')], unresolved: [] }],
    ['China partition from the file name', [seen(ELB, S3_NAME.replaceAll('eu-west-1', 'cn-north-1'))], [], undefined, { lbs: [LB_ARN('cn-north-1', '123456789012', ELB, 'aws-cn')], unresolved: [] }],
    ['--lb as an ARN wins for its load balancer', [seen(ELB, S3_NAME)], [TG], LB_ARN('ap-south-1', '111122223333'), { lbs: [LB_ARN('ap-south-1', '111122223333')], unresolved: [] }],
    ['--lb as an ARN is described even with no entry', [], [], LB_ARN('ap-south-1', '111122223333'), { lbs: [LB_ARN('ap-south-1', '111122223333')], unresolved: [] }],
    ['--lb as a name adds nothing', [seen(ELB)], [TG], 'shop-prod', { lbs: [LB_ARN('us-east-2', '210987654321')], unresolved: [] }],
    // Failing rows: nothing tells the region and account.
    ['no file name, no target group', [seen(ELB)], [], undefined, { lbs: [], unresolved: [ELB] }],
    ['target groups in two regions', [seen(ELB)], [TG, TG_OTHER_REGION], undefined, { lbs: [], unresolved: [ELB] }],
    ["a file name of another load balancer", [seen(ELB, S3_NAME.replace('shop-prod', 'other'))], [], undefined, { lbs: [], unresolved: [ELB] }],
    ['an elb field that is no ALB', [seen('net/nlb/0123456789abcdef'), seen('-')], [TG], undefined, { lbs: [], unresolved: [] }],
  ];
  it.each(cases)('%s', (_name, sightings, groups, lb, expected) => {
    const targets = describeTargets(sightings, groups, lb);
    expect(targets.loadBalancerArns).toEqual(expected.lbs);
    expect(targets.unresolved).toEqual(expected.unresolved);
  });

  it('describes each target group ARN once, sorted, and skips the `-` group', () => {
    expect(describeTargets([], [TG_OTHER_REGION, '-', TG, TG]).targetGroupArns).toEqual([TG_OTHER_REGION, TG]);
  });
});
