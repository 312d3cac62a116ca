/** Bounded retry with exponential backoff and full jitter, for optimistic writes and flaky transports. */
export interface RetryOptions {
  attempts: number;
  /** First delay in ms; doubles each attempt, capped at maxDelayMs, then jittered. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Return true to retry this error; anything else is rethrown at once. */
  retryIf: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function backoffDelay(attempt: number, base = 100, max = 5_000): number {
  return Math.random() * Math.min(max, base * 2 ** attempt);
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt + 1 >= opts.attempts || !opts.retryIf(e)) throw e;
      const delay = backoffDelay(attempt, opts.baseDelayMs, opts.maxDelayMs);
      opts.onRetry?.(e, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
