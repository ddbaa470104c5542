/**
 * SEP-2243 `x-mcp-header`: arguments mirrored into `Mcp-Param-*` headers toward a real 2026-07-28 vendor (the SDK's
 * `createMcpHandler`) that records the headers as they arrived, tools with invalid annotations excluded and listed with
 * their reason, and nothing of it on a 2025 connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Tool } from '@modelcontextprotocol/server'
import { buildCatalog } from '../../src/catalog/build.js'
import { encodeHeaderValue, scanParamHeaders } from '../../src/catalog/param-headers.js'
import { startParamHeaderVendor, type ParamHeaderVendor } from '../fixtures/param-header-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const annotated = (type: string, header: string, extra: Record<string, unknown> = {}) => ({ type, 'x-mcp-header': header, ...extra })

const VALID: Tool[] = [
  {
    name: 'route_query',
    inputSchema: {
      type: 'object',
      properties: {
        region: annotated('string', 'Region'),
        priority: annotated('integer', 'Priority'),
        verbose: annotated('boolean', 'Verbose'),
        text: annotated('string', 'Text'),
        target: { type: 'object', properties: { tenant: annotated('string', 'Tenant') } },
        score: { type: 'number' },
        query: { type: 'string' },
      },
      required: ['query'],
    },
  },
]

/** One invalid tool per rule, named after the rule; each must be excluded with a reason naming the problem. */
const INVALID: Array<{ tool: Tool; reason: RegExp }> = [
  { tool: { name: 'bad_empty', inputSchema: { type: 'object', properties: { v: annotated('string', '') } } }, reason: /is empty/ },
  { tool: { name: 'bad_object', inputSchema: { type: 'object', properties: { v: annotated('object', 'Data') } } }, reason: /type "object"/ },
  { tool: { name: 'bad_array', inputSchema: { type: 'object', properties: { v: annotated('array', 'Items', { items: { type: 'string' } }) } } }, reason: /type "array"/ },
  { tool: { name: 'bad_null', inputSchema: { type: 'object', properties: { v: annotated('null', 'Nil') } } }, reason: /type "null"/ },
  { tool: { name: 'bad_number', inputSchema: { type: 'object', properties: { v: annotated('number', 'Score') } } }, reason: /type "number"/ },
  { tool: { name: 'bad_untyped', inputSchema: { type: 'object', properties: { v: { 'x-mcp-header': 'Any' } } } }, reason: /type null/ },
  {
    tool: { name: 'bad_duplicate_case', inputSchema: { type: 'object', properties: { a: annotated('string', 'MyField'), b: annotated('string', 'myfield') } } },
    reason: /duplicates "MyField".*ignoring case/,
  },
  { tool: { name: 'bad_space', inputSchema: { type: 'object', properties: { v: annotated('string', 'My Region') } } }, reason: /token/ },
  { tool: { name: 'bad_colon', inputSchema: { type: 'object', properties: { v: annotated('string', 'Region:Primary') } } }, reason: /token/ },
  { tool: { name: 'bad_non_ascii', inputSchema: { type: 'object', properties: { v: annotated('string', 'Région') } } }, reason: /token/ },
  { tool: { name: 'bad_control', inputSchema: { type: 'object', properties: { v: annotated('string', 'Region\t1') } } }, reason: /token/ },
  {
    tool: { name: 'bad_in_items', inputSchema: { type: 'object', properties: { list: { type: 'array', items: annotated('string', 'Item') } } } },
    reason: /\/properties\/list\/items is not on a property reachable/,
  },
  {
    tool: { name: 'bad_in_anyof', inputSchema: { type: 'object', properties: { v: { anyOf: [annotated('string', 'Alt')] } } } },
    reason: /\/properties\/v\/anyOf\/0 is not on a property reachable/,
  },
  {
    tool: { name: 'bad_in_defs', inputSchema: { type: 'object', $defs: { r: annotated('string', 'Ref') }, properties: { v: { $ref: '#/$defs/r' } } } },
    reason: /\/\$defs\/r is not on a property reachable/,
  },
  { tool: { name: 'bad_on_root', inputSchema: { type: 'object', 'x-mcp-header': 'Root', properties: {} } }, reason: /at \/ is not on a property/ },
]

const b64 = (text: string) => `=?base64?${Buffer.from(text, 'utf8').toString('base64')}?=`

