/**
 * @module runtime/retry
 * Background retries with exponential backoff and jitter (the catalog load at start): a vendor that is down is
 * asked again after 1 s, 2 s, 4 s … up to a ceiling, instead of every 2 s forever.
 */

/** Options of {@link retryWithBackoff}. */
export interface BackoffOptions {
  /** True when retrying should end (done elsewhere, or shutting down). */
  stopped: () => boolean
  initialMs?: number
  maxMs?: number
}

/**
 * Runs `attempt` once now; when it fails, again in the background with growing delays until it succeeds or
 * `stopped()`. Never rejects.
 * @returns a function that cancels the pending retry
 */
export async function retryWithBackoff(attempt: () => Promise<unknown>, options: BackoffOptions): Promise<() => void> {
  const { stopped, initialMs = 1000, maxMs = 60_000 } = options
  let timer: NodeJS.Timeout | undefined
  let cancelled = false
  const cancel = () => {
    cancelled = true
    clearTimeout(timer)
  }
  const run = async (delayMs: number): Promise<void> => {
    try {
      await attempt()
    } catch {
      if (cancelled || stopped()) return
      // Jitter spreads the retries of many replicas that lost the same vendor at the same moment.
      const wait = Math.min(maxMs, delayMs) * (0.8 + Math.random() * 0.4)
      timer = setTimeout(() => void run(Math.min(maxMs, delayMs * 2)), wait)
      timer.unref()
    }
  }
  await run(initialMs)
  return cancel
}
