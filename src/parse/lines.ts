/**
 * bytes → numbered lines, synchronously per chunk: a callback per line instead of an async iterator per
 * line (an `await` per line costs more than tokenizing it). Lines are handed out as (buffer, start, end)
 * without copying; only a line split across two chunks is joined. A line longer than `maxLineBytes` is
 * handed out as one `tooLong` line and its bytes are dropped as they arrive, so junk without newlines
 * cannot grow memory.
 */
import { MAX_LINE_BYTES } from './parseLine.js';

const NEWLINE = 0x0a;

export interface LineSink {
  /** One line without its `\n` (a trailing `\r` is left for the tokenizer); `lineNumber` is 1-based. */
  line(buf: Buffer, start: number, end: number, lineNumber: number): void;
  /** A line longer than the cap: its bytes are gone, its place is kept. */
  tooLong(lineNumber: number, bytes: number): void;
}

export class LineSplitter {
  private carry: Buffer | null = null;
  /** Bytes of an over-long line seen so far, or -1 while the current line is within the cap. */
  private overflowBytes = -1;
  private lineNumber = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  get linesSeen(): number {
    return this.lineNumber;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    const length = chunk.length;
    if (this.overflowBytes >= 0 || this.carry !== null) {
      const nl = chunk.indexOf(NEWLINE);
      const upTo = nl < 0 ? length : nl;
      if (this.overflowBytes >= 0) {
        this.overflowBytes += upTo;
        if (nl < 0) return;
        this.sink.tooLong(++this.lineNumber, this.overflowBytes);
        this.overflowBytes = -1;
      } else {
        const carry = this.carry!;
        if (carry.length + upTo > this.maxLineBytes) {
          this.carry = null;
          this.overflowBytes = carry.length + upTo;
          if (nl < 0) return;
          this.sink.tooLong(++this.lineNumber, this.overflowBytes);
          this.overflowBytes = -1;
        } else if (nl < 0) {
          this.carry = Buffer.concat([carry, chunk]);
          return;
        } else {
          // Join only the split line, not the whole chunk.
          const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
          this.carry = null;
          this.sink.line(joined, 0, joined.length, ++this.lineNumber);
        }
      }
      pos = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl < 0) break;
      if (nl - pos > this.maxLineBytes) this.sink.tooLong(++this.lineNumber, nl - pos);
      else this.sink.line(chunk, pos, nl, ++this.lineNumber);
      pos = nl + 1;
    }
    if (pos < length) {
      if (length - pos > this.maxLineBytes) this.overflowBytes = length - pos;
      // Copy the tail: the chunk may be a pooled buffer that its producer reuses.
      else this.carry = Buffer.from(chunk.subarray(pos));
    }
  }

  /**
   * Input broken off by a read error: the bytes after the last newline are not a whole line (a cut that
   * falls on a field boundary would even parse as an older, shorter layout). Returns its place, or null.
   */
  abandon(): { lineNumber: number; bytes: number } | null {
    const bytes = this.overflowBytes >= 0 ? this.overflowBytes : (this.carry?.length ?? 0);
    this.carry = null;
    this.overflowBytes = -1;
    return bytes > 0 ? { lineNumber: ++this.lineNumber, bytes } : null;
  }

  /** End of input: a last line without a newline is still a line. */
  end(): void {
    if (this.overflowBytes >= 0) {
      this.sink.tooLong(++this.lineNumber, this.overflowBytes);
      this.overflowBytes = -1;
    } else if (this.carry !== null) {
      const carry = this.carry;
      this.carry = null;
      this.sink.line(carry, 0, carry.length, ++this.lineNumber);
    }
  }
}
