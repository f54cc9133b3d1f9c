import { describe, expect, it } from 'vitest';
import { dayStamps, eventTimeMs, historyWindows, stampToMs, windowEndMs, windowStamp } from '../../src/lambda/windows.js';

const at = (iso: string): number => Date.parse(iso);

describe('windowEndMs', () => {
  it.each([
    ['an hourly run a little after the delay', '2026-03-01T10:20:00Z', 60, 15, '2026-03-01T10:00:00.000Z'],
    ['an hourly run just before the delay has passed', '2026-03-01T10:14:59Z', 60, 15, '2026-03-01T09:00:00.000Z'],
    ['exactly at the delay', '2026-03-01T10:15:00Z', 60, 15, '2026-03-01T10:00:00.000Z'],
    ['just after midnight: the window ends at midnight', '2026-03-02T00:16:00Z', 60, 15, '2026-03-02T00:00:00.000Z'],
    ['just before the delay after midnight: the previous day', '2026-03-02T00:10:00Z', 60, 15, '2026-03-01T23:00:00.000Z'],
    ['15-minute windows', '2026-03-01T10:44:00Z', 15, 10, '2026-03-01T10:30:00.000Z'],
    ['daily windows', '2026-03-02T05:00:00Z', 1440, 60, '2026-03-02T00:00:00.000Z'],
    ['no delay', '2026-03-01T10:00:00Z', 60, 0, '2026-03-01T10:00:00.000Z'],
    ['a leap day', '2028-02-29T23:59:00Z', 60, 15, '2028-02-29T23:00:00.000Z'],
  ])('%s', (_name, time, windowMinutes, delayMinutes, expected) => {
    expect(new Date(windowEndMs(at(time), { windowMinutes, delayMinutes })).toISOString()).toBe(expected);
  });
});

describe('historyWindows', () => {
  it('tiles the history without gaps, oldest first, the last ending at the window end', () => {
    const endMs = at('2026-03-02T01:00:00Z');
    const windows = historyWindows(endMs, { windowMinutes: 60, historyHours: 24 });
    expect(windows).toHaveLength(24);
    expect(windows[0]).toEqual({ fromMs: at('2026-03-01T01:00:00Z'), toMs: at('2026-03-01T02:00:00Z') });
    expect(windows.at(-1)).toEqual({ fromMs: at('2026-03-02T00:00:00Z'), toMs: endMs });
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.fromMs).toBe(windows[i - 1]!.toMs);
  });

  it('is one window when the history is one window long', () => {
    expect(historyWindows(at('2026-03-01T12:00:00Z'), { windowMinutes: 60, historyHours: 1 })).toHaveLength(1);
  });
});

describe('stamps', () => {
  it.each([
    ['2026-03-01T10:00:00Z', '2026/03/01/1000'],
    ['2026-03-02T00:00:00Z', '2026/03/02/0000'],
    ['2026-12-31T23:45:00Z', '2026/12/31/2345'],
  ])('%s ↔ %s', (time, stamp) => {
    expect(windowStamp(at(time))).toBe(stamp);
    expect(stampToMs(stamp)).toBe(at(time));
  });

  it.each(['2026/03/01/10', '2026-03-01/1000', 'x'])('rejects %s', (stamp) => expect(stampToMs(stamp)).toBeNaN());

  it('lists the day folders of a span, across a month end', () => {
    expect(dayStamps(at('2026-02-28T22:00:00Z'), at('2026-03-01T02:00:00Z'))).toEqual(['2026/02/28/', '2026/03/01/']);
  });
});

describe('eventTimeMs', () => {
  it('reads an EventBridge scheduled event', () => {
    expect(eventTimeMs({ 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-03-01T10:20:00Z', detail: {} })).toBe(at('2026-03-01T10:20:00Z'));
  });

  it.each([
    ['no time', {}],
    ['a number', { time: 1772360400000 }],
    ['not a date', { time: 'yesterday' }],
    ['no event', null],
  ])('refuses %s with BAD_EVENT_TIME', (_name, event) => {
    expect(() => eventTimeMs(event)).toThrow(expect.objectContaining({ code: 'BAD_EVENT_TIME' }));
  });
});
