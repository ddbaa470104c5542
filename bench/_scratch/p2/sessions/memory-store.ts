/**
 * @module sessions/memory-store
 * In-process session store: a Map with idle expiry. For one replica.
 */
import type { SessionRecord, SessionStore } from './types.js'

/** A {@link SessionStore} in process memory. */
export class MemorySessionStore implements SessionStore {
  readonly shared = false
  #records = new Map<string, { record: SessionRecord; expiresAt: number }>()
  #sweeper: NodeJS.Timeout

  constructor(sweepIntervalMs = 60_000) {
    this.#sweeper = setInterval(() => this.#sweep(), sweepIntervalMs)
    this.#sweeper.unref()
  }

  #sweep() {
    const now = Date.now()
    for (const [key, entry] of this.#records) if (entry.expiresAt <= now) this.#records.delete(key)
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    const entry = this.#records.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= Date.now()) {
      this.#records.delete(key)
      return undefined
    }
    return structuredClone(entry.record)
  }

  async set(key: string, record: SessionRecord, ttlSeconds: number): Promise<void> {
    this.#records.set(key, { record: structuredClone(record), expiresAt: Date.now() + ttlSeconds * 1000 })
  }

  async delete(key: string): Promise<void> {
    this.#records.delete(key)
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper)
    this.#records.clear()
  }
}
