/**
 * @module sessions/redis-store
 * Session records in Redis, shared by every replica. Each record is one key with an idle TTL (`SET … EX`).
 * Records are JSON of serializable facts only; keys are hashes of the session ids.
 */
import { Redis } from 'ioredis'
import type { SessionRecord, SessionStore } from './types.js'

/** A {@link SessionStore} on Redis. */
export class RedisSessionStore implements SessionStore {
  readonly shared = true
  private constructor(private readonly redis: Redis) {}

  /**
   * Connects and checks the server answers.
   * @param keyPrefix prepended to every key (ioredis `keyPrefix`), e.g. to keep test runs apart
   */
  static async connect(url: string, keyPrefix = ''): Promise<RedisSessionStore> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false, keyPrefix })
    await redis.connect()
    await redis.ping()
    return new RedisSessionStore(redis)
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    const raw = await this.redis.get(key)
    return raw ? (JSON.parse(raw) as SessionRecord) : undefined
  }

  async set(key: string, record: SessionRecord, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, JSON.stringify(record), 'EX', ttlSeconds)
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key)
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect())
  }
}
