/**
 * @module runtime/jobs
 * Long-running calls answered with 202 + Location (the asynchronous pattern the Power Platform flow engine
 * polls by itself). A job is bound to the identity that started it and kept for a while after it finishes.
 *
 * The call runs in the process that started it; its status, progress and final answer are written to a
 * {@link JobStore}. With a shared store (Redis) a poll on any replica answers.
 */
import { randomBytes } from 'node:crypto'
import { ApiError } from '../errors/api-error.js'
import { toProblem } from '../errors/problem.js'
import { storeUnavailable } from '../sessions/store-unavailable.js'
import type { JobOutcome, JobProgress, JobRecord, JobStore } from '../sessions/job-store.js'
import { MemoryJobStore } from '../sessions/job-store-memory.js'

export type { JobOutcome, JobProgress } from '../sessions/job-store.js'

/** A job (the stored record). */
export type Job = JobRecord

/** Options of {@link JobRegistry}. */
export interface JobRegistryOptions {
  /** Where records live; an in-process store when absent. */
  store?: JobStore
  /** Config name of the server whose jobs these are (a shared store holds every server's jobs). */
  server?: string
}

/** The shape of ids this registry hands out; anything else is unknown without asking the store. */
const JOB_ID = /^job_[A-Za-z0-9_-]{24}$/

/** A running job of this process and the state of its writes to the store. */
interface LocalJob {
  record: JobRecord
  /** The write in flight, if any. */
  writing?: Promise<void>
  /** A change arrived while a write was in flight: write again after it. */
  dirty: boolean
  /** Cancels the running call (`DELETE /jobs/{jobId}`). */
  abort?: AbortController
}

/** Jobs of one server: runs them here, keeps their records in the store. */
export class JobRegistry {
  readonly #store: JobStore
  readonly #server: string
  readonly #ttlSeconds: number
  #local = new Map<string, LocalJob>()
  #heartbeat: NodeJS.Timeout

  /** @param resultTtlMs how long a finished job's answer stays available */
  constructor(resultTtlMs: number, options: JobRegistryOptions = {}) {
    this.#store = options.store ?? new MemoryJobStore()
    this.#server = options.server ?? 'default'
    this.#ttlSeconds = Math.max(1, Math.ceil(resultTtlMs / 1000))
    // A running job's record is rewritten (TTL renewed) while it runs, so a long call outlives the TTL but the
    // record of a job whose process died disappears after one TTL instead of reading "running" forever.
    this.#heartbeat = setInterval(() => {
      for (const job of this.#local.values()) this.#write(job)
    }, Math.max(250, Math.min(30_000, (this.#ttlSeconds * 1000) / 2)))
    this.#heartbeat.unref()
    // A cancel posted to another replica: that replica left a claim and announced the job.
    this.#store.subscribe((id) => {
      const local = this.#local.get(id)
      if (local) void this.#store.peek(id, 'cancel').then((c) => c && this.#cancelLocal(local), () => undefined)
    })
  }

  /** Where the records live (interactive jobs share it). */
  get store(): JobStore {
    return this.#store
  }

  /** Number of jobs still running in this process. */
  get running(): number {
    return this.#local.size
  }

  /**
   * Registers a running call as a job. Resolves once the record is stored, so a poll on any replica finds it.
   * @param outcome settles with the final response (it must never reject)
   * @throws ApiError `store_unavailable` when the record cannot be stored
   */
  async start(identity: string, tool: string, outcome: Promise<JobOutcome>, progress?: JobProgress, abort?: AbortController): Promise<Job> {
    const record: JobRecord = { id: 'job_' + randomBytes(18).toString('base64url'), server: this.#server, identity, tool, startedAt: Date.now(), progress }
    const local: LocalJob = { record, dirty: false, abort }
    this.#local.set(record.id, local)
    void outcome.then((o) => {
      // A cancelled job keeps its 409; what the aborted call ended with is nobody's answer.
      if (!record.cancelled) {
        record.outcome = o
        record.finishedAt = Date.now()
      }
      // Forget it locally once the final answer is stored (or the store failed): the record serves polls from now on.
      void this.#write(local)
        .catch(() => {})
        .finally(() => this.#local.delete(record.id))
    })
    try {
      await this.#write(local)
    } catch (error) {
      throw storeUnavailable(error, 'The job could not be recorded; the call still runs but cannot be polled.')
    }
    return record
  }

  /** Records progress of a job (written to the store in the background; bursts are coalesced). */
  report(job: Job, p: { progress: number; total?: number; message?: string }) {
    const local = this.#local.get(job.id)
    const record = local?.record ?? job
    record.progress = {
      ...p,
      percent: p.total && p.total > 0 ? Math.max(0, Math.min(100, Math.round((p.progress / p.total) * 100))) : undefined,
    }
    if (local) void this.#write(local).catch(() => {})
  }

  /**
   * The job, if it exists and belongs to this identity and server (a foreign job looks unknown).
   * @throws ApiError `store_unavailable` when the store cannot be read
   */
  async get(id: string, identity: string): Promise<Job | undefined> {
    if (!JOB_ID.test(id)) return undefined
    let job: JobRecord | undefined
    try {
      job = await this.#store.get(id)
    } catch (error) {
      throw storeUnavailable(error, 'The job store cannot be read right now.')
    }
    return job && job.identity === identity && job.server === this.#server ? job : undefined
  }

  /**
   * Cancels a running job: the call is aborted here, or (another replica runs it) a cancel claim is left and
   * announced for that replica. Polls then answer 409 `job_cancelled`.
   * @throws ApiError `job_finished`, `store_unavailable`
   */
  async cancel(job: Job): Promise<void> {
    if (job.cancelled) return
    if (job.outcome) throw new ApiError('job_finished')
    const local = this.#local.get(job.id)
    if (local) return this.#cancelLocal(local)
    try {
      await this.#store.claim(job.id, 'cancel', true, this.#ttlSeconds)
      await this.#store.publish(job.id)
    } catch (error) {
      throw storeUnavailable(error, 'The job store cannot be reached right now.')
    }
  }

  async #cancelLocal(local: LocalJob) {
    const { record } = local
    if (record.cancelled || record.outcome) return
    record.cancelled = true
    record.outcome = { status: 409, body: toProblem(new ApiError('job_cancelled', { detail: 'The job was cancelled by its caller.' }), `/jobs/${record.id}`) }
    record.finishedAt = Date.now()
    local.abort?.abort(new Error('cancelled by the caller'))
    await this.#write(local).catch(() => undefined)
  }

  /**
   * Writes the current record, one write at a time per job: a change during a write triggers one more write
   * with the newest state, so the store never ends on an older state (a late progress over the final answer).
   */
  #write(local: LocalJob): Promise<void> {
    if (local.writing) {
      local.dirty = true
      return local.writing
    }
    const run = async () => {
      try {
        do {
          local.dirty = false
          await this.#store.put(local.record, this.#ttlSeconds)
        } while (local.dirty)
      } finally {
        local.writing = undefined
      }
    }
    local.writing = run()
    // Background writes (progress, heartbeat) must not crash the process; start() awaits and reports its own.
    local.writing.catch(() => {})
    return local.writing
  }

  /** Waits (bounded) for running jobs and their last writes, then stops timers. The store is closed by its owner. */
  async shutdown(drainMs: number) {
    const deadline = Date.now() + drainMs
    while (this.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    clearInterval(this.#heartbeat)
  }
}
