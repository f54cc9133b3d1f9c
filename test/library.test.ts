/**
 * alb-doctor as a library (package.json `exports`, src/index.ts): the documented API gives the report the
 * CLI gives, and the package points at what the build emits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as library from '../src/index.js';
import { runCli } from './support/runCli.js';
import { repoRoot } from './support/paths.js';

describe('the library', () => {
  it('runReport on sample-logs/ gives the JSON report of `alb-doctor report --format json`', async () => {
    const { report, stats } = await library.runReport([join(repoRoot, 'sample-logs')]);
    const cli = await runCli(['report', join(repoRoot, 'sample-logs'), '--format', 'json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(stats.files).toBe(report.input.files);
    expect(library.render.markdown(report, { color: false })).toContain(report.targetGroups[0]!.name);
  });

  it('exports the documented names', () => {
    for (const name of ['runReport', 'runParse', 'accumulateInput', 'mergeStates', 'mergeAll', 'reportFromState', 'reportFromStates', 'runCompare', 'renderCompareText', 'render', 'FORMATS', 'CAUSE_CLASSES', 'AlbDoctorError']) {
      expect(library, name).toHaveProperty(name);
    }
  });

  it('package.json points at the files the build emits for src/index.ts', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; import: string }>; types: string };
    const build = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string; declaration: boolean } };
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist', declaration: true });
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' });
    expect(pkg.types).toBe('./dist/index.d.ts');
  });
});
