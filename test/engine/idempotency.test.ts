/**
 * Idempotency-Key on tool calls against a real vendor: a retried non-idempotent call with the same key runs once
 * and every retry gets the first answer (also while the first still runs, also on another replica sharing Redis,
 * also for a 202 job); the same key with another body is 422; another caller's key is its own; an answer that
 * proves the call did not run (the vendor refused it) releases the key; the flow engine's run and action ids can
 * serve as the key. The replica case needs REDIS_URL; without it that case is skipped with a notice.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { startFaultProxy } from '../fixtures/fault-proxy.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const REDIS_URL = process.env.REDIS_URL
if (!REDIS_URL) console.warn('[skip] REDIS_URL is not set: the Idempotency-Key across replicas test is skipped (set REDIS_URL=redis://127.0.0.1:6379 to run it)')

const KEYS = ['idem-key-a-0123456789', 'idem-key-b-0123456789']
const cleanups: Array<() => Promise<void>> = []
let vendor: SessionfulVendor
let facade: TestFacade

beforeAll(async () => {
  vendor = await startSessionfulVendor()
  facade = await startTestFacade({ default: { url: vendor.url, auth: { mode: 'apiKey', keys: KEYS } } }, { idempotency: { keyFromFlowHeaders: true } })
})
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
  await facade?.close()
  await vendor?.close()
})

const call = (f: TestFacade, tool: string, json: unknown, headers: Record<string, string>, apiKey = KEYS[0]!) =>
  f.call(`/tools/${tool}`, { method: 'POST', json, headers: { 'X-API-Key': apiKey, ...headers } })

describe('Idempotency-Key', () => {
  it('a retried non-idempotent call runs once; the retry gets the same answer, marked as replayed', async () => {
    const key = randomUUID()
    const ran = vendor.executions('counter_increment')
    const first = await call(facade, 'counter_increment', { by: 7 }, { 'Idempotency-Key': key })
    const firstBody = await jsonOf(first)
    expect(first.status).toBe(200)
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    const retry = await call(facade, 'counter_increment', { by: 7 }, { 'Idempotency-Key': `"${key}"` })
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(await jsonOf(retry)).toEqual(firstBody)
    expect(vendor.executions('counter_increment')).toBe(ran + 1)
  })

  it('the same key with another body is 422 idempotency_key_reused, and runs nothing', async () => {
    const key = randomUUID()
    expect((await call(facade, 'counter_increment', { by: 1 }, { 'Idempotency-Key': key })).status).toBe(200)
    const ran = vendor.executions('counter_increment')
    const other = await call(facade, 'counter_increment', { by: 2 }, { 'Idempotency-Key': key })
    expect(other.status).toBe(422)
    expect(await jsonOf(other)).toMatchObject({ code: 'idempotency_key_reused' })
    expect(vendor.executions('counter_increment')).toBe(ran)
  })

  it('a retry while the first still runs waits for its answer; the tool runs once', async () => {
    const key = randomUUID()
    const ran = vendor.executions('slow')
    const [a, b] = await Promise.all([
      call(facade, 'slow', { ms: 600 }, { 'Idempotency-Key': key }),
      new Promise((r) => setTimeout(r, 100)).then(() => call(facade, 'slow', { ms: 600 }, { 'Idempotency-Key': key })),
    ])
    expect([a.status, b.status]).toEqual([200, 200])
    expect(await jsonOf(b)).toEqual(await jsonOf(a))
    expect(vendor.executions('slow')).toBe(ran + 1)
  })

  it('keys belong to a caller: another identity with the same key runs its own call', async () => {
    const key = randomUUID()
    const ran = vendor.executions('counter_increment')
    expect((await call(facade, 'counter_increment', { by: 1 }, { 'Idempotency-Key': key }, KEYS[0])).status).toBe(200)
    const other = await call(facade, 'counter_increment', { by: 1 }, { 'Idempotency-Key': key }, KEYS[1])
    expect(other.headers.get('idempotent-replayed')).toBeNull()
    expect(vendor.executions('counter_increment')).toBe(ran + 2)
  })

  it('a 202 job is answered again with the same job, not started twice', async () => {
    const key = randomUUID()
    const ran = vendor.executions('slow')
    const first = await call(facade, 'slow', { ms: 300 }, { 'Idempotency-Key': key, Prefer: 'respond-async' })
    expect(first.status).toBe(202)
    const retry = await call(facade, 'slow', { ms: 300 }, { 'Idempotency-Key': key, Prefer: 'respond-async' })
    expect(retry.status).toBe(202)
    expect(retry.headers.get('location')).toBe(first.headers.get('location'))
    await new Promise((r) => setTimeout(r, 600))
    expect(vendor.executions('slow')).toBe(ran + 1)
  })

  it('an invalid key is 400 invalid_header', async () => {
    const res = await call(facade, 'echo', { message: 'x' }, { 'Idempotency-Key': 'has space' })
    expect(res.status).toBe(400)
    expect(await jsonOf(res)).toMatchObject({ code: 'invalid_header' })
  })

  it('with keyFromFlowHeaders, a retried flow action (same run and action tracking ids) runs once', async () => {
    const flow = { 'x-ms-workflow-run-id': '08585896950846177306634438317CU47', 'x-ms-action-tracking-id': randomUUID() }
    const ran = vendor.executions('counter_increment')
    expect((await call(facade, 'counter_increment', { by: 3 }, flow)).status).toBe(200)
    const retry = await call(facade, 'counter_increment', { by: 3 }, flow)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    // Another action of the same run is another call.
    expect((await call(facade, 'counter_increment', { by: 3 }, { ...flow, 'x-ms-action-tracking-id': randomUUID() })).headers.get('idempotent-replayed')).toBeNull()
    expect(vendor.executions('counter_increment')).toBe(ran + 2)
  })
})

describe('an answer that proves the call did not run releases the key', () => {
  it('the vendor refusing the call (503, wait beyond the budget): the retry with the same key runs it', async () => {
    let refuse = true
    const proxy = await startFaultProxy(vendor.url, ({ message }) =>
      refuse && message?.method === 'tools/call' ? new Response('busy', { status: 503, headers: { 'retry-after': '60' } }) : undefined,
    )
    cleanups.push(() => proxy.close())
    const f = await startTestFacade({ default: { url: proxy.url } })
    cleanups.push(() => f.close())
    const key = randomUUID()
    const refused = await f.call('/tools/counter_increment', { method: 'POST', json: { by: 1 }, headers: { 'Idempotency-Key': key } })
    expect(refused.status).toBe(503)
    refuse = false
    const retry = await f.call('/tools/counter_increment', { method: 'POST', json: { by: 1 }, headers: { 'Idempotency-Key': key } })
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBeNull()
  })
})

describe.skipIf(!REDIS_URL)('Idempotency-Key across replicas', () => {
  it('a retry that reaches another replica gets the first answer', async () => {
    const shared = { sessions: { store: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: `mrf-test-${randomUUID()}:` }, identitySecret: 'idem-shared-secret-0123456789' }
    const servers = { default: { url: vendor.url, auth: { mode: 'apiKey', keys: KEYS } } }
    const a = await startTestFacade(servers, shared)
    cleanups.push(() => a.close())
    const b = await startTestFacade(servers, shared)
    cleanups.push(() => b.close())
    const key = randomUUID()
    const ran = vendor.executions('counter_increment')
    const first = await jsonOf(await call(a, 'counter_increment', { by: 5 }, { 'Idempotency-Key': key }))
    const retry = await call(b, 'counter_increment', { by: 5 }, { 'Idempotency-Key': key })
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(await jsonOf(retry)).toEqual(first)
    expect(vendor.executions('counter_increment')).toBe(ran + 1)
  })
})
