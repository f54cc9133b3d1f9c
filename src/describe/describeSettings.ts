/**
 * `report --describe`: the settings really in force, read from Elastic Load Balancing; the sole user of
 * @aws-sdk/client-elastic-load-balancing-v2, loaded by run.ts only when `--describe` is given.
 *
 * Two read-only calls, neither of which pages: DescribeLoadBalancerAttributes per load balancer
 * (`idle_timeout.timeout_seconds`) and DescribeTargetGroupAttributes per target group
 * (`deregistration_delay.timeout_seconds`). Each client signs for the region in the ARN; credentials
 * follow the AWS CLI (the default chain, or `profile`), retries the SDK's (standard: throttling is
 * retried with back-off before it is reported). A failure never stops the report: it becomes one
 * AlbDoctorError in `errors`, and the analysis falls back on what it infers from the logs.
 */
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeTargetGroupAttributesCommand,
  ElasticLoadBalancingV2Client,
  type ElasticLoadBalancingV2ClientConfig,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AlbDoctorError } from '../errors.js';
import type { DescribedSettings } from '../types.js';
import { type DescribeTargets, regionOfArn } from './loadBalancerArns.js';

export interface DescribeOptions {
  /** Named profile of the shared AWS config and credentials files (else AWS_PROFILE, else default). */
  profile?: string;
  /** Credentials instead of the default chain. */
  credentials?: ElasticLoadBalancingV2ClientConfig['credentials'];
  /** The client for a region (tests hand in a stubbed one); by default one per region, made here. */
  clientFor?: (region: string) => ElasticLoadBalancingV2Client;
}

type Action = 'DescribeLoadBalancerAttributes' | 'DescribeTargetGroupAttributes';

/** Target groups described at once: enough to be quick with dozens, few enough not to be throttled. */
const CONCURRENT_CALLS = 4;

export async function describeSettings(targets: DescribeTargets, options: DescribeOptions = {}): Promise<DescribedSettings> {
  const made = new Map<string, ElasticLoadBalancingV2Client>();
  const clientFor =
    options.clientFor ??
    ((region: string): ElasticLoadBalancingV2Client => {
      let client = made.get(region);
      if (client === undefined) {
        client = new ElasticLoadBalancingV2Client({
          region,
          ...(options.profile !== undefined && { profile: options.profile }),
          ...(options.credentials !== undefined && { credentials: options.credentials }),
        });
        made.set(region, client);
      }
      return client;
    });
  const described: DescribedSettings = { loadBalancers: [], targetGroups: [], errors: [] };
  if (targets.loadBalancerArns.length === 0 && targets.unresolved.length === 0) {
    described.errors.push(new AlbDoctorError('DESCRIBE_NO_ARN', '--describe: the logs read name no load balancer; pass --lb with its ARN to describe it.').toJSON());
  }
  for (const elb of targets.unresolved) {
    described.errors.push(
      new AlbDoctorError(
        'DESCRIBE_NO_ARN',
        `--describe: the logs name load balancer ${elb} but not its region and account; pass --lb with its ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/${elb}).`,
        { source: elb },
      ).toJSON(),
    );
  }
  // After no credentials or throttling nothing more is asked; after access denied, not that action again.
  let stopAll = false;
  const stopped = new Set<Action>();
  const call = async <T>(action: Action, arn: string, send: (client: ElasticLoadBalancingV2Client) => Promise<T>): Promise<T | null> => {
    if (stopAll || stopped.has(action)) return null;
    try {
      return await send(clientFor(regionOfArn(arn) ?? 'us-east-1'));
    } catch (error) {
      if (stopAll || stopped.has(action)) return null;
      const failure = describeError(error, action, arn, options.profile);
      if (failure.code === 'DESCRIBE_ACCESS_DENIED') stopped.add(action);
      else if (failure.code !== 'DESCRIBE_NOT_FOUND' && failure.code !== 'DESCRIBE_FAILED') stopAll = true;
      described.errors.push(failure.toJSON());
      return null;
    }
  };
  try {
    for (const arn of targets.loadBalancerArns) {
      const output = await call('DescribeLoadBalancerAttributes', arn, (client) => client.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn })));
      const seconds = output === null ? null : wholeSeconds(output.Attributes, 'idle_timeout.timeout_seconds');
      if (seconds !== null) described.loadBalancers.push({ arn, idleTimeoutSeconds: seconds });
    }
    const delays = new Map<string, number>();
    await eachAtMost(CONCURRENT_CALLS, targets.targetGroupArns, async (arn) => {
      const output = await call('DescribeTargetGroupAttributes', arn, (client) => client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })));
      const seconds = output === null ? null : wholeSeconds(output.Attributes, 'deregistration_delay.timeout_seconds');
      if (seconds !== null) delays.set(arn, seconds);
    });
    // In the order asked, whatever order the answers came in.
    for (const arn of targets.targetGroupArns) {
      const seconds = delays.get(arn);
      if (seconds !== undefined) described.targetGroups.push({ arn, deregistrationDelaySeconds: seconds });
    }
  } finally {
    for (const client of made.values()) client.destroy();
  }
  return described;
}

