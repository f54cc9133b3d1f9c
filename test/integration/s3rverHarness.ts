/**
 * Starts s3rver (s3rverChild.mjs) in its own Node process on 127.0.0.1 and a free port, with its own data
 * folder; the test process talks to it only over HTTP, through the real S3 client.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 's3rverChild.mjs');
/** s3rver's built-in account. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface SeenRequest {
  method: string;
  /** Path and query as the server received them, e.g. `/bucket/?list-type=2&prefix=AWSLogs%2F`. */
  url: string;
  /** The Range header, e.g. `bytes=1048576-`. */
  range: string | null;
  /** The x-amz-checksum-mode header (`ENABLED` asks S3 for the object's checksum). */
  checksumMode: string | null;
}

export interface ListRequest {
  bucket: string;
  prefix: string;
  delimiter: string | null;
  continued: boolean;
}

export class S3rverProcess {
  private child: ChildProcess | null = null;
  port = 0;

  private constructor(private readonly dataDir: string) {}

  /** `importDir/<bucket>/<key…>` files become objects before the server listens. */
  static async start(dataDir: string, importDir?: string): Promise<S3rverProcess> {
    const server = new S3rverProcess(dataDir);
    await server.spawn(0, importDir);
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async spawn(port: number, importDir: string | undefined): Promise<void> {
    const args = [CHILD, this.dataDir, String(port), ...(importDir ? [importDir] : [])];
    // The IPC channel is only a lifeline: the child exits when this process goes away, however it ends.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    this.child = child;
    let out = '';
    const ready = new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (data: Buffer) => {
        out += data.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
      child.once('error', reject);
    });
    this.port = await ready;
  }

  /** SIGKILL: the server vanishes mid-response, as a dropped connection looks to the client. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  /** The same data folder on the same port (the client keeps its endpoint). */
  async restart(): Promise<void> {
    await this.kill();
    await this.spawn(this.port, undefined);
  }

  async stop(): Promise<void> {
    await this.kill();
  }

  /** CPU time (user + system) the server process has used since it started, in seconds. */
  async cpuSeconds(): Promise<number> {
    const response = await fetch(`${this.endpoint}/__harness/cpu`);
    const { user, system } = (await response.json()) as { user: number; system: number };
    return (user + system) / 1e6;
  }

  async requests(): Promise<SeenRequest[]> {
    const response = await fetch(`${this.endpoint}/__harness/requests`);
    return (await response.json()) as SeenRequest[];
  }

  async clearRequests(): Promise<void> {
    await fetch(`${this.endpoint}/__harness/requests`, { method: 'DELETE' });
  }

  /** The ListObjectsV2 requests among those seen. */
  async listRequests(): Promise<ListRequest[]> {
    return (await this.requests())
      .filter((r) => r.method === 'GET' && r.url.includes('list-type=2'))
      .map((r) => {
        const url = new URL(r.url, 'http://x');
        return {
          bucket: decodeURIComponent(url.pathname.split('/')[1] ?? ''),
          prefix: url.searchParams.get('prefix') ?? '',
          delimiter: url.searchParams.get('delimiter'),
          continued: url.searchParams.has('continuation-token'),
        };
      });
  }

  /** `bucket/key` fetched with GetObject, in request order. */
  async getRequests(): Promise<string[]> {
    return (await this.getObjectRequests()).map((r) => r.key);
  }

  async getObjectRequests(): Promise<{ key: string; range: string | null; checksumMode: string | null }[]> {
    return (await this.requests())
      .filter((r) => r.method === 'GET' && !r.url.includes('list-type='))
      .map((r) => ({ key: decodeURIComponent(new URL(r.url, 'http://x').pathname.slice(1)), range: r.range, checksumMode: r.checksumMode }));
  }
}
