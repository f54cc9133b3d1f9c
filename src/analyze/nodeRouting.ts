/**
 * Which stream of the ConnectionTracker an entry's request is measured on (connections.ts):
 * - node known: the node's stream, unless the file's first entry for that node comes after the node's
 *   window has passed it (files out of order); then the whole file is measured on its own;
 * - node unknown: a concatenation of per-node files is the usual case (`cat`, or one object holding all
 *   nodes), and each part is one node's 5 minutes; a jump back in time by more than UNKNOWN_NODE_JUMP_MS
 *   starts a new part, measured on its own, so pairs stay within one node as far as the input allows.
 */
import type { LogFileRef } from '../types.js';
import type { ConnectionTracker, NodeStream } from './connections.js';

/**
 * With the node unknown, a jump back in `time` this large starts a new part of a concatenation: lines
 * within one file are only locally out of order, while the next node's part of the same 5 minutes starts
 * minutes earlier.
 */
const UNKNOWN_NODE_JUMP_MS = 2 * 60_000;

export class NodeRouting<T> {
  /** The file being read, and per node whether it goes to the node's stream or a segment of its own. */
  private currentFile: LogFileRef | null = null;
  private readonly streamOfNode = new Map<string, NodeStream<T> | 'node'>();
  private unknownNodeSegment: NodeStream<T> | null = null;
  detachedFiles = 0;
  unknownNodeChunks = 0;

  constructor(private readonly tracker: ConnectionTracker<T>) {}

  streamFor(node: string | null, file: LogFileRef, timeMs: number): NodeStream<T> {
    if (file !== this.currentFile) this.startFile(file);
    if (node === null) {
      const current = this.unknownNodeSegment;
      if (current === null || timeMs < current.newestTimeMs - UNKNOWN_NODE_JUMP_MS) {
        if (current !== null) this.tracker.closeSegment(current);
        this.unknownNodeSegment = this.tracker.openSegment(null);
        this.unknownNodeChunks++;
      }
      return this.unknownNodeSegment!;
    }
    let choice = this.streamOfNode.get(node);
    if (choice === undefined) {
      const nodeStream = this.tracker.stream(node);
      choice = this.tracker.isBehindWindow(nodeStream, timeMs) ? this.tracker.openSegment(node) : 'node';
      if (choice !== 'node') this.detachedFiles++;
      this.streamOfNode.set(node, choice);
    }
    return choice === 'node' ? this.tracker.stream(node) : choice;
  }

  /** A new file: the segments of the previous one are measured and closed. */
  private startFile(file: LogFileRef): void {
    for (const choice of this.streamOfNode.values()) if (choice !== 'node') this.tracker.closeSegment(choice);
    this.streamOfNode.clear();
    if (this.unknownNodeSegment) this.tracker.closeSegment(this.unknownNodeSegment);
    this.unknownNodeSegment = null;
    this.currentFile = file;
  }
}
