/**
 * Benchmark child: reads the given files with the real pipeline (sources → gunzip → lines → parseLine)
 * into a null sink and prints one JSON line of counts, seconds and peak RSS. Run in its own process so
 * its peak RSS is the parser's alone.
 */
import { readInput } from '../../src/run.js';
import { openLocalSources } from '../../src/sources/local.js';
import { nullSink, printResult } from './nullSink.js';

const mode = process.argv[2]; // 'entries' (null sink) or 'records' (build every parse record, as `parse` does)
const paths = process.argv.slice(3);
const sink = nullSink(mode === 'records' ? 'records' : 'entries');
const started = process.hrtime.bigint();
const stats = await readInput(openLocalSources(paths, process.stdin), sink.hooks);
printResult(stats, started, sink.touched());
