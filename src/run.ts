/**
 * The one orchestration behind every entry point (CLI, Lambda job, benchmark, library): sources →
 * readInput → accumulate → (merge) → conclude → Report. Entry points parse their own flags and render;
 * everything between the bytes and the report model happens here.
 */
import { Accumulator, type AccumulateOptions } from './analyze/accumulate.js';
import { compareDiagnoses, type GroupComparison } from './analyze/compare.js';
import { conclude, type ConcludeOptions } from './analyze/conclude.js';
import { CONTEXT_BEFORE_WINDOW_MS, type CauseEvent } from './analyze/events.js';
import { asContext, mergeAll, mergeStates } from './analyze/merge.js';
import type { AnalysisState } from './analyze/state.js';
import type { DescribeOptions } from './describe/describeSettings.js';
import { describeTargets, type LoadBalancerSighting } from './describe/loadBalancerArns.js';
import { F } from './parse/fields.js';
import type { AlbEntry } from './parse/parseLine.js';
import { readInput, readRawLines, type RawLineHooks, type ReadHooks } from './readInput.js';
import { buildReport } from './report/build.js';
import { buildComparison, type Comparison } from './report/compare.js';
import type { Report } from './report/model.js';
import { accumulateShards, inputInWalkOrder, planShards, type ShardOptions, type ShardPlan } from './shards.js';
import { openSources, type SourceOptions } from './sources/index.js';
import { lbNameOf } from './sources/s3Keys.js';
import type { LogObject, SourceItem } from './sources/logObject.js';
import type { DescribedSettings, InputStats } from './types.js';

export { countNotRead, MAX_LISTED_SKIPPED, readInput, type ReadHooks } from './readInput.js';
export { emptyInputStats, type InputStats } from './types.js';
export { asContext, mergeAll, mergeStates, type AnalysisState, type CauseEvent, type Comparison };
export { MAX_THREADS } from './shards.js';

/** Source targets (`s3://…`, files, folders, `-`), or items already opened (tests, the Lambda's own listing). */
export type Input = readonly string[] | AsyncIterable<SourceItem>;

export interface RunOptions {
  /** Entries whose `time` is in [fromMs, toMs) are analysed (epoch ms); open when absent. */
  fromMs?: number;
  toMs?: number;
  /** --alb-idle-timeout; when absent it is inferred from 504s, else 60. */
  albIdleTimeoutSeconds?: number;
  /**
   * How far before `fromMs` entries still feed idle gaps (default 10 minutes). 0 for a window that will be
   * merged after the one before it (the Lambda's windows): the earlier state settles those gaps exactly.
   */
  contextBeforeMs?: number;
  /** How sources are opened (stdin, S3 settings); needed only when `input` holds targets. */
  sources?: SourceOptions;
  /**
   * --describe: read the load balancer's idle timeout and the target groups' deregistration delays from AWS
   * (the ARNs from the logs, or `sources.lbName` given as an ARN) and use them instead of inferring.
   * runReport only; the ELBv2 SDK is loaded only then.
   */
  describe?: DescribeOptions;
  /**
   * runReport only: read local files on up to this many worker threads, split by ALB node (shards.ts); the
   * report is the single pass's. stdin, S3, files without a node in their name and --describe use one (1 if absent).
   */
  threads?: number;
}

export interface RunHooks {
  /** Each 5xx/460 entry with its cause (--events), in the order causes become known. */
  onEvent?(event: CauseEvent): void;
  /** After each chunk of plain bytes: a place to wait for output to drain, or to draw progress. */
  afterChunk?(stats: InputStats): Promise<void> | void;
}

export interface Accumulated {
  state: AnalysisState;
  stats: InputStats;
}

/** Reads the input and accumulates it into a state, nothing concluded: a shard, or a window to store and merge. */
export async function accumulateInput(input: Input, options: RunOptions = {}, hooks: RunHooks = {}): Promise<Accumulated> {
  return accumulate(input, options, hooks, null);
}

