/**
 * An S3 endpoint that accepts connections and never answers (a wrong port, a proxy that swallows
 * requests): a loopback TCP server that holds every connection open in silence. The run must end with
 * one sentence that names the endpoint, bounded by the response timeout (short here, through options).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlbDoctorError } from '../../src/errors.js';
import { openSources, type SourceOptions } from '../../src/sources/index.js';

let server: Server;
let endpoint = '';
let connections = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(options: Partial<SourceOptions>): Promise<AlbDoctorError> {
  try {
    for await (const _item of openSources(['s3://alb-logs/prod/'], {
      stdin: Readable.from([]),
      endpointUrl: endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      responseTimeoutMs: 300,
      ...options,
    })) {
      // nothing is listed
    }
  } catch (error) {
    if (error instanceof AlbDoctorError) return error;
    throw error;
  }
  throw new Error('expected the listing to fail');
}

describe('an S3 endpoint that never answers', () => {
  it.each([
    { where: 'on the S3 thread (the default)', options: {} },
    { where: 'on this thread', options: { s3OnThisThread: true } },
  ])('$where: one sentence naming the endpoint and what to do, after the SDK retried', async ({ options }) => {
    const before = connections;
    const error = await failure(options);
    expect(error.code).toBe('S3_UNREACHABLE');
    expect(error.source).toBe('s3://alb-logs/prod/');
    expect(error.message).toContain(endpoint);
    expect(error.message).toContain('--endpoint-url');
    // One sentence, nothing from inside the SDK.
    expect(error.message.split('\n')).toHaveLength(1);
    expect(error.message).not.toMatch(/@smithy|node-http-handler|requestTimeout|ETIMEDOUT/);
    // The SDK's retries are kept: each attempt is a connection of its own.
    expect(connections - before).toBeGreaterThanOrEqual(3);
    expect(error.message).toContain('3 attempts');
  }, 20_000);
});
