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
}

/** Where job records live. */
export interface JobStore {
  get(id: string): Promise<JobRecord | undefined>
  /** Stores (or replaces) a record that disappears after `ttlSeconds`. */
  put(record: JobRecord, ttlSeconds: number): Promise<void>
  /** Releases connections and timers. */
  close(): Promise<void>
  /** True when several replicas share the records. */
  readonly shared: boolean
}
