/**
 * Limits per caller and per server against real vendors: caller sessions per identity (also across two replicas
 * sharing a Redis), the call rate and the calls in flight per identity, and the stdio child processes of a server.
 * Over a limit: 429 with a stable code, Retry-After and the IETF RateLimit-Policy / RateLimit fields; another
 * identity is not affected; a refused session opens no vendor session.
 * The replica case needs REDIS_URL (e.g. redis://127.0.0.1:6379); without it that case is skipped with a notice.
 */
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, stdioVendorCommand } from '../fixtures/index.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const REDIS_URL = process.env.REDIS_URL
if (!REDIS_URL) console.warn('[skip] REDIS_URL is not set: the limits-across-replicas test is skipped (set REDIS_URL=redis://127.0.0.1:6379 to run it)')

const KEYS = ['limits-key-a-0123456789', 'limits-key-b-0123456789']
const as = (key: string) => ({ 'X-API-Key': key })
const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

async function facadeWith(url: string, limits: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<TestFacade> {
  const f = await startTestFacade({ default: { url, auth: { mode: 'apiKey', keys: KEYS } } }, { limits, ...extra })
  cleanups.push(() => f.close())
  return f
}

async function expectLimited(res: Response, code: string) {
  const body = await jsonOf(res)
  expect(res.status, JSON.stringify(body)).toBe(429)
  expect(body.code).toBe(code)
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
  expect(res.headers.get('ratelimit-policy')).toMatch(/^"[\w-]+";q=\d+/)
  expect(res.headers.get('ratelimit')).toMatch(/^"[\w-]+";r=0;t=\d+$/)
}

describe('caller sessions per identity', () => {
  it('the fourth session of an identity is 429 too_many_sessions and opens nothing at the vendor; ending one frees a place', async () => {
    const vendor = await startSessionfulVendor()
    cleanups.push(() => vendor.close())
    const f = await facadeWith(vendor.url, { sessionsPerIdentity: 3 })
    const open = (key: string) => f.call('/sessions', { method: 'POST', headers: as(key) })
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await jsonOf(await open(KEYS[0]!))).sessionId)
    const vendorSessions = vendor.sessionCount()
    await expectLimited(await open(KEYS[0]!), 'too_many_sessions')
    await expectLimited(await f.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { ...as(KEYS[0]!), 'X-Session-Id': 'new' } }), 'too_many_sessions')
    expect(vendor.sessionCount()).toBe(vendorSessions)
    // Another identity has its own places; pooled calls are not sessions.
    expect((await open(KEYS[1]!)).status).toBe(201)
    expect((await f.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: as(KEYS[0]!) })).status).toBe(200)
    expect((await f.call(`/sessions/${ids[0]}`, { method: 'DELETE', headers: as(KEYS[0]!) })).status).toBe(204)
    expect((await open(KEYS[0]!)).status).toBe(201)
  })
})

describe('calls per identity', () => {
  it('over the rate: 429 rate_limited with the window in the fields; another identity still calls', async () => {
    const vendor = await startSessionfulVendor()
    cleanups.push(() => vendor.close())
    const f = await facadeWith(vendor.url, { callsPerIdentity: 5, windowSeconds: 10 })
    const call = (key: string) => f.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: as(key) })
    for (let i = 0; i < 5; i++) expect((await call(KEYS[0]!)).status).toBe(200)
    const limited = await call(KEYS[0]!)
    expect(limited.headers.get('ratelimit-policy')).toBe('"default-identity-calls";q=5;w=10')
    await expectLimited(limited, 'rate_limited')
    expect(vendor.executions('echo')).toBe(5)
    expect((await call(KEYS[1]!)).status).toBe(200)
  })

  it('over the calls in flight: 429 too_many_requests; places come back when calls end', async () => {
    const vendor = await startSessionfulVendor()
    cleanups.push(() => vendor.close())
    const f = await facadeWith(vendor.url, { concurrentPerIdentity: 2 })
    const slow = () => f.call('/tools/slow', { method: 'POST', json: { ms: 500 }, headers: as(KEYS[0]!) })
    const running = [slow(), slow()]
    await new Promise((r) => setTimeout(r, 150))
    await expectLimited(await slow(), 'too_many_requests')
    expect((await Promise.all(running)).map((r) => r.status)).toEqual([200, 200])
    expect((await slow()).status).toBe(200)
  })
})

