/**
 * What every source (local files, stdin, S3) hands to the parser: named byte streams, plus the objects it
 * knowingly skipped and the ones it could not read, each with a reason. Nothing is left out silently.
 */
import { Readable } from 'node:stream';
import type { AlbDoctorError } from '../errors.js';

export interface LogObject {
  kind: 'log';
  /** As given on the command line, as found in a folder, or `s3://bucket/key`; `-` for stdin. */
  name: string;
  /** IP of the ALB node that wrote the file, from its name; null when the name has none. */
  nodeIp: string | null;
  /** Stored size in bytes, when known before reading. */
  sizeBytes: number | null;
  /** The object's ETag (S3, without quotes), so a later run can tell a changed or late object; absent for local files. */
  etag?: string | null;
  /** Opens the stored (possibly gzip) bytes. */
  open(): Readable;
}

export type { SkipReason } from '../types.js';
import type { SkipReason } from '../types.js';

export interface SkippedObject {
  kind: 'skipped';
  name: string;
  reason: SkipReason;
}

export interface UnreadObject {
  kind: 'unread';
  name: string;
  error: AlbDoctorError;
}

export type SourceItem = LogObject | SkippedObject | UnreadObject;

/** What a LogObject's open() returns once its source has moved on: a bug in the caller, not bad input. */
export function openedTooLate(name: string): Readable {
  return Readable.from(
    (async function* (): AsyncGenerator<Buffer> {
      throw new Error(`${name}: open() must be called before the next item is requested (its download was released).`);
    })(),
  );
}
