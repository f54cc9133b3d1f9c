/**
 * An object read from `s3://bucket/key` and from its local copy `<seed>/bucket/key` is the same object under
 * two names. These map the S3 name onto the local one wherever the CLI's output carries it, so the two runs
 * can be compared whole.
 */
import { join } from 'node:path';
import type { ErrorSample, Report } from '../../src/report/model.js';

export type Rename = (name: string) => string;

/** `s3://bucket/key` → `<seedDir>/bucket/key`; any other name unchanged. */
export const s3ToLocal =
  (seedDir: string): Rename =>
  (name) =>
    name.startsWith('s3://') ? join(seedDir, name.slice('s3://'.length)) : name;

/** Every `s3://…` object name in stderr text (stderr is for people, so it is compared as text). */
export const mapNames = (text: string, rename: Rename): string => text.replace(/s3:\/\/\S+?(?=[:\s])/g, rename);

/** The report fields that name the source: each malformed-line sample and unread error, as `source` and in `message`, and each sample entry's `file`. */
export function mapSourceNames(report: Report, rename: Rename): Report {
  const sample = (s: ErrorSample): ErrorSample =>
    s.source === undefined ? s : { ...s, source: rename(s.source), message: s.message.replaceAll(s.source, rename(s.source)) };
  return {
    ...report,
    input: { ...report.input, malformedSamples: report.input.malformedSamples.map(sample), unread: report.input.unread.map(sample) },
    samples: report.samples.map((s) => ({ ...s, file: rename(s.file) })),
  };
}

/** A `parse` JSONL line with its `_file` mapped; `_file` and `_line` always end the record. */
export function mapParseLine(line: string, rename: Rename): string {
  const at = line.lastIndexOf(',"_file":');
  const tail = JSON.parse(`{${line.slice(at + 1)}`) as { _file: string; _line: number };
  return `${line.slice(0, at)},"_file":${JSON.stringify(rename(tail._file))},"_line":${tail._line}}`;
}
