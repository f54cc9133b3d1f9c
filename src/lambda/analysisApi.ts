/**
 * The analysis the deployed job runs (src/run.ts): each window is accumulated without the look-back
 * before its start (the previous window's state settles those idle gaps when the states are merged), on
 * this thread (no worker entry in the bundle; below 1,769 MB a Lambda has less than one vCPU anyway).
 */
import { Readable } from 'node:stream';
import type { Report } from '../report/model.js';
import { redactReport } from '../report/redact.js';
import { renderHtml } from '../report/render/html.js';
import { renderMarkdown } from '../report/render/markdown.js';
import { accumulateInput, asContext, mergeStates, reportFromState, type AnalysisState } from '../run.js';
import type { Analysis } from './analysis.js';

export const analysis: Analysis<AnalysisState, Report> = {
  async accumulateWindow(sources, { fromMs, toMs, s3 }) {
    const { state } = await accumulateInput(sources, {
      fromMs,
      toMs,
      contextBeforeMs: 0,
      sources: { ...s3, stdin: Readable.from([]), s3OnThisThread: true },
    });
    return { state };
  },
  mergeStates,
  asContext,
  reportFromState: (state, options) => reportFromState(state, options),
  renderMarkdown: (report) => renderMarkdown(report),
  renderHtml: (report) => renderHtml(redactReport(report)),
};
