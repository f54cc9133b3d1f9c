/**
 * The ALB's idle timeout, inferred from its 504s. When a target does not answer, the ALB gives up after
 * its idle timeout (attribute `idle_timeout.timeout_seconds`, 1–4000 s, default 60) and logs a 504 whose
 * elapsed time, `time − request_creation_time`, is that timeout plus a little (domain.md §5). The
 * attribute is whole seconds, so the estimate is the low end of those elapsed times, floored to seconds.
 */
import {
  DEFAULT_ALB_IDLE_TIMEOUT_SECONDS,
  MAX_ALB_IDLE_TIMEOUT_SECONDS,
  MAX_TIMEOUT_ELAPSED_MS,
  MIN_ALB_IDLE_TIMEOUT_SECONDS,
  MIN_TIMEOUTS_TO_INFER,
  TIMEOUT_PERCENTILE,
  TIMEOUT_RESOLUTION_MS,
  TIMEOUT_ROUNDING_SLACK_MS,
} from './constants.js';

export { DEFAULT_ALB_IDLE_TIMEOUT_SECONDS, MIN_TIMEOUTS_TO_INFER } from './constants.js';

/** `described`: read from the load balancer's attributes (report --describe). */
export type IdleTimeoutSource = 'flag' | 'described' | 'inferred' | 'default';

export class AlbIdleTimeoutInference {
  /** 504 elapsed times in TIMEOUT_RESOLUTION_MS steps → count. */
  private readonly elapsed = new Map<number, number>();
  private count = 0;

  /** One `target_timeout` 504 with its `time − request_creation_time`. */
  add(elapsedMs: number): void {
    if (!(elapsedMs > 0) || elapsedMs > MAX_TIMEOUT_ELAPSED_MS) return;
    const key = Math.floor(elapsedMs / TIMEOUT_RESOLUTION_MS);
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

  /** Whole seconds, or null with too few 504s: the TIMEOUT_PERCENTILE of the elapsed times. */
  inferSeconds(): number | null {
    if (this.count < MIN_TIMEOUTS_TO_INFER) return null;
    const keys = [...this.elapsed.keys()].sort((a, b) => a - b);
    const rank = Math.floor(TIMEOUT_PERCENTILE * (this.count - 1));
    let seen = 0;
    for (const key of keys) {
      seen += this.elapsed.get(key)!;
      if (seen > rank) {
        const seconds = Math.floor((key * TIMEOUT_RESOLUTION_MS + TIMEOUT_ROUNDING_SLACK_MS) / 1000);
        return Math.min(MAX_ALB_IDLE_TIMEOUT_SECONDS, Math.max(MIN_ALB_IDLE_TIMEOUT_SECONDS, seconds));
      }
    }
    return null;
  }

  /** The flag wins (the user said so), then the attribute read from AWS, then the 504s, then the default. */
  resolve(flagSeconds: number | undefined, describedSeconds?: number): { value: number; source: IdleTimeoutSource } {
    if (flagSeconds !== undefined) return { value: flagSeconds, source: 'flag' };
    if (describedSeconds !== undefined) return { value: describedSeconds, source: 'described' };
    const inferred = this.inferSeconds();
    if (inferred !== null) return { value: inferred, source: 'inferred' };
    return { value: DEFAULT_ALB_IDLE_TIMEOUT_SECONDS, source: 'default' };
  }
}
