/**
 * The contract test: every operation of the served documents, called for real (demo vendor in apiKey mode with
 * tool errors as problems, and the awkward fixture without inbound auth), with valid input, invalid input, no and
 * a wrong credential, an unknown session, and the async path; every answer is checked against the document that
 * describes it (OpenAPI 3.1, and Swagger 2.0 for the connector's operations) with Ajv on the documents' schemas.
 * Completeness is checked too: an operation the document declares but no scenario called fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoVendor } from '../../src/demo/vendor.js'
import { applyConnectorPropertyNames } from '../../src/swagger/property-restore.js'
import { startAwkwardVendor } from '../fixtures/awkward-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'
import { answerOf, OpenApiConformance, SwaggerConformance, type Answer } from './conformance.js'

const KEY = 'contract-test-key-0123456789'
const AUTH = { 'X-API-Key': KEY }

type Json = Record<string, any>

/** Valid arguments per tool name (vendor names). */
const DEMO_INPUTS: Record<string, Json> = {
  get_weather: { city: 'Paris' },
  cart_add: { sku: 'ABC-1', quantity: 1 },
  cart_view: {},
  cart_clear: {},
  divide: { a: 6, b: 3 },
  slow_count: { steps: 1, delayMs: 0 },
  confirm_action: { action: 'ship it' },
  tiny_image: {},
  create_order: {
    customerEmail: 'buyer@example.com',
    items: [{ sku: 'ABC-1', quantity: 1, unitPrice: 2.5 }],
    shippingAddress: { name: 'A', street: 'Main 1', city: 'Lyon', postalCode: '69001', country: 'FR' },
  },
}
const AWKWARD_INPUTS: Record<string, Json> = {
  'crm.contacts.search': { filters: [{ field: 'name', op: 'eq', value: 'x' }] },
  'files/read': { path: 'notes.txt' },
  'tree.insert': { root: { id: '1', children: [{ id: '2' }] } },
  'network.configure': { host: 'example.com', version: 2 },
  odd_properties: { 'user.name': 'ann', '@type': 'Person' },
  'billing.invoice.create': { customerId: 'c-100' },
  météo: { ville: 'Paris' },
  ListTools: {},
}
const PROMPT_INPUTS: Record<string, Json> = { summarize: { topic: 'REST' } }

interface Target {
  name: string
  facade: TestFacade
  openapi: Json
  swagger: Json
  auth: Record<string, string>
  inputs: Record<string, Json>
  close(): Promise<void>
}

/** One facade under contract, with both documents fetched as served. */
async function target(name: string, start: () => Promise<{ url: string; close(): Promise<void> }>, inputs: Record<string, Json>, server: Json, withKey: boolean): Promise<Target> {
  const vendor = await start()
  const facade = await startTestFacade({ default: { url: vendor.url, ...server, ...(withKey ? { auth: { mode: 'apiKey', keys: [KEY] } } : {}) } }, {}, 'warn')
  const auth = withKey ? AUTH : {}
  const openapi = await jsonOf(await facade.call('/openapi.json', { headers: auth }))
  const swagger = await jsonOf(await facade.call('/swagger.json', { headers: auth }))
  return {
    name,
    facade,
    openapi,
    swagger,
    auth,
    inputs,
    async close() {
      await facade.close()
      await vendor.close()
    },
  }
}

/** Every operation of a document: operationId → method, path template, operation. */
function operations(doc: Json): Map<string, { method: string; template: string; op: Json }> {
  const out = new Map<string, { method: string; template: string; op: Json }>()
  for (const [template, item] of Object.entries<Json>(doc.paths)) for (const [method, op] of Object.entries<Json>(item)) out.set(op.operationId, { method, template, op })
  return out
}

interface CallSpec {
  path?: Record<string, string>
  query?: Record<string, string>
  headers?: Record<string, string>
  json?: unknown
  raw?: { body: string; type: string }
}

/** Runs the scenarios of one target against the OpenAPI 3.1 document and collects every mismatch. */
class OpenApiRun {
  readonly conformance: OpenApiConformance
  readonly ops: Map<string, { method: string; template: string; op: Json }>
  readonly called = new Map<string, Set<string>>()
  readonly mismatches: string[] = []
  constructor(readonly t: Target) {
    this.conformance = new OpenApiConformance(t.openapi)
    this.ops = operations(t.openapi)
  }

