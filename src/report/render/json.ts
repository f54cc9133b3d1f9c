/** The report as the `--format json` contract: the Report object itself, pretty-printed (2 spaces). */
import type { Report } from '../model.js';

export const renderJson = (report: Report): string => JSON.stringify(report, null, 2) + '\n';
