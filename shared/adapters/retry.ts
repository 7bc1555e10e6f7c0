/**
 * Retries with exponential backoff and full jitter: attempt n waits a random time between 0 and
 * min(maxDelayMs, baseDelayMs × 2^n) (the AWS Architecture Blog's "full jitter"), so clients that
 * were throttled together do not come back together.
 */
export interface BackoffOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (milliseconds: number) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 20_000 };

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

export async function retryWithBackoff<T>(
  operation: () => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  options: BackoffOptions = DEFAULT_BACKOFF,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isRetryable(error) || attempt + 1 >= options.maxAttempts) throw error;
      await (options.sleep ?? sleep)(backoffDelay(attempt, options));
    }
  }
}