  /** Calls an operation by operationId, checks the answer, and records the scenario. */
  async call(operationId: string, scenario: string, spec: CallSpec = {}, credential: 'ok' | 'none' | 'wrong' = 'ok'): Promise<Answer> {
    const found = this.ops.get(operationId)
    if (!found) throw new Error(`${this.t.name}: no operation ${operationId}`)
    let path = found.template
    for (const [k, v] of Object.entries(spec.path ?? {})) path = path.replace(`{${k}}`, encodeURIComponent(v))
    const query = spec.query ? `?${new URLSearchParams(spec.query)}` : ''
    const headers: Record<string, string> = { ...(credential === 'ok' ? this.t.auth : credential === 'wrong' ? { 'X-API-Key': 'wrong-key-wrong-key-0000' } : {}), ...spec.headers }
    const init: RequestInit & { json?: unknown } = { method: found.method.toUpperCase(), headers }
    if (spec.raw) {
      headers['content-type'] = spec.raw.type
      init.body = spec.raw.body
    } else if (spec.json !== undefined) init.json = spec.json
    const answer = await answerOf(await this.t.facade.call(path + query, init))
    this.mismatches.push(...this.conformance.check(found.method, found.template, answer).map((m) => `${this.t.name} ${operationId} [${scenario}]: ${m}`))
    if (answer.status >= 500 && answer.status !== 503) this.mismatches.push(`${this.t.name} ${operationId} [${scenario}]: answered ${answer.status}`)
    if (!this.called.has(operationId)) this.called.set(operationId, new Set())
    this.called.get(operationId)!.add(scenario)
    return answer
  }
}

