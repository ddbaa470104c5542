/**
 * @module sessions/redis-cached-store
 * Session records in Redis with a per-replica read-through cache, so a session-bound call costs no Redis round
 * trip in the steady state (issue 20, item 2). Two costs went away:
 *
 * - **The read before each call.** A record's facts change only when it is written (a renewal stores new vendor
 *   facts) or deleted, and every write and delete here publishes the key on `<prefix>mrf:session-events` in the
 *   same round trip. Other replicas drop their copy when the message arrives; the writer ignores its own. A copy
 *   is served only while all of these hold, otherwise Redis is read as before:
 *   the command connection is ready and its last command did not fail (a dead or stalled Redis answers 503 as
 *   without the cache), the subscriber is live (no invalidation can be missed; the cache is emptied whenever it
 *   drops or comes back), the copy is younger than `maxAgeMs` (a bound even if a message were lost), and the
 *   key's expiry in Redis, read with the record (PTTL), has not come (Redis expiry publishes nothing).
 *   A read that raced an invalidation is not cached (an epoch counter tells).
 * - **The write after each call.** A slide (the idle expiry moving with each use) is written at once when the
 *   facts changed, when this replica has not written the key for `slideIntervalMs`, or when the store is in doubt;
 *   otherwise it is deferred, and one timer extends the key's TTL to `last use + TTL` (a script that only ever
 *   lengthens it, and never recreates a deleted or expired key) before its current TTL can run out. So a session
 *   expires exactly `TTL` after its last use, as before; only if the replica dies with a slide deferred does it
 *   expire up to `slideIntervalMs` early. The record's own `lastUsedAt`/`expiresAt` fields are rewritten only with
 *   the whole record (a change of facts, or a use past the write interval), so in steady use they can lag behind
 *   the key's real expiry for as long as the TTL scripts keep it alive; nothing reads them but POST /sessions'
 *   answer, written at creation. The key's TTL in Redis is what expires a session.
 */
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { RedisChannels } from './redis-channels.js'
import { connectRedis } from './redis-table.js'
import { guardStore } from './store-unavailable.js'
import type { SessionRecord, SessionStore } from './types.js'

/** Tuning of the cache. */
export interface SessionCacheOptions {
  /** Longest a copy is served without reading Redis again: the bound if an invalidation were ever lost. */
  maxAgeMs: number
  /** A session's expiry slide is written at most once per this interval (must be well under the idle TTL). */
  slideIntervalMs: number
  /** Most records held; the oldest are dropped first. */
  maxEntries: number
}

/** Defaults: ten thousand sessions hold a few MB; a copy lives 2 s at most; one write per session per 5 s. */
export const DEFAULT_SESSION_CACHE: SessionCacheOptions = { maxAgeMs: 2_000, slideIntervalMs: 5_000, maxEntries: 20_000 }

/** The slide interval for an idle TTL: at most a tenth of it, so a deferred slide always lands in time. */
export function slideIntervalFor(idleTtlSeconds: number, max = DEFAULT_SESSION_CACHE.slideIntervalMs): number {
  return Math.max(10, Math.min(max, idleTtlSeconds * 100))
}

/** What this replica knows of one key. */
interface Entry {
  record: SessionRecord
  /** When the copy was read or written here (bounds its age). */
  fetchedAt: number
  /** When Redis drops the key, as far as this replica knows (a lower bound). */
  storeExpiresAt: number
  /** When this replica last wrote the key or lengthened its TTL. */
  writtenAt: number
  /** A deferred slide: the key must live until then. */
  pendingUntil?: number
}

/** Lengthens a key's TTL to ARGV[1] ms, never shortens it, never creates the key. Returns the TTL after, or -2. */
const EXTEND_TTL = `local t = redis.call('PTTL', KEYS[1])
if t < 0 then return t end
local want = tonumber(ARGV[1])
if t < want then redis.call('PEXPIRE', KEYS[1], want) return want end
return t`

type ExtendingRedis = Redis & { mrfExtendTtl(key: string, ms: number): Promise<number> }

/** A {@link SessionStore} on Redis with a per-replica cache of records and throttled expiry slides. */
export class CachedRedisSessionStore implements SessionStore {
  readonly shared = true
  readonly #redis: ExtendingRedis
  readonly #channels: RedisChannels
  readonly #channel: string
  readonly #options: SessionCacheOptions
  /** Tells this replica's own messages apart. */
  readonly #replica = randomBytes(9).toString('base64url')
  readonly #entries = new Map<string, Entry>()
  /** Keys with a deferred slide. */
  readonly #deferred = new Set<string>()
  /** Bumped by every invalidation: a read that started before one must not be cached. */
  #epoch = 0
  /** False from a failed command to the next successful one: a stalled store must answer 503, not copies. */
  #healthy = true
  readonly #flusher: NodeJS.Timeout
  #flushing = false
  /** Set by {@link connect}: close() then ends the connections too. */
  #owned?: () => Promise<void>

