/**
 * @module sessions/create-store
 * Picks the stores from config: caller sessions and 202 job records live together, in process memory (one
 * replica) or in Redis (shared by every replica). Redis is loaded lazily so single-replica installs never need it.
 * The choice is logged once at start, with the URL stripped of credentials.
 */
import type { Redis } from 'ioredis'
import type { Config } from '../config/schema.js'
import { redactUrl, type Logger } from '../log.js'
import type { JobStore } from './job-store.js'
import { MemoryJobStore } from './job-store-memory.js'
import { IdempotencyStore, type IdempotencyRecord } from './idempotency-store.js'
import { MemorySessionStore } from './memory-store.js'
import { MemoryTtlTable } from './ttl-table.js'
import type { SessionStore } from './types.js'

/** The shared-state stores of a facade. */
export interface Stores {
  sessions: SessionStore
  jobs: JobStore
  /** Idempotency-Key records. */
  idempotency: IdempotencyStore
  /** The Redis connection both stores use (limits share it), when the store is Redis. */
  redis?: Redis
  /** Closes both. */
  close(): Promise<void>
}

/**
 * Creates the configured session and job stores.
 * @param log receives one info line naming the store in use
 * @throws Error when the store is redis without a URL, or Redis does not answer
 */
export async function createStores(settings: Config['sessions'], log?: Logger): Promise<Stores> {
  if (settings.store === 'redis') {
    if (!settings.redisUrl) throw new Error('sessions.store is "redis" but no redisUrl (or REDIS_URL) is set')
    const [{ connectRedis, RedisTtlTable }, { RedisSessionStore }, { CachedRedisSessionStore, slideIntervalFor }, { RedisJobStore }, { RedisChannels }] = await Promise.all([
      import('./redis-table.js'),
      import('./redis-store.js'),
      import('./redis-cached-store.js'),
      import('./job-store-redis.js'),
      import('./redis-channels.js'),
    ])
    const prefix = settings.redisKeyPrefix ?? ''
    // One connection for both stores.
    const redis = await connectRedis(settings.redisUrl, { keyPrefix: prefix, commandTimeoutMs: settings.redisCommandTimeoutMs, log })
    // One subscriber for job events and session invalidations.
    const channels = new RedisChannels(redis)
    const sessions =
      settings.redisCache === false
        ? new RedisSessionStore(redis, false)
        : new CachedRedisSessionStore(redis, channels, { slideIntervalMs: slideIntervalFor(settings.idleTtlSeconds) })
    const jobs = new RedisJobStore(redis, false, channels)
    const idempotency = new IdempotencyStore(new RedisTtlTable<IdempotencyRecord>(redis, false))
    log?.info('state store: redis (sessions and jobs shared by every replica)', { store: 'redis', url: redactUrl(settings.redisUrl), cache: settings.redisCache !== false, ...(prefix ? { keyPrefix: prefix } : {}) })
    return {
      sessions,
      jobs,
      idempotency,
      redis,
      close: async () => {
        await closeBoth(sessions, jobs)
        channels.close()
        await redis.quit().catch(() => redis.disconnect())
      },
    }
  }
  const sessions = new MemorySessionStore()
  const jobs = new MemoryJobStore()
  const keys = new MemoryTtlTable<IdempotencyRecord>()
  const idempotency = new IdempotencyStore(keys)
  log?.info('state store: memory (sessions and jobs stay in this process; set REDIS_URL to share them between replicas)', { store: 'memory' })
  return {
    sessions,
    jobs,
    idempotency,
    close: async () => {
      await closeBoth(sessions, jobs)
      await keys.close()
    },
  }
}

async function closeBoth(sessions: SessionStore, jobs: JobStore) {
  await Promise.allSettled([sessions.close(), jobs.close()])
}