describe.skipIf(!REDIS_URL)('limits across replicas', () => {
  it('two replicas sharing Redis share the session and rate limits of an identity', async () => {
    const vendor = await startSessionfulVendor()
    cleanups.push(() => vendor.close())
    const shared = { sessions: { store: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: `mrf-test-${randomUUID()}:` }, identitySecret: 'limits-shared-secret-0123456789' }
    const limits = { sessionsPerIdentity: 3, callsPerIdentity: 4, windowSeconds: 30 }
    const a = await facadeWith(vendor.url, limits, shared)
    const b = await facadeWith(vendor.url, limits, shared)
    const open = (f: TestFacade) => f.call('/sessions', { method: 'POST', headers: as(KEYS[0]!) })
    expect((await open(a)).status).toBe(201)
    expect((await open(b)).status).toBe(201)
    expect((await open(a)).status).toBe(201)
    await expectLimited(await open(b), 'too_many_sessions')
    await expectLimited(await open(a), 'too_many_sessions')
    const call = (f: TestFacade) => f.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: as(KEYS[0]!) })
    for (const f of [a, b, a, b]) expect((await call(f)).status).toBe(200)
    await expectLimited(await call(a), 'rate_limited')
    await expectLimited(await call(b), 'rate_limited')
  })
})

describe('stdio child processes per server', () => {
  /** Live child processes of this test process (the facade spawns stdio vendors in-process). */
  const children = () => execFileSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length

  it('an identity cannot hold more processes than processesPerServer; an ended session frees one', async () => {
    const { command, args } = stdioVendorCommand()
    const f = await startTestFacade({ default: { command, args } }, { limits: { processesPerServer: 2, sessionsPerIdentity: 1000 } })
    cleanups.push(() => f.close())
    const before = children()
    const opened = await Promise.all(Array.from({ length: 5 }, () => f.call('/sessions', { method: 'POST' })))
    const statuses = opened.map((r) => r.status).sort()
    expect(statuses).toEqual([201, 201, 429, 429, 429])
    const limited = opened.find((r) => r.status === 429)!
    expect((await jsonOf(limited)).code).toBe('too_many_sessions')
    console.info(`[measure] stdio processes after 5 POST /sessions with processesPerServer 2: ${children() - before} more child processes`)
    expect(children() - before).toBeLessThanOrEqual(2)
    // Every process is a busy caller session: a pooled call has no room either, until a session ends.
    expect((await f.call('/tools/echo', { method: 'POST', json: { message: 'x' } })).status).toBe(429)
    const id = (await jsonOf(opened.find((r) => r.status === 201)!)).sessionId
    expect((await f.call(`/sessions/${id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await f.call('/tools/echo', { method: 'POST', json: { message: 'x' } })).status).toBe(200)
  })
})

describe('the documents declare the limits', () => {
  it('OpenAPI 3.1 and Swagger 2.0 give tool calls and CreateSession a 429 with Retry-After and the RateLimit fields', async () => {
    const vendor = await startSessionfulVendor()
    cleanups.push(() => vendor.close())
    const f = await facadeWith(vendor.url, {})
    const openapi = await jsonOf(await f.call('/openapi.json'))
    const resolve = (r: { $ref?: string }) => (r.$ref ? openapi.components.responses[r.$ref.split('/').pop()!] : r)
    for (const op of [openapi.paths['/sessions'].post, openapi.paths['/tools/echo'].post]) {
      const tooMany = resolve(op.responses['429'])
      expect(tooMany.description).toContain('too_many_sessions')
      expect(Object.keys(tooMany.headers)).toEqual(expect.arrayContaining(['Retry-After', 'RateLimit-Policy', 'RateLimit']))
    }
    expect(resolve(openapi.paths['/tools/echo'].post.responses['429']).description).toContain('rate_limited')
    const swagger = await jsonOf(await f.call('/swagger.json'))
    expect(swagger.paths['/tools/echo'].post.responses['429']).toEqual({ $ref: '#/responses/TooManyRequests' })
    expect(Object.keys(swagger.responses.TooManyRequests.headers)).toEqual(['Retry-After', 'RateLimit-Policy', 'RateLimit'])
  })
})
