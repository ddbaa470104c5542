/**
 * The MCP endpoint's Copilot-safe tool listing (against the awkward-schema vendor) and its auth rules
 * (apiKey: 401 + WWW-Authenticate, two credentials never share vendor state; passthrough forwards).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AWKWARD_TOOLS, startAwkwardVendor, type AwkwardVendor } from '../fixtures/awkward-vendor.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'
import { connectCaller, postRpc, textOf } from './mcp-client.js'

const KEY_A = 'key-aaaaaaaaaaaaaaaaaaaa'
const KEY_B = 'key-bbbbbbbbbbbbbbbbbbbb'

/** Every `$ref`, type array and numeric exclusive bound left anywhere in a schema. */
function copilotViolations(node: unknown, path = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => copilotViolations(n, `${path}/${i}`))
  if (!node || typeof node !== 'object') return []
  const out: string[] = []
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref') out.push(`${path}: $ref`)
    if (k === 'type' && Array.isArray(v)) out.push(`${path}: type array`)
    if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v === 'number') out.push(`${path}: numeric ${k}`)
    if (['anyOf', 'oneOf', '$defs', 'definitions', 'const'].includes(k)) out.push(`${path}: ${k}`)
    out.push(...copilotViolations(v, `${path}/${k}`))
  }
  return out
}

describe('Copilot-safe tool listing', () => {
  let vendor: AwkwardVendor
  let facade: TestFacade
  let plain: TestFacade

  beforeAll(async () => {
    vendor = await startAwkwardVendor()
    facade = await startTestFacade({ default: { url: vendor.url } })
    plain = await startTestFacade({ default: { url: vendor.url, mcpEndpoint: { copilotSafeSchemas: false } } })
  })
  afterAll(async () => {
    await facade?.close()
    await plain?.close()
    await vendor?.close()
  })

  it('lists $ref / type-array / exclusive-bound tools in the Copilot-safe form, losses kept in descriptions', async () => {
    const caller = await connectCaller(`${facade.url}/mcp`, 'modern')
    try {
      const { tools } = await caller.client.listTools()
      expect(tools.map((t) => t.name).sort()).toEqual(AWKWARD_TOOLS.map((t) => t.name).sort())
      for (const tool of tools) expect({ tool: tool.name, violations: copilotViolations(tool.inputSchema) }).toEqual({ tool: tool.name, violations: [] })
      const tree = tools.find((t) => t.name === 'tree.insert')!
      const root = (tree.inputSchema.properties as Record<string, any>).root
      expect(root.type).toBe('object')
      expect(root.properties.label.type).toBe('string') // ["string","null"] collapsed
      const files = tools.find((t) => t.name === 'files/read')!
      const encoding = (files.inputSchema.properties as Record<string, any>).encoding
      expect(encoding.enum).toEqual(['utf-8', 'base64', 'latin1']) // $ref inlined
      expect(encoding.description).toContain('Allowed values: "utf-8", "base64", "latin1".')
      const weight = ((tools.find((t) => t.name === 'network.configure')!.inputSchema.properties as Record<string, any>).weight)
      expect(weight).toMatchObject({ minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true })
      expect(JSON.stringify(tools)).not.toContain('x-ms-')
    } finally {
      await caller.close()
    }
  })

  it('validates calls against the ORIGINAL schema (what the safe form cannot express is still enforced)', async () => {
    const caller = await connectCaller(`${facade.url}/mcp`, 'legacy')
    try {
      const before = vendor.calls().length
      // weight must be > 0 (exclusive) in the vendor schema; version is const 2
      const bad = await caller.client.callTool({ name: 'network.configure', arguments: { host: 'h', version: 2, weight: 0 } })
      expect(bad.isError).toBe(true)
      expect(textOf(bad)).toContain('/weight')
      const badRef = await caller.client.callTool({ name: 'files/read', arguments: { path: 'a', encoding: 'utf-16' } })
      expect(badRef.isError).toBe(true)
      expect(textOf(badRef)).toContain('/encoding')
      expect(vendor.calls().length).toBe(before)
      const good = await caller.client.callTool({ name: 'tree.insert', arguments: { root: { id: 'r', label: null, children: [{ id: 'c' }] } } })
      expect(good.isError).toBeFalsy()
      expect(vendor.calls().at(-1)).toEqual({ name: 'tree.insert', arguments: { root: { id: 'r', label: null, children: [{ id: 'c' }] } } })
      // null on an optional, non-nullable argument means absent (the vendor gets it left out); "" is a value.
      const unset = await caller.client.callTool({ name: 'files/read', arguments: { path: 'a', encoding: null } })
      expect(unset.isError).toBeFalsy()
      expect(vendor.calls().at(-1)).toEqual({ name: 'files/read', arguments: { path: 'a' } })
      const empty = await caller.client.callTool({ name: 'files/read', arguments: { path: 'a', encoding: '' } })
      expect(empty.isError).toBe(true)
    } finally {
      await caller.close()
    }
  })

  it('the switch off lists the vendor schemas unchanged', async () => {
    const caller = await connectCaller(`${plain.url}/mcp`, 'modern')
    try {
      const { tools } = await caller.client.listTools()
      const tree = tools.find((t) => t.name === 'tree.insert')!
      expect(tree.inputSchema).toEqual(AWKWARD_TOOLS.find((t) => t.name === 'tree.insert')!.inputSchema)
    } finally {
      await caller.close()
    }
  })
})

