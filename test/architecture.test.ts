/**
 * The layering of src/ (.dependency-cruiser.cjs): dependencies point one way, toward the parser and the
 * shared types. The project must pass the rules, and a tree that breaks them on purpose must fail them,
 * rule by rule, so a rule that matches nothing cannot pass unnoticed.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot as REPO_ROOT } from './support/paths.js';

const CLI = join(REPO_ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = join(REPO_ROOT, '.dependency-cruiser.cjs');

interface Cruise {
  summary: { violations: { rule: { name: string }; from: string; to: string }[]; totalCruised: number; totalDependenciesCruised: number };
}

/** The command line as a developer runs it, in `cwd` (its tsconfig.json resolves `./x.js` to `./x.ts`). */
function cruise(cwd: string): { violations: string[]; dependencies: number } {
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [CLI, 'src', '--config', CONFIG, '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (error) {
    // Exit code = number of violations; the JSON is still on stdout.
    stdout = (error as { stdout: string }).stdout;
  }
  const { summary } = JSON.parse(stdout) as Cruise;
  return { violations: summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort(), dependencies: summary.totalDependenciesCruised };
}

describe('architecture', () => {
  it('src/ keeps every dependency rule', () => {
    const { violations, dependencies } = cruise(REPO_ROOT);
    expect(violations).toEqual([]);
    // Imports were resolved (`./x.js` → `./x.ts`), not silently dropped.
    expect(dependencies).toBeGreaterThan(200);
  }, 60_000);

  it('the rules fire on a tree that breaks them', () => {
    expect(cruise(join(REPO_ROOT, 'test/fixtures/architecture')).violations).toEqual([
      'analyze-not-report: src/analyze/wrong.ts → src/report/model.ts',
      'analyze-not-sources: src/analyze/wrong.ts → src/sources/local.ts',
      'describe-not-analysis: src/describe/settings.ts → src/report/model.ts',
      'describe-not-below: src/report/described.ts → src/describe/settings.ts',
      'parse-stays-below: src/parse/wrong.ts → src/analyze/wrong.ts',
      'report-not-sources: src/report/wrong.ts → src/sources/local.ts',
    ]);
  }, 60_000);
});
