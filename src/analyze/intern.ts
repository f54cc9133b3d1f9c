/**
 * A byte-keyed interner for the per-line path.
 *
 * Target group ARNs, target addresses and node IPs repeat on every line; decoding each one to a string
 * just to look it up would allocate two strings per line for values the analysis has already seen. The
 * interner hashes the field's bytes in place and only decodes on the first sight of a value.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

interface Slot<T> {
  bytes: Buffer;
  value: T;
}

export class ByteInterner<T> {
  private readonly slots = new Map<number, Slot<T>[]>();
  private last: Slot<T> | null = null;
  private count = 0;

  constructor(private readonly create: (text: string) => T) {}

  get size(): number {
    return this.count;
  }

  /** The value for `buf[start, end)`, created from its UTF-8 text on first sight. */
  get(buf: Buffer, start: number, end: number): T {
    // Consecutive lines mostly repeat the last value (one target group, one busy target).
    const last = this.last;
    if (last !== null && sameBytes(last.bytes, buf, start, end)) return last.value;
    let hash = FNV_OFFSET;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, FNV_PRIME);
    let list = this.slots.get(hash);
    if (list) {
      for (const slot of list) {
        if (sameBytes(slot.bytes, buf, start, end)) {
          this.last = slot;
          return slot.value;
        }
      }
    } else {
      list = [];
      this.slots.set(hash, list);
    }
    const bytes = Buffer.from(buf.subarray(start, end));
    const value = this.create(bytes.toString('utf8'));
    const slot = { bytes, value };
    list.push(slot);
    this.last = slot;
    this.count++;
    return value;
  }

  /** Drops every value the predicate rejects (used to forget idle state on long runs). */
  retain(keep: (value: T) => boolean): void {
    this.last = null;
    for (const [hash, list] of this.slots) {
      const kept = list.filter((slot) => keep(slot.value));
      this.count -= list.length - kept.length;
      if (kept.length === 0) this.slots.delete(hash);
      else this.slots.set(hash, kept);
    }
  }

  values(): T[] {
    const out: T[] = [];
    for (const list of this.slots.values()) for (const slot of list) out.push(slot.value);
    return out;
  }
}

/**
 * Byte equality, compared from the end: ARNs and addresses share their prefixes and differ at the end.
 * A JS loop, not Buffer.compare: these fields are short and the native call costs more than the loop.
 */
function sameBytes(bytes: Buffer, buf: Buffer, start: number, end: number): boolean {
  const length = end - start;
  if (bytes.length !== length) return false;
  for (let i = length - 1; i >= 0; i--) if (bytes[i] !== buf[start + i]) return false;
  return true;
}