describe('x-mcp-header value encoding (pure)', () => {
  it.each([
    ['us-west1', 'us-west1'],
    ['us west 1', 'us west 1'],
    ['', ''],
    ['Hello, 世界', '=?base64?SGVsbG8sIOS4lueVjA==?='],
    [' padded ', '=?base64?IHBhZGRlZCA=?='],
    [' lead', b64(' lead')],
    ['trail ', b64('trail ')],
    ['\tindented', b64('\tindented')],
    ['in\tner', b64('in\tner')],
    ['line1\nline2', '=?base64?bGluZTEKbGluZTI=?='],
    ['a\r\nb', b64('a\r\nb')],
    ['del\x7f', b64('del\x7f')],
    ['=?base64?literal?=', '=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?='],
    ['=?base64?no-suffix', '=?base64?no-suffix'],
  ])('%j -> %j', (value, encoded) => {
    expect(encodeHeaderValue(value)).toBe(encoded)
  })

  it('ignores annotation-shaped data that is not a schema (property names, defaults, enums)', () => {
    const scan = scanParamHeaders({
      type: 'object',
      properties: { 'x-mcp-header': { type: 'string' }, v: { type: 'object', default: { 'x-mcp-header': '' }, enum: [{ 'x-mcp-header': 1 }] } },
    })
    expect(scan).toEqual({ valid: true, headers: [] })
  })
})

describe('catalog with x-mcp-header (pure)', () => {
  const listing = {
    server: { name: 'v' },
    prompts: [],
    resources: [],
    resourceTemplates: [],
    tools: [
      { name: 'files read', inputSchema: { type: 'object', properties: { v: annotated('number', 'V') } } },
      { name: 'files-read', inputSchema: { type: 'object', properties: { r: annotated('string', 'Region') } } },
    ],
  }
  const filter = { exclude: [], deny: [] }

  it('excludes before naming, so an excluded tool takes no slug or operation id from the others', () => {
    const catalog = buildCatalog(listing, filter, undefined, { paramHeaders: true })
    expect(catalog.tools.map((t) => [t.name, t.slug, t.operationId])).toEqual([['files-read', 'files-read', 'FilesRead']])
    expect(catalog.tools[0]!.paramHeaders).toEqual([{ name: 'Region', path: ['r'], type: 'string' }])
    expect(catalog.excluded).toEqual([{ name: 'files read', reason: expect.stringContaining('type "number"') }])
  })

  it('keeps every tool and records no annotations when the connection does not mirror headers', () => {
    const catalog = buildCatalog(listing, filter, undefined, { paramHeaders: false })
    expect(catalog.tools.map((t) => t.name)).toEqual(['files read', 'files-read'])
    expect(catalog.tools.every((t) => t.paramHeaders === undefined)).toBe(true)
    expect(catalog.excluded).toEqual([])
  })
})

