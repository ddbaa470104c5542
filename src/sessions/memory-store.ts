/**
 * @module sessions/memory-store
 * In-process session store: a table with idle expiry. For one replica.
 */
import { MemoryTtlTable } from './ttl-table.js'
import type { SessionRecord, SessionStore } from './types.js'

/** A {@link SessionStore} in process memory. */
export class MemorySessionStore extends MemoryTtlTable<SessionRecord> implements SessionStore {
  readonly shared = false

  /** A write in memory costs nothing: every slide is stored at once. */
  slide(key: string, record: SessionRecord, ttlSeconds: number): Promise<void> {
    return this.set(key, record, ttlSeconds)
  }
}
