/**
 * Session stores: the shared contract against memory and a real Redis, and two facade replicas sharing one
 * Redis store (a caller session created on one replica keeps its vendor state on the other).
 * Redis tests need REDIS_URL (e.g. redis://127.0.0.1:6379); without it they are skipped with a notice.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { MemorySessionStore } from '../../src/sessions/memory-store.js'
import { RedisSessionStore } from '../../src/sessions/redis-store.js'
import { startSessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { describeSessionStore } from '../support/session-store-contract.js'
import { jsonOf, startTestFacade } from '../support/facade.js'

const REDIS_URL = process.env.REDIS_URL
if (!REDIS_URL) console.warn('[skip] REDIS_URL is not set: Redis session store tests are skipped (set REDIS_URL=redis://127.0.0.1:6379 to run them)')

describeSessionStore('memory', async () => new MemorySessionStore())
describeSessionStore('redis', async () => RedisSessionStore.connect(REDIS_URL!), !!REDIS_URL)

describe.skipIf(!REDIS_URL)('replicas sharing a Redis store', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c()
  })

  it('a session created on replica A continues on replica B with the same vendor session', async () => {
    const vendor = await startSessionfulVendor()
    cleanups.push(() => vendor.close())
    const shared = {
      sessions: { store: 'redis', redisUrl: REDIS_URL, idleTtlSeconds: 60 },
      identitySecret: 'replica-shared-secret-0123456789',
    }
    const servers = { default: { url: vendor.url, auth: { mode: 'apiKey', keys: ['replica-key-0123456789'] } } }
    const a = await startTestFacade(servers, shared)
    cleanups.push(() => a.close())
    const b = await startTestFacade(servers, shared)
    cleanups.push(() => b.close())
    const auth = { 'X-API-Key': 'replica-key-0123456789' }

    const { sessionId } = await jsonOf(await a.call('/sessions', { method: 'POST', headers: auth }))
    await a.call('/tools/counter_increment', { method: 'POST', json: {}, headers: { ...auth, 'X-Session-Id': sessionId } })
    await a.call('/tools/counter_increment', { method: 'POST', json: {}, headers: { ...auth, 'X-Session-Id': sessionId } })
    const initsBefore = vendor.initializeCount()
    const onB = await jsonOf(await b.call('/tools/counter_get', { method: 'POST', json: {}, headers: { ...auth, 'X-Session-Id': sessionId } }))
    expect(onB).toMatchObject({ sessionId, data: { value: 2 } })
    expect(onB.sessionRenewed).toBeUndefined()
    // Re-attached with the stored vendor session id: no new initialize.
    expect(vendor.initializeCount()).toBe(initsBefore)
    // Ending it on B ends it everywhere.
    expect((await b.call(`/sessions/${sessionId}`, { method: 'DELETE', headers: auth })).status).toBe(204)
    expect((await a.call('/tools/counter_get', { method: 'POST', json: {}, headers: { ...auth, 'X-Session-Id': sessionId } })).status).toBe(404)
  })
})