describe('x-mcp-header toward a 2026-07-28 vendor', () => {
  let vendor: ParamHeaderVendor
  let facade: TestFacade

  beforeAll(async () => {
    vendor = await startParamHeaderVendor({ tools: [...VALID, ...INVALID.map((i) => i.tool)] })
    facade = await startTestFacade({ default: { url: vendor.url, protocol: 'modern' } })
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  const lastCall = () => vendor.calls().at(-1)!

  it('mirrors each annotated argument with the spec encoding, and each header decodes back to the body value', async () => {
    const args = { region: 'us-west1', priority: 42, verbose: false, text: 'Hello, 世界', target: { tenant: ' acme ' }, score: 3.5, query: 'SELECT 1' }
    const res = await facade.call('/tools/route_query', { method: 'POST', json: args })
    expect(res.status, await res.clone().text()).toBe(200)
    const call = lastCall()
    expect(call.tool).toBe('route_query')
    expect(call.protocolVersion).toBe('2026-07-28')
    expect(call.paramHeaders).toEqual({
      'mcp-param-region': 'us-west1',
      'mcp-param-priority': '42',
      'mcp-param-verbose': 'false',
      'mcp-param-text': '=?base64?SGVsbG8sIOS4lueVjA==?=',
      'mcp-param-tenant': '=?base64?IGFjbWUg?=',
    })
    // What a vendor validating SEP-2243 does: decode, then compare with the body at the annotated path.
    const decode = (v: string) => (/^=\?base64\?(.*)\?=$/.exec(v) ? Buffer.from(/^=\?base64\?(.*)\?=$/.exec(v)![1], 'base64').toString('utf8') : v)
    const body = call.arguments as typeof args
    expect(decode(call.paramHeaders['mcp-param-text'])).toBe(body.text)
    expect(decode(call.paramHeaders['mcp-param-tenant'])).toBe(body.target.tenant)
    expect(Number(call.paramHeaders['mcp-param-priority'])).toBe(body.priority)
  })

  it('sends true, negative integers and control characters correctly', async () => {
    const res = await facade.call('/tools/route_query', { method: 'POST', json: { verbose: true, priority: -7, text: 'line1\nline2', query: 'q' } })
    expect(res.status, await res.clone().text()).toBe(200)
    expect(lastCall().paramHeaders).toEqual({ 'mcp-param-verbose': 'true', 'mcp-param-priority': '-7', 'mcp-param-text': '=?base64?bGluZTEKbGluZTI=?=' })
  })

  it('omits the header of a null or absent argument, and mirrors an empty string as an empty value', async () => {
    const res = await facade.call('/tools/route_query', { method: 'POST', json: { region: '', query: 'q', target: {} } })
    expect(res.status, await res.clone().text()).toBe(200)
    expect(lastCall().paramHeaders).toEqual({ 'mcp-param-region': '' })
  })

  it('answers 400 with the pointer when an integer is beyond the safe range, without calling the vendor', async () => {
    const before = vendor.calls().length
    const res = await facade.call('/tools/route_query', { method: 'POST', json: { priority: 2 ** 60, query: 'q' } })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    const problem = await jsonOf(res)
    expect(problem.code).toBe('invalid_arguments')
    expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/priority' })])
    expect(vendor.calls().length).toBe(before)
  })

  it('excludes every tool with an invalid annotation and lists it with its reason in GET /tools', async () => {
    const res = await facade.call('/tools')
    expect(res.status).toBe(200)
    const body = await jsonOf(res)
    expect(body.tools.map((t: { name: string }) => t.name)).toEqual(['route_query'])
    const reasons = new Map<string, string>(body.excluded.map((e: { name: string; reason: string }) => [e.name, e.reason]))
    expect([...reasons.keys()].sort()).toEqual(INVALID.map((i) => i.tool.name).sort())
    for (const { tool, reason } of INVALID) expect(reasons.get(tool.name), tool.name).toMatch(reason)
  })

  it('answers 404 for an excluded tool and logs a warning naming tool and reason', async () => {
    const res = await facade.call('/tools/bad_number', { method: 'POST', json: { v: 1.5 } })
    expect(res.status).toBe(404)
    expect((await jsonOf(res)).code).toBe('tool_not_found')
    const warning = facade.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'tool excluded' && l.tool === 'bad_number')
    expect(warning).toMatchObject({ level: 'warn', tool: 'bad_number', reason: expect.stringMatching(/type "number"/) })
    expect(vendor.calls().some((c) => c.tool.startsWith('bad_'))).toBe(false)
  })

  it('leaves excluded tools out of the OpenAPI document', async () => {
    const doc = await jsonOf(await facade.call('/openapi.json'))
    const paths = Object.keys(doc.paths)
    expect(paths.some((p) => p.includes('route_query'))).toBe(true)
    expect(paths.some((p) => p.includes('bad_'))).toBe(false)
  })
})

describe('x-mcp-header on a 2025 connection', () => {
  let vendor: ParamHeaderVendor
  let facade: TestFacade

  beforeAll(async () => {
    vendor = await startParamHeaderVendor({ tools: [...VALID, INVALID.find((i) => i.tool.name === 'bad_number')!.tool], legacy: 'stateless' })
    facade = await startTestFacade({ default: { url: vendor.url, protocol: 'legacy' } })
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('sends no Mcp-Param headers and excludes nothing (the annotation belongs to 2026-07-28)', async () => {
    const body = await jsonOf(await facade.call('/tools'))
    expect(body.tools.map((t: { name: string }) => t.name).sort()).toEqual(['bad_number', 'route_query'])
    expect(body.excluded).toEqual([])
    const res = await facade.call('/tools/route_query', { method: 'POST', json: { region: 'us-west1', query: 'q' } })
    expect(res.status, await res.clone().text()).toBe(200)
    const call = vendor.calls().at(-1)!
    expect(call.protocolVersion).not.toBe('2026-07-28')
    expect(call.paramHeaders).toEqual({})
  })
})
