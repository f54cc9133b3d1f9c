// Groups simulated entries into log objects (one per node per 5 minutes, by `time`),
// formats them in the file's layout, orders the lines and numbers the labels. A slot
// is released once the simulation clock has passed its interval end.

import { Rng } from './prng.js';
import { LAYOUTS, type Label, type Layout, type LayoutOption, type LineOrder, type SimEntry } from './model.js';
import { LineFormatter } from './format.js';
import { INTERVAL_MS, accessLogKey, concatenatedKey, intervalEndEpochMs } from './layout.js';
import type { Identity } from './setup.js';

export interface AssembledFile {
  key: string;
  layout: Layout;
  /** IP of the node this object belongs to; null for the node-unknown concatenated file. */
  node: string | null;
  lines: string[];
  labels: Label[];
  bytes: number;
  /** End of the 5-minute interval the lines belong to. */
  endEpochMs: number;
  deliveryEpochMs: number;
}

interface Row {
  timeUs: number;
  line: string;
  label: Label;
}

interface Slot {
  nodeIndex: number;
  endEpochMs: number;
  key: string;
  layout: Layout;
  deliveryEpochMs: number;
  rows: Row[];
}

export interface AssemblerOptions {
  identity: Identity;
  formatter: LineFormatter;
  startEpochMs: number;
  seedLabel: string;
  layout: LayoutOption;
  order: LineOrder;
  /** Write one concatenated file with no node in its name and no ip_address field. */
  noNode: boolean;
  gzip: boolean;
}

/**
 * How far ahead one swap reaches when lines are shuffled. A line swapped forward can be picked again, so a
 * few lines travel much further (dozens of places, minutes of log time): a harder test of the analyzer's
 * reordering window than a bounded shuffle, and no worse than real files, whose order AWS does not document.
 */
const SHUFFLE_REACH = 6;

export class FileAssembler {
  private readonly slots = new Map<string, Slot>();
  private readonly arnByGroup: Map<string, string>;
  private readonly concatKey: string;
  private concatLineCount = 0;
  private totalBytes = 0;

  constructor(private readonly opts: AssemblerOptions) {
    this.arnByGroup = new Map(opts.identity.groups.map((g) => [g.name, g.arn]));
    this.concatKey = concatenatedKey(opts.identity, opts.startEpochMs, opts.gzip);
  }

  /** Uncompressed bytes formatted so far (lines plus newlines). */
  get bytes(): number {
    return this.totalBytes;
  }

  private slotFor(nodeIndex: number, endEpochMs: number): Slot {
    const id = `${endEpochMs}/${nodeIndex}`;
    let slot = this.slots.get(id);
    if (slot) return slot;
    const { identity, seedLabel, gzip, noNode } = this.opts;
    const nodeIp = identity.nodeIps[nodeIndex] as string;
    // Per-file randomness is keyed by the file, so it does not depend on flush order.
    const rng = new Rng(seedLabel, `file/${nodeIp}/${endEpochMs}`);
    const naming = accessLogKey(identity, endEpochMs, nodeIp, rng, gzip);
    let layout: Layout = this.opts.layout === 'mixed' ? rng.pick(LAYOUTS) : this.opts.layout;
    if (noNode && layout === '2026') layout = '2025';
    slot = { nodeIndex, endEpochMs, key: noNode ? this.concatKey : naming.key, layout, deliveryEpochMs: naming.deliveryEpochMs, rows: [] };
    this.slots.set(id, slot);
    return slot;
  }

  add(entry: SimEntry): void {
    const epochMs = this.opts.startEpochMs + entry.timeMs;
    const slot = this.slotFor(entry.nodeIndex, intervalEndEpochMs(epochMs));
    const line = this.opts.formatter.format(entry, slot.layout, !this.opts.noNode);
    this.totalBytes += line.length + 1;
    slot.rows.push({
      timeUs: Math.floor(epochMs * 1000),
      line,
      label: {
        file: slot.key,
        line: 0,
        class: entry.cls,
        targetGroup: entry.groupName === null ? null : (this.arnByGroup.get(entry.groupName) ?? null),
        target: entry.target,
        node: this.opts.identity.nodeIps[entry.nodeIndex] ?? null,
        connectionId: entry.connectionId,
        connectionIdleMs: entry.connectionIdleMs === null ? null : Math.round(entry.connectionIdleMs * 1000) / 1000,
        closeCause: entry.closeCause,
      },
    });
  }

  /** Files whose interval ended at or before `simMs` (ms since start), in key order. */
  takeCompleted(simMs: number): AssembledFile[] {
    const limitEpochMs = this.opts.startEpochMs + simMs;
    const ready = [...this.slots.entries()].filter(([, s]) => s.endEpochMs <= limitEpochMs);
    return this.release(ready);
  }

  takeAll(): AssembledFile[] {
    return this.release([...this.slots.entries()]);
  }

  private release(ready: [string, Slot][]): AssembledFile[] {
    ready.sort(([, a], [, b]) => a.endEpochMs - b.endEpochMs || a.nodeIndex - b.nodeIndex);
    const files: AssembledFile[] = [];
    for (const [id, slot] of ready) {
      this.slots.delete(id);
      files.push(this.finish(slot));
    }
    return files;
  }

  private finish(slot: Slot): AssembledFile {
    const rows = slot.rows;
    rows.sort((a, b) => a.timeUs - b.timeUs);
    if (this.opts.order === 'shuffled') {
      // Local perturbation: AWS does not document line order, and it is not time order.
      const rng = new Rng(this.opts.seedLabel, `order/${slot.key}/${slot.endEpochMs}/${slot.nodeIndex}`);
      for (let i = 0; i + 1 < rows.length; i++) {
        if (!rng.chance(0.35)) continue;
        const j = Math.min(rows.length - 1, i + 1 + rng.int(SHUFFLE_REACH));
        const tmp = rows[i] as Row;
        rows[i] = rows[j] as Row;
        rows[j] = tmp;
      }
    }
    const firstLine = this.opts.noNode ? this.concatLineCount : 0;
    const lines: string[] = new Array<string>(rows.length);
    const labels: Label[] = new Array<Label>(rows.length);
    let bytes = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as Row;
      row.label.line = firstLine + i + 1;
      lines[i] = row.line;
      labels[i] = row.label;
      bytes += row.line.length + 1;
    }
    if (this.opts.noNode) this.concatLineCount += rows.length;
    return {
      key: slot.key,
      layout: slot.layout,
      node: this.opts.noNode ? null : (this.opts.identity.nodeIps[slot.nodeIndex] ?? null),
      lines,
      labels,
      bytes,
      endEpochMs: slot.endEpochMs,
      deliveryEpochMs: slot.deliveryEpochMs,
    };
  }
}

export { INTERVAL_MS };