/** `sightings`: when given, the `elb` field of each object's first entry (one load balancer per ALB log file). */
async function accumulate(input: Input, options: RunOptions, hooks: RunHooks, sightings: Map<string, LoadBalancerSighting> | null): Promise<Accumulated> {
  const accumulateOptions: AccumulateOptions = {
    ...(options.fromMs !== undefined && { fromMs: options.fromMs }),
    ...(options.toMs !== undefined && { toMs: options.toMs }),
    ...(options.contextBeforeMs !== undefined && { contextBeforeMs: options.contextBeforeMs }),
    ...(options.albIdleTimeoutSeconds !== undefined && { albIdleTimeoutSeconds: options.albIdleTimeoutSeconds }),
    ...(hooks.onEvent !== undefined && { onEvent: hooks.onEvent }),
  };
  const accumulator = new Accumulator(accumulateOptions);
  // The first idle gaps after fromMs are measured against the entries just before it, so S3 must fetch
  // the objects holding those too, or an S3 report would differ from one on the same files read locally.
  const contextMs = options.contextBeforeMs ?? CONTEXT_BEFORE_WINDOW_MS;
  const readFromMs = options.fromMs === undefined ? undefined : options.fromMs - contextMs;
  const stats = await readInput(
    open(input, options.sources, readFromMs, options.toMs),
    {
      onEntry: sightings === null ? (entry, object, lineNumber) => accumulator.observe(entry, object, lineNumber) : sightingEntry(accumulator, sightings),
      onObjectEnd: (object, counts, storedBytes) => accumulator.fileRead(object, counts, storedBytes),
      ...(hooks.afterChunk !== undefined && { afterChunk: hooks.afterChunk }),
    },
    readOptions(options.sources),
  );
  return { state: accumulator.finish(stats), stats };
}

/** A (merged) state → the report: decides the held races, the keep-alive estimates and the advice. */
export function reportFromState(state: AnalysisState, options: ConcludeOptions = {}): Report {
  return buildReport(conclude(state, options));
}

function sightingEntry(accumulator: Accumulator, sightings: Map<string, LoadBalancerSighting>): ReadHooks['onEntry'] {
  let lastObject: LogObject | null = null;
  return (entry, object, lineNumber) => {
    if (object !== lastObject) {
      lastObject = object;
      const elb = entry.text(F.elb);
      if (elb !== null && !sightings.has(elb)) sightings.set(elb, { elb, objectName: object.name });
    }
    accumulator.observe(entry, object, lineNumber);
  };
}

/** With `threads` given: how many threads read the input, and why only one when more were asked for. */
export interface ThreadsUsed {
  used: number;
  reason?: string;
}

/** `alb-doctor report`: the input → the Report, with the input's statistics. */
export async function runReport(input: Input, options: RunOptions = {}, hooks: RunHooks = {}): Promise<Accumulated & { report: Report; threads?: ThreadsUsed }> {
  const sightings = options.describe === undefined ? null : new Map<string, LoadBalancerSighting>();
  let threads: ThreadsUsed = { used: 1 };
  let accumulated: Accumulated | null = null;
  if ((options.threads ?? 1) > 1) {
    const plan = !isTargets(input)
      ? ({ kind: 'single', reason: 'the input is not files or folders' } as const)
      : options.describe !== undefined
        ? ({ kind: 'single', reason: '--describe reads on one thread' } as const)
        : await planShards(input, options.threads!, options.sources);
    if (plan.kind === 'shards') {
      accumulated = await accumulateThreaded(plan, options, hooks);
      threads = { used: plan.shards.length };
    } else {
      threads = { used: 1, reason: plan.reason };
      // The walk is done: its items are read as they are, not walked again.
      if ('items' in plan && plan.items !== undefined) input = itemsOf(plan.items);
    }
  }
  const { state, stats } = accumulated ?? (await accumulate(input, options, hooks, sightings));
  let described: DescribedSettings | undefined;
  if (options.describe !== undefined) {
    const targets = describeTargets([...sightings!.values()], state.groups.map((g) => g.arn), options.sources?.lbName);
    // The SDK is loaded only now, for --describe, as the S3 client is only for s3:// sources.
    const { describeSettings } = await import('./describe/describeSettings.js');
    described = await describeSettings(targets, options.describe);
  }
  const report = reportFromState(state, {
    ...(options.albIdleTimeoutSeconds !== undefined && { albIdleTimeoutSeconds: options.albIdleTimeoutSeconds }),
    ...(described !== undefined && { described }),
    ...(hooks.onEvent !== undefined && { onEvent: hooks.onEvent }),
  });
  return { report, state, stats, ...(options.threads !== undefined && { threads }) };
}

async function accumulateThreaded(plan: Extract<ShardPlan, { kind: 'shards' }>, options: RunOptions, hooks: RunHooks): Promise<Accumulated> {
  const lbName = readOptions(options.sources).lbName;
  const shardOptions: ShardOptions = {
    ...(options.fromMs !== undefined && { fromMs: options.fromMs }),
    ...(options.toMs !== undefined && { toMs: options.toMs }),
    ...(options.contextBeforeMs !== undefined && { contextBeforeMs: options.contextBeforeMs }),
    ...(options.albIdleTimeoutSeconds !== undefined && { albIdleTimeoutSeconds: options.albIdleTimeoutSeconds }),
    ...(lbName !== undefined && { lbName: options.sources!.lbName! }),
  };
  const { states, stats } = await accumulateShards(plan.shards, plan.order, shardOptions, hooks);
  const state = mergeAll(states);
  inputInWalkOrder(state, states, plan.order);
  return { state, stats };
}

