/**
 * Self-tests of the fixture vendors and the demo vendor, driven by the official v2 client directly, so that
 * integration tests can trust what the fixtures do (and the facade is not needed to prove it).
 */
import { isDeepStrictEqual } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  Client,
  ClientCredentialsProvider,
  PrivateKeyJwtProvider,
  ProtocolError,
  SdkError,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type ClientOptions,
  type StreamableHTTPClientTransportOptions,
} from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { startDemoVendor } from '../../src/demo/vendor.js'
import { AWKWARD_TOOLS, startAwkwardVendor } from '../fixtures/awkward-vendor.js'
import { startLegacySseVendor } from '../fixtures/legacy-sse-vendor.js'
import { startModernVendor } from '../fixtures/modern-vendor.js'
import { generateClientKeyPair, startOAuthTokenServer } from '../fixtures/oauth-server.js'
import { startSessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startStatelessVendor } from '../fixtures/stateless-vendor.js'
import { stdioVendorCommand } from '../fixtures/stdio-vendor.js'

const FIXTURE_TOOLS = ['echo', 'counter_increment', 'counter_get', 'whoami', 'slow', 'poll_answer', 'fail_tool', 'bad_output']

/** Cleanups run after each test in reverse order, so clients close before their vendors. */
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
})

function track<T extends { close(): Promise<unknown> }>(resource: T): T {
  cleanups.push(() => resource.close())
  return resource
}

async function connectHttp(
  url: string,
  options: { client?: ClientOptions; transport?: StreamableHTTPClientTransportOptions } = {},
) {
  const client = track(new Client({ name: 'fixture-selftest', version: '1.0.0' }, options.client))
  const transport = new StreamableHTTPClientTransport(new URL(url), options.transport)
  await client.connect(transport)
  return { client, transport }
}

async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const textOf = (result: { content?: unknown }) => (result.content as Array<{ type: string; text?: string }>)[0]?.text

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

const rawPost = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  })