function wholeSeconds(attributes: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined, key: string): number | null {
  const value = attributes?.find((a) => a.Key === key)?.Value;
  const seconds = value === undefined || !/^\d+$/.test(value) ? NaN : Number(value);
  return Number.isSafeInteger(seconds) ? seconds : null;
}

async function eachAtMost<T>(limit: number, items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const sdkError = (error: unknown): SdkError => (typeof error === 'object' && error !== null ? (error as SdkError) : {});
const firstLine = (error: unknown): string => (sdkError(error).message ?? String(error)).split('\n')[0]!.trim().slice(0, 200);

const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const REJECTED_CREDENTIALS = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException', 'UnrecognizedClientException', 'InvalidAccessKeyId']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);
const NOT_FOUND = new Set(['LoadBalancerNotFoundException', 'LoadBalancerNotFound', 'TargetGroupNotFoundException', 'TargetGroupNotFound']);

/** One sentence per failure: what was asked, of what, and the fix; the report goes on without it. */
export function describeError(error: unknown, action: Action, arn: string, profile: string | undefined): AlbDoctorError {
  const name = sdkError(error).name ?? '';
  const place = { source: arn };
  const what = action === 'DescribeLoadBalancerAttributes' ? 'load balancer' : 'target group';
  if (NO_CREDENTIALS.has(name)) {
    const which = profile === undefined ? '' : ` for profile '${profile}'`;
    return new AlbDoctorError(
      'DESCRIBE_NO_CREDENTIALS',
      `--describe: no AWS credentials found${which} (${firstLine(error)}); run 'aws configure' or 'aws sso login', pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
      place,
    );
  }
  if (REJECTED_CREDENTIALS.has(name)) {
    return new AlbDoctorError('DESCRIBE_CREDENTIALS_REJECTED', `--describe: AWS rejected the credentials (${name}); refresh them ('aws sso login', a new session token) or check which profile is in use.`, place);
  }
  if (ACCESS_DENIED.has(name) || sdkError(error).$metadata?.httpStatusCode === 403) {
    return new AlbDoctorError(
      'DESCRIBE_ACCESS_DENIED',
      `--describe: access denied to elasticloadbalancing:${action} on ${arn}; allow that action (see the IAM policy in the README's S3 section).`,
      { ...place, hint: `Allow elasticloadbalancing:${action}; it is read-only.` },
    );
  }
  if (THROTTLED.has(name)) {
    return new AlbDoctorError('DESCRIBE_THROTTLED', `--describe: Elastic Load Balancing throttled elasticloadbalancing:${action} even after retries; run again later, or set AWS_MAX_ATTEMPTS higher.`, place);
  }
  if (NOT_FOUND.has(name)) {
    return new AlbDoctorError('DESCRIBE_NOT_FOUND', `--describe: no ${what} ${arn} in that account and region; check the credentials' account, or pass --lb with the right ARN.`, place);
  }
  return new AlbDoctorError('DESCRIBE_FAILED', `--describe: elasticloadbalancing:${action} on ${arn} failed (${name !== '' && name !== 'Error' ? `${name}: ` : ''}${firstLine(error)}); run again, or check the network and any proxy.`, place);
}
