/**
 * The upstream engine against real fixture vendors: sessions as records with connections on demand, no lost and
 * no doubled call (vendor restart, renewal under concurrency, streams that end without an answer, SSE
 * resumption), readiness without `ping`, and DELETE delivery at shutdown and expiry.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startModernVendor, startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined)
})

async function vendorAndFacade(vendorOptions: Parameters<typeof startSessionfulVendor>[0] = {}, overrides: Record<string, unknown> = {}, server: Record<string, unknown> = {}) {
  const vendor = await startSessionfulVendor(vendorOptions)
  cleanups.push(() => vendor.close())
  const facade = await startTestFacade({ default: { url: vendor.url, ...server } }, overrides, 'warn')
  cleanups.push(() => facade.close())
  return { vendor, facade }
}

const post = (facade: TestFacade, tool: string, json: unknown, headers: Record<string, string> = {}) =>
  facade.call(`/tools/${tool}`, { method: 'POST', json, headers })

async function openSession(facade: TestFacade): Promise<string> {
  const res = await facade.call('/sessions', { method: 'POST' })
  expect(res.status).toBe(201)
  return (await jsonOf(res)).sessionId
}

describe('sessions are records, connections are attached on demand', () => {
  it('releases an idle connection and re-attaches to the same vendor session without a new initialize', async () => {
    const { vendor, facade } = await vendorAndFacade({}, { sessions: { connectionIdleMs: 100 } })
    const runtime = facade.runtimes[0]!
    const id = await openSession(facade)
    const first = await jsonOf(await post(facade, 'whoami', {}, { 'X-Session-Id': id }))
    const initializes = vendor.initializeCount()
    await sleep(300)
    expect(runtime.sessions.connectionCount).toBe(0)
    const again = await jsonOf(await post(facade, 'whoami', {}, { 'X-Session-Id': id }))
    expect(again.data.sessionId).toBe(first.data.sessionId)
    expect(again.sessionRenewed).toBeUndefined()
    expect(vendor.initializeCount()).toBe(initializes)
    // State kept across the release: the vendor session is the same one.
    await post(facade, 'counter_increment', { by: 2 }, { 'X-Session-Id': id })
    await sleep(300)
    const counter = await jsonOf(await post(facade, 'counter_get', {}, { 'X-Session-Id': id }))
    expect(counter.data.value).toBe(2)
  })

  it('opens no standalone GET stream per caller session: only the catalog session listens', async () => {
    const { vendor, facade } = await vendorAndFacade()
    for (let i = 0; i < 5; i++) await post(facade, 'echo', { message: 'x' }, { 'X-Session-Id': await openSession(facade) })
    await sleep(100)
    expect(vendor.openStreamCount()).toBe(1)
    const gets = vendor.requests().filter((r) => r.method === 'GET')
    expect(gets.length).toBe(1)
  })
})

describe('no lost call, no doubled call', () => {
  it('a vendor restart inside the retry budget loses no call that never reached it, and runs none twice', async () => {
    let vendor: SessionfulVendor = await startSessionfulVendor()
    const port = Number(new URL(vendor.url).port)
    const facade = await startTestFacade({ default: { url: vendor.url, retry: { budgetMs: 5000 } } }, {}, 'warn')
    cleanups.push(() => facade.close())
    expect((await post(facade, 'echo', { message: 'warm' })).status).toBe(200)
    await vendor.close() // the vendor is down: connections are refused
    const calls = Array.from({ length: 60 }, (_, i) => post(facade, i % 2 ? 'counter_increment' : 'echo', i % 2 ? { by: 1 } : { message: `m${i}` }))
    await sleep(700)
    vendor = await startSessionfulVendor({ port })
    cleanups.push(() => vendor.close())
    const answers = await Promise.all(calls)
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200))
    expect(vendor.executions('echo')).toBe(30)
    expect(vendor.executions('counter_increment')).toBe(30)
  })

  it('calls in flight when the vendor dies may have run: answered 502 vendor_interrupted at once, never replayed', async () => {
    let vendor: SessionfulVendor = await startSessionfulVendor()
    const port = Number(new URL(vendor.url).port)
    const facade = await startTestFacade({ default: { url: vendor.url, timeouts: { callMs: 20_000 } } }, {}, 'warn')
    cleanups.push(() => facade.close())
    const inFlight = Array.from({ length: 8 }, () => post(facade, 'slow', { ms: 3000 }))
    await sleep(300)
    const started = Date.now()
    await vendor.close()
    vendor = await startSessionfulVendor({ port })
    cleanups.push(() => vendor.close())
    const answers = await Promise.all(inFlight)
    expect(Date.now() - started).toBeLessThan(2500)
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 502))
    expect(new Set(await Promise.all(answers.map(async (r) => (await jsonOf(r)).code)))).toEqual(new Set(['vendor_interrupted']))
    // `slow` is neither read-only nor idempotent: the restarted vendor never sees it again.
    expect(vendor.executions('slow')).toBe(0)
  })

  it('gives up with 502 vendor_unavailable when the vendor stays down past the budget', async () => {
    const { vendor, facade } = await vendorAndFacade({}, {}, { retry: { budgetMs: 400 } })
    expect((await post(facade, 'echo', { message: 'warm' })).status).toBe(200)
    await vendor.close()
    const started = Date.now()
    const res = await post(facade, 'counter_increment', { by: 1 })
    expect(res.status).toBe(502)
    expect((await jsonOf(res)).code).toBe('vendor_unavailable')
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('a renewal under concurrent calls: every call answered "session lost" joins one renewal; none fails, none runs twice', async () => {
    const { vendor, facade } = await vendorAndFacade()
    const id = await openSession(facade)
    await post(facade, 'counter_increment', { by: 1 }, { 'X-Session-Id': id })
    const before = vendor.initializeCount()
    await vendor.expireAllSessions()
    const answers = await Promise.all(Array.from({ length: 25 }, () => post(facade, 'counter_increment', { by: 1 }, { 'X-Session-Id': id })))
    const bodies = await Promise.all(answers.map((r) => jsonOf(r)))
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200))
    // Calls answered "session lost" say so; calls sent after the renewal ran on the new vendor session already.
    expect(bodies.some((b) => b.sessionRenewed === true)).toBe(true)
    expect(vendor.initializeCount() - before).toBe(1)
    expect(vendor.executions('counter_increment')).toBe(26)
    // One vendor session behind the caller session: the counter saw all 25 increments.
    expect(Math.max(...bodies.map((b) => b.data.value))).toBe(25)
  })

  it('a stream that ends without an answer (no event id): 502 vendor_interrupted at once for a tool that may not run twice', async () => {
    const { vendor, facade } = await vendorAndFacade({}, {}, { timeouts: { callMs: 20_000 } })
    expect((await post(facade, 'echo', { message: 'warm' })).status).toBe(200)
    vendor.dropNextCall('counter_increment', 'mid-stream')
    const started = Date.now()
    const res = await post(facade, 'counter_increment', { by: 1 })
    expect(res.status).toBe(502)
    expect((await jsonOf(res)).code).toBe('vendor_interrupted')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(vendor.executions('counter_increment')).toBe(1)
  })

  it('replays a read-only/idempotent tool after the stream ended or the connection dropped mid-call', async () => {
    const { vendor, facade } = await vendorAndFacade({}, {}, { timeouts: { callMs: 20_000 } })
    vendor.dropNextCall('echo', 'mid-stream')
    const res = await post(facade, 'echo', { message: 'again' })
    expect(res.status).toBe(200)
    expect((await jsonOf(res)).data).toEqual({ message: 'again' })
    expect(vendor.executions('echo')).toBe(2)
    vendor.dropNextCall('echo', 'before-response')
    expect((await post(facade, 'echo', { message: 'again' })).status).toBe(200)
    expect(vendor.executions('echo')).toBe(4)
    // counter_get is read-only too; counter_increment is neither and is never replayed.
    vendor.dropNextCall('counter_increment', 'before-response')
    const res2 = await post(facade, 'counter_increment', { by: 1 })
    expect(res2.status).toBe(502)
    expect((await jsonOf(res2)).code).toBe('vendor_interrupted')
    expect(vendor.executions('counter_increment')).toBe(1)
  })

  it('resumes a stream cut after an event id with GET + Last-Event-ID, honouring retry; the call is POSTed once', async () => {
    const { vendor, facade } = await vendorAndFacade({ resumableRetryMs: 150 })
    const started = Date.now()
    const res = await post(facade, 'poll_answer', { ms: 400 })
    expect(res.status).toBe(200)
    expect((await jsonOf(res)).text).toBe('answered after 400 ms')
    expect(Date.now() - started).toBeGreaterThanOrEqual(400)
    expect(vendor.executions('poll_answer')).toBe(1)
    expect(vendor.replayCount()).toBeGreaterThanOrEqual(1)
    const posts = vendor.requests().filter((r) => r.method === 'POST' && r.rpcMethod === 'tools/call')
    expect(posts.length).toBe(1)
    expect(vendor.requests().some((r) => r.method === 'GET' && r.lastEventId)).toBe(true)
  })
})

describe('readiness without ping', () => {
  it('a 2026-07-28 vendor becomes ready, and frequent probes cost the vendor at most one request per interval', async () => {
    const vendor = await startModernVendor()
    cleanups.push(() => vendor.close())
    const facade = await startTestFacade({ default: { url: vendor.url, readiness: { probeIntervalMs: 1000 } } }, {}, 'warn')
    cleanups.push(() => facade.close())
    const first = await facade.call('/readyz')
    expect(first.status).toBe(200)
    await sleep(1100) // the catalog load is now older than the interval: readiness must probe
    const before = vendor.requests().length
    const answers: number[] = []
    for (let i = 0; i < 12; i++) {
      answers.push((await facade.call('/readyz')).status)
      await sleep(100)
    }
    expect(answers.every((s) => s === 200)).toBe(true)
    const probes = vendor.requests().slice(before)
    expect(probes.length).toBeGreaterThanOrEqual(1)
    expect(probes.length).toBeLessThanOrEqual(2)
    expect(probes.every((r) => r.rpcMethod === 'server/discover')).toBe(true)
  })

  it('turns not ready when the vendor goes away, then ready again', async () => {
    const { vendor, facade } = await vendorAndFacade({}, {}, { readiness: { probeIntervalMs: 200 } })
    const port = Number(new URL(vendor.url).port)
    expect((await facade.call('/readyz')).status).toBe(200)
    await vendor.close()
    await sleep(250)
    expect((await facade.call('/readyz')).status).toBe(503)
    const again = await startSessionfulVendor({ port })
    cleanups.push(() => again.close())
    await sleep(250)
    expect((await facade.call('/readyz')).status).toBe(200)
  })
})

describe('vendor sessions are ended with bounded concurrency', () => {
  it('shutdown DELETEs every caller session, attached or released', async () => {
    const vendor = await startSessionfulVendor()
    cleanups.push(() => vendor.close())
    // One identity opening 120 sessions: past the default per-identity cap (100), which this test is not about.
    const facade = await startTestFacade({ default: { url: vendor.url } }, { sessions: { connectionIdleMs: 100 }, limits: { sessionsPerIdentity: 0 } }, 'warn')
    const ids: string[] = []
    for (let i = 0; i < 120; i++) ids.push(await openSession(facade))
    await sleep(300) // all released: their DELETE needs no live connection
    for (const id of ids.slice(0, 20)) await post(facade, 'echo', { message: 'x' }, { 'X-Session-Id': id })
    await facade.close()
    // 120 caller sessions + the catalog session (the pooled one was never opened).
    expect(new Set(vendor.terminatedSessions()).size).toBe(121)
  })

  it('an expired caller session is DELETEd even though its connection was released long before', async () => {
    const { vendor, facade } = await vendorAndFacade({}, { sessions: { idleTtlSeconds: 1, connectionIdleMs: 50 } })
    const id = await openSession(facade)
    await post(facade, 'echo', { message: 'x' }, { 'X-Session-Id': id })
    const vendorSession = vendor.sessionIds().find((s) => vendor.requests().some((r) => r.sessionId === s && r.rpcMethod === 'tools/call'))
    expect(vendorSession).toBeDefined()
    await facade.runtimes[0]!.sessions.sweep()
    for (let i = 0; i < 40 && !vendor.terminatedSessions().includes(vendorSession!); i++) {
      await sleep(100)
      await facade.runtimes[0]!.sessions.sweep()
    }
    expect(vendor.terminatedSessions()).toContain(vendorSession)
  })
})
