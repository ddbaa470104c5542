/**
 * @module sessions/job-store
 * The job store contract. A job record holds only JSON data (status, progress, final answer), so a shared store
 * (Redis) lets any replica answer a poll while the call itself keeps running in the process that started it.
 */

/** Progress reported through MCP progress notifications. */
export interface JobProgress {
  progress: number
  total?: number
  message?: string
  /** 0–100 when the vendor gave a total. */
  percent?: number
}

/** What a finished job produced: an HTTP status and a JSON body (an envelope or a problem document). */
export interface JobOutcome {
  status: number
  body: unknown
  headers?: Record<string, string>
}

import type { InteractionState } from './interaction-record.js'

/** A job as stored. `identity` is the keyed hash of the caller that started it, never a credential. */
export interface JobRecord {
  id: string
  /** Config name of the server the job runs on: a job id presented under another server's path is unknown. */
  server: string
  identity: string
  tool: string
  startedAt: number
  progress?: JobProgress
  outcome?: JobOutcome
  finishedAt?: number
  /** An interactive call (`Prefer: input-required`): its questions, round and who runs it (see interaction/). */
  interaction?: InteractionState
  /** Cancelled by its caller (`DELETE /jobs/{jobId}`): polls answer 409 `job_cancelled`. */
  cancelled?: boolean
}

/** Where job records live. */
export interface JobStore {
  get(id: string): Promise<JobRecord | undefined>
  /** Stores (or replaces) a record that disappears after `ttlSeconds`. */
  put(record: JobRecord, ttlSeconds: number): Promise<void>
  /**
   * A small JSON value stored under `<job id>:<name>` only if none is there yet: the one atomic step of interactive
   * jobs (an answer to a question is taken once, one replica resumes a round, a cancel is seen by the owner).
   * @returns true when this call stored it
   */
  claim(jobId: string, name: string, value: unknown, ttlSeconds: number): Promise<boolean>
  /** The value {@link claim} stored, if any. */
  peek(jobId: string, name: string): Promise<unknown>
  /**
   * Tells every replica's {@link subscribe} listeners that a job changed (an answer, a cancel, a new state), so they
   * look at once instead of on their next poll. Best effort: readers poll as well.
   */
  publish(jobId: string): Promise<void>
  /** Calls `listener` with the id of every job {@link publish}ed, here or by another replica. */
  subscribe(listener: (jobId: string) => void): void
  /** Releases connections and timers. */
  close(): Promise<void>
  /** True when several replicas share the records. */
  readonly shared: boolean
}