/** Every scenario for every operation of the OpenAPI document. */
async function runOpenApiScenarios(run: OpenApiRun, withKey: boolean): Promise<void> {
  const { t } = run
  const tools = [...run.ops.entries()].filter(([, o]) => o.op['x-mcp-tool'] !== undefined)
  const prompts = [...run.ops.entries()].filter(([, o]) => o.op['x-mcp-prompt'] !== undefined)
  const unknownSession = { headers: { 'X-Session-Id': 'no-such-session' } }

  for (const [id, { op }] of tools) {
    const input = t.inputs[op['x-mcp-tool']]
    expect(input, `${t.name}: a valid input for ${op['x-mcp-tool']}`).toBeDefined()
    const ok = await run.call(id, 'valid', { json: input })
    expect([200, 422], `${id} valid: ${JSON.stringify(ok.body)}`).toContain(ok.status)
    expect((await run.call(id, 'invalid', { json: [1] })).status).toBe(400)
    expect((await run.call(id, 'invalid json', { raw: { body: '{', type: 'application/json' } })).status).toBe(400)
    expect((await run.call(id, 'wrong media type', { raw: { body: 'x=1', type: 'text/plain' } })).status).toBe(415)
    expect((await run.call(id, 'unknown session', { ...unknownSession, json: input })).status).toBe(404)
  }
  const firstTool = tools[0]![1].op['x-mcp-tool'] as string
  expect((await run.call('InvokeTool', 'valid', { path: { tool: firstTool }, json: t.inputs[firstTool] })).status).toBeLessThan(300)
  expect((await run.call('InvokeTool', 'invalid', { path: { tool: 'no such tool' }, json: {} })).status).toBe(404)
  expect((await run.call('InvokeTool', 'unknown session', { path: { tool: firstTool }, ...unknownSession, json: t.inputs[firstTool] })).status).toBe(404)

  // async path: 202 with Location, Retry-After and Preference-Applied, then GetJob until done
  const asyncTool = t.inputs.slow_count ? 'slow_count' : firstTool
  const accepted = await run.call('InvokeTool', 'async', { path: { tool: asyncTool }, headers: { Prefer: 'respond-async' }, json: asyncTool === 'slow_count' ? { steps: 2, delayMs: 150 } : t.inputs[asyncTool] })
  expect(accepted.status).toBe(202)
  expect(accepted.headers.get('preference-applied')).toBe('respond-async')
  const jobId = (accepted.body as Json).jobId as string
  let polled: Answer
  do polled = await run.call('GetJob', 'valid', { path: { jobId } })
  while (polled.status === 202)
  expect(polled.status).toBe(200)
  expect((await run.call('GetJob', 'invalid', { path: { jobId: 'no-such-job' } })).status).toBe(404)

  // interactive path (a vendor tool that asks): 200 input_required, AnswerJob, CancelJob
  const asking = tools.find(([, o]) => o.op['x-mcp-tool'] === 'confirm_action')
  if (asking) {
    const ask = { headers: { Prefer: 'input-required' }, json: t.inputs.confirm_action }
    const question = await run.call(asking[0], 'interactive', ask)
    expect(question.status).toBe(200)
    expect(question.headers.get('preference-applied')).toBe('input-required')
    const asked = question.body as Json
    expect(asked.status).toBe('input_required')
    expect((await run.call('GetJob', 'waiting', { path: { jobId: asked.jobId } })).status).toBe(200)
    expect((await run.call('AnswerJob', 'invalid', { path: { jobId: asked.jobId }, json: { action: 'accept', content: { confirm: 'yes' } } })).status).toBe(400)
    const answered = await run.call('AnswerJob', 'valid', { path: { jobId: asked.jobId }, json: { action: 'accept', content: { confirm: true } } })
    expect(answered.body).toMatchObject({ status: 'complete', data: { confirmed: true } })
    expect((await run.call('AnswerJob', 'answered', { path: { jobId: asked.jobId }, json: { action: 'accept', content: { confirm: true } } })).status).toBe(409)
    expect((await run.call('CancelJob', 'finished', { path: { jobId: asked.jobId } })).status).toBe(409)
    const second = (await run.call(asking[0], 'interactive', ask)).body as Json
    expect((await run.call('CancelJob', 'valid', { path: { jobId: second.jobId } })).status).toBe(200)
    expect((await run.call('GetJob', 'cancelled', { path: { jobId: second.jobId } })).status).toBe(409)
  }
  expect((await run.call('AnswerJob', 'unknown job', { path: { jobId: 'no-such-job' }, json: { action: 'cancel' } })).status).toBe(404)
  expect((await run.call('CancelJob', 'unknown job', { path: { jobId: 'no-such-job' } })).status).toBe(404)

  const created = await run.call('CreateSession', 'valid')
  expect(created.status).toBe(201)
  const sessionId = (created.body as Json).sessionId as string
  if (t.inputs.cart_view) expect((await run.call(tools.find(([, o]) => o.op['x-mcp-tool'] === 'cart_view')![0], 'session', { headers: { 'X-Session-Id': sessionId }, json: {} })).status).toBe(200)
  expect((await run.call('EndSession', 'valid', { path: { sessionId } })).status).toBe(204)
  expect((await run.call('EndSession', 'unknown session', { path: { sessionId } })).status).toBe(404)

  for (const id of ['ListTools', 'ListResources', 'ListResourceTemplates', 'ListPrompts', 'RefreshCatalog', 'Health', 'Ready']) expect((await run.call(id, 'valid')).status).toBe(200)
  const resources = ((await run.call('ListResources', 'valid')).body as Json).resources as Json[]
  if (resources.length) {
    expect((await run.call('ReadResource', 'valid', { query: { uri: resources[0]!.uri } })).status).toBe(200)
    expect((await run.call('ReadResource', 'unknown session', { ...unknownSession, query: { uri: resources[0]!.uri } })).status).toBe(404)
  } else expect((await run.call('ReadResource', 'valid', { query: { uri: 'demo://nothing' } })).status).toBeGreaterThanOrEqual(400)
  // zod-openapi validation answers our problem, with a pointer
  const missingUri = await run.call('ReadResource', 'invalid')
  expect(missingUri.status).toBe(400)
  expect(missingUri.body).toMatchObject({ code: 'invalid_request', errors: [{ pointer: '/uri' }] })

  for (const [id, { op }] of prompts) {
    expect((await run.call(id, 'valid', { json: PROMPT_INPUTS[op['x-mcp-prompt']] })).status).toBe(200)
    expect((await run.call(id, 'invalid', { json: {} })).status).toBe(400)
    expect((await run.call(id, 'unknown session', { ...unknownSession, json: PROMPT_INPUTS[op['x-mcp-prompt']] })).status).toBe(404)
  }
  // Resource templates filled in from their variables (query parameters); the demo's orders exist only once created,
  // so a made-up id is the vendor's own 404.
  for (const [id, { op }] of [...run.ops.entries()].filter(([, o]) => o.op['x-mcp-resource-template'] !== undefined)) {
    const query = Object.fromEntries((op.parameters as Json[]).filter((p) => p.in === 'query' && p.required).map((p) => [p.name, 'x']))
    expect([200, 404]).toContain((await run.call(id, 'valid', { query })).status)
    expect((await run.call(id, 'invalid', {})).status).toBe(400)
    expect((await run.call(id, 'unknown session', { ...unknownSession, query })).status).toBe(404)
  }
  for (const id of ['ConnectorListTools', 'ConnectorGetToolInputSchema', 'ConnectorGetToolOutputSchema'].filter((i) => run.ops.has(i))) {
    expect((await run.call(id, 'valid', { path: { tool: firstTool } })).status).toBe(200)
    if (id !== 'ConnectorListTools') expect((await run.call(id, 'invalid', { path: { tool: 'no such tool' } })).status).toBe(404)
  }

  // credentials: every operation that is not public answers 401 without or with a wrong key
  if (withKey) {
    for (const [id, { op, template, method }] of run.ops) {
      const spec: CallSpec = { path: Object.fromEntries([...template.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, 'x'])), json: method === 'post' ? {} : undefined }
      for (const credential of ['none', 'wrong'] as const) {
        const answer = await run.call(id, `${credential} credential`, spec, credential)
        if (Array.isArray(op.security) && op.security.length === 0) expect(answer.status, id).toBeLessThan(500)
        else expect(answer.status, `${id} ${credential}`).toBe(401)
      }
    }
  }
}

