/**
 * The connector end to end: the generated Swagger 2.0 document passes swagger-parser and our rulebook checker,
 * and requests built exactly as a connector builds them from that document (path, header parameters with their
 * defaults, body) work, including the session input, the generic InvokeTool, and the 202 polling path.
 * Also: the committed `openapi/` export for the demo vendor matches the generator.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SwaggerParser from '@apidevtools/swagger-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigSchema } from '../../src/config/schema.js'
import { writeConnectorFolder } from '../../src/connector/export.js'
import { startDemoVendor } from '../../src/demo/vendor.js'
import { createLogger } from '../../src/log.js'
import { createRuntimes } from '../../src/runtime/create-runtimes.js'
import { checkConnectorDocument } from '../../src/swagger/checker.js'
import { startAwkwardVendor } from '../fixtures/awkward-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const PUBLIC = 'https://facade.example.com'

type Op = { operationId: string; parameters?: Array<Record<string, any>>; 'x-mcp-tool'?: string }

/** Finds an operation in the document, with shared parameters (`#/parameters/X`) resolved as a connector does. */
function findOp(doc: any, pick: (op: Op, path: string, method: string) => boolean): { path: string; method: string; op: Op } {
  const resolve = (p: Record<string, any>) => (p.$ref ? doc.parameters[p.$ref.slice('#/parameters/'.length)] : p)
  for (const [path, item] of Object.entries<any>(doc.paths))
    for (const [method, raw] of Object.entries<any>(item)) {
      const op = { ...raw, parameters: raw.parameters?.map(resolve) }
      if (pick(op, path, method)) return { path, method, op }
    }
  throw new Error('operation not found')
}

/** Builds the request a connector sends for an operation: header defaults, path values, JSON body. */
function connectorRequest(f: TestFacade, doc: any, found: { path: string; method: string; op: Op }, values: { path?: Record<string, string>; headers?: Record<string, string>; body?: unknown }) {
  const headers: Record<string, string> = {}
  for (const p of found.op.parameters ?? []) {
    if (p.in === 'header' && values.headers?.[p.name] !== undefined) headers[p.name] = values.headers[p.name]!
    else if (p.in === 'header' && p.required && p.default !== undefined) headers[p.name] = String(p.default)
  }
  let path = found.path
  for (const [k, v] of Object.entries(values.path ?? {})) path = path.replace(`{${k}}`, encodeURIComponent(v))
  const base = doc.basePath === '/' ? '' : doc.basePath
  const init: RequestInit = { method: found.method.toUpperCase(), headers }
  if (values.body !== undefined) {
    headers['content-type'] = doc.consumes[0]
    init.body = JSON.stringify(values.body)
  }
  return fetch(f.url + base + path, init)
}

