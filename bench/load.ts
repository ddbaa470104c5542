/**
 * @module bench/load
 * A closed-loop load generator: `concurrency` callers each issue the next call as soon as the previous one
 * answers, until a call budget or a time budget runs out (whichever comes first). Slices of load can be merged,
 * so the bench can interleave the clients in short rounds and still report one number per client.
 */

/** One call; resolves when the answer was checked. Receives a sequence number for unique payloads. */
export type Call = (seq: number) => Promise<void>

/** Budgets of one slice of load. Both are always applied, so no slice can run away. */
export interface LoadOptions {
  concurrency: number
  maxCalls: number
  maxMs: number
}

/** The raw outcome of one slice. */
export interface Slice {
  /** Latencies of successful calls, ms. */
  latencies: number[]
  errors: number
  firstError?: string
  /** Wall time from the first call to the last answer, ms. */
  elapsedMs: number
  /** True when the time budget, not the call budget, ended the slice. */
  timeBound: boolean
}

/** Merged statistics of one or more slices. */
export interface LoadSummary {
  /** Calls that answered correctly. */
  ok: number
  /** Calls that threw (or answered wrongly). */
  errors: number
  firstError?: string
  /** Summed wall time of the slices, ms. */
  elapsedMs: number
  /** Successful calls per second over `elapsedMs`. */
  throughput: number
  /** Lowest and highest per-slice throughput: the spread tells how steady the machine was. */
  throughputRange: [number, number]
  /** Latency of successful calls, ms (nearest rank over all slices). */
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
  /** True when any slice was ended by its time budget. */
  timeBound: boolean
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/**
 * Runs `call` under closed-loop load for one slice.
 * @param seqStart first sequence number (slices use disjoint ranges so payloads never repeat)
 */
export async function runLoad(call: Call, options: LoadOptions, seqStart = 0): Promise<Slice> {
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
  return { latencies, errors, ...(firstError === undefined ? {} : { firstError }), elapsedMs: lastAnswer - started, timeBound }
}

/** Merges slices into one summary. */
export function summarize(slices: Slice[]): LoadSummary {
  const sorted = slices.flatMap((s) => s.latencies).sort((a, b) => a - b)
  const elapsedMs = slices.reduce((n, s) => n + s.elapsedMs, 0)
  const rates = slices.filter((s) => s.elapsedMs > 0).map((s) => (s.latencies.length * 1000) / s.elapsedMs)
  const firstError = slices.find((s) => s.firstError !== undefined)?.firstError
  return {
    ok: sorted.length,
    errors: slices.reduce((n, s) => n + s.errors, 0),
    ...(firstError === undefined ? {} : { firstError }),
    elapsedMs,
    throughput: elapsedMs > 0 ? (sorted.length * 1000) / elapsedMs : 0,
    throughputRange: rates.length ? [Math.min(...rates), Math.max(...rates)] : [Number.NaN, Number.NaN],
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : Number.NaN,
    timeBound: slices.some((s) => s.timeBound),
  }
}
