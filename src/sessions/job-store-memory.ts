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

  get(id: string): Promise<JobRecord | undefined> {
    return this.#table.get(id)
  }

  put(record: JobRecord, ttlSeconds: number): Promise<void> {
    return this.#table.set(record.id, record, ttlSeconds)
  }

  close(): Promise<void> {
    return this.#table.close()
  }
}