describe('sessionful vendor', () => {
  it('serves the fixture tools per session and reports what it received', async () => {
    const vendor = track(await startSessionfulVendor())
    const { client, transport } = await connectHttp(vendor.url, {
      transport: { requestInit: { headers: { authorization: 'Bearer abc', 'x-api-key': 'k1', 'x-tenant': 't1' } } },
    })
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(FIXTURE_TOOLS)

    const echo = await client.callTool({ name: 'echo', arguments: { message: 'hi' } })
    expect(textOf(echo)).toBe('Echo: hi')
    expect(echo.structuredContent).toEqual({ message: 'hi' })
    expect(vendor.executions('echo')).toBe(1)

    const who = await client.callTool({ name: 'whoami', arguments: {} })
    expect(who.structuredContent).toMatchObject({
      authorization: 'Bearer abc',
      'x-api-key': 'k1',
      'x-tenant': 't1',
      sessionId: transport.sessionId,
      host: new URL(vendor.url).host,
    })
    expect(JSON.parse(textOf(who)!)).toEqual(who.structuredContent)

    // Counters are per session: a second session starts from zero.
    await client.callTool({ name: 'counter_increment', arguments: {} })
    await client.callTool({ name: 'counter_increment', arguments: { by: 2 } })
    const second = await connectHttp(vendor.url)
    expect((await second.client.callTool({ name: 'counter_get', arguments: {} })).structuredContent).toEqual({ value: 0 })
    expect((await client.callTool({ name: 'counter_get', arguments: {} })).structuredContent).toEqual({ value: 3 })
    expect(vendor.sessionCount()).toBe(2)
    expect(vendor.initializeCount()).toBe(2)
    expect(vendor.seenAuthorizations()).toContainEqual({ sessionId: transport.sessionId, authorization: 'Bearer abc' })

    const progress: number[] = []
    const slow = await client.callTool({ name: 'slow', arguments: { ms: 250 } }, { onprogress: (p) => progress.push(p.progress) })
    expect(textOf(slow)).toBe('Slept 250 ms')
    expect(progress.length).toBeGreaterThanOrEqual(2)

    expect((await client.callTool({ name: 'fail_tool', arguments: {} })).isError).toBe(true)
    const bad = await rejection(client.callTool({ name: 'bad_output', arguments: {} }))
    expect(bad).toBeInstanceOf(ProtocolError)
    expect((bad as ProtocolError).code).toBe(-32602)
    expect(vendor.executions('bad_output')).toBe(1)
  })

  it('answers 404 -32001 after expireAllSessions (and keeps failing on the stale id)', async () => {
    const vendor = track(await startSessionfulVendor())
    const { client, transport } = await connectHttp(vendor.url)
    await vendor.expireAllSessions()
    expect(vendor.sessionCount()).toBe(0)
    for (let i = 0; i < 2; i++) {
      const error = await rejection(client.callTool({ name: 'echo', arguments: { message: 'x' } }))
      expect(error).toBeInstanceOf(SdkHttpError)
      expect(error).toMatchObject({ status: 404, code: 'CLIENT_HTTP_NOT_IMPLEMENTED' })
      expect((error as SdkHttpError).message).toContain('"code":-32001')
    }
    expect(transport.sessionId).toBeDefined()
    expect(vendor.executions('echo')).toBe(0)
  })

  it('can mimic server-everything: 400 "No valid session ID provided"', async () => {
    const vendor = track(await startSessionfulVendor({ sessionLostStatus: 400 }))
    const { client } = await connectHttp(vendor.url)
    await vendor.expireAllSessions()
    const error = await rejection(client.callTool({ name: 'echo', arguments: { message: 'x' } }))
    expect(error).toMatchObject({ status: 400 })
    expect(String((error as Error).message)).toContain('Bad Request: No valid session ID provided')
  })

  it('dropNextCall executes the handler, then resets the connection instead of answering', async () => {
    const vendor = track(await startSessionfulVendor())
    const { client } = await connectHttp(vendor.url)
    vendor.dropNextCall('echo')
    const error = await rejection(client.callTool({ name: 'echo', arguments: { message: 'lost' } }))
    // The raw undici failure escapes the SDK unwrapped.
    expect(error).toBeInstanceOf(TypeError)
    expect((error as TypeError & { cause?: { code?: string } }).cause?.code).toBe('UND_ERR_SOCKET')
    expect(vendor.executions('echo')).toBe(1)
    // One-shot: the session survives and the next call is answered.
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'ok' } }))).toBe('Echo: ok')
    expect(vendor.executions('echo')).toBe(2)

    vendor.dropNextCall('echo', 'mid-stream')
    const timeout = await rejection(client.callTool({ name: 'echo', arguments: { message: 'lost' } }, { timeout: 800 }))
    expect(timeout).toBeInstanceOf(SdkError)
    expect((timeout as SdkError).code).toBe('REQUEST_TIMEOUT')
    expect(vendor.executions('echo')).toBe(3)
  })

  it('addTool sends tools/list_changed on the standalone GET stream', async () => {
    const vendor = track(await startSessionfulVendor())
    let resolveChanged: (names: string[]) => void = () => undefined
    const changed = new Promise<string[]>((resolve) => (resolveChanged = resolve))
    const { client } = await connectHttp(vendor.url, {
      client: { listChanged: { tools: { debounceMs: 10, onChanged: (_err, tools) => tools && resolveChanged(tools.map((t) => t.name)) } } },
    })
    await client.listTools()
    await until(() => vendor.openStreamCount() === 1)
    vendor.addTool('late_tool')
    expect(await changed).toEqual([...FIXTURE_TOOLS, 'late_tool'])
    vendor.removeTool('echo')
    expect(vendor.toolNames()).not.toContain('echo')
  })

  it('records DELETE terminations', async () => {
    const vendor = track(await startSessionfulVendor())
    const { transport } = await connectHttp(vendor.url)
    const id = transport.sessionId!
    await transport.terminateSession()
    expect(vendor.terminatedSessions()).toEqual([id])
    expect(vendor.sessionCount()).toBe(0)
    const response = await rawPost(vendor.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-session-id': id })
    expect(response.status).toBe(404)
  })

  it('paginates big catalogs with cursors', async () => {
    const vendor = track(await startSessionfulVendor({ pageSize: 4, toolCount: 10 }))
    const { client } = await connectHttp(vendor.url)
    const page = await client.request({ method: 'tools/list', params: {} })
    expect(page.tools).toHaveLength(4)
    expect(page.nextCursor).toEqual(expect.any(String))
    expect((await client.listTools({ cursor: page.nextCursor! })).tools.map((t) => t.name)).toEqual(['slow', 'poll_answer', 'fail_tool', 'bad_output'])
    const all = await client.listTools()
    expect(all.tools).toHaveLength(18)
    expect(all.tools.at(-1)?.name).toBe('tool_0010')
    expect(vendor.requests().filter((r) => r.rpcMethod === 'tools/list').length).toBeGreaterThanOrEqual(5)
  })

  it('requireBearer answers 401 with WWW-Authenticate when the token is missing or wrong', async () => {
    const vendor = track(await startSessionfulVendor({ requireBearer: 'good' }))
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }
    const missing = await rawPost(vendor.url, init)
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /)
    const error = await rejection(connectHttp(vendor.url, { transport: { requestInit: { headers: { authorization: 'Bearer bad' } } } }))
    expect(error).toMatchObject({ status: 401 })
    const { client } = await connectHttp(vendor.url, { transport: { requestInit: { headers: { authorization: 'Bearer good' } } } })
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'in' } }))).toBe('Echo: in')
  })
})

