import { describe, expect, it } from 'vitest';
import { judgeVerdict, type VerdictInput } from '../../src/analyze/verdict.js';
import { wordJudgement } from '../../src/report/verdict.js';
import { change, group, HOUR_MS, input, VERDICT_CASES } from '../analyze/verdictCases.js';

const verdictOf = (given: VerdictInput) => wordJudgement(judgeVerdict(given));

describe('the verdict in words', () => {
  it('says every reason in one sentence, the same codes as the judgement', () => {
    for (const [, given] of VERDICT_CASES) {
      const judged = judgeVerdict(given);
      const verdict = verdictOf(given);
      expect(verdict.status).toBe(judged.status);
      expect(verdict.reasons.map((r) => r.code)).toEqual(judged.reasons.map((r) => r.code));
      for (const g of [verdict, ...verdict.targetGroups]) for (const reason of g.reasons) expect(reason.text).toMatch(/^[A-Z0-9a-z].*\.$/);
      // The keys and their order are the report contract's.
      expect(Object.keys(verdict)).toEqual(['status', 'reasons', 'targetGroups']);
      for (const g of verdict.targetGroups) expect(Object.keys(g)).toEqual(['arn', 'status', 'reasons']);
      for (const r of [...verdict.reasons, ...verdict.targetGroups.flatMap((g) => g.reasons)]) expect(Object.keys(r)).toEqual(['code', 'text']);
    }
  });

  it('words its reasons with the group, plurals and thousands separators', () => {
    const verdict = verdictOf(input([group('api', { races: 1, estimate: 6 }), group('web', { busy: 20_000, idle: 1_234 })]));
    expect(verdict.reasons).toEqual([{ code: 'KEEPALIVE_RACES', text: 'api: 1 keep-alive race at an idle age of about 6.0 s (medium confidence).' }]);
    expect(verdict.targetGroups[1]!.reasons).toEqual([
      {
        code: 'NO_RACES',
        text: 'No keep-alive race in 1,234 requests on connections idle 1.9 s or more; a target closing at any known default would have raced 20 times or more (fewest at 5 s).',
      },
    ]);
    const thin = verdictOf(input([group('web', { perDay: 2 })], { spanMs: 24 * HOUR_MS }));
    expect(thin.targetGroups[0]!.reasons).toEqual([
      { code: 'LITTLE_EXPOSURE', text: 'No keep-alive race in 24 h, but with 2 requests/day at idle 4.992–5.030 s a 5 s target would race about once a week; too little traffic reached 6 s to show a race either.' },
    ]);
    const likely = { ...group('api', { races: 1, estimate: 6.002 }), keepAlive: { estimatedSeconds: 6.002, confidence: 'low' as const, method: 'known-close' as const, pValue: 0.0042 } };
    expect(verdictOf(input([likely])).reasons[0]!.text).toBe(
      'api: 1 keep-alive race at an idle age of about 6.0 s, where a known server default closes (low confidence: likely, not certain; chance would put one there with probability 0.0042).',
    );
    const late = verdictOf(input([group('web', { busy: 30_000 })], { outOfOrder: 26_445 }));
    expect(late.reasons[0]!.text).toBe('26,445 entries of 30,500 arrived far out of order, so idle gaps near them may be wrong; read the files in time order.');
  });

  it('says when races stopped first, with what was expected and the chance', () => {
    const verdict = verdictOf(input([{ ...group('api', { races: 21, estimate: 6 }), raceChange: change('stopped') }], { spanMs: 24 * HOUR_MS }));
    expect(verdict.reasons[0]!.text).toBe(
      'api: Races stopped at about 12:00 UTC; none in the 12 h since, where 10 were expected at the rate before (p = 2e-6): check that the fix is deployed on every target.',
    );
    const started = verdictOf(input([{ ...group('api', { races: 21, estimate: 6 }), raceChange: change('started') }], { spanMs: 24 * HOUR_MS }));
    expect(started.reasons[0]!.text).toBe('api: Races started at about 12:00 UTC; none in the 12 h before, where 10 were expected at the rate since (p = 2e-6).');
  });
});
