/**
 * plain bytes of one log object → entries, with every line accounted for: an entry, a blank line or a
 * malformed line (counted by reason code, the first few kept with file and line number). Pure with
 * respect to I/O: it consumes an async iterable of chunks and calls the handler synchronously per entry.
 */
import { AlbDoctorError, type ErrorCode } from '../errors.js';
import { LineSplitter } from './lines.js';
import { type AlbEntry, LineParser } from './parseLine.js';

/** How many malformed lines are kept whole as examples; the rest are only counted. */
export const MAX_KEPT_MALFORMED = 20;

export { emptyLineCounts, type LineCounts } from '../types.js';
import type { LineCounts } from '../types.js';

/** Receives each valid entry; the entry view is only valid during the call. */
export type EntryHandler = (entry: AlbEntry, lineNumber: number) => void;

/** Reads one object's plain bytes to the end; a read error is thrown after all lines before it were handled. */
export async function readLog(
  chunks: AsyncIterable<Buffer>,
  source: string,
  onEntry: EntryHandler,
  counts: LineCounts,
): Promise<void> {
  const parser = new LineParser();
  const malformed = (error: AlbDoctorError): void => {
    counts.malformed++;
    counts.malformedByCode[error.code] = (counts.malformedByCode[error.code] ?? 0) + 1;
    if (counts.malformedSamples.length < MAX_KEPT_MALFORMED) counts.malformedSamples.push(error);
  };
  const splitter = new LineSplitter({
    line(buf, start, end, lineNumber) {
      counts.lines++;
      if (isBlank(buf, start, end)) {
        counts.blankLines++;
        return;
      }
      const result = parser.parse(buf, start, end, source, lineNumber);
      if (result.ok) {
        counts.entries++;
        onEntry(result.entry, lineNumber);
      } else {
        malformed(result.error);
      }
    },
    tooLong(lineNumber, bytes) {
      counts.lines++;
      malformed(
        new AlbDoctorError('LINE_TOO_LONG', `${source}:${lineNumber}: line is ${bytes} bytes, too long for an ALB entry`, {
          source,
          line: lineNumber,
        }),
      );
    },
  });
  try {
    for await (const chunk of chunks) {
      counts.plainBytes += chunk.length;
      splitter.push(chunk);
    }
  } catch (error) {
    const cut = splitter.abandon();
    if (cut !== null) {
      counts.lines++;
      malformed(
        new AlbDoctorError('TRUNCATED_LINE', `${source}:${cut.lineNumber}: the line was cut off after ${cut.bytes} bytes when reading failed`, {
          source,
          line: cut.lineNumber,
        }),
      );
    }
    throw error;
  }
  splitter.end();
}

/** Nothing but spaces, tabs and a CR: not an entry, not an error. */
function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
