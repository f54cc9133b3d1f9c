/**
 * An S3 endpoint that accepts connections and never answers (a wrong port, a proxy that swallows
 * requests): a loopback TCP server that holds every connection open in silence. The run must end with
 * one sentence that names the endpoint, bounded by the response timeout (short here, through options).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
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
  if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
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

describe('the CLI while an S3 endpoint is silent', () => {
  it('shows on a terminal, after a second, what it waits for and for how long: the target and the endpoint', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    let written = '';
    const stderr = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          written += chunk.toString();
          done();
        },
      }),
      { isTTY: true, columns: 200 },
    );
    const stdout = new Writable({ write: (_chunk, _encoding, done) => done() });
    const run = main(['report', 's3://alb-logs/prod/', '--endpoint-url', endpoint, '--region', 'eu-west-1'], {
      stdin: Readable.from([]),
      stdout,
      stderr,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' },
      stdoutIsTTY: false,
      stderrIsTTY: true,
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 2600));
      expect(written).toMatch(new RegExp(`waiting for s3://alb-logs/prod/ at ${endpoint.replaceAll('.', '\\.')}: [12] s`));
    } finally {
      // Refuse new connections and drop the open ones: the SDK's retries fail at once and the run ends.
      server.close();
      for (const socket of sockets) socket.destroy();
      vi.unstubAllEnvs();
    }
    expect(await run).toBe(1);
    expect(written).toMatch(new RegExp(`alb-doctor: .*${endpoint.replaceAll('.', '\\.')}`));
  }, 30_000);
});
