/**
 * Window arithmetic, pure and in UTC epoch milliseconds. A run triggered at `time` analyses the window
 * that ends at `time − delay`, rounded down to a multiple of the window length; ALB delivers each 5-minute
 * object some minutes after its interval ends, hence the delay. Keys are named by a window's end.
 */

export interface Window {
  fromMs: number;
  /** Exclusive; the window's name. */
  toMs: number;
}

export interface WindowSettings {
  windowMinutes: number;
  delayMinutes: number;
  historyHours: number;
}

const MINUTE_MS = 60_000;

export class EventTimeError extends Error {
  readonly code = 'BAD_EVENT_TIME';
}

/** An EventBridge scheduled event's `time` (ISO-8601, UTC) → epoch ms. */
export function eventTimeMs(event: unknown): number {
  const time = (event as { time?: unknown } | null)?.time;
  const ms = typeof time === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(time) ? Date.parse(time) : NaN;
  if (Number.isNaN(ms)) {
    throw new EventTimeError(`the event has no ISO-8601 'time' (got ${JSON.stringify(time)}); invoke the job with an EventBridge scheduled event.`);
  }
  return ms;
}

/** The end of the window a run at `eventMs` analyses. */
export function windowEndMs(eventMs: number, settings: Pick<WindowSettings, 'windowMinutes' | 'delayMinutes'>): number {
  const windowMs = settings.windowMinutes * MINUTE_MS;
  return Math.floor((eventMs - settings.delayMinutes * MINUTE_MS) / windowMs) * windowMs;
}

/** The windows of the rolling history that ends at `endMs`, oldest first; the last one ends at `endMs`. */
export function historyWindows(endMs: number, settings: Pick<WindowSettings, 'windowMinutes' | 'historyHours'>): Window[] {
  const windowMs = settings.windowMinutes * MINUTE_MS;
  const count = (settings.historyHours * 60) / settings.windowMinutes;
  const windows: Window[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const toMs = endMs - i * windowMs;
    windows.push({ fromMs: toMs - windowMs, toMs });
  }
  return windows;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `yyyy/mm/dd/HHmm` of an instant, UTC: the part of every key that names a window end. */
export function windowStamp(endMs: number): string {
  const d = new Date(endMs);
  return `${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
}

/** `yyyy/mm/dd/` folders holding the window ends in [fromMs, toMs], in order. */
export function dayStamps(fromMs: number, toMs: number): string[] {
  const dayMs = 1440 * MINUTE_MS;
  const days: string[] = [];
  for (let day = Math.floor(fromMs / dayMs) * dayMs; day <= toMs; day += dayMs) days.push(windowStamp(day).slice(0, 11));
  return days;
}

/** The inverse of windowStamp; NaN when `stamp` is not one. */
export function stampToMs(stamp: string): number {
  const m = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})(\d{2})$/.exec(stamp);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) : NaN;
}