describe('stateless 2025 vendor', () => {
  it('never issues a session id, answers GET with 405 and keys counters by handle', async () => {
    const vendor = track(await startStatelessVendor())
    const { client, transport } = await connectHttp(vendor.url)
    expect(transport.sessionId).toBeUndefined()
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 's' } }))).toBe('Echo: s')
    const first = (await client.callTool({ name: 'counter_increment', arguments: {} })).structuredContent as { counterId: string; value: number }
    expect(first.value).toBe(1)
    const again = await client.callTool({ name: 'counter_increment', arguments: { counterId: first.counterId } })
    expect(again.structuredContent).toEqual({ counterId: first.counterId, value: 2 })
    expect((await fetch(vendor.url, { headers: { accept: 'text/event-stream' } })).status).toBe(405)
    expect((await fetch(vendor.url, { method: 'DELETE' })).status).toBe(405)
    expect(vendor.requests().every((r) => r.sessionId === null)).toBe(true)
  })
})

describe('2026-07-28 vendor', () => {
  it('negotiates the modern era with versionNegotiation auto', async () => {
    const vendor = track(await startModernVendor())
    const { client } = await connectHttp(vendor.url, { client: { versionNegotiation: { mode: 'auto' } } })
    expect(client.getProtocolEra()).toBe('modern')
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28')
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(FIXTURE_TOOLS)
    const echo = await client.callTool({ name: 'echo', arguments: { message: 'm' } })
    expect(textOf(echo)).toBe('Echo: m')
    expect(vendor.executions('echo')).toBe(1)
    const call = vendor.requests().find((r) => r.toolName === 'echo')
    expect(call).toMatchObject({ mcpMethod: 'tools/call', mcpName: 'echo', protocolVersion: '2026-07-28', sessionId: null })
    expect(vendor.requests()[0]?.rpcMethod).toBe('server/discover')
  })

  it('legacy: reject refuses a 2025 client with 400 -32022; legacy: stateless serves it', async () => {
    const strict = track(await startModernVendor())
    const error = await rejection(connectHttp(strict.url))
    expect(error).toMatchObject({ status: 400 })
    expect((error as Error).message).toContain('-32022')

    const lenient = track(await startModernVendor({ legacy: 'stateless' }))
    const { client } = await connectHttp(lenient.url)
    expect(client.getProtocolEra()).toBe('legacy')
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'old' } }))).toBe('Echo: old')
  })
})

