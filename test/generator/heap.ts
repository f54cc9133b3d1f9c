// Binary min-heap of timed events; ties broken by insertion order so runs are deterministic.

export interface Timed {
  atMs: number;
  seq: number;
}

/** Omit over each member of a union (plain Omit collapses the union). */
type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;

export class EventHeap<T extends Timed> {
  private readonly items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: WithoutSeq<T>): void {
    const entry = { ...item, seq: this.nextSeq++ } as T;
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(entry, items[parent] as T)) break;
      items[i] = items[parent] as T;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && this.less(items[right] as T, items[left] as T) ? right : left;
        if (!this.less(items[child] as T, last)) break;
        items[i] = items[child] as T;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }

  private less(a: T, b: T): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
  }
}