  /**
   * Connects (a command connection and a subscriber of its own) and checks the server answers.
   * @param keyPrefix prepended to every key (ioredis `keyPrefix`), e.g. to keep test runs apart
   */
  static async connect(url: string, keyPrefix = '', options: Partial<SessionCacheOptions> = {}): Promise<CachedRedisSessionStore> {
    const redis = await connectRedis(url, keyPrefix)
    const channels = new RedisChannels(redis)
    const store = new CachedRedisSessionStore(redis, channels, options)
    store.#owned = async () => {
      channels.close()
      await redis.quit().catch(() => redis.disconnect())
    }
    return store
  }

  /**
   * @param redis    the facade's command connection (not closed here)
   * @param channels the facade's subscriber
   */
  constructor(redis: Redis, channels: RedisChannels, options: Partial<SessionCacheOptions> = {}) {
    this.#options = { ...DEFAULT_SESSION_CACHE, ...options }
    if (!('mrfExtendTtl' in redis)) redis.defineCommand('mrfExtendTtl', { numberOfKeys: 1, lua: EXTEND_TTL })
    this.#redis = redis as ExtendingRedis
    this.#channels = channels
    this.#channel = `${channels.prefix}mrf:session-events`
    channels.listen(this.#channel, (message) => {
      const space = message.indexOf(' ')
      if (message.slice(0, space) === this.#replica) return
      this.#epoch++
      this.#forget(message.slice(space + 1))
    })
    channels.onReset(() => {
      this.#epoch++
      for (const key of [...this.#entries.keys()]) if (!this.#deferred.has(key)) this.#entries.delete(key)
      // Deferred slides stay (they only lengthen a TTL), but their copies must not be served.
      for (const entry of this.#entries.values()) entry.fetchedAt = -Infinity
    })
    // One timer for every deferred slide (never one per session). It runs twice per interval, so a slide deferred
    // at worst one interval after the key's last write lands within 1.5 intervals, far inside the TTL.
    this.#flusher = setInterval(() => void this.#flush(), Math.max(5, this.#options.slideIntervalMs / 2))
    this.#flusher.unref()
  }

  /** Number of records held (for tests and the bench). */
  get cachedCount(): number {
    return this.#entries.size
  }

  /** The subscriber this store listens on (tests watch its state). */
  get channels(): RedisChannels {
    return this.#channels
  }

  /** True when copies may be served now. */
  #trusted(): boolean {
    return this.#healthy && this.#redis.status === 'ready' && this.#channels.live
  }

  /** Runs a command, tracking the store's health, and turns failures into 503 `store_unavailable`. */
  #run<T>(command: () => Promise<T>): Promise<T> {
    return guardStore(async () => {
      try {
        const value = await command()
        this.#healthy = true
        return value
      } catch (error) {
        this.#healthy = false
        throw error
      }
    })
  }

  #forget(key: string) {
    this.#entries.delete(key)
    this.#deferred.delete(key)
  }

  #remember(key: string, entry: Entry) {
    this.#entries.delete(key)
    if (this.#entries.size >= this.#options.maxEntries) {
      // Oldest first; a key with a deferred slide is kept (dropping it would let the session expire early).
      for (const old of this.#entries.keys()) {
        if (this.#deferred.has(old)) continue
        this.#entries.delete(old)
        break
      }
    }
    this.#entries.set(key, entry)
  }

  /** A copy of the record: records are flat (strings and numbers), so a spread is a full copy, and far cheaper than structuredClone. */
  async get(key: string): Promise<SessionRecord | undefined> {
    const now = Date.now()
    const entry = this.#entries.get(key)
    if (entry && this.#trusted() && now - entry.fetchedAt < this.#options.maxAgeMs && now < entry.storeExpiresAt) return { ...entry.record }
    const epoch = this.#epoch
    const [raw, ttl] = await this.#run(async () => {
      const replies = (await this.#redis.pipeline().get(key).pttl(key).exec()) ?? []
      for (const [error] of replies) if (error) throw error
      return [replies[0]?.[1] as string | null, Number(replies[1]?.[1])] as const
    })
    if (!raw) {
      if (epoch === this.#epoch) this.#forget(key)
      return undefined
    }
    const record = JSON.parse(raw) as SessionRecord
    if (epoch === this.#epoch && this.#trusted() && ttl > 0) {
      const at = Date.now()
      // A deferred slide survives the re-read: the key must still be lengthened.
      this.#remember(key, { record, fetchedAt: at, storeExpiresAt: at + ttl, writtenAt: entry?.writtenAt ?? record.lastUsedAt, pendingUntil: entry?.pendingUntil })
    }
    return { ...record }
  }

  /** Stores (or replaces) a record and tells the other replicas, in one round trip. The copy here is dropped. */
  async set(key: string, record: SessionRecord, ttlSeconds: number): Promise<void> {
    await this.#write(key, record, ttlSeconds)
    // Not cached on creation: a session is cached by its first read (so a store stalled since then still answers
    // 503 on that read, as without the cache).
    this.#forget(key)
  }

  async #write(key: string, record: SessionRecord, ttlSeconds: number): Promise<void> {
    this.#epoch++
    await this.#run(async () => {
      const replies = (await this.#redis.pipeline().set(key, JSON.stringify(record), 'EX', ttlSeconds).publish(this.#channel, `${this.#replica} ${key}`).exec()) ?? []
      for (const [error] of replies) if (error) throw error
    })
  }

  /**
   * Records a use: written now when the facts changed, when this replica has not written the key for an interval,
   * or when the store is in doubt (so its failure is seen by the call, as without the cache); deferred otherwise.
   */
  async slide(key: string, record: SessionRecord, ttlSeconds: number): Promise<void> {
    const now = Date.now()
    const entry = this.#entries.get(key)
    const interval = Math.min(this.#options.slideIntervalMs, slideIntervalFor(ttlSeconds))
    if (!entry || !this.#trusted() || !sameFacts(entry.record, record) || now - entry.writtenAt >= interval) {
      if (entry) entry.writtenAt = now // concurrent calls on this session do not all write
      await this.#write(key, record, ttlSeconds)
      const at = Date.now()
      this.#deferred.delete(key)
      if (this.#entries.has(key)) this.#remember(key, { record: { ...record }, fetchedAt: at, storeExpiresAt: now + ttlSeconds * 1000, writtenAt: at })
      return
    }
    entry.record = { ...record }
    entry.pendingUntil = now + ttlSeconds * 1000
    this.#deferred.add(key)
  }

  /** Lengthens the TTL of every key with a deferred slide, in one round trip. */
  async #flush(): Promise<void> {
    if (this.#flushing || this.#deferred.size === 0) return
    this.#flushing = true
    try {
      const now = Date.now()
      const keys: Array<[string, Entry, number]> = []
      for (const key of this.#deferred) {
        const entry = this.#entries.get(key)
        const until = entry?.pendingUntil
        if (!entry || until === undefined || until <= now) {
          this.#deferred.delete(key)
          continue
        }
        keys.push([key, entry, until])
      }
      if (keys.length === 0) return
      const epoch = this.#epoch
      const pipeline = this.#redis.pipeline()
      for (const [key, , until] of keys) (pipeline as unknown as ExtendingRedis).mrfExtendTtl(key, until - now)
      const replies = await this.#run(async () => (await pipeline.exec()) ?? [])
      const at = Date.now()
      keys.forEach(([key, entry, until], i) => {
        const [error, ttl] = replies[i] ?? [new Error('no reply')]
        if (error) return // stays deferred: the next tick tries again
        const current = this.#entries.get(key)
        const landed = current === entry && entry.pendingUntil === until
        if (landed) {
          this.#deferred.delete(key)
          entry.pendingUntil = undefined
          if (Number(ttl) < 0) return this.#forget(key) // deleted or expired: not recreated
        }
        // A call on the session while the script was on its way moved its slide (it stays deferred, for the next
        // tick), or re-read its record: the TTL was lengthened all the same, so that counts as this replica's write.
        // Not counting it made a busy session miss the write's interval now and then and SET its whole record
        // (and publish an invalidation) for nothing. Only when no write or invalidation came in between: the
        // entry is the same object (a write or an invalidation replaces or drops it), or nothing bumped the epoch.
        if (!current || Number(ttl) < 0 || !(current === entry || this.#epoch === epoch)) return
        current.writtenAt = Math.max(current.writtenAt, at)
        current.storeExpiresAt = Math.max(current.storeExpiresAt, now + Number(ttl))
      })
    } catch {
      // The store is down: the slides stay deferred and the next tick tries again.
    } finally {
      this.#flushing = false
    }
  }

  async delete(key: string): Promise<void> {
    this.#forget(key)
    this.#epoch++
    await this.#run(async () => {
      const replies = (await this.#redis.pipeline().del(key).publish(this.#channel, `${this.#replica} ${key}`).exec()) ?? []
      for (const [error] of replies) if (error) throw error
    })
    this.#forget(key)
  }

  ping(): Promise<void> {
    return this.#run(async () => void (await this.#redis.ping()))
  }

  /** Lands the deferred slides, then forgets everything (the connections belong to the facade). */
  async close(): Promise<void> {
    clearInterval(this.#flusher)
    await this.#flush()
    this.#entries.clear()
    this.#deferred.clear()
    await this.#owned?.()
  }
}

/** True when two versions of a record carry the same vendor facts (only the use times differ). */
function sameFacts(a: SessionRecord, b: SessionRecord): boolean {
  return (
    a.vendorSessionId === b.vendorSessionId &&
    a.protocolVersion === b.protocolVersion &&
    a.era === b.era &&
    a.transport === b.transport &&
    a.server === b.server &&
    a.identity === b.identity
  )
}
