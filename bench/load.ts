/**
 * @module bench/load
 * A closed-loop load generator: `concurrency` callers each issue the next call as soon as the previous one
 * answers, until a call budget or a time budget runs out (whichever comes first), plus the statistics.
 */

/** One call; resolves when the answer was checked. Receives a sequence number for unique payloads. */
export type Call = (seq: number) => Promise<void>

/** Budgets of one load phase. Both are always applied, so no phase can run away. */
export interface LoadOptions {
  concurrency: number
  maxCalls: number
  maxMs: number
}

/** What one load phase measured. */
export interface LoadResult {
  concurrency: number
  /** Calls that answered correctly. */
  ok: number
  /** Calls that threw (or answered wrongly). */
  errors: number
  /** First error message, to tell what went wrong without flooding the output. */
  firstError?: string
  /** Wall time from the first call to the last answer, ms. */
  elapsedMs: number
  /** Successful calls per second over `elapsedMs`. */
  throughput: number
  /** Latency of successful calls, ms. */
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
  /** True when the time budget, not the call budget, ended the phase. */
  timeBound: boolean
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/**
 * Runs `call` under closed-loop load.
 * @param seqStart first sequence number (phases use disjoint ranges so payloads never repeat)
 */
export async function runLoad(call: Call, options: LoadOptions, seqStart = 0): Promise<LoadResult> {
  const latencies: number[] = []
  let issued = 0
  let errors = 0
  let firstError: string | undefined
  let timeBound = false
  const started = performance.now()
  const deadline = started + options.maxMs
  let lastAnswer = started

  const worker = async () => {
    for (;;) {
      if (issued >= options.maxCalls) return
      if (performance.now() >= deadline) {
        timeBound = true
        return
      }
      const seq = seqStart + issued++
      const t0 = performance.now()
      try {
        await call(seq)
        const t1 = performance.now()
        latencies.push(t1 - t0)
        lastAnswer = t1
      } catch (error) {
        errors++
        lastAnswer = performance.now()
        firstError ??= error instanceof Error ? error.message : String(error)
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))

  const elapsedMs = lastAnswer - started
  const sorted = latencies.sort((a, b) => a - b)
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    concurrency: options.concurrency,
    ok: sorted.length,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    elapsedMs,
    throughput: elapsedMs > 0 ? (sorted.length * 1000) / elapsedMs : 0,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    timeBound,
  }
}
