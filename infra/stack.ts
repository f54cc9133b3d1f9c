/**
 * The scheduled job as a CDK stack: the bundled handler (npm run bundle → dist/lambda) on nodejs22.x and
 * arm64, run by an EventBridge schedule once per window, one run at a time, failed events kept in a queue,
 * and a role that reads only the log prefix and writes only the reports prefix.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface AlbDoctorJobProps extends StackProps {
  /** `s3://bucket[/prefix]`: the load balancer's access_logs.s3.bucket and prefix. */
  logs: string;
  /** `s3://bucket[/prefix]` for states, reports, latest.json and alert records (an existing bucket). */
  reports: string;
  /** The folder `npm run bundle` writes (dist/lambda). */
  codePath: string;
  lbName?: string;
  albIdleTimeoutSeconds?: number;
  windowMinutes?: number;
  delayMinutes?: number;
  historyHours?: number;
  /** Subscribed to the alert topic when given (SNS asks the address to confirm). */
  alertEmail?: string;
}

/** `s3://bucket/a/b` → bucket and the prefix as a folder ('' or ending in '/'). */
export function s3Place(uri: string): { bucket: string; folder: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`'${uri}' is not s3://bucket[/prefix].`);
  const prefix = m[2]!;
  return { bucket: m[1]!, folder: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

/**
 * What the job lists and reads under the logs URI. Given the load balancer's prefix, the S3 source lists
 * that folder once to find `AWSLogs/`, then only below it; given a prefix at or below `AWSLogs/`, only
 * below `AWSLogs/`. So ListBucket needs those two s3:prefix values, and GetObject only `<prefix>AWSLogs/*`.
 */
export function logAccess(uri: string): { bucket: string; listPrefixes: string[]; objects: string } {
  const { bucket, folder } = s3Place(uri);
  const at = folder.indexOf('AWSLogs/');
  const base = at < 0 ? folder : folder.slice(0, at);
  return { bucket, listPrefixes: at < 0 ? [base, `${base}AWSLogs/*`] : [`${base}AWSLogs/*`], objects: `${base}AWSLogs/*` };
}

export class AlbDoctorJobStack extends Stack {
  readonly function: lambda.Function;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlbDoctorJobProps) {
    super(scope, id, props);
    const windowMinutes = props.windowMinutes ?? 60;
    const logAccessOf = logAccess(props.logs);
    const reports = s3Place(props.reports);

    this.topic = new sns.Topic(this, 'Alerts', { displayName: 'alb-doctor keep-alive race alerts' });
    if (props.alertEmail !== undefined) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alertEmail));

    // Not grantRead: that allows s3:GetObject*, s3:List* and s3:GetBucket* on the whole bucket.
    const role = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListAlbLogs',
        actions: ['s3:ListBucket'],
        resources: [`arn:${this.partition}:s3:::${logAccessOf.bucket}`],
        conditions: { StringLike: { 's3:prefix': logAccessOf.listPrefixes } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'ReadAlbLogs', actions: ['s3:GetObject'], resources: [`arn:${this.partition}:s3:::${logAccessOf.bucket}/${logAccessOf.objects}`] }),
    );
    // The job learns which states and reports exist by listing its own prefix (a GET of a missing key is
    // a 403, not a 404, without ListBucket), so it may list there and nowhere else.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListReports',
        actions: ['s3:ListBucket'],
        resources: [`arn:${this.partition}:s3:::${reports.bucket}`],
        conditions: { StringLike: { 's3:prefix': [`${reports.folder}*`] } },
      }),
    );
    // If-Match writes need GetObject as well as PutObject (S3 conditional writes).
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadWriteReports',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [`arn:${this.partition}:s3:::${reports.bucket}/${reports.folder}*`],
      }),
    );
    this.topic.grantPublish(role);

    const failed = new sqs.Queue(this, 'FailedRuns', { retentionPeriod: Duration.days(14), enforceSSL: true });
    const environment: Record<string, string> = {
      ALB_DOCTOR_LOGS: props.logs,
      ALB_DOCTOR_REPORTS: props.reports,
      ALB_DOCTOR_WINDOW_MINUTES: String(windowMinutes),
      ALB_DOCTOR_DELAY_MINUTES: String(props.delayMinutes ?? 15),
      ALB_DOCTOR_HISTORY_HOURS: String(props.historyHours ?? 24),
      ALB_DOCTOR_SNS_TOPIC_ARN: this.topic.topicArn,
      ...(props.lbName !== undefined && { ALB_DOCTOR_LB: props.lbName }),
      ...(props.albIdleTimeoutSeconds !== undefined && { ALB_DOCTOR_ALB_IDLE_TIMEOUT: String(props.albIdleTimeoutSeconds) }),
    };
    this.function = new lambda.Function(this, 'Job', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(props.codePath),
      role,
      memorySize: 1024,
      // The longest a Lambda may run; a run stops between windows a minute before it (lambda/job.ts).
      timeout: Duration.minutes(15),
      // One run at a time: runs of one window end would only race each other (conditional writes keep
      // them correct, not cheap).
      reservedConcurrentExecutions: 1,
      environment,
      logGroup: new logs.LogGroup(this, 'JobLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(failed),
    });

    new events.Rule(this, 'Schedule', {
      description: `alb-doctor: analyse the last ${windowMinutes}-minute window of ALB access logs`,
      schedule: events.Schedule.rate(Duration.minutes(windowMinutes)),
      targets: [new targets.LambdaFunction(this.function)],
    });
  }
}
