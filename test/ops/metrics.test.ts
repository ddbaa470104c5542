/**
 * GET /metrics after real calls through a real facade: HTTP series by route template, vendor calls by tool and
 * outcome with durations, session renewals, and the gauges (pooled and caller sessions, running jobs, catalog, HTTP/2).
 * Then the two ways to protect it: a key (constant-time compared) and its own port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

/** Parses Prometheus text into `name{labels}` → value (labels in the order written). */
function parse(text: string): Map<string, number> {
  const series = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*(?:\{.*\})?) (\S+)$/.exec(line)
    if (m) series.set(m[1]!, Number(m[2]))
  }
  return series
}

/** Value of the first series named `name` whose labels include every `label="value"` given. */
function value(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const [key, v] of series) {
    if (!(key === name || key.startsWith(name + '{'))) continue
    if (Object.entries(labels).every(([k, l]) => key.includes(`${k}="${l}"`))) return v
  }
  return undefined
}

describe('GET /metrics', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade
  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    facade = await startTestFacade({ default: { url: vendor.url } })
  })
  afterAll(async () => {
    await facade.close()
    await vendor.close()
  })

  it('counts requests, vendor calls, renewals and reads the gauges', async () => {
    for (let i = 0; i < 2; i++) expect((await facade.call('/tools/echo', { method: 'POST', json: { message: `m${i}` } })).status).toBe(200)
    expect((await facade.call('/tools/fail_tool', { method: 'POST', json: {} })).status).toBe(200)
    expect((await facade.call('/tools/echo', { method: 'POST', json: { message: 1 } })).status).toBe(400)
    const session = await jsonOf(await facade.call('/sessions', { method: 'POST' }))
    await vendor.expireAllSessions()
    const renewed = await jsonOf(await facade.call('/tools/echo', { method: 'POST', json: { message: 'again' } }))
    expect(renewed.sessionRenewed).toBe(true)
    const job = await facade.call('/tools/slow', { method: 'POST', json: { ms: 1500 }, headers: { prefer: 'respond-async' } })
    expect(job.status).toBe(202)

    const res = await facade.call('/metrics')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await res.text()
    const m = parse(text)

    expect(value(m, 'mcp_facade_http_requests_total', { route: '/tools/:tool{.+}', method: 'POST', status: '200' })).toBe(4)
    expect(value(m, 'mcp_facade_http_requests_total', { route: '/tools/:tool{.+}', method: 'POST', status: '400' })).toBe(1)
    expect(value(m, 'mcp_facade_http_requests_total', { route: '/sessions', method: 'POST', status: '201' })).toBe(1)
    expect(value(m, 'mcp_facade_http_request_duration_seconds_count', { route: '/tools/:tool{.+}', status: '200' })).toBe(4)

    expect(value(m, 'mcp_facade_vendor_calls_total', { server: 'default', tool: 'echo', outcome: 'ok' })).toBe(3)
    expect(value(m, 'mcp_facade_vendor_calls_total', { server: 'default', tool: 'fail_tool', outcome: 'tool_error' })).toBe(1)
    expect(value(m, 'mcp_facade_vendor_call_duration_seconds_count', { tool: 'echo', outcome: 'ok' })).toBe(3)
    expect(value(m, 'mcp_facade_vendor_call_duration_seconds_sum', { tool: 'echo', outcome: 'ok' })).toBeGreaterThan(0)
    expect(value(m, 'mcp_facade_session_renewals_total', { server: 'default' })).toBe(1)

    expect(value(m, 'mcp_facade_pooled_sessions', { server: 'default' })).toBe(1)
    expect(value(m, 'mcp_facade_caller_sessions', { server: 'default' })).toBe(1)
    expect(value(m, 'mcp_facade_running_jobs', { server: 'default' })).toBe(1)
    const catalog = facade.runtimes[0]!.catalog.state!.catalog
    expect(value(m, 'mcp_facade_catalog_version', { server: 'default' })).toBe(catalog.version)
    expect(value(m, 'mcp_facade_catalog_tools', { server: 'default' })).toBe(catalog.tools.length)
    // A plain http: vendor never speaks HTTP/2 (no h2c): the gauges read 0 (test/engine/h2-vendor.test.ts: an h2 one).
    expect(value(m, 'mcp_facade_vendor_h2_sessions', { server: 'default' })).toBe(0)
    expect(value(m, 'mcp_facade_vendor_h2_streams', { server: 'default' })).toBe(0)
    expect(session.sessionId).toBeTruthy()

    // The job finishes: the gauge follows.
    await expect.poll(async () => value(parse(await (await facade.call('/metrics')).text()), 'mcp_facade_running_jobs', { server: 'default' }), { timeout: 10_000 }).toBe(0)
  })

  it('labels unrouted requests as unmatched, never by their raw path', async () => {
    await facade.call('/no/such/path/abc123')
    const text = await (await facade.call('/metrics')).text()
    expect(text).not.toContain('abc123')
    expect(value(parse(text), 'mcp_facade_http_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1)
  })
})

describe('protecting /metrics', () => {
  let vendor: SessionfulVendor
  beforeAll(async () => {
    vendor = await startSessionfulVendor()
  })
  afterAll(async () => {
    await vendor.close()
  })

  it('with a key: 401 problem without it or with a wrong one, 200 with the bearer key', async () => {
    const key = 'metrics-key-0123456789'
    const facade = await startTestFacade({ default: { url: vendor.url } }, { metrics: { key } })
    try {
      const none = await facade.call('/metrics')
      expect(none.status).toBe(401)
      expect(none.headers.get('content-type')).toBe('application/problem+json')
      expect((await jsonOf(none)).code).toBe('unauthorized')
      expect((await facade.call('/metrics', { headers: { authorization: `Bearer ${key}x` } })).status).toBe(401)
      const ok = await facade.call('/metrics', { headers: { authorization: `Bearer ${key}` } })
      expect(ok.status).toBe(200)
      expect(await ok.text()).toContain('mcp_facade_catalog_tools')
      expect(facade.logs.join('\n')).not.toContain(key)
    } finally {
      await facade.close()
    }
  })

  it('on its own port: served there, absent from the API port', async () => {
    const facade = await startTestFacade({ default: { url: vendor.url } }, { metrics: { port: 0 } })
    try {
      expect(facade.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(facade.metricsUrl).not.toBe(facade.url)
      expect((await facade.call('/metrics')).status).toBe(404)
      const res = await fetch(`${facade.metricsUrl}/metrics`)
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('mcp_facade_pooled_sessions')
      expect((await fetch(`${facade.metricsUrl}/tools`)).status).toBe(404)
    } finally {
      await facade.close()
    }
  })

  it('can be turned off', async () => {
    const facade = await startTestFacade({ default: { url: vendor.url } }, { metrics: { enabled: false } })
    try {
      expect((await facade.call('/metrics')).status).toBe(404)
    } finally {
      await facade.close()
    }
  })
})
