/**
 * The scheduled job's Lambda handler: configuration parsed and clients made once per container (a bad
 * variable fails the cold start with one sentence per value), one run per EventBridge event (lambda/job.ts).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { analysis } from './lambda/analysisApi.js';
import { ConfigError, configFromEnv, type JobConfig } from './lambda/config.js';
import { type JobContext, type JobResult, runJob } from './lambda/job.js';
import { createLogger } from './lambda/log.js';
import { ReportStore } from './lambda/stateStore.js';

const log = createLogger();

function loadConfig(): JobConfig {
  try {
    return configFromEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) log.error(error.message, { problems: error.problems });
    throw error;
  }
}

const config = loadConfig();
// Reused while the container is warm. With an endpoint (MinIO, LocalStack, a test server) path-style
// URLs, as the CLI does.
const s3 = new S3Client({
  ...(config.region !== undefined && { region: config.region }),
  ...(config.endpointUrl !== undefined && { endpoint: config.endpointUrl, forcePathStyle: true }),
});
const sns = config.snsTopicArn === undefined ? undefined : new SNSClient({ ...(config.region !== undefined && { region: config.region }) });
const store = new ReportStore(s3, config.reports.bucket, config.reports.prefix);

export const handler = async (event: unknown, context: JobContext & { awsRequestId?: string }): Promise<JobResult> =>
  runJob(
    config,
    {
      analysis,
      store,
      sns,
      s3Read: {
        ...(config.region !== undefined && { region: config.region }),
        ...(config.endpointUrl !== undefined && { endpointUrl: config.endpointUrl }),
        ...(config.lbName !== undefined && { lbName: config.lbName }),
        // A Lambda below 1,769 MB has less than one vCPU: a reader thread would only add a second heap.
        s3OnThisThread: true,
      },
      log: log.with({ requestId: context.awsRequestId }),
    },
    event,
    context,
  );
