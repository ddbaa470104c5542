/**
 * @module sessions/redis-store
 * Session records in Redis, shared by every replica. Each record is one key with an idle TTL (`SET … EX`).
 * Records are JSON of serializable facts only; keys are hashes of the session ids. Every read and every slide is a
 * round trip: the facade uses the cached store (redis-cached-store) unless `sessions.redisCache` is false.
 */
import { RedisTtlTable, connectRedis } from './redis-table.js'
import type { SessionRecord, SessionStore } from './types.js'

/** A {@link SessionStore} on Redis. */
export class RedisSessionStore extends RedisTtlTable<SessionRecord> implements SessionStore {
  readonly shared = true

  /** Every slide is written at once. */
  slide(key: string, record: SessionRecord, ttlSeconds: number): Promise<void> {
    return this.set(key, record, ttlSeconds)
  }

  /**
   * Connects (a connection of its own) and checks the server answers.
   * @param keyPrefix prepended to every key (ioredis `keyPrefix`), e.g. to keep test runs apart
   */
  static async connect(url: string, keyPrefix = ''): Promise<RedisSessionStore> {
    return new RedisSessionStore(await connectRedis(url, keyPrefix), true)
  }
}
