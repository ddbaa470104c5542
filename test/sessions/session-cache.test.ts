/**
 * The per-replica cache of Redis session records and its throttled expiry slides (issue 20, item 2), on one real
 * Redis: the store contract; two facade replicas where a renewal, a delete or an expiry on one is seen by the other
 * exactly as without the cache; a subscriber that drops (the cache is bypassed, then emptied); and the Redis
 * commands a session-bound call costs, counted with MONITOR against a replica without the cache; and, on a Redis of
 * the test's own (stalled with SIGSTOP), a slide that moves while its TTL script is on the way.
 * Needs REDIS_URL (e.g. redis://127.0.0.1:6379); without it the tests on the shared Redis are skipped with a notice.
 */
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { CachedRedisSessionStore } from '../../src/sessions/redis-cached-store.js'
import { RedisChannels } from '../../src/sessions/redis-channels.js'
import { connectRedis } from '../../src/sessions/redis-table.js'
import type { SessionRecord } from '../../src/sessions/types.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { describeSessionStore } from '../support/session-store-contract.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'
import { startOwnRedis } from '../support/redis-server.js'

const REDIS_URL = process.env.REDIS_URL
if (!REDIS_URL) console.warn('[skip] REDIS_URL is not set: session cache tests are skipped (set REDIS_URL=redis://127.0.0.1:6379 to run them)')

/** A key prefix of this test's own (cleaned up at the end). */
const runPrefix = `test-session-cache-${process.pid}-${randomBytes(3).toString('hex')}:`
let prefixes = 0
const newPrefix = () => `${runPrefix}${prefixes++}:`

describeSessionStore('redis with the per-replica cache', async () => CachedRedisSessionStore.connect(REDIS_URL!, newPrefix()), !!REDIS_URL)

