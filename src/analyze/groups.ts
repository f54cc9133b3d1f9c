/**
 * Per target group state: request and class counts, the idle-gap histogram, the race-shaped 502s held
 * until the end, and their final classification (races.ts + keepalive.ts).
 */
import type { CauseClass } from '../types.js';
import type { RaceShape } from './classify.js';
import type { RecentRequests } from './connections.js';
import { IdleGapHistogram } from './histogram.js';
import { NO_FIT, fitKeepAlive, type KeepAliveFit } from './keepalive.js';
import { classifyRaces, looksRefused, markDeployRuns, type HistoryEvidence, type RaceCandidate } from './races.js';

/**
 * Race-shaped 502s held for finish(). Races are rare (a busy ALB logs a few hundred a day); this many
 * means something else is going on, and later ones are classified against the estimate so far.
 */
export const MAX_HELD_RACES = 200_000;

/** An explained entry (5xx, 460, the ALB's 400 for a malformed request), as much as --events and final classification need. */
export interface ErrorEvent {
  file: string;
  line: number;
  /** `time` as logged (microseconds kept). */
  time: string;
  timeMs: number;
  dispatchedMs: number;
  /** Null while a race-shaped 502 waits for finish(). */
  cls: CauseClass | null;
  shape: RaceShape | null;
  group: GroupState;
  target: string | null;
  node: string | null;
  idleGapMs: number | null;
  /** Race-shaped only: the pair's context at dispatch (races.ts). */
  answeredBeforeMs: number;
  answeredAfterMs: number;
  recent: RecentRequests | null;
}

/** `targetgroup/<name>/<id>` → name; the ARN itself when it has no such part; `-` for entries with none. */
export function targetGroupName(arn: string): string {
  if (arn === '-') return NO_TARGET_GROUP_NAME;
  const match = /targetgroup\/([^/]+)\//.exec(arn);
  return match ? match[1]! : arn;
}

/**
 * Entries with target group `-` never reached a target group: requests the ALB rejected (malformed, WAF,
 * authentication), redirects and fixed responses, and rule errors. They are reported together under
 * this name (ARN `-`), and only when they include an explained entry (5xx, 460, a malformed request).
 */
export const NO_TARGET_GROUP_NAME = '(no target group)';

export class GroupState {
  readonly name: string;
  requests = 0;
  readonly classes = new Map<CauseClass, number>();
  readonly histogram = new IdleGapHistogram();
  fit: KeepAliveFit = NO_FIT;
  /** What the pool replay did for this group's races below the band (races.ts). */
  history: HistoryEvidence | null = null;
  private held: ErrorEvent[] = [];
  private lateFit: KeepAliveFit | null = null;

  constructor(readonly arn: string) {
    this.name = targetGroupName(arn);
  }

  count(cls: CauseClass): void {
    this.classes.set(cls, (this.classes.get(cls) ?? 0) + 1);
  }

  classCount(cls: CauseClass): number {
    return this.classes.get(cls) ?? 0;
  }

  eventCount(): number {
    let n = this.held.length;
    for (const count of this.classes.values()) n += count;
    return n;
  }

  holdRace(event: ErrorEvent): void {
    this.held.push(event);
  }

  /** Past the cap: decided at once against the estimate from the races held so far, without run context. */
  classifyLateRace(event: ErrorEvent, albIdleTimeoutMs: number): CauseClass {
    this.lateFit ??= fitKeepAlive(gapsOf(this.held), this.histogram, albIdleTimeoutMs);
    return classifyRaces([toCandidate(event)], [false], this.lateFit).classes[0]!;
  }

  /** Decides every held race-shaped 502 (sets `cls`) and returns them; fills `fit`. */
  decideHeld(albIdleTimeoutMs: number): ErrorEvent[] {
    const held = this.held;
    this.held = [];
    const candidates = held.map(toCandidate);
    const inRun = markDeployRuns(candidates);
    const isolatedGaps: number[] = [];
    // The band is fitted on isolated races only: not deploy runs, not lone refusals (they would widen it).
    candidates.forEach((c, i) => {
      if (!inRun[i] && c.idleGapMs !== null && !looksRefused(c)) isolatedGaps.push(c.idleGapMs);
    });
    this.fit = fitKeepAlive(isolatedGaps, this.histogram, albIdleTimeoutMs);
    const { classes, history } = classifyRaces(candidates, inRun, this.fit);
    this.history = history;
    held.forEach((event, i) => {
      event.cls = classes[i]!;
      event.recent = null;
    });
    return held;
  }
}

/** Decides the held races of every group; returns them in time order. */
export function finalizeGroups(groups: readonly GroupState[], albIdleTimeoutMs: number): ErrorEvent[] {
  const decided = groups.flatMap((g) => g.decideHeld(albIdleTimeoutMs));
  return decided.sort((a, b) => a.timeMs - b.timeMs);
}

function toCandidate(event: ErrorEvent): RaceCandidate {
  return {
    shape: event.shape ?? 'B',
    dispatchedMs: event.dispatchedMs,
    idleGapMs: event.idleGapMs,
    target: event.target ?? '-',
    answeredBeforeMs: event.answeredBeforeMs,
    answeredAfterMs: event.answeredAfterMs,
    recent: event.recent,
  };
}

function gapsOf(events: readonly ErrorEvent[]): number[] {
  const out: number[] = [];
  for (const e of events) if (e.idleGapMs !== null) out.push(e.idleGapMs);
  return out;
}
