#!/usr/bin/env node
// The only place that touches process: argv, streams, exit code. Built code lives in dist/ (npm run build).
import { main } from '../dist/cli.js';

// The AWS SDK warns on Node 20 about SDK releases after January 2027; the versions this package installs
// run on Node ≥ 20.19, so the warning would only bury the report's own messages.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `alb-doctor parse … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
});