describe('legacy HTTP+SSE vendor', () => {
  it('rejects a Streamable HTTP POST with 405, then serves SSEClientTransport', async () => {
    const vendor = track(await startLegacySseVendor())
    const probe = await rejection(connectHttp(vendor.url))
    expect(probe).toBeInstanceOf(SdkHttpError)
    expect((probe as SdkHttpError).status).toBe(405)

    const client = track(new Client({ name: 'fixture-selftest', version: '1.0.0' }))
    await client.connect(new SSEClientTransport(new URL(vendor.url), { requestInit: { headers: { 'x-api-key': 'sse-key' } } }))
    expect(vendor.sessionCount()).toBe(1)
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(FIXTURE_TOOLS)
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'sse' } }))).toBe('Echo: sse')
    const who = (await client.callTool({ name: 'whoami', arguments: {} })).structuredContent as Record<string, unknown>
    expect(who['x-api-key']).toBe('sse-key')
    expect(who.sessionId).toEqual(expect.any(String))
    expect(vendor.executions('echo')).toBe(1)
  })
})

describe('stdio vendor', () => {
  it('runs as a child process and exposes executions through the stats tool', async () => {
    const client = track(new Client({ name: 'fixture-selftest', version: '1.0.0' }))
    const transport = new StdioClientTransport({ ...stdioVendorCommand(), cwd: '/', stderr: 'pipe' })
    await client.connect(transport)
    expect(transport.pid).toEqual(expect.any(Number))
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual([...FIXTURE_TOOLS, 'stats'])
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'pipe' } }))).toBe('Echo: pipe')
    await client.callTool({ name: 'counter_increment', arguments: {} })
    expect((await client.callTool({ name: 'counter_increment', arguments: {} })).structuredContent).toEqual({ value: 2 })
    const stats = (await client.callTool({ name: 'stats', arguments: {} })).structuredContent as { executions: Record<string, number> }
    expect(stats.executions).toMatchObject({ echo: 1, counter_increment: 2 })
  })
})

describe('OAuth token server + sessionful vendor', () => {
  it('works with ClientCredentialsProvider (client_secret_basic) and refreshes after expiry', async () => {
    const oauth = track(await startOAuthTokenServer({ clients: [{ clientId: 'svc', clientSecret: 's3:cret x' }], tokenTtlSeconds: 0.5 }))
    const vendor = track(await startSessionfulVendor({ requireBearer: (t) => oauth.isValid(t), authorizationServerUrl: oauth.url }))
    const provider = new ClientCredentialsProvider({ clientId: 'svc', clientSecret: 's3:cret x', expectedIssuer: oauth.url })
    const { client } = await connectHttp(vendor.url, { transport: { authProvider: provider } })
    const first = (await client.callTool({ name: 'whoami', arguments: {} })).structuredContent as { authorization: string }
    expect(oauth.isValid(first.authorization.replace('Bearer ', ''))).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 600))
    const second = (await client.callTool({ name: 'whoami', arguments: {} })).structuredContent as { authorization: string }
    expect(second.authorization).not.toBe(first.authorization)
    expect(oauth.issuedTokens().map((t) => [t.clientId, t.authMethod, t.resource])).toEqual([
      ['svc', 'client_secret_basic', vendor.url],
      ['svc', 'client_secret_basic', vendor.url],
    ])
  })

  it('works with PrivateKeyJwtProvider (private_key_jwt, ES256) and rejects a wrong secret', async () => {
    const keys = generateClientKeyPair('ES256')
    const oauth = track(await startOAuthTokenServer({ clients: [{ clientId: 'jwt-svc', publicKey: keys.publicKeyPem }, { clientId: 'svc', clientSecret: 'right' }] }))
    const vendor = track(await startSessionfulVendor({ requireBearer: (t) => oauth.isValid(t), authorizationServerUrl: oauth.url }))
    const provider = new PrivateKeyJwtProvider({ clientId: 'jwt-svc', privateKey: keys.privateKeyPem, algorithm: 'ES256', expectedIssuer: oauth.url })
    const { client } = await connectHttp(vendor.url, { transport: { authProvider: provider } })
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'jwt' } }))).toBe('Echo: jwt')
    expect(oauth.issuedTokens()[0]).toMatchObject({ clientId: 'jwt-svc', authMethod: 'private_key_jwt' })

    const wrong = new ClientCredentialsProvider({ clientId: 'svc', clientSecret: 'wrong', expectedIssuer: oauth.url })
    await expect(connectHttp(vendor.url, { transport: { authProvider: wrong } })).rejects.toThrow()
    expect(oauth.rejectedRequests()).toContainEqual(expect.objectContaining({ error: 'invalid_client' }))
  })
})

