import { describe, expect, it } from 'vitest';
import { judgeVerdict, VERDICT_PRECEDENCE } from '../../src/analyze/verdict.js';
import { VERDICT_CASES } from './verdictCases.js';

const codes = (reasons: { code: string }[]): string[] => reasons.map((r) => r.code);

describe('judgeVerdict', () => {
  const cases = VERDICT_CASES;

  it.each(cases)('%s', (_name, given, overall, overallCodes, perGroup) => {
    const verdict = judgeVerdict(given);
    expect(verdict.status).toBe(overall);
    expect(codes(verdict.reasons)).toEqual(overallCodes);
    expect(verdict.targetGroups.map((g) => g.status)).toEqual(perGroup);
    expect(verdict.targetGroups.map((g) => g.arn)).toEqual(given.groups.map((g) => g.arn));
  });

  it('never answers without a reason, nor stopped without a race change that says so', () => {
    for (const [, given] of cases) {
      const verdict = judgeVerdict(given);
      verdict.targetGroups.forEach((g, i) => {
        if (g.status === 'stopped') expect(given.groups[i]!.raceChange?.verdict).toBe('stopped');
      });
      for (const g of [verdict, ...verdict.targetGroups]) expect(g.reasons.length).toBeGreaterThan(0);
    }
  });

  it('states its precedence', () => {
    expect(VERDICT_PRECEDENCE).toEqual(['races', 'stopped', 'cannot-tell', 'none']);
  });
});
