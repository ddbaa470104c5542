/**
 * Vendor back-pressure: a real vendor behind a fault proxy that answers chosen tool calls with 429 / 503 (+
 * Retry-After) in its place. A refusal means the vendor did not run the call, so the facade retries it for any tool
 * when the wait fits `retry.budgetMs`, and otherwise answers 429 `vendor_rate_limited` / 503 `vendor_busy` with the
 * vendor's Retry-After. 500 / 502 stay 502 (504 stays 504 `vendor_timeout`), never replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

/** Per tool: the answers the proxy gives in the vendor's place, in order; an empty queue forwards. */
const planned = new Map<string, Array<() => Response>>()
/** tools/call requests that reached the proxy, per tool (answered by it or forwarded). */
const seen = new Map<string, number>()

let vendor: SessionfulVendor
let proxy: FaultProxy
let facade: TestFacade

beforeAll(async () => {
  vendor = await startSessionfulVendor()
  proxy = await startFaultProxy(vendor.url, ({ message }) => {
    if (!message?.method) return undefined
    // Tool calls are planned per tool, anything else (initialize) per method.
    const tool = message.method === 'tools/call' ? String(message.params?.name) : message.method
    seen.set(tool, (seen.get(tool) ?? 0) + 1)
    return planned.get(tool)?.shift()?.()
  })
  facade = await startTestFacade({ default: { url: proxy.url, retry: { budgetMs: 2_000 } } })
})
afterAll(async () => {
  await facade?.close()
  await proxy?.close()
  await vendor?.close()
})

const refuse = (status: number, retryAfter?: string) => () =>
  new Response(status >= 500 ? 'upstream trouble' : 'slow down', { status, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter } })

/** Calls a tool (pooled) after planning the proxy's answers for it; returns the response and the calls the proxy saw. */
async function callWith(tool: string, plan: Array<() => Response>, json: unknown = {}) {
  planned.set(tool, plan)
  const before = seen.get(tool) ?? 0
  const started = Date.now()
  const res = await facade.call(`/tools/${tool}`, { method: 'POST', json })
  const body = await jsonOf(res)
  return { res, body, attempts: (seen.get(tool) ?? 0) - before, ms: Date.now() - started }
}

describe('429 / 503 from the vendor', () => {
  it('a non-idempotent call refused with 429 + Retry-After: 1 is retried after the delay and runs once', async () => {
    const ran = vendor.executions('counter_increment')
    const { res, body, attempts, ms } = await callWith('counter_increment', [refuse(429, '1')])
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(attempts).toBe(2)
    expect(ms).toBeGreaterThanOrEqual(950)
    expect(vendor.executions('counter_increment')).toBe(ran + 1)
  })

  it('503 + Retry-After: 0 twice, then the vendor answers: retried for any tool', async () => {
    const { res, attempts } = await callWith('counter_increment', [refuse(503, '0'), refuse(503, '0')])
    expect(res.status).toBe(200)
    expect(attempts).toBe(3)
  })

  it('a wait beyond the retry budget is answered at once with the vendor’s Retry-After (429 vendor_rate_limited)', async () => {
    const { res, body, attempts, ms } = await callWith('counter_increment', [refuse(429, '30')])
    expect(res.status).toBe(429)
    expect(body).toMatchObject({ code: 'vendor_rate_limited', status: 429 })
    expect(res.headers.get('retry-after')).toBe('30')
    expect(attempts).toBe(1)
    expect(ms).toBeLessThan(1_000)
  })

  it('503 with an HTTP-date Retry-After beyond the budget: 503 vendor_busy with the delay in seconds', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString()
    const { res, body, attempts } = await callWith('echo', [refuse(503, at)], { message: 'x' })
    expect(res.status).toBe(503)
    expect(body.code).toBe('vendor_busy')
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(58)
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    expect(attempts).toBe(1)
  })

  it('a vendor that keeps refusing without Retry-After is retried with backoff until the budget is spent, then 429', async () => {
    const { res, body, attempts, ms } = await callWith('echo', Array.from({ length: 50 }, () => refuse(429)), { message: 'x' })
    expect(res.status).toBe(429)
    expect(body.code).toBe('vendor_rate_limited')
    expect(res.headers.get('retry-after')).toBeNull()
    expect(attempts).toBeGreaterThan(2)
    expect(ms).toBeLessThan(2_500)
    planned.delete('echo')
  })
})

describe('500 / 502 / 504 from the vendor are not refusals', () => {
  it.each([
    [500, 502, 'vendor_bad_response'],
    [502, 502, 'vendor_bad_response'],
    [504, 504, 'vendor_timeout'],
  ])('%i → %i %s, never replayed (not even for a read-only tool)', async (vendorStatus, status, code) => {
    const { res, body, attempts } = await callWith('echo', [refuse(vendorStatus, '1')], { message: 'x' })
    expect(res.status).toBe(status)
    expect(body.code).toBe(code)
    expect(res.headers.get('retry-after')).toBeNull()
    expect(attempts).toBe(1)
  })
})

describe('a refused initialize', () => {
  it('POST /sessions whose initialize is refused with 503 + Retry-After: 0 is retried and opens the session', async () => {
    planned.set('initialize', [refuse(503, '0')])
    const before = seen.get('initialize') ?? 0
    const res = await facade.call('/sessions', { method: 'POST' })
    expect(res.status, await res.clone().text()).toBe(201)
    expect((seen.get('initialize') ?? 0) - before).toBe(2)
  })
})
