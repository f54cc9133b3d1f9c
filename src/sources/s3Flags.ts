/**
 * The S3 source's command-line flags and defaults, apart from s3.ts so the CLI can describe them without
 * loading the AWS SDK.
 */
export const S3_FLAGS = {
  profile: { flag: '--profile <name>', description: 'AWS named profile for credentials and region, as in the AWS CLI (default: AWS_PROFILE, else "default")' },
  region: { flag: '--region <region>', description: "region to sign S3 requests for (default: AWS_REGION or the profile's); a bucket in another region is followed" },
  endpointUrl: { flag: '--endpoint-url <url>', description: 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (default: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL); uses path-style URLs' },
  concurrency: { flag: '--concurrency <n>', description: 'S3 objects downloaded at once, 1–64 (default: 8)' },
  lbName: { flag: '--lb <name>', description: 'only this load balancer\'s logs: its name, app/<name>/<id> or ARN' },
} as const;

export const DEFAULT_CONCURRENCY = 8;
