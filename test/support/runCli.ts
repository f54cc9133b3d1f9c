/**
 * Runs the real CLI in-process, as bin/alb-doctor.js does but with captured streams: `main` takes argv and
 * the process streams as parameters for exactly this.
 */
import { PassThrough, Writable } from 'node:stream';
import { type CliIo, main } from '../../src/cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `io` overrides the defaults (no terminal, empty environment, empty stdin); `stdinData` is what `-` reads;
 * `entry` lets a test run a `main` imported with stand-ins.
 */
export async function runCli(
  argv: string[],
  io: Partial<Omit<CliIo, 'stdout' | 'stderr'>> & { stdinData?: string | Buffer } = {},
  entry: typeof main = main,
): Promise<CliRun> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (chunks: Buffer[]): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
  const { stdinData, ...rest } = io;
  const stdin = new PassThrough();
  stdin.end(stdinData ?? '');
  const code = await entry(argv, {
    stdin,
    stdout: sink(out),
    stderr: sink(err),
    env: {},
    stdoutIsTTY: false,
    stderrIsTTY: false,
    ...rest,
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
