/**
 * @module runtime/idempotency-store
 * Where Idempotency-Key records live: next to the session and job records (process memory for one replica, Redis
 * for several), so a retried call reaching another replica finds the first one's outcome. A record is claimed with
 * set-if-absent, so exactly one of two racing requests runs the call.
 */
import { createHash } from 'node:crypto'
import type { JobOutcome } from './job-store.js'

/** What a keyed tool call answered (its 202 included), kept to answer a retry with. */
export type StoredResponse = JobOutcome

/** An Idempotency-Key record. */
export interface IdempotencyRecord {
  /** Hash of the tool, the session selector and the arguments: the same key with another request is refused. */
  fingerprint: string
  state: 'running' | 'done'
  response?: StoredResponse
  startedAt: number
}

/** A table with set-if-absent (the memory and Redis TTL tables both have one). */
export interface ClaimableTable<T> {
  get(key: string): Promise<T | undefined>
  set(key: string, record: T, ttlSeconds: number): Promise<void>
  setIfAbsent(key: string, record: T, ttlSeconds: number): Promise<boolean>
  delete(key: string): Promise<void>
}

/** Idempotency records over a claimable table. Keys are hashed: the caller's key never reaches the store as is. */
export class IdempotencyStore {
  constructor(private readonly table: ClaimableTable<IdempotencyRecord>) {}

  static keyOf(server: string, identity: string, key: string): string {
    return 'mrf:idem:' + createHash('sha256').update(`${server}\u0000${identity}\u0000${key}`, 'utf8').digest('base64url')
  }

  claim(key: string, record: IdempotencyRecord, ttlSeconds: number): Promise<boolean> {
    return this.table.setIfAbsent(key, record, ttlSeconds)
  }

  get(key: string): Promise<IdempotencyRecord | undefined> {
    return this.table.get(key)
  }

  put(key: string, record: IdempotencyRecord, ttlSeconds: number): Promise<void> {
    return this.table.set(key, record, ttlSeconds)
  }

  release(key: string): Promise<void> {
    return this.table.delete(key)
  }
}
