/**
 * The analysis the deployed job runs. accumulateWindow, mergeStates and reportFromState come from
 * src/run.ts once it exports them; until then they fail with one sentence, and everything around them
 * (configuration, windows, state, reports, alerts, metrics) runs and is tested with a stand-in.
 */
import type { Report } from '../report/model.js';
import { renderMarkdown } from '../report/render/markdown.js';
import type { Analysis } from './analysis.js';

const notWired = (name: string) => (): never => {
  throw new Error(`${name} is not wired into the Lambda job yet (src/lambda/analysisApi.ts).`);
};

export const analysis: Analysis = {
  accumulateWindow: notWired('accumulateWindow'),
  mergeStates: notWired('mergeStates'),
  reportFromState: notWired('reportFromState'),
  renderMarkdown: (report) => renderMarkdown(report as unknown as Report),
};
