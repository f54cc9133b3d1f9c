// Wires simulator, line formatter and file assembler together, and the in-memory API
// used by small tests: simulate(scenario, seed) → files, labels, truth.

import type { Seed } from './prng.js';
import type { FileTruth, Label, Layout, LineOrder, Scenario, Truth } from './model.js';
import { LineFormatter } from './format.js';
import { FileAssembler, INTERVAL_MS, type AssembledFile } from './files.js';
import { Simulator } from './simulate.js';

export interface OutputOptions {
  /** `shuffled` (default): time order locally perturbed, as real files are not in order. */
  order?: LineOrder;
  /** One concatenated file, no node IP in its name, no ip_address field. */
  noNode?: boolean;
  /** Keys end in .log.gz (default) or .log. The in-memory API never compresses. */
  gzip?: boolean;
}

export interface Run {
  simulator: Simulator;
  assembler: FileAssembler;
  seedText: string;
  order: LineOrder;
  noNode: boolean;
}

export function createRun(scenario: Scenario, seed: Seed, options: OutputOptions = {}): Run {
  const seedText = String(seed);
  const simulator = new Simulator(scenario, seed);
  const identity = simulator.identity;
  const formatter = new LineFormatter({
    startEpochMs: simulator.startEpochMs,
    elb: identity.elb,
    hostname: scenario.hostname,
    nodeIps: identity.nodeIps,
    groupArns: new Map(identity.groups.map((g) => [g.name, g.arn])),
    rulePriorities: new Map(identity.groups.map((g) => [g.name, g.spec.rulePriority])),
    certificateArn: `arn:aws:acm:${scenario.region}:${scenario.account}:certificate/${seedCertificateId(seedText)}`,
  });
  const order = options.order ?? 'shuffled';
  const noNode = options.noNode ?? false;
  const assembler = new FileAssembler({
    identity,
    formatter,
    startEpochMs: simulator.startEpochMs,
    seedLabel: seedText,
    layout: scenario.layout,
    order,
    noNode,
    gzip: options.gzip ?? true,
  });
  return { simulator, assembler, seedText, order, noNode };
}

/** A UUID-shaped id that is stable for a seed (the certificate never changes in a run). */
function seedCertificateId(seedText: string): string {
  let h = 2166136261;
  let hex = '';
  for (let round = 0; hex.length < 32; round++) {
    for (const ch of `${seedText}/${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    hex += (h >>> 0).toString(16).padStart(8, '0');
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Advance the simulation one interval; returns the files that became complete. */
export function step(run: Run, untilMs: number): AssembledFile[] {
  run.simulator.runUntil(untilMs, (entry) => run.assembler.add(entry));
  return run.assembler.takeCompleted(untilMs);
}

export function fileTruth(file: AssembledFile): FileTruth {
  return {
    key: file.key,
    layout: file.layout,
    node: file.node,
    firstLine: file.labels[0]?.line ?? 1,
    lines: file.lines.length,
    bytes: file.bytes,
  };
}

export interface SimulatedFile {
  key: string;
  layout: Layout;
  node: string | null;
  lines: string[];
}

export interface SimulationResult {
  files: SimulatedFile[];
  labels: Label[];
  truth: Truth;
}

/** Whole run in memory: for small scenarios in tests (the writer streams instead). */
export function simulate(scenario: Scenario, seed: Seed, options: OutputOptions = {}): SimulationResult {
  const run = createRun(scenario, seed, options);
  const assembled: AssembledFile[] = [];
  for (let t = INTERVAL_MS; !run.simulator.finished; t += INTERVAL_MS) assembled.push(...step(run, t));
  assembled.push(...run.assembler.takeAll());
  const files: SimulatedFile[] = [];
  const byKey = new Map<string, SimulatedFile>();
  const labels: Label[] = [];
  for (const file of assembled) {
    labels.push(...file.labels);
    const existing = byKey.get(file.key);
    if (existing) {
      // The node-unknown file is one object made of many parts.
      for (const line of file.lines) existing.lines.push(line);
      continue;
    }
    const entry: SimulatedFile = { key: file.key, layout: file.layout, node: file.node, lines: [...file.lines] };
    byKey.set(file.key, entry);
    files.push(entry);
  }
  const truth = run.simulator.truth.build({
    seed: run.seedText,
    layout: scenario.layout,
    order: run.order,
    nodeInLogs: !run.noNode,
    endMs: run.simulator.arrivalsEndMs,
    files: assembled.map(fileTruth),
    junk: [],
    uncompressedBytes: run.assembler.bytes,
  });
  return { files, labels, truth };
}
