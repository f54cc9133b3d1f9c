import { describe, expect, it } from 'vitest';
import { ConnectionTracker, recentRequests, REORDER_WINDOW_MS } from '../../src/analyze/connections.js';
import { analyseFiles, line, T0 } from './lines.js';

interface Req {
  id: string;
  node?: string;
  target?: string;
  at: number;
  end: number;
  frees?: boolean;
}

/** Pushes requests in the given (arrival) order; returns each id's measured gap. */
function gaps(requests: readonly Req[], flush = true): { gaps: Map<string, number | null>; tracker: ConnectionTracker<string> } {
  const out = new Map<string, number | null>();
  const tracker = new ConnectionTracker<string>((id, gapMs) => out.set(id, gapMs));
  for (const r of requests) {
    const stream = tracker.stream(r.node ?? 'n1');
    const target = Buffer.from(r.target ?? '10.0.0.1:80');
    tracker.push(stream, tracker.pair(stream, target, 0, target.length), r.at, r.end, r.frees ?? true, r.id);
  }
  if (flush) tracker.flush();
  return { gaps: out, tracker };
}

describe('ConnectionTracker', () => {
  it('measures dispatch minus the latest end before it', () => {
    const { gaps: g } = gaps([
      { id: 'a', at: 0, end: 50 },
      { id: 'b', at: 1050, end: 1100 },
      { id: 'c', at: 7100, end: 7120 },
    ]);
    expect([...g]).toEqual([['a', null], ['b', 1000], ['c', 6000]]);
  });

  it('ignores requests still in flight at the dispatch (they hold another connection)', () => {
    const { gaps: g } = gaps([
      { id: 'slow', at: 0, end: 5000 },
      { id: 'fast', at: 100, end: 200 },
      { id: 'next', at: 3200, end: 3300 },
      { id: 'after', at: 6000, end: 6100 },
    ]);
    expect(g.get('next')).toBe(3000); // since `fast` ended; `slow` still busy
    expect(g.get('after')).toBe(1000); // since `slow` ended at 5000
  });

  it('does not count ends of requests that lost their connection (races, timeouts)', () => {
    const { gaps: g } = gaps([
      { id: 'ok', at: 0, end: 10 },
      { id: 'race', at: 6010, end: 6011, frees: false },
      { id: 'retry', at: 6020, end: 6030 },
    ]);
    expect(g.get('race')).toBe(6000);
    expect(g.get('retry')).toBe(6010);
  });

  it('gives the same gaps whatever the arrival order inside the window', () => {
    const inOrder: Req[] = [];
    for (let i = 0; i < 40; i++) inOrder.push({ id: `r${i}`, at: i * 700, end: i * 700 + 30 + (i % 3) * 400 });
    const shuffled = [...inOrder];
    for (let i = 0; i + 3 < shuffled.length; i += 4) [shuffled[i], shuffled[i + 3]] = [shuffled[i + 3]!, shuffled[i]!];
    expect(gaps(shuffled).gaps).toEqual(gaps(inOrder).gaps);
  });

  it('keeps (node, target) pairs apart', () => {
    const { gaps: g } = gaps([
      { id: 'a1', node: 'A', at: 0, end: 10 },
      { id: 'b1', node: 'B', at: 3000, end: 3010 },
      { id: 'a2', node: 'A', at: 6010, end: 6020 },
      { id: 'a3', node: 'A', target: '10.0.0.2:80', at: 6030, end: 6040 },
    ]);
    expect(g.get('a2')).toBe(6000);
    expect(g.get('b1')).toBeNull();
    expect(g.get('a3')).toBeNull();
  });

  it('measures what it can of a request longer than the window, and counts it', () => {
    const long = REORDER_WINDOW_MS * 3;
    const { gaps: g, tracker } = gaps([
      { id: 'first', at: 0, end: 10 },
      { id: 'short', at: 1000, end: 1010 },
      { id: 'tick', at: long - 1000, end: long - 990 },
      { id: 'long', at: 20, end: long }, // logged at its end, long after later-dispatched requests
      { id: 'next', at: long + 500, end: long + 510 },
    ]);
    expect(g.get('long')).toBeNull();
    expect(g.get('next')).toBe(500); // the long request's end still counts
    expect(tracker.stats.unknownGap).toBe(1);
    expect(tracker.stats.outOfOrder).toBe(0);
  });

  it('measures a line that arrives minutes late, within the window, as if it had come in order', () => {
    const requests: Req[] = [];
    for (let i = 0; i < 400; i++) requests.push({ id: `r${i}`, at: i * 1000, end: i * 1000 + 10 });
    const late = requests.splice(100, 1)[0]!;
    requests.splice(340, 0, late); // arrives 240 s late
    const { gaps: g, tracker } = gaps(requests);
    expect(g.get('r100')).toBe(990);
    expect(g.get('r101')).toBe(990);
    expect(tracker.stats.unknownGap).toBe(0);
    expect(tracker.stats.maxWindowMs).toBe(REORDER_WINDOW_MS);
  });

  it('counts a line later than the window as late, never measures it wrongly', () => {
    const requests: Req[] = [];
    for (let i = 0; i < 900; i++) requests.push({ id: `r${i}`, at: i * 1000, end: i * 1000 + 10 });
    const late = requests.splice(100, 1)[0]!;
    requests.splice(100 + REORDER_WINDOW_MS / 1000 + 60, 0, late);
    const { gaps: g, tracker } = gaps(requests);
    expect(g.get('r100')).toBeNull();
    expect(tracker.stats.unknownGap).toBe(1);
    expect(tracker.stats.outOfOrder).toBe(1);
  });

  it('measures a detached segment on its own', () => {
    const out = new Map<string, number | null>();
    const tracker = new ConnectionTracker<string>((id, gapMs) => out.set(id, gapMs));
    const target = Buffer.from('10.0.0.1:80');
    const main = tracker.stream('n1');
    tracker.push(main, tracker.pair(main, target, 0, target.length), 1_000_000, 1_000_010, true, 'main');
    expect(tracker.isBehindWindow(main, 10_000)).toBe(true);
    const segment = tracker.openSegment('n1');
    const pair = tracker.pair(segment, target, 0, target.length);
    tracker.push(segment, pair, 0, 10, true, 'old1');
    tracker.push(segment, pair, 2010, 2020, true, 'old2');
    tracker.closeSegment(segment);
    expect(out.get('old2')).toBe(2000);
    expect(tracker.stats.detachedDispatches).toBe(2);
  });

  it('remembers the recent requests of a pair, oldest first', () => {
    let recent: ReturnType<typeof recentRequests> | null = null;
    const tracker = new ConnectionTracker<string>((id, _gap, pair) => {
      if (id === 'last') recent = recentRequests(pair);
    });
    const stream = tracker.stream('n1');
    const target = Buffer.from('10.0.0.1:80');
    const pair = tracker.pair(stream, target, 0, target.length);
    tracker.push(stream, pair, 0, 10, true, 'a');
    tracker.push(stream, pair, 100, 101, false, 'b');
    tracker.push(stream, pair, 200, 210, true, 'last');
    tracker.flush();
    expect([...recent!.dispatchedMs]).toEqual([0, 100]);
    expect([...recent!.endMs]).toEqual([10, NaN]);
  });
});