const KEY = 'session-cache-key-0123456789'
const auth = { 'X-API-Key': KEY }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.skipIf(!REDIS_URL)('session cache on one real Redis', () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined)
    const redis = new Redis(REDIS_URL!)
    const keys = await redis.keys(`${runPrefix}*`)
    if (keys.length) await redis.del(...keys)
    await redis.quit()
  })

  let vendor: SessionfulVendor
  /** Two replicas sharing one Redis store (and one key prefix), in front of one vendor. */
  async function replicas(sessions: Record<string, unknown> = {}): Promise<[TestFacade, TestFacade]> {
    vendor ??= await startSessionfulVendor()
    if (cleanups.length === 0) cleanups.push(() => vendor.close())
    const shared = {
      sessions: { store: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: newPrefix(), idleTtlSeconds: 60, ...sessions },
      identitySecret: 'session-cache-secret-0123456789',
    }
    const servers = { default: { url: vendor.url, auth: { mode: 'apiKey', keys: [KEY] } } }
    const a = await startTestFacade(servers, shared, 'warn')
    cleanups.push(() => a.close())
    const b = await startTestFacade(servers, shared, 'warn')
    cleanups.push(() => b.close())
    return [a, b]
  }
  const open = async (f: TestFacade) => (await jsonOf<{ sessionId: string }>(await f.call('/sessions', { method: 'POST', headers: auth }))).sessionId
  const onSession = (f: TestFacade, id: string, tool = 'counter_get') => f.call(`/tools/${tool}`, { method: 'POST', json: {}, headers: { ...auth, 'X-Session-Id': id } })
  /** The record replica `f` resolves for `id` right now (through its cache). */
  async function recordOn(f: TestFacade, id: string): Promise<SessionRecord> {
    const runtime = f.runtimes[0]!
    return (await runtime.sessions.resolve(id, await runtime.callerFrom(new Headers(auth)))).record
  }

  it('a renewal on B is what A resolves at once (invalidation), though A had the record cached', async () => {
    const [a, b] = await replicas()
    const id = await open(a)
    expect((await onSession(a, id, 'counter_increment')).status).toBe(200)
    const before = await recordOn(a, id)
    expect(before.vendorSessionId).toBeDefined()
    // The vendor forgets the session: B's next call renews it (a new vendor session, new facts in the record).
    await vendor.expireSession(before.vendorSessionId!)
    const renewed = await jsonOf(await onSession(b, id))
    expect(renewed).toMatchObject({ sessionId: id, sessionRenewed: true })
    const after = await recordOn(a, id)
    expect(after.vendorSessionId).toBeDefined()
    expect(after.vendorSessionId).not.toBe(before.vendorSessionId)
  })

  it('a session ended on B answers 404 on A at once; one that expires answers 404 on both, as without the cache', async () => {
    const [a, b] = await replicas({ idleTtlSeconds: 2 })
    const ended = await open(a)
    for (let i = 0; i < 3; i++) expect((await onSession(a, ended)).status).toBe(200)
    expect((await b.call(`/sessions/${ended}`, { method: 'DELETE', headers: auth })).status).toBe(204)
    expect((await onSession(a, ended)).status).toBe(404)

    // Used on A only, longer than the idle TTL: the deferred slides keep it alive for B too.
    const used = await open(a)
    expect((await onSession(b, used)).status).toBe(200) // B holds a copy as well
    const until = Date.now() + 3_000
    while (Date.now() < until) {
      expect((await onSession(a, used)).status).toBe(200)
      await sleep(200)
    }
    expect((await onSession(b, used)).status).toBe(200)
    // Then idle: it expires 2 s after its last use, on both replicas.
    await sleep(2_400)
    expect((await onSession(a, used)).status).toBe(404)
    expect((await onSession(b, used)).status).toBe(404)
  })

  it('while the subscriber is down the cache is bypassed, and it is emptied when the subscriber is back', async () => {
    const prefix = newPrefix()
    const a = await CachedRedisSessionStore.connect(REDIS_URL!, prefix)
    const b = await CachedRedisSessionStore.connect(REDIS_URL!, prefix)
    cleanups.push(() => a.close(), () => b.close())
    const admin = new Redis(REDIS_URL!)
    cleanups.push(() => admin.quit())
    const record = (vendorSessionId: string): SessionRecord => ({ server: 'default', identity: 'id_x', vendorSessionId, era: 'legacy', transport: 'streamable-http', createdAt: 1, lastUsedAt: Date.now(), expiresAt: Date.now() + 60_000 })
    await until(() => a.channels.live && b.channels.live)
    await a.set('k', record('v1'), 60)
    expect((await a.get('k'))?.vendorSessionId).toBe('v1')
    expect(a.cachedCount).toBe(1)

    // Kill A's subscriber connection (found by its name): B's change is published while nobody on A listens.
    const list = await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')
    const ids = String(list)
      .split('\n')
      .filter((line) => line.includes(`name=mrf-events:${prefix}`))
      .map((line) => /id=(\d+)/.exec(line)![1]!)
    expect(ids.length).toBeGreaterThanOrEqual(2) // A's and B's
    // Both stores share the prefix; the kill takes both subscribers, which is what matters for A.
    for (const clientId of ids) await admin.call('CLIENT', 'KILL', 'ID', clientId)
    await until(() => !a.channels.live)
    expect(a.cachedCount).toBe(0) // emptied as soon as it went down
    await b.slide('k', record('v2'), 60)
    expect((await a.get('k'))?.vendorSessionId).toBe('v2')
    await b.delete('k')
    expect(await a.get('k')).toBeUndefined()
    // Back: copies are served again (and dropped by invalidations again).
    await until(() => a.channels.live && b.channels.live)
    await b.set('k', record('v3'), 60)
    expect((await a.get('k'))?.vendorSessionId).toBe('v3')
    expect(a.cachedCount).toBe(1)
    await b.slide('k', record('v4'), 60)
    await until(async () => (await a.get('k'))?.vendorSessionId === 'v4')
  })

  it('deferred slides land before the TTL runs out: the key lives TTL after the last use, and a deleted key is not recreated', async () => {
    const prefix = newPrefix()
    const a = await CachedRedisSessionStore.connect(REDIS_URL!, prefix, { slideIntervalMs: 1_000 })
    const raw = new Redis(REDIS_URL!, { keyPrefix: prefix })
    cleanups.push(() => a.close(), () => raw.quit())
    await until(() => a.channels.live)
    const record = (): SessionRecord => ({ server: 'default', identity: 'id_x', vendorSessionId: 'v1', era: 'legacy', transport: 'streamable-http', createdAt: 1, lastUsedAt: Date.now(), expiresAt: Date.now() + 10_000 })
    const first = record()
    for (const key of ['kept', 'gone']) {
      await a.set(key, first, 10)
      await a.get(key) // cached: its slides may now be deferred
    }
    let lastUse = 0
    for (let i = 0; i < 6; i++) {
      await sleep(100)
      lastUse = Date.now()
      for (const key of ['kept', 'gone']) await a.slide(key, record(), 10)
    }
    // Deferred: no write yet, the keys still expire 10 s after they were written.
    expect(JSON.parse((await raw.get('kept'))!)).toEqual(first)
    await raw.del('gone')
    await sleep(700) // one flush tick (every 500 ms here)
    const pttl = await raw.pttl('kept')
    expect(Date.now() + pttl).toBeGreaterThanOrEqual(lastUse + 10_000 - 50)
    expect(Date.now() + pttl).toBeLessThanOrEqual(lastUse + 10_000 + 50)
    expect(await raw.exists('gone')).toBe(0)
  })

  it('a session-bound call costs no Redis command in the steady state; without the cache it costs a GET and a SET', async () => {
    const [cached] = await replicas()
    const [uncached] = await replicas({ redisCache: false })
    const cachedId = await open(cached)
    const uncachedId = await open(uncached)
    // Warm: the first call reads the record once.
    expect((await onSession(cached, cachedId)).status).toBe(200)
    expect((await onSession(uncached, uncachedId)).status).toBe(200)

    const base = new Redis(REDIS_URL!)
    const monitor = await base.monitor()
    cleanups.push(() => base.quit())
    const seen: string[][] = []
    monitor.on('monitor', (_time: string, args: string[]) => seen.push(args))
    await sleep(100)
    const calls = 40
    for (let i = 0; i < calls; i++) expect((await onSession(cached, cachedId)).status).toBe(200)
    for (let i = 0; i < calls; i++) expect((await onSession(uncached, uncachedId)).status).toBe(200)
    await sleep(100)
    monitor.disconnect()

    const prefixOf = (f: TestFacade) => (f.runtimes[0]!.global.sessions.redisKeyPrefix ?? '') + 'mrf:session:'
    const count = (f: TestFacade, command: string) => seen.filter((args) => args[0]!.toLowerCase() === command && args.some((a) => a.startsWith(prefixOf(f)))).length
    // The control: without the cache every call reads and writes its record (MONITOR sees them).
    expect(count(uncached, 'get')).toBe(calls)
    expect(count(uncached, 'set')).toBe(calls)
    // With it: at most a re-read when a copy ages out, and the deferred slide landing once (a TTL script).
    expect(count(cached, 'get')).toBeLessThanOrEqual(1)
    expect(count(cached, 'set')).toBe(0)
    expect(count(cached, 'evalsha') + count(cached, 'eval')).toBeLessThanOrEqual(2)
  })
})

