/**
 * The ALB's idle timeout, inferred from its 504s. When a target does not answer, the ALB gives up after
 * its idle timeout (attribute `idle_timeout.timeout_seconds`, 1–4000 s, default 60) and logs a 504 whose
 * elapsed time, `time − request_creation_time`, is that timeout plus a little (domain.md §5). The
 * attribute is whole seconds, so the estimate is the low end of those elapsed times, floored to seconds.
 */
export const DEFAULT_ALB_IDLE_TIMEOUT_SECONDS = 60;
/** Fewer 504s than this say too little: a single slow request cut by a client proxy looks the same. */
export const MIN_TIMEOUTS_TO_INFER = 3;
const RESOLUTION_MS = 10;
/** Elapsed times are the timeout plus processing; truncating request_creation_time to ms can put one a hair below it. */
const ROUNDING_SLACK_MS = 20;

export type IdleTimeoutSource = 'flag' | 'inferred' | 'default';

export class AlbIdleTimeoutInference {
  /** 504 elapsed times in RESOLUTION_MS steps → count: at most one key per 10 ms up to 4000 s. */
  private readonly elapsed = new Map<number, number>();
  private count = 0;

  /** One `target_timeout` 504 with its `time − request_creation_time`. */
  add(elapsedMs: number): void {
    if (!(elapsedMs > 0) || elapsedMs > 4_100_000) return;
    const key = Math.floor(elapsedMs / RESOLUTION_MS);
    this.elapsed.set(key, (this.elapsed.get(key) ?? 0) + 1);
    this.count++;
  }

  /** [10 ms step, count], ascending: the state's form. */
  toState(): [number, number][] {
    return [...this.elapsed.entries()].sort((a, b) => a[0] - b[0]);
  }

  static fromState(pairs: readonly [number, number][]): AlbIdleTimeoutInference {
    const inference = new AlbIdleTimeoutInference();
    for (const [key, count] of pairs) {
      inference.elapsed.set(key, (inference.elapsed.get(key) ?? 0) + count);
      inference.count += count;
    }
    return inference;
  }

  get samples(): number {
    return this.count;
  }

  /**
   * Whole seconds, or null with too few 504s. The 10th percentile rather than the minimum: one 504 from
   * a client-side proxy giving up early must not drag the estimate down.
   */
  inferSeconds(): number | null {
    if (this.count < MIN_TIMEOUTS_TO_INFER) return null;
    const keys = [...this.elapsed.keys()].sort((a, b) => a - b);
    const rank = Math.floor(0.1 * (this.count - 1));
    let seen = 0;
    for (const key of keys) {
      seen += this.elapsed.get(key)!;
      if (seen > rank) {
        const seconds = Math.floor((key * RESOLUTION_MS + ROUNDING_SLACK_MS) / 1000);
        return Math.min(4000, Math.max(1, seconds));
      }
    }
    return null;
  }

  resolve(flagSeconds: number | undefined): { value: number; source: IdleTimeoutSource } {
    if (flagSeconds !== undefined) return { value: flagSeconds, source: 'flag' };
    const inferred = this.inferSeconds();
    if (inferred !== null) return { value: inferred, source: 'inferred' };
    return { value: DEFAULT_ALB_IDLE_TIMEOUT_SECONDS, source: 'default' };
  }
}