describe('connector end to end (demo vendor)', () => {
  let demo: Awaited<ReturnType<typeof startDemoVendor>>
  let f: TestFacade
  let doc: any
  beforeAll(async () => {
    demo = await startDemoVendor()
    f = await startTestFacade({ default: { url: demo.url, async: { thresholdMs: 300, retryAfterSeconds: 1 } } }, { publicUrl: PUBLIC })
    doc = await jsonOf(await f.call('/swagger.json'))
  })
  afterAll(async () => {
    await f?.close()
    await demo?.close()
  })

  it('is valid Swagger 2.0 and passes the rulebook checker with zero errors', async () => {
    await SwaggerParser.validate(structuredClone(doc) as never)
    const errors = checkConnectorDocument(doc).filter((v) => v.severity === 'error')
    expect(errors).toEqual([])
    expect(doc.host).toBe('facade.example.com')
    expect(doc.schemes).toEqual(['https'])
  })

  it('drives a typed tool operation with the session input', async () => {
    const create = findOp(doc, (op) => op.operationId === 'CreateSession')
    const { sessionId } = await jsonOf(await connectorRequest(f, doc, create, {}))
    const add = findOp(doc, (op) => op['x-mcp-tool'] === 'cart_add')
    expect(add.op.parameters!.some((p) => p.name === 'X-Session-Id' && p.in === 'header')).toBe(true)
    const added = await connectorRequest(f, doc, add, { headers: { 'X-Session-Id': sessionId }, body: { sku: 'ABC-1', quantity: 3 } })
    expect(added.status).toBe(200)
    const view = findOp(doc, (op) => op['x-mcp-tool'] === 'cart_view')
    const cart = await jsonOf(await connectorRequest(f, doc, view, { headers: { 'X-Session-Id': sessionId }, body: {} }))
    expect(cart.sessionId).toBe(sessionId)
    expect(cart.data.items[0]).toMatchObject({ sku: 'ABC-1', quantity: 3 })
    const end = findOp(doc, (op) => op.operationId === 'EndSession')
    expect((await connectorRequest(f, doc, end, { path: { sessionId } })).status).toBe(204)
  })

  it('reaches any tool through InvokeTool with design-time schemas', async () => {
    const list = findOp(doc, (op) => op.operationId === 'ListTools')
    const tools = await jsonOf(await connectorRequest(f, doc, list, {}))
    const weather = tools.tools.find((t: { name: string }) => t.name === 'get_weather')
    const inputOp = findOp(doc, (op) => op.operationId === 'GetToolInputSchema')
    const input = await jsonOf(await connectorRequest(f, doc, inputOp, { path: { tool: weather.name } }))
    expect(input.schema.properties.city.type).toBe('string')
    const invoke = findOp(doc, (op) => op.operationId === 'InvokeTool')
    const res = await jsonOf(await connectorRequest(f, doc, invoke, { path: { tool: weather.name }, body: { city: 'Oslo' } }))
    expect(res.data.city).toBe('Oslo')
  })

  it('follows the 202 + Location polling pattern for a long call', async () => {
    const slow = findOp(doc, (op) => op['x-mcp-tool'] === 'slow_count')
    expect(Object.keys((slow.op as any).responses)).toEqual(expect.arrayContaining(['200', '202']))
    const res = await connectorRequest(f, doc, slow, { body: { steps: 5, delayMs: 150 } })
    expect(res.status).toBe(202)
    const location = new URL(res.headers.get('location')!)
    expect(location.origin).toBe(PUBLIC)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    // The flow engine polls Location until a non-202 answer.
    let poll: Response
    for (;;) {
      poll = await fetch(f.url + location.pathname)
      if (poll.status !== 202) break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(poll.status).toBe(200)
    expect((await jsonOf(poll)).isError).toBe(false)
  })
})

describe('connector for awkward vendor schemas', () => {
  it('keeps every tool and maps renamed property names both ways', async () => {
    const vendor = await startAwkwardVendor()
    const f = await startTestFacade({ default: { url: vendor.url } }, { publicUrl: PUBLIC })
    try {
      const doc = await jsonOf(await f.call('/swagger.json'))
      await SwaggerParser.validate(structuredClone(doc) as never)
      expect(checkConnectorDocument(doc).filter((v) => v.severity === 'error')).toEqual([])
      const tools = new Set(Object.values<any>(doc.paths).flatMap((item) => Object.values<any>(item).map((op) => op['x-mcp-tool']).filter(Boolean)))
      for (const name of ['crm.contacts.search', 'files/read', 'tree.insert', 'network.configure', 'odd_properties', 'billing.invoice.create', 'météo', 'ListTools'])
        expect(tools.has(name)).toBe(true)
      const odd = findOp(doc, (op) => op['x-mcp-tool'] === 'odd_properties')
      const body = (odd.op.parameters!.find((p) => p.in === 'body') as any).schema
      const safeNames = Object.keys(body.properties)
      expect(safeNames.every((n) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(n))).toBe(true)
      // Fill the body with the connector's names; the vendor receives its own names.
      const args: Record<string, unknown> = {}
      for (const [safe, schema] of Object.entries<any>(body.properties)) args[safe] = schema.enum ? schema.enum[0] : schema.type === 'boolean' ? true : 'v'
      const res = await connectorRequest(f, doc, odd, { body: args })
      expect(res.status).toBe(200)
      expect(Object.keys(vendor.calls().at(-1)!.arguments!).sort()).toEqual(['@type', 'first name', 'path/to/file', 'user.name', 'x-custom'])
    } finally {
      await f.close()
      await vendor.close()
    }
  })
})

describe('committed demo export', () => {
  it('openapi/ matches the generator (run `npm run openapi:generate` after changing it)', async () => {
    const demo = await startDemoVendor()
    const config = ConfigSchema.parse({ publicUrl: 'https://mcp-rest-facade.example.com', servers: { default: { url: demo.url } } })
    const { runtimes, store } = await createRuntimes(config, createLogger('silent'))
    try {
      await runtimes[0]!.catalog.refresh()
      const dir = mkdtempSync(join(tmpdir(), 'mrf-export-'))
      writeConnectorFolder(runtimes[0]!, dir)
      const committed = join(import.meta.dirname, '../../openapi')
      // Both ways: a file the export stopped writing (or a new one not committed) is drift too.
      const written = readdirSync(dir).sort()
      expect(written.length).toBeGreaterThan(0)
      expect(readdirSync(committed).sort(), 'openapi/ holds other files than the export writes').toEqual(written)
      for (const file of written) expect(readFileSync(join(dir, file), 'utf8'), `openapi/${file} drifted`).toBe(readFileSync(join(committed, file), 'utf8'))
    } finally {
      await Promise.allSettled(runtimes.map((r) => r.shutdown(0)))
      await store.close()
      await demo.close()
    }
  })
})