describe('session cache: a slide that moves while its TTL script is on the way', () => {
  it("counts the lengthened TTL as this replica's write: the next use does not SET the whole record, and the slide still lands", async () => {
    const own = await startOwnRedis()
    // Commands may wait 5 s: Redis is stalled on purpose (SIGSTOP) while the script is on its way.
    const redis = await connectRedis(own.url, { commandTimeoutMs: 5_000 })
    const channels = new RedisChannels(redis)
    const store = new CachedRedisSessionStore(redis, channels, { slideIntervalMs: 1_000 }) // a tick every 500 ms
    const raw = new Redis(own.url)
    try {
      await until(() => channels.live)
      const record = (createdAt: number, at: number): SessionRecord => ({ server: 'default', identity: 'id_x', vendorSessionId: 'v1', era: 'legacy', transport: 'streamable-http', createdAt, lastUsedAt: at, expiresAt: at + 60_000 })
      // Another key's slide lands first, so the script is loaded and the flush below is one round trip.
      const warm = Date.now()
      await store.set('warm', record(warm, warm), 60)
      await store.get('warm')
      await store.slide('warm', record(warm, Date.now()), 60)
      await sleep(700)

      const t0 = Date.now()
      await store.set('k', record(t0, t0), 60)
      await store.get('k') // cached, written at t0
      await store.slide('k', record(t0, Date.now()), 60) // deferred
      own.stall()
      await until(() => redis.commandQueue.length > 0) // the next tick sent the TTL script; it waits in Redis
      const sent = Date.now()
      await sleep(5)
      await store.slide('k', record(t0, Date.now()), 60) // a use while the script is on its way: still deferred
      // Resume past the write interval since t0, between two ticks (those while the flush waits are skipped).
      await sleep(sent + 1_250 - Date.now())
      own.resume()
      await untilImmediate(() => redis.commandQueue.length === 0) // the script's answer is in
      const last = Date.now()
      expect(last - t0).toBeGreaterThanOrEqual(1_000)
      await store.slide('k', record(t0, last), 60)
      // Not written: the record in Redis is still the one of t0 (the TTL script counted as this replica's write).
      expect(JSON.parse((await raw.get('k'))!).lastUsedAt).toBe(t0)
      // The slide lands at the next tick all the same: the key lives TTL after its last use.
      await sleep(700)
      const pttl = await raw.pttl('k')
      expect(Date.now() + pttl).toBeGreaterThanOrEqual(last + 60_000 - 50)
      expect(Date.now() + pttl).toBeLessThanOrEqual(last + 60_000 + 50)
    } finally {
      own.resume()
      await store.close()
      channels.close()
      await redis.quit().catch(() => redis.disconnect())
      await raw.quit().catch(() => raw.disconnect())
      await own.close()
    }
  })
})

/** Polls until `check` holds (5 s at most). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(20)
  }
}

/** Polls on every event-loop turn until `check` holds (5 s at most): sees a reply as soon as it is handled. */
async function untilImmediate(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setImmediate(r))
  }
}
