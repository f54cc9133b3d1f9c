import { afterEach, describe, expect, it } from 'vitest';
import { isAlbDoctorError } from '../src/errors.js';
import { parseTimeBound, parseTimeWindow } from '../src/timeRange.js';

const NOW_MS = Date.parse('2024-05-02T12:00:00Z');
const at = (iso: string): number => Date.parse(iso);

describe('parseTimeBound', () => {
  const valid: [string, number][] = [
    ['90s', NOW_MS - 90_000],
    ['30m', NOW_MS - 30 * 60_000],
    ['6h', NOW_MS - 6 * 3_600_000],
    ['6H', NOW_MS - 6 * 3_600_000],
    ['2d', at('2024-04-30T12:00:00Z')],
    ['1w', at('2024-04-25T12:00:00Z')],
    ['0m', NOW_MS],
    ['2024-05-01T10:00:00Z', at('2024-05-01T10:00:00Z')],
    ['2024-05-01T10:00:00.250Z', at('2024-05-01T10:00:00.250Z')],
    ['2024-05-01T10:00:00+02:00', at('2024-05-01T08:00:00Z')],
    ['2024-05-01T10:00-0130', at('2024-05-01T11:30:00Z')],
    ['2024-05-01T10:00', at('2024-05-01T10:00:00Z')],
    ['2024-05-01 10:00:00', at('2024-05-01T10:00:00Z')],
    ['2024-05-01', at('2024-05-01T00:00:00Z')],
    [' 6h ', NOW_MS - 6 * 3_600_000],
  ];
  it.each(valid)('%s', (text, expected) => {
    expect(parseTimeBound(text, '--from', NOW_MS)).toBe(expected);
  });

  const invalid = ['yesterday', '6x', '6', 'h6', '-6h', '2024-13-01', '2024-05-01T25:00', '', '1.5h', 'now'];
  it.each(invalid)('%j is a USAGE error naming the flag', (text) => {
    let caught: unknown;
    try {
      parseTimeBound(text, '--to', NOW_MS);
    } catch (error) {
      caught = error;
    }
    expect(isAlbDoctorError(caught) && caught.code).toBe('USAGE');
    expect((caught as Error).message).toMatch(/^--to '.*' is not a time; /);
  });

  describe('in a zone other than UTC', () => {
    const zone = process.env.TZ;
    afterEach(() => {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    });
    it('still reads a time without an offset as UTC, like the logs', () => {
      process.env.TZ = 'America/New_York';
      expect(new Date(at('2024-05-01T10:00:00Z')).getTimezoneOffset()).toBe(240); // the zone took effect
      expect(parseTimeBound('2024-05-01T10:00', '--from', NOW_MS)).toBe(at('2024-05-01T10:00:00Z'));
      expect(parseTimeBound('2024-05-01', '--from', NOW_MS)).toBe(at('2024-05-01T00:00:00Z'));
    });
  });
});

describe('parseTimeBound: times a report cannot name', () => {
  const outOfRange = ['100000001d', '99999999999999999999s', '1000000w', '1969-12-31T23:59:59Z', '+010000-01-01', '+275760-09-13'];
  it.each(outOfRange)('%j is a USAGE error naming the flag, not a crash', (text) => {
    let caught: unknown;
    try {
      parseTimeBound(text, '--from', NOW_MS);
    } catch (error) {
      caught = error;
    }
    expect(isAlbDoctorError(caught) && caught.code).toBe('USAGE');
    expect((caught as Error).message).toMatch(/^--from '.*' is not between the years 1970 and 9999; /);
  });

  it('accepts both ends of the range', () => {
    expect(parseTimeBound('1970-01-01', '--from', NOW_MS)).toBe(0);
    expect(parseTimeBound('9999-12-31T23:59:59.999Z', '--to', NOW_MS)).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
  });
});

describe('parseTimeWindow', () => {
  it('leaves out the bounds not given', () => {
    expect(parseTimeWindow(undefined, undefined, NOW_MS)).toEqual({});
    expect(parseTimeWindow('6h', undefined, NOW_MS)).toEqual({ fromMs: NOW_MS - 6 * 3_600_000 });
    expect(parseTimeWindow(undefined, '1h', NOW_MS)).toEqual({ toMs: NOW_MS - 3_600_000 });
  });

  it('needs --from before --to', () => {
    expect(parseTimeWindow('6h', '1h', NOW_MS)).toEqual({ fromMs: NOW_MS - 6 * 3_600_000, toMs: NOW_MS - 3_600_000 });
    expect(() => parseTimeWindow('1h', '6h', NOW_MS)).toThrow(/must be before --to/);
    expect(() => parseTimeWindow('2024-05-01', '2024-05-01', NOW_MS)).toThrow(/must be before --to/);
  });
});
