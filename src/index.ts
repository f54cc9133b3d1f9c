/**
 * alb-doctor as a library: the same orchestration the CLI and the Lambda job run (src/run.ts), the report
 * model (its JSON is the `report --format json` contract) and its renderers.
 *
 *   import { runReport, render } from 'alb-doctor';
 *   const { report } = await runReport(['s3://my-alb-logs/prod'], { fromMs: Date.now() - 6 * 3_600_000 });
 *   console.log(render.markdown(report, { color: false }));
 */
export {
  accumulateInput,
  asContext,
  mergeAll,
  mergeStates,
  reportFromState,
  reportFromStates,
  runCompare,
  runParse,
  runReport,
  type Accumulated,
  type AnalysisState,
  type CauseEvent,
  type CompareRunOptions,
  type Comparison,
  type Input,
  type InputStats,
  type ParseHooks,
  type RunHooks,
  type RunOptions,
} from './run.js';
export type * from './report/model.js';
export { CAUSE_CLASSES } from './types.js';
export { FORMATS, render, type Format } from './report/render/index.js';
export { renderCompareJson, renderCompareMarkdown, renderCompareText, type ComparisonGroup } from './report/compare.js';
export { AlbDoctorError, isAlbDoctorError, type ErrorCode, type ErrorJson } from './errors.js';
export type { SourceOptions } from './sources/index.js';
export type { DescribeOptions } from './describe/describeSettings.js';
export type { AlbRecord } from './parse/fields.js';
