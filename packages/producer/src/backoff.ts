/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export interface BackoffOptions {
  /** First retry waits up to this long (ms). @default 100 */
  readonly baseDelayMs?: number;
  /** No retry waits longer than this (ms). @default 5000 */
  readonly maxDelayMs?: number;
}

/**
 * Delay before retry number `attempt` (1 for the first retry): a random value in
 * `[0, min(maxDelay, base * 2^(attempt-1))]`. `random` is injectable for tests.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 5000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
