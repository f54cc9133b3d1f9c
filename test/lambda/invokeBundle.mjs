/**
 * Invokes the bundled handler as the Lambda runtime does: imported once (the cold start, where the
 * configuration is read from the environment), then called once per event with a context, one event after
 * the other as a warm container would. Copied beside the bundle into a folder with no node_modules, so it
 * may import only Node's own modules.
 *
 * argv: <bundle file> <invocations JSON file> <results JSON file>
 * An invocation is { event, remainingMs?, remainingStepMs? }: getRemainingTimeInMillis starts at
 * remainingMs (default 900000, a 15-minute timeout) and drops by remainingStepMs at each call, a clock that
 * moves only when the job looks at it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [bundle, invocationsFile, resultsFile] = process.argv.slice(2);
const invocations = JSON.parse(await readFile(invocationsFile, 'utf8'));
const { handler } = await import(pathToFileURL(bundle).href);

const results = [];
for (const [i, invocation] of invocations.entries()) {
  let remainingMs = invocation.remainingMs ?? 900_000;
  const stepMs = invocation.remainingStepMs ?? 0;
  const context = {
    awsRequestId: `request-${i}`,
    getRemainingTimeInMillis: () => {
      const now = remainingMs;
      remainingMs -= stepMs;
      return now;
    },
  };
  results.push(await handler(invocation.event, context));
}
await writeFile(resultsFile, JSON.stringify(results));
