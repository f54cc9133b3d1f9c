/**
 * argv → run → output. `main` takes argv and the process streams as parameters so tests run the real CLI
 * in-process; bin/alb-doctor.js is the only caller that touches `process`, and exit codes are returned,
 * never `process.exit`ed here. Exit codes: 0 done, 1 some input could not be read, 2 usage error.
 */
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import { AlbDoctorError, isAlbDoctorError } from './errors.js';
import { csvHeaderLine, type RecordFormat, recordToCsvLine, recordToJsonLine } from './parse/recordFormat.js';
import { readInput, type InputStats } from './run.js';
import { openLocalSources } from './sources/local.js';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
}

export const EXIT_OK = 0;
export const EXIT_INPUT_ERROR = 1;
export const EXIT_USAGE = 2;

// Output is gathered into strings of about this size before each write (bench: per-line writes are 3× slower).
const OUTPUT_FLUSH_CHARS = 1 << 20;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('alb-doctor')
    .description('Finds the cause of HTTP 502s behind an AWS Application Load Balancer from its access logs.')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Commander's own messages already start with "error:"; make them one sentence that says what to do.
      outputError: () => {},
    });

  program
    .command('parse')
    .description('Writes every access-log entry as one record per line (Athena column names).')
    .argument('<source...>', 'log files, folders (read recursively) or - for stdin; gzip or plain')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (sources: string[], options: { format: RecordFormat; output?: string }) => {
      exitCode = await parseCommand(sources, options, io);
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return EXIT_OK;
      }
      const message = error.message.replace(/^error: /, '');
      io.stderr.write(`alb-doctor: ${message.trimEnd()}; run 'alb-doctor --help' for usage.\n`);
      return EXIT_USAGE;
    }
    if (isAlbDoctorError(error)) {
      io.stderr.write(`alb-doctor: ${error.message}\n`);
      return error.code === 'USAGE' ? EXIT_USAGE : EXIT_INPUT_ERROR;
    }
    throw error; // a bug: let the stack trace show
  }
  return exitCode;
}

async function parseCommand(
  sources: string[],
  options: { format: RecordFormat; output?: string },
  io: CliIo,
): Promise<number> {
  const out = options.output ? createWriteStream(options.output) : io.stdout;
  const toLine = options.format === 'csv' ? recordToCsvLine : recordToJsonLine;
  let pending = options.format === 'csv' ? csvHeaderLine() : '';
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const ok = out.write(pending);
    pending = '';
    if (!ok) await once(out, 'drain');
  };
  const stats = await readInput(openLocalSources(sources, io.stdin), {
    onEntry(entry, object, lineNumber) {
      pending += toLine(entry.toRecord(object.name, lineNumber));
    },
    async afterChunk() {
      if (pending.length >= OUTPUT_FLUSH_CHARS) await flush();
    },
  });
  await flush();
  if (out !== io.stdout) {
    out.end();
    await once(out, 'finish');
  }
  io.stderr.write(summarize(stats));
  return stats.unread.length > 0 ? EXIT_INPUT_ERROR : EXIT_OK;
}

/** What was read, skipped, malformed and unreadable: a few lines on stderr, so stdout stays pure data. */
export function summarize(stats: InputStats): string {
  const lines: string[] = [];
  lines.push(
    `alb-doctor: ${stats.files} file(s), ${stats.lines} line(s): ${stats.entries} entries, ` +
      `${stats.malformed} malformed, ${stats.blankLines} blank; ${stats.skippedFiles} file(s) skipped.`,
  );
  for (const [reason, count] of Object.entries(stats.skippedByReason)) {
    lines.push(`  skipped ${count} × ${reason.replaceAll('_', ' ')}`);
  }
  if (stats.malformed > 0) {
    const byCode = Object.entries(stats.malformedByCode).map(([code, n]) => `${code} ${n}`).join(', ');
    lines.push(`  malformed lines by reason: ${byCode}`);
    for (const sample of stats.malformedSamples.slice(0, 5)) lines.push(`  ${sample.code} ${sample.message}`);
  }
  for (const error of stats.unread) lines.push(`alb-doctor: ${error.message}`);
  return lines.join('\n') + '\n';
}

export { AlbDoctorError };
