/**
 * The core against a 2025 vendor that requires a session: every tool reachable, pooled sessions per identity,
 * caller sessions, transparent renewal after the vendor forgets a session, no replay after a dropped connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

describe('core against a sessionful 2025 vendor', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    facade = await startTestFacade({ default: { url: vendor.url } })
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('lists the tools with paths and schemas', async () => {
    const res = await facade.call('/tools')
    expect(res.status).toBe(200)
    const body = await jsonOf(res)
    const names = body.tools.map((t: { name: string }) => t.name)
    expect(names).toEqual(expect.arrayContaining(['echo', 'counter_increment', 'counter_get', 'whoami', 'slow', 'fail_tool', 'bad_output']))
    const echo = body.tools.find((t: { name: string }) => t.name === 'echo')
    expect(echo.path).toBe('/tools/echo')
    expect(echo.inputSchema.properties.message).toBeDefined()
  })

  it('calls a tool and returns the envelope with structured data', async () => {
    const res = await facade.call('/tools/echo', { method: 'POST', json: { message: 'hi' } })
    expect(res.status).toBe(200)
    const body = await jsonOf(res)
    expect(body).toMatchObject({ isError: false, text: 'Echo: hi', data: { message: 'hi' } })
    expect(body.content[0]).toMatchObject({ type: 'text', text: 'Echo: hi' })
    expect(body.sessionId).toBeUndefined()
  })

  it('never runs initialize per call: the pooled session is reused', async () => {
    const before = vendor.initializeCount()
    for (let i = 0; i < 5; i++) expect((await facade.call('/tools/echo', { method: 'POST', json: { message: String(i) } })).status).toBe(200)
    expect(vendor.initializeCount()).toBe(before)
  })

  it('rejects invalid arguments with JSON pointers before reaching the vendor', async () => {
    const before = vendor.executions('echo')
    const res = await facade.call('/tools/echo', { method: 'POST', json: { message: 42 } })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    const body = await jsonOf(res)
    expect(body.code).toBe('invalid_arguments')
    expect(body.errors).toEqual([{ pointer: '/message', message: 'must be string' }])
    const missing = await jsonOf(await facade.call('/tools/echo', { method: 'POST', json: {} }))
    expect(missing.errors).toEqual([{ pointer: '/message', message: 'is required' }])
    expect(vendor.executions('echo')).toBe(before)
  })

  it('keeps state within a caller session and hands the id back in the body', async () => {
    const created = await facade.call('/sessions', { method: 'POST' })
    expect(created.status).toBe(201)
    const { sessionId, expiresAt } = await jsonOf(created)
    expect(sessionId).toMatch(/^ses_[A-Za-z0-9_-]{32}$/)
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now())
    for (let i = 0; i < 3; i++) await facade.call('/tools/counter_increment', { method: 'POST', json: {}, headers: { 'X-Session-Id': sessionId } })
    const viaQuery = await facade.call(`/tools/counter_get?sessionId=${sessionId}`, { method: 'POST', json: {} })
    const body = await jsonOf(viaQuery)
    expect(body.sessionId).toBe(sessionId)
    expect(viaQuery.headers.get('x-session-id')).toBe(sessionId)
    expect(body.data).toMatchObject({ value: 3 })
  })

  it('opens a session with X-Session-Id: new', async () => {
    const res = await facade.call('/tools/counter_increment', { method: 'POST', json: {}, headers: { 'X-Session-Id': 'new' } })
    const body = await jsonOf(res)
    expect(res.status).toBe(200)
    expect(body.sessionId).toMatch(/^ses_/)
    const again = await jsonOf(await facade.call('/tools/counter_get', { method: 'POST', json: {}, headers: { 'X-Session-Id': body.sessionId } }))
    expect(again.data).toMatchObject({ value: 1 })
  })

  it('answers 404 session_not_found for unknown and ended sessions, and DELETE ends the vendor session', async () => {
    const unknown = await facade.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { 'X-Session-Id': 'ses_' + 'A'.repeat(32) } })
    expect(unknown.status).toBe(404)
    expect((await jsonOf(unknown)).code).toBe('session_not_found')
    const garbage = await facade.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { 'X-Session-Id': '../../etc' } })
    expect((await jsonOf(garbage)).code).toBe('session_not_found')

    const { sessionId } = await jsonOf(await facade.call('/sessions', { method: 'POST' }))
    const terminatedBefore = vendor.terminatedSessions().length
    expect((await facade.call(`/sessions/${sessionId}`, { method: 'DELETE' })).status).toBe(204)
    expect(vendor.terminatedSessions().length).toBe(terminatedBefore + 1)
    const after = await facade.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { 'X-Session-Id': sessionId } })
    expect(after.status).toBe(404)
  })

  it('renews a vendor session the vendor forgot, transparently, and says so', async () => {
    const { sessionId } = await jsonOf(await facade.call('/sessions', { method: 'POST' }))
    await facade.call('/tools/counter_increment', { method: 'POST', json: {}, headers: { 'X-Session-Id': sessionId } })
    await vendor.expireAllSessions()
    const before = vendor.executions('counter_get')
    const res = await facade.call('/tools/counter_get', { method: 'POST', json: {}, headers: { 'X-Session-Id': sessionId } })
    expect(res.status).toBe(200)
    const body = await jsonOf(res)
    expect(body.sessionId).toBe(sessionId)
    expect(body.sessionRenewed).toBe(true)
    expect(body.data).toMatchObject({ value: 0 })
    expect(vendor.executions('counter_get')).toBe(before + 1)
    // The next call in the same session is a normal one.
    const next = await jsonOf(await facade.call('/tools/counter_get', { method: 'POST', json: {}, headers: { 'X-Session-Id': sessionId } }))
    expect(next.sessionRenewed).toBeUndefined()
    // The pooled session renews too.
    const pooled = await jsonOf(await facade.call('/tools/echo', { method: 'POST', json: { message: 'again' } }))
    expect(pooled.text).toBe('Echo: again')
  })

  it('does not replay a non-idempotent call after the connection dropped mid-call', async () => {
    const before = vendor.executions('counter_increment')
    vendor.dropNextCall('counter_increment')
    const res = await facade.call('/tools/counter_increment', { method: 'POST', json: {} })
    expect(res.status).toBe(502)
    expect((await jsonOf(res)).code).toBe('vendor_interrupted')
    expect(vendor.executions('counter_increment')).toBe(before + 1)
    // The facade recovers for the next call.
    expect((await facade.call('/tools/echo', { method: 'POST', json: { message: 'ok' } })).status).toBe(200)
  })

  it('reports isError results in the envelope by default', async () => {
    const body = await jsonOf(await facade.call('/tools/fail_tool', { method: 'POST', json: {} }))
    expect(body.isError).toBe(true)
    expect(body.text.length).toBeGreaterThan(0)
  })

  it('answers 502 vendor_bad_output when the vendor breaks its own output schema', async () => {
    const res = await facade.call('/tools/bad_output', { method: 'POST', json: {} })
    expect(res.status).toBe(502)
    const body = await jsonOf(res)
    expect(body.code).toBe('vendor_bad_output')
    expect(body.errors[0].pointer).toBe('/n')
  })

  it('handles many concurrent calls on one caller session', async () => {
    const { sessionId } = await jsonOf(await facade.call('/sessions', { method: 'POST' }))
    const results = await Promise.all(
      Array.from({ length: 40 }, () => facade.call('/tools/counter_increment', { method: 'POST', json: {}, headers: { 'X-Session-Id': sessionId } })),
    )
    expect(results.every((r) => r.status === 200)).toBe(true)
    const body = await jsonOf(await facade.call('/tools/counter_get', { method: 'POST', json: {}, headers: { 'X-Session-Id': sessionId } }))
    expect(body.data).toMatchObject({ value: 40 })
  })
})
