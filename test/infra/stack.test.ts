/**
 * The job's stack, synthesised offline: runtime, architecture, schedule, concurrency, on-failure
 * destination, and the role's statements one by one (actions, resources, conditions), so a broader grant
 * (CDK's grantRead gives s3:GetObject*, s3:List* on the whole bucket) fails here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { AlbDoctorJobStack, logAccess } from '../../infra/stack.js';

// An asset folder standing in for dist/lambda, so the test needs no bundle.
const codePath = mkdtempSync(join(tmpdir(), 'alb-doctor-asset-'));
writeFileSync(join(codePath, 'index.mjs'), 'export const handler = async () => ({});\n');
afterAll(() => rmSync(codePath, { recursive: true, force: true }));

function synth(logs = 's3://my-alb-logs/prod', reports = 's3://my-reports/alb-doctor'): Template {
  const app = new App();
  const stack = new AlbDoctorJobStack(app, 'Job', { logs, reports, codePath, lbName: 'checkout-prod', env: { account: '123456789012', region: 'eu-west-1' } });
  return Template.fromStack(stack);
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

/** The job role's inline statements (the basic execution role's managed policy is separate). */
function statements(template: Template): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

const s3Arn = (path: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${path}`]] });

describe('the job stack', () => {
  const template = synth();

  it('runs the bundle on nodejs22.x, arm64, one at a time, with failed events sent to a queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 1,
      Timeout: 900,
      Environment: {
        Variables: Match.objectLike({ ALB_DOCTOR_LOGS: 's3://my-alb-logs/prod', ALB_DOCTOR_REPORTS: 's3://my-reports/alb-doctor', ALB_DOCTOR_LB: 'checkout-prod', ALB_DOCTOR_SNS_TOPIC_ARN: { Ref: Match.anyValue() } }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedRuns'), 'Arn'] } } },
    });
  });

  it('is started every window by an EventBridge schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Job'), 'Arn'] } })],
    });
  });

  it('lists the log bucket only under the prefix and reads only AWSLogs/ below it', () => {
    const all = statements(template);
    expect(all.find((s) => s.Sid === 'ListAlbLogs')).toEqual({
      Sid: 'ListAlbLogs',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: s3Arn('my-alb-logs'),
      Condition: { StringLike: { 's3:prefix': ['prod/', 'prod/AWSLogs/*'] } },
    });
    expect(all.find((s) => s.Sid === 'ReadAlbLogs')).toEqual({ Sid: 'ReadAlbLogs', Effect: 'Allow', Action: 's3:GetObject', Resource: s3Arn('my-alb-logs/prod/AWSLogs/*') });
  });

  it('lists, reads and writes the reports bucket only under its prefix', () => {
    const all = statements(template);
    expect(all.find((s) => s.Sid === 'ListReports')).toEqual({
      Sid: 'ListReports',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: s3Arn('my-reports'),
      Condition: { StringLike: { 's3:prefix': ['alb-doctor/*'] } },
    });
    expect(all.find((s) => s.Sid === 'ReadWriteReports')).toEqual({
      Sid: 'ReadWriteReports',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: s3Arn('my-reports/alb-doctor/*'),
    });
  });

  it('grants nothing else but publishing to its one topic and sending to its failure queue', () => {
    const rest = statements(template).filter((s) => !['ListAlbLogs', 'ReadAlbLogs', 'ListReports', 'ReadWriteReports'].includes(s.Sid ?? ''));
    const actions = rest.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual(['sns:Publish', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    const publish = rest.find((s) => s.Action === 'sns:Publish')!;
    expect(publish.Resource).toEqual({ Ref: expect.stringMatching(/^Alerts/) });
    const send = rest.find((s) => [s.Action].flat().includes('sqs:SendMessage'))!;
    expect(send.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FailedRuns/), 'Arn'] });
    // No wildcard action anywhere (s3:*, s3:List*, s3:GetObject*).
    expect(statements(template).flatMap((s) => [s.Action].flat()).filter((a) => a.includes('*'))).toEqual([]);
  });
});

describe('logAccess', () => {
  it.each([
    ['the load balancer prefix', 's3://logs/prod', ['prod/', 'prod/AWSLogs/*'], 'prod/AWSLogs/*'],
    ['the bucket root', 's3://logs', ['', 'AWSLogs/*'], 'AWSLogs/*'],
    ['the region folder', 's3://logs/prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/', ['prod/AWSLogs/*'], 'prod/AWSLogs/*'],
  ])('%s', (_name, uri, listPrefixes, objects) => {
    expect(logAccess(uri)).toEqual({ bucket: 'logs', listPrefixes, objects });
  });
});
