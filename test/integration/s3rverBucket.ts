/**
 * One s3rver child process with one empty bucket and a real S3 client for it, started before a test file's
 * tests and stopped after them. The returned object's `server` and `client` exist once beforeAll has run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, vi } from 'vitest';
import { S3RVER_CREDENTIALS, S3rverProcess } from './s3rverHarness.js';

export interface S3rverBucket {
  readonly server: S3rverProcess;
  readonly client: S3Client;
}

export function s3rverWithBucket(folderPrefix: string, bucket: string): S3rverBucket {
  const started: { server?: S3rverProcess; client?: S3Client } = {};
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), folderPrefix));
    started.server = await S3rverProcess.start(join(root, 'data'));
    started.client = new S3Client({ region: 'us-east-1', endpoint: started.server.endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
    await started.client.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    started.client?.destroy();
    await started.server?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });
  return {
    get server() {
      return started.server!;
    },
    get client() {
      return started.client!;
    },
  };
}

/** The CLI finds its credentials and region in the environment, as a user's shell gives them: s3rver's. */
export function stubS3rverEnvironment(): void {
  vi.stubEnv('AWS_ACCESS_KEY_ID', S3RVER_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3RVER_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_REGION', 'us-east-1');
}
