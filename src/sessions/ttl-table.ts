/**
 * @module sessions/ttl-table
 * Records that disappear after a TTL, in process memory: the one table behind the memory session store and the
 * memory job store. Reads return copies, as a shared store would, so a caller cannot change a stored record by
 * accident.
 */

/** A key → record map with per-record expiry. */
export class MemoryTtlTable<T> {
  #records = new Map<string, { record: T; expiresAt: number }>()
  #sweeper: NodeJS.Timeout

  constructor(sweepIntervalMs = 60_000) {
    this.#sweeper = setInterval(() => this.#sweep(), sweepIntervalMs)
    this.#sweeper.unref()
  }

  #sweep() {
    const now = Date.now()
    for (const [key, entry] of this.#records) if (entry.expiresAt <= now) this.#records.delete(key)
  }

  async get(key: string): Promise<T | undefined> {
    const entry = this.#records.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= Date.now()) {
      this.#records.delete(key)
      return undefined
    }
    return structuredClone(entry.record)
  }

  /** Stores (or replaces) a record that expires after `ttlSeconds`. */
  async set(key: string, record: T, ttlSeconds: number): Promise<void> {
    this.#records.set(key, { record: structuredClone(record), expiresAt: Date.now() + ttlSeconds * 1000 })
  }

  /** Stores a record only if none (unexpired) is there; true when this call stored it. */
  async setIfAbsent(key: string, record: T, ttlSeconds: number): Promise<boolean> {
    if ((await this.get(key)) !== undefined) return false
    await this.set(key, record, ttlSeconds)
    return true
  }

  async delete(key: string): Promise<void> {
    this.#records.delete(key)
  }

  /** Process memory is always there. */
  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.#sweeper)
    this.#records.clear()
  }
}
