/**
 * @module sessions/job-store-memory
 * Job records in process memory, with expiry. For one replica.
 */
import { MemoryTtlTable } from './ttl-table.js'
import type { JobRecord, JobStore } from './job-store.js'

/** A {@link JobStore} in process memory. */
export class MemoryJobStore implements JobStore {
  readonly shared = false
  readonly #table = new MemoryTtlTable<JobRecord>()
  readonly #claims = new MemoryTtlTable<unknown>()
  readonly #listeners = new Set<(jobId: string) => void>()

  get(id: string): Promise<JobRecord | undefined> {
    return this.#table.get(id)
  }

  put(record: JobRecord, ttlSeconds: number): Promise<void> {
    return this.#table.set(record.id, record, ttlSeconds)
  }

  claim(jobId: string, name: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    return this.#claims.setIfAbsent(`${jobId}:${name}`, value, ttlSeconds)
  }

  peek(jobId: string, name: string): Promise<unknown> {
    return this.#claims.get(`${jobId}:${name}`)
  }

  async publish(jobId: string): Promise<void> {
    for (const listener of this.#listeners) listener(jobId)
  }

  subscribe(listener: (jobId: string) => void): void {
    this.#listeners.add(listener)
  }

  async close(): Promise<void> {
    this.#listeners.clear()
    await this.#claims.close()
    return this.#table.close()
  }
}