describe('MCP endpoint auth', () => {
  let vendor: SessionfulVendor
  let keyed: TestFacade
  let passthrough: TestFacade

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    keyed = await startTestFacade({ default: { url: vendor.url, auth: { mode: 'apiKey', keys: [KEY_A, KEY_B] } } })
    passthrough = await startTestFacade({ default: { url: vendor.url, auth: { mode: 'passthrough', header: 'Authorization' } } })
  })
  afterAll(async () => {
    await keyed?.close()
    await passthrough?.close()
    await vendor?.close()
  })

  it('401 problem with WWW-Authenticate when the credential is missing', async () => {
    const res = await postRpc(`${keyed.url}/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/list' })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('ApiKey')
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect((await jsonOf(res)).code).toBe('unauthorized')
    await expect(connectCaller(`${keyed.url}/mcp`, 'legacy')).rejects.toThrow()
  })

  it('two credentials never share vendor state, and a session id means nothing under another credential', async () => {
    const a = await connectCaller(`${keyed.url}/mcp`, 'legacy', { headers: { 'X-API-Key': KEY_A } })
    try {
      await a.client.callTool({ name: 'counter_increment', arguments: { by: 7 } })
      // B presents A's session id: it gets a fresh session of its own, not A's counter
      const b = await connectCaller(`${keyed.url}/mcp`, 'legacy', { headers: { 'X-API-Key': KEY_B }, sessionId: a.transport.sessionId! })
      try {
        expect((await b.client.callTool({ name: 'counter_get', arguments: {} })).structuredContent).toEqual({ value: 0 })
      } finally {
        await b.close()
      }
      expect((await a.client.callTool({ name: 'counter_get', arguments: {} })).structuredContent).toEqual({ value: 7 })
      // 2026-07-28 callers (pooled per identity) are apart too
      const ma = await connectCaller(`${keyed.url}/mcp`, 'modern', { headers: { 'X-API-Key': KEY_A } })
      const mb = await connectCaller(`${keyed.url}/mcp`, 'modern', { headers: { 'X-API-Key': KEY_B } })
      await ma.client.callTool({ name: 'counter_increment', arguments: { by: 4 } })
      expect((await mb.client.callTool({ name: 'counter_get', arguments: {} })).structuredContent).toEqual({ value: 0 })
      expect((await ma.client.callTool({ name: 'counter_get', arguments: {} })).structuredContent).toEqual({ value: 4 })
      await ma.close()
      await mb.close()
    } finally {
      await a.close()
    }
  })

  it('passthrough forwards the caller credential to the vendor', async () => {
    const caller = await connectCaller(`${passthrough.url}/mcp`, 'legacy', { headers: { Authorization: 'Bearer caller-token-1' } })
    try {
      const who = await caller.client.callTool({ name: 'whoami', arguments: {} })
      expect((who.structuredContent as Record<string, unknown>).authorization).toBe('Bearer caller-token-1')
    } finally {
      await caller.close()
    }
    const res = await postRpc(`${passthrough.url}/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/list' })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBeTruthy()
  })
})
