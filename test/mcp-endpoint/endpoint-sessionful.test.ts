/**
 * The facade's own MCP endpoint in front of a strict sessionful 2025 vendor, driven by real SDK clients:
 * list and call in both eras, one vendor session per conversation, healing across vendor expiry, stale and
 * made-up `Mcp-Session-Id`s served, no initialize per call, progress passed on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mcpEndpointCounters } from '../../src/mcp-endpoint/conversations.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'
import { connectCaller, postRpc, textOf } from './mcp-client.js'

describe('MCP endpoint against a sessionful 2025 vendor', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade
  let url: string

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    facade = await startTestFacade({ default: { url: vendor.url } })
    url = `${facade.url}/mcp`
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('a 2025 client lists the catalog and calls a tool; its Mcp-Session-Id is a facade caller session', async () => {
    const caller = await connectCaller(url, 'legacy')
    try {
      expect(caller.transport.sessionId).toMatch(/^ses_/)
      const { tools } = await caller.client.listTools()
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'counter_increment', 'slow', 'whoami']))
      const result = await caller.client.callTool({ name: 'echo', arguments: { message: 'hi' } })
      expect(result.isError).toBeFalsy()
      expect(result.structuredContent).toEqual({ message: 'hi' })
      expect(textOf(result)).toBe('Echo: hi')
      // The id is never the vendor's session id.
      expect(vendor.sessionIds()).not.toContain(caller.transport.sessionId)
    } finally {
      await caller.close()
    }
  })

  it('a 2026-07-28 client lists and calls without any session', async () => {
    const caller = await connectCaller(url, 'modern')
    try {
      expect(caller.transport.sessionId).toBeUndefined()
      const { tools } = await caller.client.listTools()
      expect(tools.some((t) => t.name === 'echo')).toBe(true)
      const result = await caller.client.callTool({ name: 'echo', arguments: { message: 'modern' } })
      expect(result.structuredContent).toEqual({ message: 'modern' })
    } finally {
      await caller.close()
    }
  })

  it('each 2025 conversation keeps its own vendor session (counter state)', async () => {
    const a = await connectCaller(url, 'legacy')
    const b = await connectCaller(url, 'legacy')
    try {
      for (let i = 0; i < 3; i++) await a.client.callTool({ name: 'counter_increment', arguments: { by: 1 } })
      await b.client.callTool({ name: 'counter_increment', arguments: { by: 10 } })
      expect((await a.client.callTool({ name: 'counter_get', arguments: {} })).structuredContent).toEqual({ value: 3 })
      expect((await b.client.callTool({ name: 'counter_get', arguments: {} })).structuredContent).toEqual({ value: 10 })
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('the vendor expires every session mid-conversation and the next call succeeds with no error reaching the client', async () => {
    const caller = await connectCaller(url, 'legacy')
    try {
      expect((await caller.client.callTool({ name: 'echo', arguments: { message: 'before' } })).isError).toBeFalsy()
      const sessionsBefore = vendor.initializeCount()
      await vendor.expireAllSessions()
      const after = await caller.client.callTool({ name: 'echo', arguments: { message: 'after' } })
      expect(after.isError).toBeFalsy()
      expect(after.structuredContent).toEqual({ message: 'after' })
      // healed by the facade: one new vendor session, the client's id unchanged
      expect(vendor.initializeCount()).toBeGreaterThan(sessionsBefore)
      expect((await caller.client.callTool({ name: 'echo', arguments: { message: 'again' } })).structuredContent).toEqual({ message: 'again' })
    } finally {
      await caller.close()
    }
    // the same for a 2026-07-28 caller on the pooled vendor session
    const modern = await connectCaller(url, 'modern')
    try {
      await modern.client.callTool({ name: 'echo', arguments: { message: 'pooled' } })
      await vendor.expireAllSessions()
      const healed = await modern.client.callTool({ name: 'echo', arguments: { message: 'pooled again' } })
      expect(healed.isError).toBeFalsy()
      expect(healed.structuredContent).toEqual({ message: 'pooled again' })
    } finally {
      await modern.close()
    }
  })

  it('a made-up Mcp-Session-Id is served (never 404), counted, and keeps one new vendor session for the conversation', async () => {
    const replacedBefore = mcpEndpointCounters('default').sessionsReplaced
    const caller = await connectCaller(url, 'legacy', { sessionId: 'made-up-session-id-from-yesterday' })
    try {
      await caller.client.callTool({ name: 'counter_increment', arguments: { by: 2 } })
      await caller.client.callTool({ name: 'counter_increment', arguments: { by: 3 } })
      const got = await caller.client.callTool({ name: 'counter_get', arguments: {} })
      expect(got.isError).toBeFalsy()
      expect(got.structuredContent).toEqual({ value: 5 })
      expect(mcpEndpointCounters('default').sessionsReplaced).toBe(replacedBefore + 1)
      expect(facade.logs.some((l) => l.includes('unknown or expired Mcp-Session-Id'))).toBe(true)
      expect(facade.logs.some((l) => l.includes('made-up-session-id-from-yesterday'))).toBe(false)
    } finally {
      await caller.close()
    }
  })

  it('concurrent requests with one unknown id share one replacement session', async () => {
    const before = mcpEndpointCounters('default').sessionsReplaced
    const call = (i: number) =>
      postRpc(url, { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'counter_increment', arguments: { by: 1 } } }, { 'mcp-session-id': 'unknown-concurrent-id' })
    const answers = await Promise.all([1, 2, 3, 4].map(call))
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200])
    await Promise.all(answers.map((r) => r.text()))
    expect(mcpEndpointCounters('default').sessionsReplaced).toBe(before + 1)
    const got = await postRpc(url, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'counter_get', arguments: {} } }, { 'mcp-session-id': 'unknown-concurrent-id' })
    expect(await got.text()).toContain('{\\"value\\":4}')
  })

  it('a stale id (caller session ended) is answered 200, not 404', async () => {
    const first = await connectCaller(url, 'legacy')
    const id = first.transport.sessionId!
    await first.client.callTool({ name: 'echo', arguments: { message: 'x' } })
    await first.transport.terminateSession() // DELETE ends the caller session
    await first.close()
    const res = await postRpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'stale' } } }, { 'mcp-session-id': id })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('Echo: stale')
  })

  it('30 calls cost at most one vendor initialize (2025 conversation and 2026 pooled)', async () => {
    const before = vendor.initializeCount()
    const legacy = await connectCaller(url, 'legacy')
    for (let i = 0; i < 30; i++) await legacy.client.callTool({ name: 'echo', arguments: { message: String(i) } })
    await legacy.close()
    expect(vendor.initializeCount() - before).toBeLessThanOrEqual(1)

    const modern = await connectCaller(url, 'modern', { headers: { 'x-test': 'pool' } })
    const mid = vendor.initializeCount()
    for (let i = 0; i < 30; i++) await modern.client.callTool({ name: 'echo', arguments: { message: String(i) } })
    await modern.close()
    expect(vendor.initializeCount() - mid).toBeLessThanOrEqual(1)
  })

  it('validates arguments against the vendor schema before the vendor runs anything', async () => {
    const caller = await connectCaller(url, 'modern')
    try {
      const before = vendor.executions('echo')
      const result = await caller.client.callTool({ name: 'echo', arguments: { message: 42 } })
      expect(result.isError).toBe(true)
      expect(textOf(result)).toContain('invalid_arguments')
      expect(textOf(result)).toContain('/message: must be string')
      expect(vendor.executions('echo')).toBe(before)
      await expect(caller.client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(/not found/)
    } finally {
      await caller.close()
    }
  })

  it('passes vendor progress notifications on to the MCP caller', async () => {
    const caller = await connectCaller(url, 'legacy')
    try {
      const seen: number[] = []
      const result = await caller.client.callTool({ name: 'slow', arguments: { ms: 350 } }, { onprogress: (p) => seen.push(p.progress) })
      expect(result.isError).toBeFalsy()
      expect(seen.length).toBeGreaterThanOrEqual(2)
    } finally {
      await caller.close()
    }
  })

  it('tools.include/exclude decide the listing; an unlisted tool stays callable by name', async () => {
    const scoped = await startTestFacade({ default: { url: vendor.url, tools: { exclude: ['whoami'], deny: ['fail_tool'] } } })
    const caller = await connectCaller(`${scoped.url}/mcp`, 'modern')
    try {
      const names = (await caller.client.listTools()).tools.map((t) => t.name)
      expect(names).toContain('echo')
      expect(names).not.toContain('whoami')
      expect(names).not.toContain('fail_tool')
      expect((await caller.client.callTool({ name: 'whoami', arguments: {} })).isError).toBeFalsy()
      await expect(caller.client.callTool({ name: 'fail_tool', arguments: {} })).rejects.toThrow(/not found/)
    } finally {
      await caller.close()
      await scoped.close()
    }
  })

  it('refuses a foreign browser Origin (403 problem) and accepts its own', async () => {
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' }
    const foreign = await postRpc(url, list, { origin: 'https://evil.example' })
    expect(foreign.status).toBe(403)
    expect((await jsonOf(foreign)).code).toBe('origin_forbidden')
    const own = await postRpc(url, list, { origin: facade.url })
    expect(own.status).toBe(200)
    expect(await own.text()).toContain('echo')
  })

  it('GET has no stream (405 problem) and DELETE ends the conversation', async () => {
    const get = await fetch(url, { headers: { accept: 'text/event-stream' } })
    expect(get.status).toBe(405)
    expect(get.headers.get('content-type')).toContain('application/problem+json')
    expect((await jsonOf(get)).code).toBe('method_not_allowed')
    const caller = await connectCaller(url, 'legacy')
    const id = caller.transport.sessionId!
    const del = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': id } })
    expect(del.status).toBe(204)
    await caller.close()
  })
})

describe('MCP endpoint while the vendor is down at initialize', () => {
  it('the handshake succeeds from the catalog and the session opens once the vendor is back', async () => {
    let vendor = await startSessionfulVendor()
    const port = Number(new URL(vendor.url).port)
    const facade = await startTestFacade({ default: { url: vendor.url, timeouts: { connectMs: 2000 } } })
    try {
      await vendor.close()
      const caller = await connectCaller(`${facade.url}/mcp`, 'legacy')
      try {
        expect(caller.transport.sessionId).toMatch(/^mcp_/)
        expect((await caller.client.listTools()).tools.some((t) => t.name === 'echo')).toBe(true)
        const down = await caller.client.callTool({ name: 'echo', arguments: { message: 'down' } })
        expect(down.isError).toBe(true)
        expect(textOf(down)).toContain('vendor_unavailable')
        vendor = await startSessionfulVendor({ port })
        await caller.client.callTool({ name: 'counter_increment', arguments: { by: 4 } })
        expect((await caller.client.callTool({ name: 'counter_get', arguments: {} })).structuredContent).toEqual({ value: 4 })
      } finally {
        await caller.close()
      }
    } finally {
      await facade.close()
      await vendor.close()
    }
  })
})
