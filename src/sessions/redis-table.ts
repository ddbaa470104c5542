/**
 * @module sessions/redis-table
 * Records that disappear after a TTL, in Redis (one key per record, JSON, `SET … EX`): the one table behind the
 * Redis session store and the Redis job store, which share one connection per facade.
 */
import { Redis } from 'ioredis'

/**
 * Connects and checks the server answers.
 * @param keyPrefix prepended to every key (ioredis `keyPrefix`), e.g. to keep deployments or test runs apart
 */
export async function connectRedis(url: string, keyPrefix = ''): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false, keyPrefix })
  await redis.connect()
  await redis.ping()
  return redis
}

/** A key → JSON record table with per-record expiry, on Redis. */
export class RedisTtlTable<T> {
  /**
   * @param redis          the connection
   * @param ownsConnection close() quits the connection (false when another table shares it)
   */
  constructor(
    private readonly redis: Redis,
    private readonly ownsConnection: boolean,
  ) {}

  async get(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(key)
    return raw ? (JSON.parse(raw) as T) : undefined
  }

  /** Stores (or replaces) a record that expires after `ttlSeconds`. */
  async set(key: string, record: T, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, JSON.stringify(record), 'EX', ttlSeconds)
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key)
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.redis.quit().catch(() => this.redis.disconnect())
  }
}
