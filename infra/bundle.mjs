/**
 * npm run bundle: src/lambda.ts → dist/lambda/index.mjs, one ESM file that runs from a folder with no
 * node_modules. Everything is bundled, the AWS SDK included: the nodejs22.x runtime ships an SDK v3 of
 * its own, but of whatever version the runtime carries that week, while the bundle runs the one the tests
 * ran against (the S3 client's checksum setting and path-style endpoints depend on it). Only Node's own
 * modules stay outside, as esbuild does for platform 'node'.
 *
 * The S3 reader runs on the handler's thread (s3OnThisThread), so no worker module is needed beside it.
 *
 * `node infra/bundle.mjs [outdir]`: the end-to-end test builds into a folder of its own (never a bundle
 * left over from an earlier run), with the same options as the deployed one.
 */
import { build } from 'esbuild';
import { rm, stat } from 'node:fs/promises';

const outdir = process.argv[2] ?? 'dist/lambda';
await rm(outdir, { recursive: true, force: true });
const outfile = `${outdir}/index.mjs`;
await build({
  entryPoints: ['src/lambda.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  // Some bundled CommonJS dependencies require() Node's modules; ESM has no require of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
const { size } = await stat(outfile);
process.stdout.write(`${outfile}: ${(size / 1024).toFixed(0)} KiB\n`);
