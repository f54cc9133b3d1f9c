/**
 * Runs generator output through the real input path (readInput → LineSplitter → LineParser) into
 * Analysis, and scores the analysis against the generator's per-line truth labels.
 */
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { runReport, type CauseEvent, type RunOptions } from '../../src/run.js';
import type { Report, TargetGroupReport } from '../../src/report/model.js';
import { classifyLogName } from '../../src/sources/logNames.js';
import type { SourceItem } from '../../src/sources/logObject.js';
import {
  scenario,
  simulate,
  type DeepPartial,
  type GroupTruth,
  type Label,
  type OutputOptions,
  type PresetName,
  type Scenario,
  type ScenarioOverrides,
  type SimulationResult,
  type TruthClass,
} from '../generator/index.js';

export interface Analysed {
  report: Report;
  events: CauseEvent[];
}

export async function* itemsOf(result: SimulationResult): AsyncGenerator<SourceItem> {
  for (const file of result.files) {
    const body = Buffer.from(file.lines.join('\n') + '\n');
    const verdict = classifyLogName(basename(file.key), true);
    yield {
      kind: 'log',
      name: file.key,
      nodeIp: verdict.kind === 'alb' ? verdict.nodeIp : null,
      sizeBytes: body.length,
      open: () => Readable.from([body]),
    };
  }
}

export async function analyse(result: SimulationResult, options: RunOptions = {}): Promise<Analysed> {
  const events: CauseEvent[] = [];
  const { report } = await runReport(itemsOf(result), options, { onEvent: (e) => events.push(e) });
  return { report, events };
}

export interface ClassScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

/** Precision and recall of one class, events matched to labels by file and line. */
export function score(labels: readonly Label[], events: readonly CauseEvent[], cls: TruthClass, targetGroup?: string): ClassScore {
  const predicted = new Map<string, string>();
  for (const e of events) predicted.set(`${e.file}:${e.line}`, e.class);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const label of labels) {
    if (targetGroup !== undefined && label.targetGroup !== targetGroup) continue;
    const got = predicted.get(`${label.file}:${label.line}`) ?? 'ok';
    if (label.class === cls && got === cls) tp++;
    else if (label.class === cls) fn++;
    else if (got === cls) fp++;
  }
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn) };
}

/** Confusion counts truth → predicted over error lines (for diagnostics in failure messages). */
export function confusion(labels: readonly Label[], events: readonly CauseEvent[]): Record<string, number> {
  const predicted = new Map<string, string>();
  for (const e of events) predicted.set(`${e.file}:${e.line}`, e.class);
  const out: Record<string, number> = {};
  for (const label of labels) {
    const got = predicted.get(`${label.file}:${label.line}`) ?? 'ok';
    if (label.class === 'ok' && got === 'ok') continue;
    const key = `${label.class}→${got}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

export interface ScenarioRun {
  sim: SimulationResult;
  report: Report;
  events: CauseEvent[];
}

/** Simulates a preset (with overrides) and analyses it; `output` as the generator's OutputOptions. */
export async function runScenario(
  name: PresetName,
  seed: number,
  knobs: ScenarioOverrides = {},
  override?: DeepPartial<Scenario>,
  output: OutputOptions = {},
): Promise<ScenarioRun> {
  const sim = simulate(scenario(name, override, knobs), seed, output);
  const { report, events } = await analyse(sim);
  return { sim, report, events };
}

/** The report's group and the truth's group, by target group name (`shop-prod-api` → `api`). */
export function groupPair(run: ScenarioRun, shortName: string): { truth: GroupTruth; report: TargetGroupReport | undefined } {
  const truth = run.sim.truth.groups.find((g) => g.name === shortName);
  if (!truth) throw new Error(`no group ${shortName} in the scenario`);
  return { truth, report: run.report.targetGroups.find((g) => g.arn === truth.arn) };
}

/** Sums class scores over several runs (precision and recall are recomputed from the totals). */
export function sumScores(scores: readonly ClassScore[]): ClassScore {
  const tp = scores.reduce((n, s) => n + s.truePositives, 0);
  const fp = scores.reduce((n, s) => n + s.falsePositives, 0);
  const fn = scores.reduce((n, s) => n + s.falseNegatives, 0);
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn) };
}
