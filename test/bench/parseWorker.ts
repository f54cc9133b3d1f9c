/**
 * Benchmark child: reads the given files with the real pipeline (sources → gunzip → lines → parseLine)
 * into a null sink and prints one JSON line of counts, seconds and peak RSS. Run in its own process so
 * its peak RSS is the parser's alone.
 */
import { readInput } from '../../src/run.js';
import { openLocalSources } from '../../src/sources/local.js';

const mode = process.argv[2]; // 'entries' (null sink) or 'records' (build every parse record, as `parse` does)
const paths = process.argv.slice(3);
let touched = 0;
const started = process.hrtime.bigint();
const stats = await readInput(openLocalSources(paths, process.stdin), {
  onEntry(entry, object, lineNumber) {
    if (mode === 'records') touched += entry.toJson(JSON.stringify(object.name), lineNumber).length;
    else touched += entry.fieldCount;
  },
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  JSON.stringify({
    seconds,
    lines: stats.lines,
    entries: stats.entries,
    malformed: stats.malformed,
    plainBytes: stats.plainBytes,
    storedBytes: stats.bytes,
    unread: stats.unread.length,
    touched,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }) + '\n',
);
