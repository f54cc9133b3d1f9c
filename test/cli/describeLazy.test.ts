/**
 * The ELBv2 SDK is loaded only for `report --describe`, as the S3 client only for s3:// sources: a report
 * on local files pays nothing for it. The module is wrapped so its loading is seen; nothing is stubbed.
 */
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../support/runCli.js';

const sdk = vi.hoisted(() => ({ loaded: false }));
vi.mock('@aws-sdk/client-elastic-load-balancing-v2', async (importOriginal) => {
  sdk.loaded = true;
  return await importOriginal();
});

describe('report --describe loads the ELBv2 SDK, and only it', () => {
  it('a report without --describe does not load it', async () => {
    const run = await runCli(['report', '-', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(sdk.loaded).toBe(false);
  });

  it('--describe loads it; with no load balancer in the input, it says so and asks AWS nothing', async () => {
    const run = await runCli(['report', '-', '--describe', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(sdk.loaded).toBe(true);
    expect(run.stderr).toMatch(/^alb-doctor: --describe: the logs read name no load balancer; pass --lb with its ARN/m);
    expect((JSON.parse(run.stdout) as { described: { errors: { code: string }[] } }).described.errors.map((e) => e.code)).toEqual(['DESCRIBE_NO_ARN']);
  });
});
