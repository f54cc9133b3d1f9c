/**
 * Reads source items through the real pipeline (readInput) and keeps what two reads of the same objects
 * must agree on: the items in order, the stats, and every record as `parse` writes it, with object names
 * mapped (a local path and an s3:// URI name the same object).
 */
import type { ErrorJson } from '../../src/errors.js';
import { readInput, type InputStats } from '../../src/run.js';
import type { SourceItem } from '../../src/sources/logObject.js';

/** Called after each chunk with the stats so far and the (mapped) name of the object being read. */
export type AfterChunk = (stats: InputStats, objectName: string) => Promise<void> | void;

export interface ReadResult {
  /** `kind name` of every item, in the order yielded. */
  items: string[];
  stats: Record<string, unknown>;
  records: string[];
  raw: InputStats;
}

export async function readAll(sources: AsyncIterable<SourceItem>, rename: (name: string) => string, afterChunk?: AfterChunk): Promise<ReadResult> {
  const items: string[] = [];
  let current = '';
  async function* tap(): AsyncGenerator<SourceItem> {
    for await (const item of sources) {
      current = rename(item.name);
      items.push(`${item.kind} ${current}`);
      yield item;
    }
  }
  const records: string[] = [];
  const raw = await readInput(tap(), {
    onEntry(entry, object, lineNumber) {
      records.push(entry.toJson(JSON.stringify(rename(object.name)), lineNumber));
    },
    ...(afterChunk && { afterChunk: (stats: InputStats) => afterChunk(stats, current) }),
  });
  return { items, stats: normalized(raw, rename), records, raw };
}

/** Stats as plain JSON with every object name mapped. */
function normalized(stats: InputStats, rename: (name: string) => string): Record<string, unknown> {
  const errorJson = (e: { toJSON(): ErrorJson }): ErrorJson => {
    const json = e.toJSON();
    const original = json.source;
    if (original !== undefined) {
      json.source = rename(original);
      json.message = json.message.replaceAll(original, json.source);
    }
    return json;
  };
  return {
    ...stats,
    skipped: stats.skipped.map((s) => ({ ...s, name: rename(s.name) })),
    malformedSamples: stats.malformedSamples.map(errorJson),
    unread: stats.unread.map(errorJson),
  };
}
