/**
 * @module runtime/jobs
 * Long-running calls answered with 202 + Location (the asynchronous pattern the Power Platform flow engine
 * polls by itself). A job is bound to the identity that started it and kept for a while after it finishes.
 */
import { randomBytes } from 'node:crypto'

/** What a finished job produced: an HTTP status and a JSON body (an envelope or a problem document). */
export interface JobOutcome {
  status: number
  body: unknown
  headers?: Record<string, string>
}

/** Progress reported through MCP progress notifications. */
export interface JobProgress {
  progress: number
  total?: number
  message?: string
  /** 0–100 when the vendor gave a total. */
  percent?: number
}

/** A job. */
export interface Job {
  id: string
  identity: string
  tool: string
  startedAt: number
  progress?: JobProgress
  outcome?: JobOutcome
  finishedAt?: number
}

/** In-process registry of jobs. */
export class JobRegistry {
  #jobs = new Map<string, Job>()
  #sweeper: NodeJS.Timeout

  constructor(private readonly resultTtlMs: number) {
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(60_000, resultTtlMs))
    this.#sweeper.unref()
  }

  #sweep() {
    const now = Date.now()
    for (const [id, job] of this.#jobs) if (job.finishedAt && now - job.finishedAt > this.resultTtlMs) this.#jobs.delete(id)
  }

  /** Number of jobs still running. */
  get running(): number {
    let n = 0
    for (const job of this.#jobs.values()) if (!job.outcome) n++
    return n
  }

  /**
   * Registers a running call as a job.
   * @param outcome settles with the final response (it must never reject)
   */
  start(identity: string, tool: string, outcome: Promise<JobOutcome>, progress?: JobProgress): Job {
    const job: Job = { id: 'job_' + randomBytes(18).toString('base64url'), identity, tool, startedAt: Date.now(), progress }
    this.#jobs.set(job.id, job)
    void outcome.then((o) => {
      job.outcome = o
      job.finishedAt = Date.now()
    })
    return job
  }

  /** Records progress of a job. */
  report(job: Job, p: { progress: number; total?: number; message?: string }) {
    job.progress = {
      ...p,
      percent: p.total && p.total > 0 ? Math.max(0, Math.min(100, Math.round((p.progress / p.total) * 100))) : undefined,
    }
  }

  /** The job, if it exists and belongs to this identity (a foreign job looks unknown). */
  get(id: string, identity: string): Job | undefined {
    const job = this.#jobs.get(id)
    return job && job.identity === identity ? job : undefined
  }

  /** Waits (bounded) for running jobs, then stops timers. */
  async shutdown(drainMs: number) {
    clearInterval(this.#sweeper)
    const deadline = Date.now() + drainMs
    while (this.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  }
}