async function* itemsOf(items: readonly SourceItem[]): AsyncGenerator<SourceItem> {
  yield* items;
}

export interface CompareRunOptions extends Omit<RunOptions, 'fromMs' | 'toMs' | 'contextBeforeMs'> {
  /** The two periods [fromMs, toMs) in epoch ms: entries of each are read from all of `input`. */
  before: { fromMs: number; toMs: number };
  after: { fromMs: number; toMs: number };
}

/**
 * `alb-doctor compare`: each period read from its input (the CLI gives the same sources for both) and
 * accumulated as `report` would (the same orchestration, once per period; S3 listings narrowed to each
 * period), concluded apart, and compared per target group.
 */
export async function runCompare(
  inputs: { before: Input; after: Input },
  options: CompareRunOptions,
  hooks: Pick<RunHooks, 'afterChunk'> = {},
): Promise<{ comparison: Comparison; groups: GroupComparison[]; stats: InputStats[] }> {
  const { before, after, ...common } = options;
  const concludeOptions: ConcludeOptions = options.albIdleTimeoutSeconds === undefined ? {} : { albIdleTimeoutSeconds: options.albIdleTimeoutSeconds };
  const periods = [];
  for (const [period, input] of [[before, inputs.before], [after, inputs.after]] as const) {
    const { state, stats } = await accumulateInput(input, { ...common, fromMs: period.fromMs, toMs: period.toMs }, hooks);
    periods.push({ diagnosis: conclude(state, concludeOptions), stats });
  }
  const groups = compareDiagnoses(periods[0]!.diagnosis, periods[1]!.diagnosis);
  return { comparison: buildComparison(before, after, groups), groups, stats: periods.map((p) => p.stats) };
}

export interface ParseHooks {
  /** Each valid entry in the window; the view is only valid during the call. */
  onEntry(entry: AlbEntry, object: LogObject, lineNumber: number): void;
  afterChunk?(stats: InputStats): Promise<void> | void;
}

/**
 * `alb-doctor parse`: every entry of the input in [fromMs, toMs) (all when open), in input order; with
 * `--lb`, only that load balancer's. `outsideWindow` counts the entries left out by time.
 */
export async function runParse(
  input: Input,
  options: Pick<RunOptions, 'fromMs' | 'toMs' | 'sources'>,
  hooks: ParseHooks,
): Promise<{ stats: InputStats; outsideWindow: number }> {
  const { fromMs, toMs } = options;
  let outsideWindow = 0;
  const onEntry: ParseHooks['onEntry'] =
    fromMs === undefined && toMs === undefined
      ? hooks.onEntry
      : (entry, object, lineNumber) => {
          const timeMs = entry.timeMs;
          if ((fromMs !== undefined && timeMs < fromMs) || (toMs !== undefined && timeMs >= toMs)) outsideWindow++;
          else hooks.onEntry(entry, object, lineNumber);
        };
  const stats = await readInput(
    open(input, options.sources, fromMs, toMs),
    { onEntry, ...(hooks.afterChunk !== undefined && { afterChunk: hooks.afterChunk }) },
    readOptions(options.sources),
  );
  return { stats, outsideWindow };
}

/** --lb filters entries on their `elb` field, wherever they come from (S3 listings are narrowed too). */
function readOptions(sources: SourceOptions | undefined): { lbName?: string } {
  const lbName = sources?.lbName === undefined ? null : lbNameOf(sources.lbName);
  return lbName === null ? {} : { lbName };
}

/** Every line of the input raw, before parsing, with the objects accounted for as `report` does (athena local). */
export async function runLines(input: Input, hooks: RawLineHooks, maxLineBytes: number, sources?: SourceOptions): Promise<InputStats> {
  return readRawLines(open(input, sources, undefined, undefined), hooks, maxLineBytes);
}

/** Time windows (or node shards) accumulated apart → one report, merged in the given (time) order. */
export function reportFromStates(states: readonly AnalysisState[], options: ConcludeOptions = {}): Report {
  return reportFromState(mergeAll(states), options);
}

function open(input: Input, sources: SourceOptions | undefined, fromMs: number | undefined, toMs: number | undefined): AsyncIterable<SourceItem> {
  if (!isTargets(input)) return input;
  const options: SourceOptions = sources ?? { stdin: process.stdin };
  return openSources(input, {
    ...options,
    ...(fromMs !== undefined && { from: new Date(fromMs) }),
    ...(toMs !== undefined && { to: new Date(toMs) }),
  });
}

const isTargets = (input: Input): input is readonly string[] => Array.isArray(input);
