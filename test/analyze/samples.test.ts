import { describe, expect, it } from 'vitest';
import { keepFirstSamples, MAX_CLASS_SAMPLES, SampleKeeper, type SampleRecord } from '../../src/analyze/samples.js';

const sample = (arn: string, cls: SampleRecord['cls'], timeMs: number, file = 'a.log', line = 1): SampleRecord => ({
  cls,
  arn,
  file,
  line,
  time: new Date(timeMs).toISOString(),
  timeMs,
  target: '10.0.0.1:80',
  node: '10.0.1.1',
  idleGapMs: 6000,
  client: '203.0.113.1',
  verb: 'GET',
  url: 'https://x/?a=1',
  protocol: 'HTTP/1.1',
  elbStatusCode: 502,
  targetStatusCode: null,
  processingTimes: [0, -1, -1],
});

describe('samples', () => {
  const all = [
    sample('g1', 'keepalive_race', 50),
    sample('g1', 'keepalive_race', 10, 'b.log', 3),
    sample('g1', 'keepalive_race', 10, 'a.log', 9),
    sample('g1', 'keepalive_race', 10, 'a.log', 2),
    sample('g1', 'keepalive_race', 5),
    sample('g1', 'target_5xx', 70),
    sample('g0', 'keepalive_race', 90),
  ];

  it('keeps the first of each (group, class) by time, file and line', () => {
    const kept = keepFirstSamples(all);
    expect(kept.map((s) => `${s.arn} ${s.cls} ${s.timeMs} ${s.file}:${s.line}`)).toEqual([
      'g0 keepalive_race 90 a.log:1',
      'g1 keepalive_race 5 a.log:1',
      'g1 keepalive_race 10 a.log:2',
      'g1 keepalive_race 10 a.log:9',
      'g1 target_5xx 70 a.log:1',
    ]);
    expect(kept.filter((s) => s.arn === 'g1' && s.cls === 'keepalive_race')).toHaveLength(MAX_CLASS_SAMPLES);
  });

  it('gives the same samples whatever the arrival order, split or merged, with a line seen twice once', () => {
    const expected = keepFirstSamples(all);
    for (const order of [all, [...all].reverse(), [all[3]!, all[0]!, all[6]!, all[1]!, all[5]!, all[2]!, all[4]!]]) {
      const keeper = new SampleKeeper();
      for (const s of order) keeper.offer(s);
      expect(keeper.toState()).toEqual(expected);
      const halves = [keepFirstSamples(order.slice(0, 3)), keepFirstSamples(order.slice(3))];
      expect(keepFirstSamples([...halves[0]!, ...halves[1]!, ...halves[1]!])).toEqual(expected);
    }
  });
});
