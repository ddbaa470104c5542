/**
 * @module sessions/redis-table
 * Records that disappear after a TTL, in Redis (one key per record, JSON, `SET … EX`): the one table behind the
 * Redis session store and the Redis job store, which share one connection per facade.
 *
 * A store fault is an answer, not a hang or a crash: every command is bounded by `commandTimeoutMs` (a stalled
 * Redis), commands are refused at once while the connection is down (no offline queue that would hold a call for
 * the whole outage), and every failure leaves the table as 503 `store_unavailable` (see store-unavailable).
 */
import { Redis } from 'ioredis'
import type { Logger } from '../log.js'
import { guardStore } from './store-unavailable.js'

/** How the facade talks to Redis. */
export interface RedisConnectOptions {
  /** Prepended to every key (ioredis `keyPrefix`), e.g. to keep deployments or test runs apart. */
  keyPrefix?: string
  /** Longest wait for one command's reply (default 1000 ms). */
  commandTimeoutMs?: number
  /** Receives one line when the connection is lost and one when it is back (never the URL's credentials). */
  log?: Logger
}

/** Default bound of one Redis command: a stalled store must not hold a call for longer than this. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000

/**
 * Connects and checks the server answers.
 * @param options key prefix, command timeout and logger (a string is the key prefix, as before)
 */
export async function connectRedis(url: string, options: RedisConnectOptions | string = {}): Promise<Redis> {
  const { keyPrefix = '', commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS, log } = typeof options === 'string' ? { keyPrefix: options } : options
  const redis = new Redis(url, {
    lazyConnect: true,
    keyPrefix,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs, 2_000),
    // While disconnected, fail at once (503) instead of queueing: a queued call would wait for the whole outage.
    enableOfflineQueue: false,
    // A command cut by a dropped connection is resent once after the reconnect, then fails.
    maxRetriesPerRequest: 1,
    // Reconnect quickly (100 ms steps, at most 1 s apart), so the store is back about a second after Redis is.
    retryStrategy: (times) => Math.min(100 * times, 1_000),
  })
  let down = false
  // Without a listener ioredis prints every reconnect failure to the console; one line per outage is enough.
  redis.on('error', (error: Error) => {
    if (down) return
    down = true
    log?.warn('state store unreachable; calls that need it answer 503 store_unavailable until it is back', { store: 'redis', error: error.message })
  })
  redis.on('ready', () => {
    if (!down) return
    down = false
    log?.info('state store reachable again', { store: 'redis' })
  })
  await redis.connect()
  await redis.ping()
  return redis
}

/** A key → JSON record table with per-record expiry, on Redis. Failures reject with 503 `store_unavailable`. */
export class RedisTtlTable<T> {
  /**
   * @param redis          the connection
   * @param ownsConnection close() quits the connection (false when another table shares it)
   */
  constructor(
    private readonly redis: Redis,
    private readonly ownsConnection: boolean,
  ) {}

  get(key: string): Promise<T | undefined> {
    return guardStore(async () => {
      const raw = await this.redis.get(key)
      return raw ? (JSON.parse(raw) as T) : undefined
    })
  }

  /** Stores (or replaces) a record that expires after `ttlSeconds`. */
  set(key: string, record: T, ttlSeconds: number): Promise<void> {
    return guardStore(async () => void (await this.redis.set(key, JSON.stringify(record), 'EX', ttlSeconds)))
  }

  /** Stores a record only if none is there (`SET … NX`); true when this call stored it. */
  setIfAbsent(key: string, record: T, ttlSeconds: number): Promise<boolean> {
    return guardStore(async () => (await this.redis.set(key, JSON.stringify(record), 'EX', ttlSeconds, 'NX')) === 'OK')
  }

  delete(key: string): Promise<void> {
    return guardStore(async () => void (await this.redis.del(key)))
  }

  /** Resolves when Redis answers a PING within the command timeout; rejects (503) otherwise. */
  ping(): Promise<void> {
    return guardStore(async () => void (await this.redis.ping()))
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.redis.quit().catch(() => this.redis.disconnect())
  }
}
