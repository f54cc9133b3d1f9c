/**
 * The report as the `--format json` contract: the Report object itself, pretty-printed (2 spaces). The
 * controls JSON.stringify leaves raw (DEL, C1, bidi) are written as `\uXXXX`: the same JSON, and nothing
 * from a log that a terminal showing the file would obey.
 */
import { escapeJsonControls } from '../../safeText.js';
import type { Report } from '../model.js';

export const renderJson = (report: Report): string => escapeJsonControls(JSON.stringify(report, null, 2)) + '\n';
