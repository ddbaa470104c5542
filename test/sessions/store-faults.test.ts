/**
 * Store faults are answers: a Redis of the test's own is killed (SIGKILL), stalled (SIGSTOP) and restarted under a
 * real facade in front of a real sessionful vendor. Session-bound calls, POST /sessions, DELETE /sessions and job
 * polls answer 503 `store_unavailable` with Retry-After (never 500, never a hang); pooled calls keep working; the
 * vendor session opened for a record that could not be written is ended at once; a call that ran is answered even
 * when the bookkeeping after it fails; /readyz reports the store; everything works again after the restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'
import { startOwnRedis, type OwnRedis } from '../support/redis-server.js'

const KEY = 'store-fault-key-0123456789'
const auth = { 'X-API-Key': KEY }

let redis: OwnRedis
let vendor: SessionfulVendor
let facade: TestFacade

beforeAll(async () => {
  redis = await startOwnRedis()
  vendor = await startSessionfulVendor()
  facade = await startTestFacade(
    { default: { url: vendor.url, auth: { mode: 'apiKey', keys: [KEY] }, readiness: { probeIntervalMs: 50 } } },
    { sessions: { store: 'redis', redisUrl: redis.url, redisCommandTimeoutMs: 300, idleTtlSeconds: 60 }, identitySecret: 'store-fault-secret-0123456789' },
  )
})
afterAll(async () => {
  await facade?.close()
  await vendor?.close()
  await redis?.close()
})

const openSession = async () => jsonOf<{ sessionId: string }>(await facade.call('/sessions', { method: 'POST', headers: auth }))
const onSession = (sessionId: string, tool: string, json: unknown = {}) => facade.call(`/tools/${tool}`, { method: 'POST', json, headers: { ...auth, 'X-Session-Id': sessionId } })
const pooled = (tool: string, json: unknown = {}) => facade.call(`/tools/${tool}`, { method: 'POST', json, headers: auth })

/** Polls until `check` passes or `ms` elapse. */
async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<number> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 50))
  }
  return Date.now() - started
}

async function expectStoreUnavailable(res: Response) {
  const body = await jsonOf(res)
  expect(res.status, JSON.stringify(body)).toBe(503)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  expect(body.code).toBe('store_unavailable')
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
}

describe('Redis killed', () => {
  it('answers 503 store_unavailable with Retry-After, ends the orphan vendor session, keeps pooled calls and recovers', async () => {
    const { sessionId } = await openSession()
    expect((await onSession(sessionId, 'counter_increment')).status).toBe(200)
    expect((await facade.call('/readyz')).status).toBe(200)

    await redis.kill()
    const liveBefore = vendor.sessionCount()
    const terminatedBefore = vendor.terminatedSessions().length

    await expectStoreUnavailable(await facade.call('/sessions', { method: 'POST', headers: auth }))
    // The vendor session opened for that record is ended at once (HTTP DELETE), not left to nobody.
    await eventually(async () => vendor.terminatedSessions().length === terminatedBefore + 1)
    expect(vendor.sessionCount()).toBe(liveBefore)

    await expectStoreUnavailable(await onSession(sessionId, 'counter_increment'))
    await expectStoreUnavailable(await onSession('new', 'counter_get'))
    await expectStoreUnavailable(await facade.call(`/sessions/${sessionId}`, { method: 'DELETE', headers: auth }))
    await expectStoreUnavailable(await facade.call(`/jobs/job_${'A'.repeat(24)}`, { headers: auth }))
    // Refused before the vendor saw it: the session's counter did not move (checked after the restart).
    expect(vendor.executions('counter_increment')).toBe(1)

    // Pooled calls need no store.
    expect(await jsonOf(await pooled('echo', { message: 'still here' }))).toMatchObject({ data: { message: 'still here' } })

    const ready = await facade.call('/readyz')
    expect(ready.status).toBe(503)
    expect(await jsonOf(ready)).toMatchObject({ status: 'not_ready', store: 'unavailable', reason: 'state store unavailable' })

    await redis.restart()
    const recoveryMs = await eventually(async () => (await onSession(sessionId, 'counter_get')).status === 200)
    console.info(`[measure] store recovery after Redis restart: ${recoveryMs} ms`)
    expect(await jsonOf(await onSession(sessionId, 'counter_get'))).toMatchObject({ data: { value: 1 } })
    await eventually(async () => (await facade.call('/readyz')).status === 200)

    expect(facade.logs.some((l) => l.includes('unhandled error'))).toBe(false)
    expect(facade.logs.some((l) => l.includes('"status":500'))).toBe(false)
  })
})

describe('Redis stalled', () => {
  it('a session-bound call answers 503 within the command timeout instead of hanging; it works again after SIGCONT', async () => {
    const { sessionId } = await openSession()
    redis.stall()
    try {
      const started = Date.now()
      await expectStoreUnavailable(await onSession(sessionId, 'counter_get'))
      const took = Date.now() - started
      console.info(`[measure] session-bound call during a Redis stall answered in ${took} ms`)
      expect(took).toBeLessThan(1_500)
      expect((await pooled('echo', { message: 'x' })).status).toBe(200)
      const readyStarted = Date.now()
      expect((await facade.call('/readyz')).status).toBe(503)
      expect(Date.now() - readyStarted).toBeLessThan(1_500)
    } finally {
      redis.resume()
    }
    await eventually(async () => (await onSession(sessionId, 'counter_get')).status === 200)
  })
})

describe('a call that turns into a job while the store is down', () => {
  it('is answered when it ends (200), not 503 while it runs on: a retry would run it twice', async () => {
    await redis.kill()
    try {
      const before = vendor.executions('slow')
      const res = await facade.call('/tools/slow', { method: 'POST', json: { ms: 300 }, headers: { ...auth, Prefer: 'respond-async' } })
      expect(res.status).toBe(200)
      expect(await jsonOf(res)).toMatchObject({ data: { ms: 300 } })
      expect(vendor.executions('slow')).toBe(before + 1)
      expect(facade.logs.some((l) => l.includes('job not recorded'))).toBe(true)
    } finally {
      await redis.restart()
      await eventually(async () => (await facade.call('/readyz')).status === 200)
    }
  })
})

describe('store lost while a session-bound call runs', () => {
  it('the call that ran is answered with its result (the expiry slide is logged, not turned into an error)', async () => {
    const { sessionId } = await openSession()
    const before = vendor.executions('slow')
    const call = onSession(sessionId, 'slow', { ms: 600 })
    await new Promise((r) => setTimeout(r, 200))
    await redis.kill()
    const res = await call
    expect(res.status).toBe(200)
    expect(await jsonOf(res)).toMatchObject({ sessionId, data: { ms: 600 } })
    expect(vendor.executions('slow')).toBe(before + 1)
    expect(facade.logs.some((l) => l.includes('session expiry not renewed'))).toBe(true)
    await redis.restart()
  })
})
