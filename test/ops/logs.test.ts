/**
 * Logs and request ids: one info access line per request (debug for probes) with the route template and no header value or body, a
 * server name on every line a server's parts write, X-Request-Id on every response (unrouted 404s and errors too),
 * and catalog retries that back off exponentially with one warning per change of state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'
import { closedPort } from '../support/ports.js'

const lines = (f: TestFacade) => f.logs.map((l) => JSON.parse(l) as Record<string, unknown>)


describe('access log and request ids', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade
  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    facade = await startTestFacade({ alpha: { url: vendor.url }, beta: { url: vendor.url } }, {}, 'info')
  })
  afterAll(async () => {
    await facade.close()
    await vendor.close()
  })

  it('writes one info line per request with route, status, duration, ids, server and tool; no header value or body', async () => {
    const res = await facade.call('/alpha/tools/echo', {
      method: 'POST',
      json: { message: 'body-secret-4711' },
      headers: { authorization: 'Bearer header-secret-0815', 'x-request-id': 'trace-me-1' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-request-id')).toBe('trace-me-1')
    const access = lines(facade).filter((l) => l.msg === 'request' && l.requestId === 'trace-me-1')
    expect(access).toHaveLength(1)
    expect(access[0]).toMatchObject({ level: 'info', method: 'POST', route: '/alpha/tools/:tool{.+}', status: 200, server: 'alpha', tool: 'echo' })
    expect(typeof access[0]!.durationMs).toBe('number')
    const all = facade.logs.join('\n')
    expect(all).not.toContain('header-secret-0815')
    expect(all).not.toContain('body-secret-4711')
  })

  it('logs probe requests at debug, so an orchestrator probing every few seconds does not fill the info log', async () => {
    for (const path of ['/healthz', '/readyz', '/alpha/healthz', '/beta/readyz']) {
      const res = await facade.call(path, { headers: { 'x-request-id': `probe-${path.replaceAll('/', '-')}` } })
      expect(res.headers.get('x-request-id')).toBe(`probe-${path.replaceAll('/', '-')}`)
    }
    // This facade logs at info: no probe line at all.
    expect(lines(facade).filter((l) => String(l.requestId).startsWith('probe-'))).toEqual([])
    const debugFacade = await startTestFacade({ default: { url: vendor.url } }, {}, 'debug')
    try {
      expect((await debugFacade.call('/readyz', { headers: { 'x-request-id': 'probe-debug' } })).status).toBe(200)
      const logged = lines(debugFacade).filter((l) => l.requestId === 'probe-debug')
      expect(logged).toEqual([expect.objectContaining({ level: 'debug', msg: 'request', route: '/readyz', status: 200 })])
    } finally {
      await debugFacade.close()
    }
  })

  it('names the server on the lines each server writes', () => {
    const loaded = lines(facade).filter((l) => l.msg === 'catalog loaded')
    expect(loaded.map((l) => l.server).sort()).toEqual(['alpha', 'beta'])
  })

  it('puts X-Request-Id on unrouted 404s, errors and successes, and logs them', async () => {
    const unrouted = await facade.call('/nowhere/at/all')
    expect(unrouted.status).toBe(404)
    expect(unrouted.headers.get('content-type')).toBe('application/problem+json')
    const id = unrouted.headers.get('x-request-id')
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(((await unrouted.json()) as { requestId?: string }).requestId).toBe(id)

    const badJson = await facade.call('/alpha/tools/echo', { method: 'POST', body: '{nope', headers: { 'content-type': 'application/json' } })
    expect(badJson.status).toBe(400)
    expect(badJson.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)

    const root = await facade.call('/readyz')
    expect(root.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)

    // An id that is not plain is replaced rather than echoed (it would go into logs and other systems).
    const odd = await facade.call('/healthz', { headers: { 'x-request-id': 'a b<script>' } })
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)

    const logged = lines(facade).find((l) => l.msg === 'request' && l.requestId === id)
    expect(logged).toMatchObject({ route: 'unmatched', status: 404 })
  })

  it('puts X-Request-Id on tool call answers (a problem in its body too) and replaces an id longer than 64 characters', async () => {
    const problems = await startTestFacade({ default: { url: vendor.url, toolErrors: 'problem' } }, {}, 'info')
    try {
      const ok = await problems.call('/tools/echo', { method: 'POST', json: { message: 'hi' }, headers: { 'x-request-id': 'call-ok' } })
      expect(ok.status).toBe(200)
      expect(ok.headers.get('x-request-id')).toBe('call-ok')
      expect(ok.headers.get('content-type')).toBe('application/json')
      expect(((await ok.json()) as { text?: string }).text).toContain('hi')

      const failed = await problems.call('/tools/fail_tool', { method: 'POST', json: {}, headers: { 'x-request-id': 'call-failed' } })
      expect(failed.status).toBe(422)
      expect(failed.headers.get('x-request-id')).toBe('call-failed')
      expect(failed.headers.get('content-type')).toBe('application/problem+json')
      expect(await failed.json()).toMatchObject({ code: 'tool_error', requestId: 'call-failed' })

      const longest = 'i'.repeat(64)
      expect((await problems.call('/tools/echo', { method: 'POST', json: { message: 'a' }, headers: { 'x-request-id': longest } })).headers.get('x-request-id')).toBe(longest)
      const tooLong = await problems.call('/tools/echo', { method: 'POST', json: { message: 'b' }, headers: { 'x-request-id': `${longest}i` } })
      expect(tooLong.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
      const access = lines(problems).filter((l) => l.msg === 'request' && l.route === '/tools/:tool{.+}')
      expect(access.map((l) => l.requestId)).toEqual(['call-ok', 'call-failed', longest, tooLong.headers.get('x-request-id')])
    } finally {
      await problems.close()
    }
  })
})

describe('catalog retries', () => {
  it('back off exponentially and warn once while the vendor stays down', async () => {
    const port = await closedPort()
    const facade = await startTestFacade({ default: { url: `http://127.0.0.1:${port}/mcp`, timeouts: { connectMs: 500 } } }, {}, 'debug')
    try {
      const attempts = () => lines(facade).filter((l) => l.msg === 'catalog load failed' || l.msg === 'catalog load failed again')
      await expect.poll(() => attempts().length, { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(3)
      const times = attempts().map((l) => Date.parse(String(l.time)))
      const [gap1, gap2] = [times[1]! - times[0]!, times[2]! - times[1]!]
      expect(gap1).toBeGreaterThanOrEqual(700)
      expect(gap2).toBeGreaterThan(gap1 * 1.25)
      expect(lines(facade).filter((l) => l.level === 'warn' && l.msg === 'catalog load failed')).toHaveLength(1)
      expect((await facade.call('/healthz')).status).toBe(200)
      expect((await facade.call('/readyz')).status).toBe(503)
    } finally {
      await facade.close()
    }
  })
})
