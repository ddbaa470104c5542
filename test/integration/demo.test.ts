/**
 * The built-in demo vendor behind the facade (what `npm start` runs): every tool reachable over REST.
 */
import SwaggerParser from '@apidevtools/swagger-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoVendor } from '../../src/demo/vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

describe('demo vendor through the facade', () => {
  let demo: Awaited<ReturnType<typeof startDemoVendor>>
  let f: TestFacade
  beforeAll(async () => {
    demo = await startDemoVendor()
    f = await startTestFacade({ default: { url: demo.url } })
  })
  afterAll(async () => {
    await f?.close()
    await demo?.close()
  })
  const post = (path: string, json: unknown, headers: Record<string, string> = {}) => f.call(path, { method: 'POST', json, headers })

  it('reaches every demo tool', async () => {
    const weather = await jsonOf(await post('/tools/get_weather', { city: 'Paris' }))
    expect(weather.data).toMatchObject({ city: 'Paris', temperature: expect.any(Number) })
    const { sessionId } = await jsonOf(await f.call('/sessions', { method: 'POST' }))
    const s = { 'X-Session-Id': sessionId }
    expect((await post('/tools/cart_add', { sku: 'ABC-1', quantity: 2 }, s)).status).toBe(200)
    const cart = await jsonOf(await post('/tools/cart_view', {}, s))
    expect(cart.data.items).toEqual([expect.objectContaining({ sku: 'ABC-1', quantity: 2 })])
    expect((await post('/tools/cart_clear', {}, s)).status).toBe(200)
    expect((await jsonOf(await post('/tools/divide', { a: 1, b: 0 }))).isError).toBe(true)
    expect((await jsonOf(await post('/tools/slow_count', { steps: 2, delayMs: 10 }))).isError).toBe(false)
    const image = await jsonOf(await post('/tools/tiny_image', {}))
    expect(image.content.some((b: { type: string }) => b.type === 'image')).toBe(true)
    const tools = await jsonOf(await f.call('/tools'))
    const order = tools.tools.find((t: { name: string }) => t.name === 'create_order')
    expect(JSON.stringify(order.inputSchema)).toContain('$ref')
    expect((await post('/tools/create_order', {})).status).toBe(400)
  })

  it('exposes resources and prompts as operations', async () => {
    const resources = await jsonOf(await f.call('/resources'))
    expect(resources.resources.length).toBeGreaterThan(0)
    const read = await jsonOf(await f.call(`/resources/read?uri=${encodeURIComponent(resources.resources[0].uri)}`))
    expect(read.contents.length).toBeGreaterThan(0)
    expect((await jsonOf(await f.call('/resources/templates'))).resourceTemplates.length).toBeGreaterThan(0)
    const prompts = await jsonOf(await f.call('/prompts'))
    const p = prompts.prompts[0]
    const rendered = await jsonOf(await post(`/prompts/${p.slug}`, { topic: 'sessions' }))
    expect(rendered.messages.length).toBeGreaterThan(0)
    expect((await post(`/prompts/${p.slug}`, {})).status).toBe(400)
  })

  it('serves the three documents and the health endpoints', async () => {
    expect((await f.call('/healthz')).status).toBe(200)
    expect((await jsonOf(await f.call('/readyz'))).status).toBe('ready')
    const oas = await jsonOf(await f.call('/openapi.json'))
    expect(oas.openapi).toBe('3.1.0')
    expect(oas.paths['/tools/get_weather'].post['x-mcp-tool']).toBe('get_weather')
    // A valid OpenAPI 3.1 document, $refs to relocated $defs included.
    await SwaggerParser.validate(structuredClone(oas) as never)
    expect(oas.components.schemas.CreateOrderInput).toBeDefined()
    // Prompt and resource reads run on a caller session: each declares X-Session-Id (and the sessionId query).
    const sessionParameter = (op: { parameters?: Array<{ $ref?: string; name?: string; in?: string }> }) =>
      (op.parameters ?? []).some((p) => p.$ref === '#/components/parameters/SessionId' || (p.in === 'header' && p.name?.toLowerCase() === 'x-session-id'))
    const promptPaths = Object.keys(oas.paths).filter((p) => p.startsWith('/prompts/'))
    expect(promptPaths.length).toBeGreaterThan(0)
    for (const path of [...promptPaths, '/resources/read']) {
      const op = oas.paths[path].post ?? oas.paths[path].get
      expect(sessionParameter(op), path).toBe(true)
      expect(op.responses['200'].headers, path).toHaveProperty('X-Session-Id')
    }
    const swagger = await jsonOf(await f.call('/swagger.json'))
    expect(swagger.swagger).toBe('2.0')
    const docs = await f.call('/docs')
    expect(docs.status).toBe(200)
    expect(await docs.text()).toContain('openapi.json')
  })
})

describe('demo vendor on the wire', () => {
  let demo: Awaited<ReturnType<typeof startDemoVendor>>
  beforeAll(async () => {
    demo = await startDemoVendor()
  })
  afterAll(async () => {
    await demo?.close()
  })
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
  const rpc = (body: string, extra: Record<string, string> = {}) => fetch(demo.url, { method: 'POST', headers: { ...headers, ...extra }, body })
  const errorOf = async (response: Response) => ((await response.json()) as { error: { code: number; message: string } }).error
  const initialize = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'wire-test', version: '1' } },
  })

  it('holds a session by its header and answers bodies it cannot take as the SDK does', async () => {
    const opened = await rpc(initialize)
    expect(opened.status).toBe(200)
    const sessionId = opened.headers.get('mcp-session-id')!
    expect(sessionId).toBeTruthy()
    await opened.text()
    const session = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }

    const listed = await rpc(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), session)
    expect(listed.status).toBe(200)
    expect(await listed.text()).toContain('get_weather')

    expect((await rpc(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }))).status).toBe(403)
    expect((await rpc(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' }), { 'mcp-session-id': 'nope' })).status).toBe(404)

    const unparsable = await rpc('{"jsonrpc": "2.0",', session)
    expect(unparsable.status).toBe(400)
    expect(await errorOf(unparsable)).toEqual({ code: -32700, message: 'Parse error: Invalid JSON' })

    const huge = await rpc(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list', params: { pad: 'x'.repeat(4 * 1024 * 1024) } }), session)
    expect(huge.status).toBe(413)
    expect((await errorOf(huge)).message).toMatch(/^Payload Too Large/)

    // The session survived the refused bodies; DELETE ends it.
    const again = await rpc(JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/list' }), session)
    expect(again.status).toBe(200)
    await again.text()
    expect((await fetch(demo.url, { method: 'DELETE', headers: session })).status).toBe(200)
    expect((await rpc(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }), session)).status).toBe(404)
  })
})
