/**
 * Numbers, durations and times as every human-facing renderer writes them. Fixed to en-US digits and UTC
 * (the logs' zone) so a report reads the same on every machine.
 */

const COUNT = new Intl.NumberFormat('en-US');

export const formatCount = (n: number): string => COUNT.format(n);

/** `1.2 MB`: decimal units, as `aws s3 ls --human-readable` rounds them closely enough. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A share of requests: `32%`, `3.2%`, `0.49%`, `0.0012%` — two significant digits below 10%. */
export function formatPercent(ratio: number): string {
  if (ratio === 0) return '0';
  const percent = ratio * 100;
  if (percent >= 10) return `${Math.round(percent)}%`;
  return `${Number(percent.toPrecision(2))}%`;
}

/** `41`, `3.5`, `0.25`: a per-day rate, whole above 10. */
export function formatRate(perDay: number): string {
  if (perDay >= 10) return formatCount(Math.round(perDay));
  return String(Number(perDay.toPrecision(2)));
}

/** A keep-alive time: `6.0 s`, `65 s`. */
export const formatSeconds = (seconds: number): string => `${seconds.toFixed(seconds >= 100 ? 0 : 1)} s`;

/** A setting in whole seconds when it is one: `60 s`, `65 s`, `2.5 s`. */
export const formatSettingSeconds = (seconds: number): string =>
  Number.isInteger(seconds) ? `${seconds} s` : formatSeconds(seconds);

/** An interval with just enough decimals (at most 3) to tell its ends apart: `5.99–6.01 s`. */
export function formatSecondsInterval(lowSeconds: number, highSeconds: number): string {
  let decimals = lowSeconds >= 100 ? 0 : 1;
  while (decimals < 3 && lowSeconds.toFixed(decimals) === highSeconds.toFixed(decimals)) decimals++;
  return `${lowSeconds.toFixed(decimals)}–${highSeconds.toFixed(decimals)} s`;
}

/**
 * An idle-age bucket: `0 – 4.62 s`, `850 – 990 ms`, `2.59 – 2.65 s`, `≥ 60 s`, with `digits` significant
 * digits (see idleRangeDigits), more only where the two ends would otherwise read the same.
 */
export function formatIdleRange(fromMs: number, toMs: number | null, digits = 3): string {
  if (toMs === null) return `≥ ${formatDuration(fromMs)}`;
  const [scale, unit] = toMs < 1000 ? [1, 'ms'] : [1000, 's'];
  let precision = digits;
  const bound = (ms: number): string => (ms === 0 ? '0' : String(Number((ms / scale).toPrecision(precision))));
  while (precision < 6 && bound(fromMs) === bound(toMs)) precision++;
  return `${bound(fromMs)} – ${bound(toMs)} ${unit}`;
}

/**
 * The fewest significant digits (3–6) that keep every bucket edge of one chart apart, so rows line up.
 * Three at least: a race spike is a few ms wide at T, and `5.9 – 6 s` would hide where it sits.
 */
export function idleRangeDigits(edgesMs: readonly number[]): number {
  const distinct = [...new Set(edgesMs)];
  for (let digits = 3; digits < 6; digits++) {
    const labels = new Set(distinct.map((ms) => (ms < 1000 ? `${Number(ms.toPrecision(digits))} ms` : `${Number((ms / 1000).toPrecision(digits))} s`)));
    if (labels.size === distinct.length) return digits;
  }
  return 6;
}

/** A duration for labels: `250 ms`, `1.5 s`, `15 min`, `2 h`, `1 d`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Number(ms.toPrecision(3))} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toPrecision(3))} s`;
  if (ms < 3_600_000) return `${Number((ms / 60_000).toPrecision(3))} min`;
  if (ms < 86_400_000) return `${Number((ms / 3_600_000).toPrecision(3))} h`;
  return `${Number((ms / 86_400_000).toPrecision(3))} d`;
}

/** `2024-05-01 10:00` (UTC); seconds only when they are not zero. */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  const seconds = iso.slice(16, 19);
  return iso.slice(0, 10) + ' ' + iso.slice(11, 16) + (seconds === ':00' ? '' : seconds);
}

/** A report time (ISO string or null) for display; the raw text when it does not parse. */
export function formatReportTime(iso: string | null): string | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatUtc(ms);
}

/** A probability in two significant digits: `0.0042`, `3e-7`. */
export const formatProbability = (p: number): string => (p >= 0.001 ? String(Number(p.toPrecision(2))) : p.toExponential(0));
