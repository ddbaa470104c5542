/**
 * The caller cannot tell vendor kinds apart: the same REST calls work against a 2025 sessionful vendor that
 * answers 400 for lost sessions, a 2025 stateless vendor, a 2026-07-28 vendor, a legacy HTTP+SSE vendor and
 * a stdio child. Catalogs are read across pagination cursors.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { startLegacySseVendor } from '../fixtures/legacy-sse-vendor.js'
import { startModernVendor } from '../fixtures/modern-vendor.js'
import { startSessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startStatelessVendor } from '../fixtures/stateless-vendor.js'
import { stdioVendorCommand } from '../fixtures/stdio-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

async function facadeFor(server: Record<string, unknown>): Promise<TestFacade> {
  const f = await startTestFacade({ default: server })
  cleanups.push(() => f.close())
  return f
}

/** The same checks for every kind: list, call, structured data, validation, unknown tool. */
async function exerciseBasics(f: TestFacade) {
  const list = await jsonOf(await f.call('/tools'))
  expect(list.tools.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['echo', 'fail_tool']))
  const echo = await jsonOf(await f.call('/tools/echo', { method: 'POST', json: { message: 'kind' } }))
  expect(echo).toMatchObject({ isError: false, text: 'Echo: kind', data: { message: 'kind' } })
  const bad = await f.call('/tools/echo', { method: 'POST', json: { message: 1 } })
  expect(bad.status).toBe(400)
  const unknown = await f.call('/tools/nope', { method: 'POST', json: {} })
  expect(unknown.status).toBe(404)
  expect((await jsonOf(unknown)).code).toBe('tool_not_found')
}

describe('vendor kinds', () => {
  it('2025 sessionful vendor answering 400 for a lost session: renewal still works', async () => {
    const vendor = await startSessionfulVendor({ sessionLostStatus: 400, pageSize: 2 })
    cleanups.push(() => vendor.close())
    const f = await facadeFor({ url: vendor.url })
    await exerciseBasics(f)
    // No 2026-07-28 envelope on a 2025 session, so no body-derived headers either.
    const toolCalls = vendor.requests().filter((r) => r.rpcMethod === 'tools/call')
    expect(toolCalls.length).toBeGreaterThan(0)
    for (const r of toolCalls) expect(r).toMatchObject({ mcpMethod: null, mcpName: null, protocolVersion: '2025-11-25' })
    const { sessionId } = await jsonOf(await f.call('/sessions', { method: 'POST' }))
    await vendor.expireAllSessions()
    const body = await jsonOf(await f.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { 'X-Session-Id': sessionId } }))
    expect(body).toMatchObject({ text: 'Echo: x', sessionRenewed: true, sessionId })
  })

  it('2025 stateless vendor (no mcp-session-id)', async () => {
    const vendor = await startStatelessVendor({ pageSize: 3 })
    cleanups.push(() => vendor.close())
    const f = await facadeFor({ url: vendor.url })
    await exerciseBasics(f)
    const res = await jsonOf(await f.call('/tools/counter_increment', { method: 'POST', json: { counterId: 'c1' }, headers: { 'X-Session-Id': 'new' } }))
    expect(res.sessionId).toMatch(/^ses_/)
  })

  it('2026-07-28 stateless vendor (no initialize, server/discover)', async () => {
    const vendor = await startModernVendor({ pageSize: 2 })
    cleanups.push(() => vendor.close())
    const f = await facadeFor({ url: vendor.url })
    await exerciseBasics(f)
    const calls = vendor.requests().filter((r) => (r as { mcpMethod?: string }).mcpMethod === 'tools/call' || JSON.stringify(r).includes('tools/call'))
    expect(calls.length).toBeGreaterThan(0)
    // The SDK transport derives these headers from the request's 2026-07-28 envelope claim (upstream/connection
    // `skipEnvelopeProbe` lets every message with such a claim through to that derivation).
    expect(calls.find((r) => r.toolName === 'echo')).toMatchObject({ mcpMethod: 'tools/call', mcpName: 'echo', protocolVersion: '2026-07-28' })
    expect(JSON.stringify(vendor.requests())).not.toContain('"initialize"')
  })

  it('legacy HTTP+SSE vendor (falls back from Streamable HTTP)', async () => {
    const vendor = await startLegacySseVendor({ pageSize: 2 })
    cleanups.push(() => vendor.close())
    const f = await facadeFor({ url: vendor.url })
    await exerciseBasics(f)
  })

  it('stdio child process vendor', async () => {
    const { command, args } = stdioVendorCommand()
    const f = await facadeFor({ command, args })
    await exerciseBasics(f)
  })
})
