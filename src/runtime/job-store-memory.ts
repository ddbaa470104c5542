/**
 * @module runtime/job-store-memory
 * Job records in process memory, with expiry. For one replica.
 */
import type { JobRecord, JobStore } from './job-store.js'

/** A {@link JobStore} in process memory. */
export class MemoryJobStore implements JobStore {
  readonly shared = false
  #records = new Map<string, { record: JobRecord; expiresAt: number }>()
  #sweeper: NodeJS.Timeout

  constructor(sweepIntervalMs = 60_000) {
    this.#sweeper = setInterval(() => this.#sweep(), sweepIntervalMs)
    this.#sweeper.unref()
  }

  #sweep() {
    const now = Date.now()
    for (const [id, entry] of this.#records) if (entry.expiresAt <= now) this.#records.delete(id)
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const entry = this.#records.get(id)
    if (!entry) return undefined
    if (entry.expiresAt <= Date.now()) {
      this.#records.delete(id)
      return undefined
    }
    // A copy, like a shared store would give: callers cannot change the stored record by accident.
    return structuredClone(entry.record)
  }

  async put(record: JobRecord, ttlSeconds: number): Promise<void> {
    this.#records.set(record.id, { record: structuredClone(record), expiresAt: Date.now() + ttlSeconds * 1000 })
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper)
    this.#records.clear()
  }
}