describe('ALB node of a request', () => {
  const race = (at: number, node: string | null = '172.31.0.10'): string =>
    line({ at, elb: 502, targetStatus: null, tpt: 0.001, rspt: -1, duration: 2, node });

  it('comes from the file name first, then from the ip_address field', async () => {
    const { events, report } = await analyseFiles([
      { name: 'a.log', nodeIp: '172.31.9.9', lines: [line({ at: 0, node: null }), race(6020, null)] },
      { name: 'b.log', lines: [line({ at: 7000, node: '172.31.1.1' }), race(13_020, '172.31.1.1')] },
    ]);
    expect(events.map((e) => [e.node, e.idleGapMs])).toEqual([
      ['172.31.9.9', 6000],
      ['172.31.1.1', 6000],
    ]);
    expect(report.notes.join(' ')).not.toMatch(/no ALB node/);
  });

  it('falls back to the target alone when unknown, and says so', async () => {
    const { events, report } = await analyseFiles([{ name: 'all.log', lines: [line({ at: 0, node: null }), race(6020, null)] }]);
    expect(events[0]).toMatchObject({ node: null, idleGapMs: 6000 });
    expect(report.notes.some((n) => n.includes('name no ALB node'))).toBe(true);
  });

  it('cuts a node-less concatenation where time jumps back, one node per part', async () => {
    // Node A's 5 minutes, then node B's same 5 minutes: without the cut, B's request at 100 s would look
    // 20 ms idle (A's request on the same target), with it B's race shows its true 6 s.
    const a = [line({ at: 0, node: null }), line({ at: 94_000, node: null }), line({ at: 299_000, node: null })];
    const b = [line({ at: 94_000 - 6000 + 20, node: null, duration: 20 }), race(94_040, null)];
    const { events } = await analyseFiles([{ name: 'all.log', lines: [...a, ...b] }]);
    expect(events).toHaveLength(1);
    expect(events[0]!.idleGapMs).toBeCloseTo(6000, 0);
  });

  it('measures a file that comes after later files of its node on its own, and says so', async () => {
    const late = { name: 'early.log', nodeIp: '172.31.0.10', lines: [line({ at: 0 }), race(6020)] };
    const first = { name: 'later.log', nodeIp: '172.31.0.10', lines: [line({ at: 3_600_000 })] };
    const { events, report } = await analyseFiles([first, late]);
    expect(events[0]!.idleGapMs).toBe(6000);
    expect(report.notes.some((n) => /measured on (its|their) own/.test(n))).toBe(true);
  });

  it('uses entries just before --from as context for the first gaps in the window', async () => {
    const { events, report } = await analyseFiles([{ name: 'a.log', nodeIp: '172.31.0.10', lines: [line({ at: 0 }), race(6020)] }], {
      fromMs: T0 + 1000,
    });
    expect(report.input.outsideWindow).toBe(1);
    expect(events[0]!.idleGapMs).toBe(6000);
  });
});
