/**
 * The architecture as rules: dependencies point one way, toward the parser and the shared types.
 *
 *   types.ts, errors.ts ← parse ← analyze ← report ← run ← cli / lambda / athena
 *   sources (local, S3) ← readInput ← run (shards.ts: report --threads; shardThread.ts its worker)
 *   describe (ELBv2 attributes, report --describe) ← run
 *
 * `npm test` runs these (test/architecture.test.ts), so a wrong import fails the build.
 * Check by hand: npx depcruise src --config .dependency-cruiser.cjs
 */

/** Everything above a layer, as path patterns. */
const ENTRY_POINTS = '^src/(cli|lambda)\\.ts$|^src/(lambda|athena)/';
const RUN = '^src/(run|readInput|progress|shards|shardThread)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: split the shared part into a module both import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'leaf-types',
      severity: 'error',
      comment: 'types.ts and errors.ts are the leaves every layer imports; they import nothing of the project but each other.',
      from: { path: '^src/(types|errors)\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(types|errors)\\.ts$' },
    },
    {
      name: 'parse-stays-below',
      severity: 'error',
      comment: 'The parser knows bytes and fields only: nothing of analysis, reports, sources or entry points.',
      from: { path: '^src/parse/' },
      to: { path: `^src/(analyze|report|sources|athena|lambda)/|${RUN}|${ENTRY_POINTS}` },
    },
    {
      name: 'analyze-not-report',
      severity: 'error',
      comment: 'The analysis decides; report/ words and renders. analyze/ must not import report/.',
      from: { path: '^src/analyze/' },
      to: { path: '^src/report/' },
    },
    {
      name: 'analyze-not-sources',
      severity: 'error',
      comment: 'The analysis sees entries and file names, never where they came from (S3, disk).',
      from: { path: '^src/analyze/' },
      to: { path: '^src/sources/' },
    },
    {
      name: 'analyze-not-above',
      severity: 'error',
      from: { path: '^src/analyze/' },
      to: { path: `${RUN}|${ENTRY_POINTS}` },
    },
    {
      name: 'report-not-sources',
      severity: 'error',
      comment: 'A report is built from the analysis alone; reading is run.ts\'s business.',
      from: { path: '^src/report/' },
      to: { path: '^src/sources/' },
    },
    {
      name: 'report-not-above',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: `${RUN}|${ENTRY_POINTS}` },
    },
    {
      name: 'sources-not-analysis',
      severity: 'error',
      comment: 'Sources hand out bytes with names; they know nothing of parsing results, analysis or reports.',
      from: { path: '^src/sources/' },
      to: { path: `^src/(analyze|report|athena|lambda)/|${RUN}|${ENTRY_POINTS}` },
    },
    {
      name: 'describe-not-below',
      severity: 'error',
      comment: 'src/describe/ (report --describe, the ELBv2 client) is orchestrated by run.ts; the analysis and reports get its plain results, never the module, so they never load the SDK.',
      from: { path: '^src/(parse|analyze|report|sources)/' },
      to: { path: '^src/describe/' },
    },
    {
      name: 'describe-not-analysis',
      severity: 'error',
      comment: 'describe/ turns ARNs into settings; it knows nothing of analysis, reports, sources or entry points.',
      from: { path: '^src/describe/' },
      to: { path: `^src/(analyze|report|sources|athena|lambda)/|${RUN}|${ENTRY_POINTS}` },
    },
    {
      name: 'run-not-entry-points',
      severity: 'error',
      comment: 'run.ts is the orchestration the entry points share; it must not import one of them.',
      from: { path: RUN },
      to: { path: ENTRY_POINTS },
    },
    {
      name: 'entry-points-apart',
      severity: 'error',
      comment: 'The CLI, the Lambda job and the Athena commands meet only in run.ts and below.',
      from: { path: '^src/(lambda\\.ts|lambda/)' },
      to: { path: '^src/(cli\\.ts|athena/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