describe.each([
  { name: 'demo (apiKey, tool errors as problems)', awkward: false },
  { name: 'awkward (no inbound auth)', awkward: true },
])('contract: $name', ({ awkward }) => {
  let t: Target
  beforeAll(async () => {
    t = awkward
      ? await target('awkward', startAwkwardVendor, AWKWARD_INPUTS, { async: { thresholdMs: 2000, retryAfterSeconds: 1 } }, false)
      : await target('demo', startDemoVendor, DEMO_INPUTS, { toolErrors: 'problem', async: { thresholdMs: 2000, retryAfterSeconds: 1 } }, true)
  })
  afterAll(async () => t?.close())

  it('every OpenAPI 3.1 operation answers exactly as the document says, in every scenario', async () => {
    const run = new OpenApiRun(t)
    await runOpenApiScenarios(run, !awkward)
    if (!awkward) {
      // 422 tool_error: declared because toolErrors is "problem"
      const divide = [...run.ops.entries()].find(([, o]) => o.op['x-mcp-tool'] === 'divide')![0]
      const failed = await run.call(divide, 'tool error', { json: { a: 1, b: 0 } })
      expect(failed.status).toBe(422)
      expect(failed.body).toMatchObject({ code: 'tool_error' })
    }
    expect(run.mismatches).toEqual([])
    // The awkward vendor has no tool that asks questions: its interactive operations are called with unknown jobs only.
    const interactiveOnly = awkward ? ['AnswerJob', 'CancelJob'] : []
    const uncovered = [...run.ops.keys()].filter((id) => !run.called.get(id)?.has('valid') && !interactiveOnly.includes(id))
    expect(uncovered, 'operations no scenario called with valid input').toEqual([])
    if (!awkward) expect([...run.ops.keys()].filter((id) => !run.called.get(id)?.has('none credential'))).toEqual([])
  })

  it('every Swagger 2.0 operation answers as the connector document says (connector calls)', async () => {
    const conformance = new SwaggerConformance(t.swagger)
    const mismatches: string[] = []
    const shared = (p: Json) => (p.$ref ? t.swagger.parameters[String(p.$ref).replace('#/parameters/', '')] : p)
    const call = async (template: string, method: string, op: Json, spec: CallSpec, credential: 'ok' | 'none' = 'ok') => {
      const headers: Record<string, string> = { ...(credential === 'ok' ? t.auth : {}) }
      // as the connector builds requests: required header parameters with their defaults
      for (const p of (op.parameters ?? []).map(shared)) if (p.in === 'header' && p.required && p.default !== undefined) headers[p.name] = String(p.default)
      Object.assign(headers, spec.headers)
      let path = template
      for (const [k, v] of Object.entries(spec.path ?? {})) path = path.replace(`{${k}}`, encodeURIComponent(v))
      const base = t.swagger.basePath === '/' ? '' : t.swagger.basePath
      const query = spec.query ? `?${new URLSearchParams(spec.query)}` : ''
      const answer = await answerOf(await t.facade.call(base + path + query, { method: method.toUpperCase(), headers, json: spec.json }))
      mismatches.push(...conformance.check(method, template, answer).map((m) => `${t.name} ${op.operationId}: ${m}`))
      return answer
    }
    const tools = (await jsonOf(await t.facade.call('/tools', { headers: t.auth }))).tools as Json[]
    let called = 0
    for (const [template, item] of Object.entries<Json>(t.swagger.paths))
      for (const [method, op] of Object.entries<Json>(item)) {
        called++
        const vendorName = op['x-mcp-tool'] as string | undefined
        if (vendorName) {
          const tool = tools.find((x) => x.name === vendorName)!
          const input = applyConnectorPropertyNames(tool.inputSchema, t.inputs[vendorName])
          expect([200, 422]).toContain((await call(template, method, op, { json: input })).status)
          expect((await call(template, method, op, { json: [1] })).status).toBe(400)
          expect((await call(template, method, op, { json: input, headers: { 'X-Session-Id': 'no-such-session' } })).status).toBe(404)
          if (t.auth['X-API-Key']) expect((await call(template, method, op, { json: input }, 'none')).status).toBe(401)
        } else if (op['x-mcp-prompt'] !== undefined) {
          // A typed prompt operation (connector/prompt-operations): its arguments as the body.
          const input = PROMPT_INPUTS[op['x-mcp-prompt']]
          expect((await call(template, method, op, { json: input })).status).toBe(200)
          expect((await call(template, method, op, { json: {} })).status).toBe(400)
          expect((await call(template, method, op, { json: input, headers: { 'X-Session-Id': 'no-such-session' } })).status).toBe(404)
        } else if (op['x-mcp-resource-template'] !== undefined) {
          const query = Object.fromEntries((op.parameters as Json[]).filter((p) => p.in === 'query' && p.required).map((p) => [p.name, 'x']))
          expect([200, 404]).toContain((await call(template, method, op, { query })).status)
          expect((await call(template, method, op, {})).status).toBe(400)
        } else if (op.operationId === 'InvokeTool') {
          const first = tools[0]!.name as string
          expect((await call(template, method, op, { path: { tool: first }, json: t.inputs[first] })).status).toBe(200)
          const accepted = await call(template, method, op, { path: { tool: first }, json: t.inputs[first], headers: { Prefer: 'respond-async' } })
          expect(accepted.status).toBe(202)
          expect((await call(template, method, op, { path: { tool: 'no such tool' }, json: {} })).status).toBe(404)
        } else if (op.operationId === 'CreateSession') {
          const created = await call(template, method, op, {})
          expect(created.status).toBe(201)
          const end = t.swagger.paths['/sessions/{sessionId}'].delete
          expect((await call('/sessions/{sessionId}', 'delete', end, { path: { sessionId: (created.body as Json).sessionId } })).status).toBe(204)
          expect((await call('/sessions/{sessionId}', 'delete', end, { path: { sessionId: 'no-such-session' } })).status).toBe(404)
        } else if (op.operationId === 'EndSession' || op.operationId === 'CancelJob') continue
        else if (op.operationId === 'AnswerJob') {
          const cancel = t.swagger.paths['/jobs/{jobId}'].delete
          const confirmPath = Object.entries<Json>(t.swagger.paths).find(([, i]) => i.post?.['x-mcp-tool'] === 'confirm_action')
          if (confirmPath) {
            // A typed tool operation sends Prefer: input-required (internal), so the tool's question is its answer.
            const ask = () => call(confirmPath[0], 'post', confirmPath[1].post, { json: t.inputs.confirm_action })
            const asked = await ask()
            expect(asked.body).toMatchObject({ status: 'input_required', question: { id: 'q1' } })
            const jobId = (asked.body as Json).jobId as string
            // The card's response arrives as strings: coerced for connector calls.
            const done = await call(template, method, op, { path: { jobId }, json: { action: 'accept', content: { confirm: 'true', note: 'ok' } } })
            expect(done.body).toMatchObject({ status: 'complete', data: { confirmed: true, note: 'ok' } })
            expect((await call(template, method, op, { path: { jobId }, json: { action: 'accept' } })).status).toBe(409)
            expect((await call('/jobs/{jobId}', 'delete', cancel, { path: { jobId } })).status).toBe(409)
            const second = (await ask()).body as Json
            expect((await call('/jobs/{jobId}', 'delete', cancel, { path: { jobId: second.jobId } })).status).toBe(200)
          }
          expect((await call(template, method, op, { path: { jobId: 'no-such-job' }, json: { action: 'cancel' } })).status).toBe(404)
          expect((await call('/jobs/{jobId}', 'delete', cancel, { path: { jobId: 'no-such-job' } })).status).toBe(404)
        } else if (op['x-ms-agentic-protocol']) {
          // InvokeMCP: Copilot Studio speaks MCP through it; a real initialize must be answered 200.
          const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'contract', version: '1' } } }
          const answer = await call(template, method, op, { json: init, headers: { accept: 'application/json, text/event-stream' } })
          expect(answer.status).toBe(200)
        }
        else {
          const spec = template.includes('{tool}') ? { path: { tool: tools[0]!.name as string } } : {}
          expect((await call(template, method, op, spec)).status).toBe(200)
          if (template.includes('{tool}')) expect((await call(template, method, op, { path: { tool: 'no such tool' } })).status).toBe(404)
          if (t.auth['X-API-Key']) expect((await call(template, method, op, spec, 'none')).status).toBe(401)
        }
      }
    expect(called).toBeGreaterThan(6)
    expect(mismatches).toEqual([])
  })
})
