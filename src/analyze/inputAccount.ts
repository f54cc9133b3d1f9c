/**
 * The input part of a state: files counted once however many windows read them, samples chosen by file
 * and line (not by arrival, so shards and threads give the same ones).
 */
import type { ErrorJson } from '../errors.js';
import type { InputAccount } from './state.js';

/** How many malformed lines are kept whole as examples (as readLog keeps). */
export const MAX_SAMPLES = 20;

export function sampleOrder(a: ErrorJson, b: ErrorJson): number {
  const sa = a.source ?? '';
  const sb = b.source ?? '';
  if (sa !== sb) return sa < sb ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0);
}

const fileId = (f: { name: string; etag: string | null }): string => `${f.name}\n${f.etag ?? ''}`;
const errorId = (e: ErrorJson): string => `${e.code}\n${e.source ?? ''}\n${e.line ?? ''}\n${e.message}`;

/** Two windows' input: a file read by both counts once, with its in-window entries added. */
export function mergeInput(a: InputAccount, b: InputAccount): InputAccount {
  const files = new Map(a.files.map((f) => [fileId(f), { ...f }]));
  for (const f of b.files) {
    const seen = files.get(fileId(f));
    if (seen) seen.inWindow += f.inWindow;
    else files.set(fileId(f), { ...f });
  }
  const skipped = new Map(a.skipped.map((s) => [s.name, s]));
  const skippedByReason = { ...a.skippedByReason };
  for (const s of b.skipped) {
    if (skipped.has(s.name)) {
      // Counted in both: once is the truth.
      skippedByReason[s.reason] = (skippedByReason[s.reason] ?? 0) - 1;
      continue;
    }
    skipped.set(s.name, s);
  }
  for (const [reason, n] of Object.entries(b.skippedByReason)) {
    const key = reason as keyof typeof skippedByReason;
    skippedByReason[key] = (skippedByReason[key] ?? 0) + n;
  }
  return {
    files: [...files.values()],
    skipped: [...skipped.values()],
    skippedByReason,
    malformedSamples: dedupe([...a.malformedSamples, ...b.malformedSamples]).sort(sampleOrder).slice(0, MAX_SAMPLES),
    unread: dedupe([...a.unread, ...b.unread]),
  };
}

function dedupe(errors: ErrorJson[]): ErrorJson[] {
  const seen = new Map<string, ErrorJson>();
  for (const e of errors) if (!seen.has(errorId(e))) seen.set(errorId(e), e);
  return [...seen.values()];
}