describe('awkward vendor', () => {
  it('sends its hand-written schemas verbatim and echoes what it received', async () => {
    const vendor = track(await startAwkwardVendor())
    const { client } = await connectHttp(vendor.url)
    const raw = await client.request(
      { method: 'tools/list', params: {} },
      z.looseObject({ tools: z.array(z.looseObject({ name: z.string() })) }),
    )
    expect(isDeepStrictEqual(raw.tools, AWKWARD_TOOLS)).toBe(true)
    const args = { filters: [{ field: 'email', op: 'contains', value: '@x.io' }], cursor: null }
    const result = await client.callTool({ name: 'crm.contacts.search', arguments: args })
    expect(JSON.parse(textOf(result)!)).toEqual({ name: 'crm.contacts.search', arguments: args })
    await client.callTool({ name: 'météo', arguments: { ville: 'Zürich' } })
    expect(vendor.calls().map((c) => c.name)).toEqual(['crm.contacts.search', 'météo'])
  })
})

describe('demo vendor', () => {
  const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }
  const list = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }

  it('answers 403 without the session header and 404 for an unknown id', async () => {
    const demo = track(await startDemoVendor())
    const noHeader = await rawPost(demo.url, list)
    expect(noHeader.status).toBe(403)
    expect(await noHeader.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 }, id: null })
    expect((await fetch(demo.url, { headers: { accept: 'text/event-stream' } })).status).toBe(403)
    const unknown = await rawPost(demo.url, list, { 'mcp-session-id': 'no-such-session' })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null })
    const init = await rawPost(demo.url, initialize)
    expect(init.status).toBe(200)
    expect(init.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/)
    await init.body?.cancel()
  })

  it('serves every tool, the resources and the prompt', async () => {
    const demo = track(await startDemoVendor())
    const { client } = await connectHttp(demo.url)
    expect(client.getServerCapabilities()?.tools?.listChanged).toBe(true)
    const tools = (await client.listTools()).tools
    expect(tools.map((t) => t.name).sort()).toEqual(
      ['cart_add', 'cart_clear', 'cart_view', 'confirm_action', 'create_order', 'divide', 'get_weather', 'slow_count', 'tiny_image'],
    )
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy()
      expect(tool.description, tool.name).toBeTruthy()
      expect(tool.annotations, tool.name).toBeDefined()
    }
    const createOrder = tools.find((t) => t.name === 'create_order')!
    expect(createOrder.inputSchema).toMatchObject({ $defs: { address: expect.any(Object) }, properties: { shippingAddress: { $ref: '#/$defs/address' } } })

    const weather = await client.callTool({ name: 'get_weather', arguments: { city: 'Paris', units: 'imperial' } })
    expect(weather.structuredContent).toMatchObject({ city: 'Paris', units: 'imperial', temperature: expect.any(Number) })
    expect(JSON.parse(textOf(weather)!)).toEqual(weather.structuredContent)

    await client.callTool({ name: 'cart_add', arguments: { sku: 'BOOK-42', quantity: 2 } })
    await client.callTool({ name: 'cart_add', arguments: { sku: 'PEN-1' } })
    expect((await client.callTool({ name: 'cart_view', arguments: {} })).structuredContent).toEqual({
      items: [{ sku: 'BOOK-42', quantity: 2 }, { sku: 'PEN-1', quantity: 1 }],
      total: 3,
    })
    expect((await client.callTool({ name: 'cart_clear', arguments: {} })).structuredContent).toEqual({ items: [], total: 0 })

    expect((await client.callTool({ name: 'divide', arguments: { a: 1, b: 4 } })).structuredContent).toEqual({ result: 0.25 })
    const byZero = await client.callTool({ name: 'divide', arguments: { a: 1, b: 0 } })
    expect(byZero.isError).toBe(true)
    expect(textOf(byZero)).toMatch(/zero/i)

    const progress: number[] = []
    const counted = await client.callTool({ name: 'slow_count', arguments: { steps: 3, delayMs: 10 } }, { onprogress: (p) => progress.push(p.progress) })
    expect(counted.structuredContent).toEqual({ count: 3 })
    expect(progress).toEqual([1, 2, 3])

    const image = await client.callTool({ name: 'tiny_image', arguments: {} })
    const [imageBlock, caption] = image.content as Array<{ type: string; data?: string; mimeType?: string }>
    expect(imageBlock).toMatchObject({ type: 'image', mimeType: 'image/png' })
    expect(Buffer.from(imageBlock!.data!, 'base64').subarray(1, 4).toString()).toBe('PNG')
    expect(caption?.type).toBe('text')

    const address = { name: 'Ada', street: '1 rue X', city: 'Paris', postalCode: '75001', country: 'FR' }
    const order = await client.callTool({
      name: 'create_order',
      arguments: { customerEmail: 'ada@example.com', priority: 'high', items: [{ sku: 'BOOK-42', quantity: 2, unitPrice: 30, options: { giftWrap: true } }], shippingAddress: address },
    })
    const confirmation = order.structuredContent as { orderId: string; total: number; billTo: unknown }
    expect(confirmation).toMatchObject({ status: 'confirmed', priority: 'high', itemCount: 2, total: 60, billTo: { city: 'Paris', country: 'FR' } })
    const invalid = await client.callTool({ name: 'create_order', arguments: { customerEmail: 'nope', items: [], shippingAddress: address } })
    expect(invalid.isError).toBe(true)
    expect(textOf(invalid)).toContain('email')

    const readme = await client.readResource({ uri: 'demo://readme' })
    expect((readme.contents[0] as { text: string }).text).toContain('Demo vendor')
    const stored = await client.readResource({ uri: `demo://orders/${confirmation.orderId}` })
    expect(JSON.parse((stored.contents[0] as { text: string }).text)).toMatchObject({ orderId: confirmation.orderId })
    expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(['demo://orders/{id}'])
    const prompt = await client.getPrompt({ name: 'summarize', arguments: { topic: 'MCP sessions' } })
    expect(JSON.stringify(prompt.messages)).toContain('MCP sessions')
  })

  it('ends sessions on DELETE and after the idle time', async () => {
    const demo = track(await startDemoVendor({ sessionIdleMs: 300 }))
    const { transport } = await connectHttp(demo.url)
    const id = transport.sessionId!
    await transport.terminateSession()
    expect((await rawPost(demo.url, list, { 'mcp-session-id': id })).status).toBe(404)

    const { client } = await connectHttp(demo.url)
    expect(demo.sessionCount()).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 400))
    const error = await rejection(client.callTool({ name: 'cart_view', arguments: {} }))
    expect(error).toMatchObject({ status: 404 })
    expect(demo.sessionCount()).toBe(0)
  })
})
