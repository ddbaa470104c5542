import SwaggerParser from '@apidevtools/swagger-parser'
import { describe, expect, it } from 'vitest'

import type { Catalog } from '../../src/catalog/types.js'
import { checkConnectorDocument } from '../../src/swagger/checker.js'
import {
  connectorInputSchema,
  connectorOutputSchema,
  connectorToolList,
  emitSwagger2,
  serializeDefinition,
  serializedBytes,
  serializeSwagger2,
} from '../../src/swagger/emit.js'
import type { BodyParameter, NonBodyParameter, Swagger2Document, Swagger2Operation, Swagger2Options } from '../../src/swagger/types.js'
import { awkwardCatalog, azureLikeCatalog, bigCatalog, CERTIFIABLE_OPTIONS, demoCatalog, makeCatalog } from './catalog-fixtures.js'

async function expectValidSwagger(document: Swagger2Document): Promise<void> {
  // swagger-parser dereferences in place, so it gets a copy
  await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy()
}

function errorsOf(document: Swagger2Document, certification = false) {
  return checkConnectorDocument(document, { certification }).filter((v) => v.severity === 'error')
}

function operations(document: Swagger2Document): Swagger2Operation[] {
  return Object.values(document.paths).flatMap((item) => Object.values(item))
}

function toolOp(document: Swagger2Document, slug: string): Swagger2Operation {
  const op = document.paths[`/tools/${slug}`]?.post
  if (!op) throw new Error(`no operation for ${slug}`)
  return op
}

const catalogs: [string, () => Catalog][] = [
  ['demo-like', demoCatalog],
  ['awkward schemas', awkwardCatalog],
  ['400 tools', () => bigCatalog(400)],
]

describe('emitSwagger2 on synthetic catalogs', () => {
  for (const [name, make] of catalogs) {
    describe(name, () => {
      const { document, report } = emitSwagger2(make(), CERTIFIABLE_OPTIONS)

      it('is a valid Swagger 2.0 document (swagger-parser)', async () => {
        await expectValidSwagger(document)
      })

      it('passes the rulebook checker with no errors, also in certification mode', () => {
        expect(errorsOf(document)).toEqual([])
        expect(errorsOf(document, true)).toEqual([])
      })

      it('passes the checker with default options (no contact, metadata or auth)', async () => {
        const bare = emitSwagger2(make(), {}).document
        expect(errorsOf(bare)).toEqual([])
        await expectValidSwagger(bare)
      })

      it('reports its size and operation count truthfully', () => {
        // the size of the file exactly as written: indented when that fits the limit
        expect(report.bytes).toBe(serializeDefinition(document).length)
        expect(serializeDefinition(document)).toBe(emitSwagger2(make(), CERTIFIABLE_OPTIONS).text)
        expect(report.bytes).toBeLessThanOrEqual(1_000_000)
        expect(report.operations).toBe(operations(document).length)
        expect(report.operations).toBeLessThanOrEqual(256)
      })

      it('serializes to ASCII only', () => {
        // eslint-disable-next-line no-control-regex
        expect(serializeSwagger2(document)).toMatch(/^[\x00-\x7f]*$/)
        expect(JSON.parse(serializeSwagger2(document))).toEqual(document)
      })
    })
  }

  it('handles the 256-operation limit for 400 tools: the first 250 by name are typed, the rest listed and reachable', () => {
    const catalog = bigCatalog(400)
    const { document, report } = emitSwagger2(catalog, CERTIFIABLE_OPTIONS)
    expect(report.operations).toBe(256)
    const typed = operations(document).filter((op) => op['x-mcp-tool'] !== undefined)
    expect(typed).toHaveLength(250)
    expect(typed.map((op) => op['x-mcp-tool'])).toEqual(catalog.tools.slice(0, 250).map((t) => t.name))
    expect(report.omittedTools).toEqual(catalog.tools.slice(250).map((t) => ({ name: t.name, reason: 'max-operations' })))
    expect(document.paths['/invoke/{tool}']?.post?.operationId).toBe('InvokeTool')
    expect(connectorToolList(catalog).tools).toHaveLength(400)
    expect(report.warnings.some((w) => w.includes('256-operation limit'))).toBe(true)
  })
})

describe('the REST contract described by the document', () => {
  const catalog = demoCatalog()
  const { document, report } = emitSwagger2(catalog, CERTIFIABLE_OPTIONS)
  const tool = (name: string) => catalog.tools.find((t) => t.name === name)!

  it('derives host, basePath and schemes from publicUrl', () => {
    expect(document).toMatchObject({ swagger: '2.0', host: 'facade.example.com', basePath: '/crm', schemes: ['https'] })
    expect(document.consumes).toEqual(['application/json'])
    expect(document.produces).toEqual(['application/json'])
    expect(emitSwagger2(catalog, { publicUrl: 'https://h.example.com:8443/' }).document).toMatchObject({ host: 'h.example.com:8443', basePath: '/' })
  })

  it('defaults publicUrl to https://localhost with a warning', () => {
    const { document: d, report: r } = emitSwagger2(catalog, {})
    expect(d).toMatchObject({ host: 'localhost', basePath: '/' })
    expect(r.warnings.some((w) => w.includes('publicUrl is not set'))).toBe(true)
  })

  it("a mounted server's basePath is /{server} with or without publicUrl", () => {
    expect(emitSwagger2(catalog, { mountPath: '/crm' }).document).toMatchObject({ host: 'localhost', basePath: '/crm' })
    expect(emitSwagger2(catalog, { publicUrl: 'https://h.example.com', mountPath: '/crm' }).document).toMatchObject({ host: 'h.example.com', basePath: '/crm' })
    expect(emitSwagger2(catalog, { publicUrl: 'https://h.example.com/gw/', mountPath: '/crm' }).document).toMatchObject({ basePath: '/gw/crm' })
  })

  it('emits one static POST /tools/{slug} per typed tool with the tool operationId', () => {
    for (const t of catalog.tools) {
      const op = toolOp(document, t.slug)
      expect(op.operationId).toBe(t.operationId)
      expect(op['x-mcp-tool']).toBe(t.name)
      expect(op['x-ms-visibility']).toBe('important')
    }
  })

  it('describes the body (required when the input has required properties) and the X-Session-Id header', () => {
    const op = toolOp(document, 'get_weather')
    const [body, sessionRef] = op.parameters as [BodyParameter, { $ref: string }]
    // the session header is a shared parameter (rulebook H-49), referenced by every tool operation
    expect(sessionRef).toEqual({ $ref: '#/parameters/SessionId' })
    const session = document.parameters!.SessionId!
    expect(body).toMatchObject({ name: 'body', in: 'body', required: true, 'x-ms-summary': 'Input' })
    expect(body.schema).toEqual(connectorInputSchema(tool('get_weather')).schema)
    expect(body.schema.type).toBe('object')
    expect(session).toEqual({
      name: 'X-Session-Id',
      in: 'header',
      type: 'string',
      required: false,
      'x-ms-summary': 'Session ID',
      'x-ms-visibility': 'advanced',
      description: expect.stringContaining('sessionId returned by CreateSession'),
    })
    expect(session.description).toContain('new')
    const list = toolOp(document, 'list_contacts').parameters![0] as BodyParameter
    expect(list.required).toBe(false)
  })

  it('omits the body parameter for tools without properties', () => {
    for (const slug of ['ping', 'count']) {
      const params = toolOp(document, slug).parameters!
      expect(params).toEqual([{ $ref: '#/parameters/SessionId' }])
    }
  })

  it('gives every tool operation 200 (schema), 202 and description-only problem responses', () => {
    const op = toolOp(document, 'get_weather')
    expect(Object.keys(op.responses)).toEqual(['200', '202', '400', '401', '403', '404', '413', '415', '429', '502', '503', '504'])
    expect(Object.entries(op.responses).filter(([, r]) => r.schema !== undefined).map(([c]) => c)).toEqual(['200'])
    // everything but 200 is a shared response (rulebook H-37) that says which problem codes it carries
    expect(op.responses['202']).toEqual({ $ref: '#/responses/Accepted' })
    expect(document.responses!.Accepted!.description).toContain('Location')
    expect(document.responses!.BadRequest!.description).toContain('invalid_arguments')
    expect(document.responses!.BadRequest!.description).not.toContain('session ID is malformed')
    expect(op.responses.default).toBeUndefined()
    // 422 only when tool errors are problems
    expect(Object.keys(toolOp(emitSwagger2(demoCatalog(), { toolErrorProblems: true }).document, 'get_weather').responses)).toContain('422')
    expect(document.responses!.ToolError!.description).toContain('tool_error')
    // refusals say when to send again
    expect(document.responses!.TooManyRequests).toMatchObject({ description: expect.stringContaining('vendor_rate_limited'), headers: { 'Retry-After': { type: 'integer' } } })
    expect(document.responses!.ServiceUnavailable!.description).toContain('store_unavailable')
  })

  it('writes summaries and descriptions that follow the string rules', () => {
    expect(toolOp(document, 'get_weather')).toMatchObject({ summary: 'Get weather forecast', description: 'Returns the forecast for a city.' })
    expect(toolOp(document, 'list_contacts')).toMatchObject({ summary: 'List contacts', description: 'Calls the MCP tool "list_contacts".' })
    expect(toolOp(document, 'create_contact').description).toBe('Creates a contact in the CRM. Use it from flows.')
  })

  it('types data from outputSchema with the wrapping rule', () => {
    const data = (slug: string) => toolOp(document, slug).responses['200']!.schema!.properties!.data!
    // object output: the converted schema itself
    expect(data('get_weather')).toMatchObject({ type: 'object', 'x-ms-summary': 'Data', required: ['city', 'days'] })
    expect(Object.keys(data('get_weather').properties!)).toEqual(['city', 'days'])
    // array output: { items: [...] }
    expect(data('list_contacts')).toMatchObject({ type: 'object', required: ['items'], properties: { items: { type: 'array', 'x-ms-summary': 'Items' } } })
    expect(Object.keys(data('list_contacts').properties!.items!.items!.properties!)).toEqual(['id', 'name'])
    // scalar output: { value: x }
    expect(data('count')).toMatchObject({ type: 'object', required: ['value'], properties: { value: { type: 'integer', 'x-ms-summary': 'Value' } } })
    // no outputSchema: free-form object
    expect(data('ping')).toEqual({ type: 'object', 'x-ms-summary': 'Data', description: expect.stringContaining('"items"') })
  })

  it('describes the whole envelope with summaries and descriptions', () => {
    const envelope = connectorOutputSchema(tool('get_weather')).schema
    expect(Object.keys(envelope.properties!)).toEqual(['isError', 'text', 'data', 'content', 'sessionId', 'sessionRenewed', 'status', 'jobId', 'answerUrl', 'question', 'questions'])
    // An interactive call's questions (status input_required) carry none of the result fields.
    expect(envelope.required).toBeUndefined()
    expect(envelope.properties!.sessionId!.description).toContain('Session ID to pass back in X-Session-Id')
    expect(Object.keys(envelope.properties!.content!.items!.properties!)).toEqual(['type', 'text', 'mimeType', 'data', 'uri', 'name'])
    const walk = (props: Record<string, { 'x-ms-summary'?: string; description?: string; properties?: object; items?: { properties?: object } }>) => {
      for (const p of Object.values(props)) {
        expect(p['x-ms-summary']).toBeTruthy()
        expect(p.description).toMatch(/\.$/)
        if (p.properties) walk(p.properties as never)
        if (p.items?.properties) walk(p.items.properties as never)
      }
    }
    walk(envelope.properties as never)
  })

  it('serves the same schemas through the dynamic-schema helpers', () => {
    for (const t of catalog.tools) {
      const op = toolOp(document, t.slug)
      expect(op.responses['200']!.schema).toEqual(connectorOutputSchema(t).schema)
      const body = op.parameters!.find((p): p is BodyParameter => p.in === 'body')
      expect(connectorInputSchema(t).schema).toEqual(body ? body.schema : { type: 'object' })
    }
  })

  it('lists every callable tool, typed or not, by slug', () => {
    const withHidden = makeCatalog([
      { name: 'b.tool', title: 'B tool', inputSchema: { type: 'object' } },
      { name: 'a/tool', typed: false, inputSchema: { type: 'object' } },
    ])
    expect(connectorToolList(withHidden)).toEqual({
      tools: [
        { name: 'a-tool', title: 'a/tool' },
        { name: 'b.tool', title: 'B tool' },
      ],
    })
    const { document: d, report: r } = emitSwagger2(withHidden, {})
    expect(d.paths['/tools/a-tool']).toBeUndefined()
    expect(r.omittedTools).toEqual([{ name: 'a/tool', reason: 'not-typed' }])
  })

  it('emits the fixed operations at their exact paths', () => {
    const fixed = Object.entries(document.paths)
      .filter(([p]) => !p.startsWith('/tools/'))
      .flatMap(([p, item]) => Object.entries(item).map(([m, op]) => [m.toUpperCase(), p, op.operationId, op['x-ms-visibility']]))
    expect(fixed).toEqual([
      ['POST', '/invoke/{tool}', 'InvokeTool', 'advanced'],
      ['POST', '/sessions', 'CreateSession', 'advanced'],
      ['DELETE', '/sessions/{sessionId}', 'EndSession', 'advanced'],
      ['GET', '/connector/tools', 'ListTools', 'internal'],
      ['GET', '/connector/tools/{tool}/input-schema', 'GetToolInputSchema', 'internal'],
      ['GET', '/connector/tools/{tool}/output-schema', 'GetToolOutputSchema', 'internal'],
    ])
    const create = document.paths['/sessions']!.post!
    expect(create.parameters).toBeUndefined()
    expect(Object.keys(create.responses['201']!.schema!.properties!)).toEqual(['sessionId', 'expiresAt'])
    const end = document.paths['/sessions/{sessionId}']!.delete!
    expect(end.parameters).toEqual([expect.objectContaining({ name: 'sessionId', in: 'path', required: true, 'x-ms-url-encoding': 'single' })])
    expect(end.responses['204']).toEqual({ description: 'The session was ended.' })
    const list = document.paths['/connector/tools']!.get!
    expect(Object.keys(list.responses['200']!.schema!.properties!.tools!.items!.properties!)).toEqual(['name', 'title'])
  })

  it('puts the InvokeTool dynamic extensions on schemas and the tool picker on the path parameter', () => {
    const invoke = document.paths['/invoke/{tool}']!.post!
    const [tool, body, session] = invoke.parameters as [NonBodyParameter, BodyParameter, { $ref: string }]
    expect(tool).toMatchObject({
      name: 'tool',
      in: 'path',
      required: true,
      'x-ms-url-encoding': 'single',
      'x-ms-dynamic-values': { operationId: 'ListTools', 'value-collection': 'tools', 'value-path': 'name', 'value-title': 'title' },
      'x-ms-dynamic-list': { operationId: 'ListTools', itemsPath: 'tools', itemValuePath: 'name', itemTitlePath: 'title' },
    })
    expect(Object.keys(body).filter((k) => k.startsWith('x-ms-dynamic'))).toEqual([])
    expect(body.schema).toMatchObject({
      type: 'object',
      'x-ms-dynamic-schema': { operationId: 'GetToolInputSchema', parameters: { tool: { parameter: 'tool' } }, 'value-path': 'schema' },
      'x-ms-dynamic-properties': { operationId: 'GetToolInputSchema', parameters: { tool: { parameterReference: 'tool' } }, itemValuePath: 'schema' },
    })
    expect(session).toEqual({ $ref: '#/parameters/SessionId' })
    expect(invoke.responses['200']!.schema).toMatchObject({
      'x-ms-dynamic-schema': { operationId: 'GetToolOutputSchema', 'value-path': 'schema' },
      'x-ms-dynamic-properties': { operationId: 'GetToolOutputSchema', itemValuePath: 'schema' },
    })
  })

  it('fills info and x-ms-connector-metadata from the options', () => {
    expect(document.info).toEqual({
      title: 'Demo Vendor',
      description: CERTIFIABLE_OPTIONS.description,
      version: '1.2.3',
      contact: CERTIFIABLE_OPTIONS.contact,
    })
    expect(document['x-ms-connector-metadata']).toEqual([
      { propertyName: 'Website', propertyValue: 'https://example.com' },
      { propertyName: 'Privacy policy', propertyValue: 'https://example.com/privacy' },
      { propertyName: 'Categories', propertyValue: 'AI;Productivity' },
    ])
    expect(report.warnings).toEqual([])
  })

  it('titles and descriptions come from the server title/description, without doubled words, never from instructions', () => {
    const info = (server: Catalog['server']) => emitSwagger2(makeCatalog([], server), {}).document.info
    const fs = info({ name: 'secure-filesystem-server', version: '1', instructions: 'Always call list_allowed_directories first. Never guess paths.' })
    expect(fs.title).toBe('Secure Filesystem Server')
    expect(fs.description).toBe('Calls the tools of the Secure Filesystem MCP server as typed actions, with the MCP session kept by the facade.')
    const azure = info({ name: 'Azure MCP Server', version: '1' })
    expect(azure.title).toBe('Azure MCP Server')
    expect(azure.description).toBe('Calls the tools of the Azure MCP server as typed actions, with the MCP session kept by the facade.')
    const memory = info({ name: 'mcp-server-memory', version: '1' })
    expect(memory.description).toContain('of the Memory MCP server')
    const described = info({ name: 'notion', title: 'Notion', version: '1', description: 'Search, read and edit pages and databases in a Notion workspace.', instructions: 'Prefer search.' })
    expect(described).toMatchObject({ title: 'Notion', description: 'Search, read and edit pages and databases in a Notion workspace.' })
    for (const i of [fs, azure, memory, described]) {
      expect(i.description).not.toMatch(/\b(\w+(?: \w+)?) \1\b/i)
      expect(i.description).not.toMatch(/MCP server MCP|server MCP server/i)
    }
  })

  it('sanitizes title and description', () => {
    const { document: d, report: r } = emitSwagger2(catalog, {
      title: 'Contoso CRM API Connector for Power Automate!',
      description: 'API for Logic Apps.',
      connectorMetadata: { website: 'https://x.example.com', privacyPolicy: 'https://x.example.com/p', categories: ['ai', 'Bogus', 'Data', 'Finance'] },
    })
    expect(d.info.title).toBe('Contoso CRM')
    expect(d.info.description.length).toBeGreaterThanOrEqual(30)
    expect(d.info.description).not.toMatch(/\bAPI\b|Logic Apps/i)
    expect(d['x-ms-connector-metadata']![2]).toEqual({ propertyName: 'Categories', propertyValue: 'AI;Data' })
    expect(r.warnings.some((w) => w.includes('Bogus'))).toBe(true)
    expect(checkConnectorDocument(d).filter((v) => ['C-01', 'C-02', 'C-04'].includes(v.rule))).toEqual([])
  })
})

describe('inbound auth', () => {
  const catalog = demoCatalog()
  const cases: [string, Swagger2Options['inboundAuth'], Partial<Swagger2Document>][] = [
    ['none', { mode: 'none' }, {}],
    [
      'facade API key',
      { mode: 'apiKey', header: 'X-API-Key' },
      { securityDefinitions: { api_key: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: expect.any(String) } }, security: [{ api_key: [] }] },
    ],
    [
      'passthrough API key',
      { mode: 'passthrough', scheme: 'apiKey', header: 'Authorization' },
      { securityDefinitions: { api_key: { type: 'apiKey', in: 'header', name: 'Authorization', description: expect.any(String) } }, security: [{ api_key: [] }] },
    ],
    [
      'passthrough OAuth',
      { mode: 'passthrough', scheme: 'oauth2', authorizationUrl: 'https://id.example.com/authorize', tokenUrl: 'https://id.example.com/token', scopes: { write: 'Write', read: 'Read' } },
      {
        securityDefinitions: {
          oauth2: {
            type: 'oauth2',
            flow: 'accessCode',
            authorizationUrl: 'https://id.example.com/authorize',
            tokenUrl: 'https://id.example.com/token',
            scopes: { write: 'Write', read: 'Read' },
            description: expect.any(String),
          },
        },
        security: [{ oauth2: ['read', 'write'] }],
      },
    ],
  ]
  it.each(cases)('%s', async (_name, inboundAuth, expected) => {
    const { document } = emitSwagger2(catalog, { inboundAuth })
    if (inboundAuth?.mode === 'none') {
      expect(document.securityDefinitions).toBeUndefined()
      expect(document.security).toBeUndefined()
    } else {
      expect(document).toMatchObject(expected)
    }
    expect(errorsOf(document)).toEqual([])
    await expectValidSwagger(document)
  })
})

describe('shared success responses', () => {
  const client: NonBodyParameter = { name: 'X-Facade-Client', in: 'header', type: 'string', required: true, default: 'power-platform', 'x-ms-visibility': 'internal', 'x-ms-summary': 'Client', description: 'Client.' }

  it('tools without an output schema share one ToolResult; a shared output schema is shared too; a unique one stays inline', async () => {
    const out = { type: 'object', properties: { ok: { type: 'boolean' } } }
    const catalog = makeCatalog([
      { name: 'a_free', inputSchema: { type: 'object' } },
      { name: 'b_free', inputSchema: { type: 'object' } },
      { name: 'c_same', inputSchema: { type: 'object' }, outputSchema: out },
      { name: 'd_same', inputSchema: { type: 'object' }, outputSchema: out },
      { name: 'e_own', inputSchema: { type: 'object' }, outputSchema: { type: 'object', properties: { n: { type: 'integer' } } } },
    ])
    const { document } = emitSwagger2(catalog, {})
    expect(toolOp(document, 'a_free').responses['200']).toEqual({ $ref: '#/responses/ToolResult' })
    expect(toolOp(document, 'b_free').responses['200']).toEqual({ $ref: '#/responses/ToolResult' })
    expect(toolOp(document, 'c_same').responses['200']).toEqual({ $ref: '#/responses/ToolResultCSame' })
    expect(toolOp(document, 'd_same').responses['200']).toEqual({ $ref: '#/responses/ToolResultCSame' })
    expect(toolOp(document, 'e_own').responses['200']).toEqual({ description: 'The tool result.', schema: connectorOutputSchema(catalog.tools[4]!).schema })
    // The shared entry is exactly what the dynamic-schema endpoint serves for such a tool.
    expect(document.responses!.ToolResult).toEqual({ description: 'The tool result.', schema: connectorOutputSchema(catalog.tools[0]!).schema })
    expect(document.responses!.ToolResultCSame!.schema).toEqual(connectorOutputSchema(catalog.tools[2]!).schema)
    expect(errorsOf(document)).toEqual([])
    await expectValidSwagger(document)
  })

  it('an @azure/mcp-shaped vendor (235 tools, 198 without output schema) types every tool within 1 MB', async () => {
    const catalog = azureLikeCatalog()
    expect(catalog.tools.filter((t) => !t.outputSchema).length).toBe(198)
    const { document, report, text } = emitSwagger2(catalog, { publicUrl: 'https://facade.example.com', toolParameters: { FacadeClient: client } })
    expect(report.omittedTools).toEqual([])
    expect(report.operations).toBe(235 + 6)
    expect(report.bytes).toBeLessThanOrEqual(1_000_000)
    expect(text.length).toBe(report.bytes)
    const refs = Object.values(document.paths).filter((item) => (item.post?.responses['200'] as { $ref?: string } | undefined)?.$ref === '#/responses/ToolResult')
    expect(refs.length).toBe(198)
    expect(errorsOf(document)).toEqual([])
    await expectValidSwagger(document)
  })

  it('the byte budget is filled by size after sharing: a tight limit drops the largest operations as they are in the document', () => {
    const catalog = azureLikeCatalog()
    // 75 % of the full document (the 200s of typed tools carry the interactive outputs since issue 22).
    const { report } = emitSwagger2(catalog, { toolParameters: { FacadeClient: client }, maxBytes: 720_000 })
    const dropped = report.omittedTools.filter((t) => t.reason === 'max-bytes').map((t) => t.name)
    expect(dropped.length).toBeGreaterThan(0)
    expect(report.bytes).toBeLessThanOrEqual(720_000)
    // Tools with an output schema of their own cost the most once the free-form envelope is shared: they go first,
    // and a tool without one goes only once all of them are gone.
    const withOwnOutput = new Set(catalog.tools.filter((t) => t.outputSchema).map((t) => t.name))
    const firstShared = dropped.findIndex((name) => !withOwnOutput.has(name))
    expect(dropped.slice(0, firstShared === -1 ? undefined : firstShared).every((name) => withOwnOutput.has(name))).toBe(true)
    if (firstShared !== -1) expect(firstShared).toBe(withOwnOutput.size)
  })
})

describe('limits and naming', () => {
  it('drops the largest typed operations first when the size limit is hit, and reports them', () => {
    const big = { type: 'object', properties: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`field_${i}`, { type: 'string', description: 'x'.repeat(50) }])) }
    const catalog = makeCatalog([
      { name: 'a_small', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } },
      { name: 'b_large', inputSchema: big },
      { name: 'c_small', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } },
      { name: 'd_large', inputSchema: big },
    ])
    // below the compact size: indentation alone cannot help, an operation must go
    const full = serializedBytes(emitSwagger2(catalog, {}).document)
    const { document, report } = emitSwagger2(catalog, { maxBytes: full - 1000 })
    expect(report.omittedTools).toEqual([{ name: 'd_large', reason: 'max-bytes' }])
    expect(report.bytes).toBeLessThanOrEqual(full - 1000)
    expect(report.bytes).toBe(serializeDefinition(document, full - 1000).length)
    expect(document.paths['/tools/b_large']).toBeDefined()
    expect(report.warnings.some((w) => w.includes('bytes'))).toBe(true)
  })

  it('checks the limits on the final file, with the tool-call headers and the extra operations in it', () => {
    const client: NonBodyParameter = { name: 'X-Client', in: 'header', type: 'string', required: true, default: 'c', 'x-ms-visibility': 'internal', 'x-ms-summary': 'Client', description: 'Client.' }
    const extra = { '/mcp': { post: { operationId: 'InvokeMCP', summary: 'MCP', description: 'The MCP endpoint.', 'x-ms-visibility': 'internal' as const, responses: { '200': { description: 'OK.' } } } } }
    const catalog = bigCatalog(40)
    const options = { toolParameters: { Client: client }, extraOperations: extra, maxOperations: 30 }
    // below the compact size of the full document: only dropping operations can make it fit
    const limit = serializedBytes(emitSwagger2(catalog, options).document) - 1500
    const { document, report, text } = emitSwagger2(catalog, { ...options, maxBytes: limit })
    expect(report.omittedTools.some((t) => t.reason === 'max-bytes')).toBe(true)
    // the extra operation is kept and counted like a fixed one: 30 - 7 = 23 tool operations at most
    expect(document.paths['/mcp']).toEqual(extra['/mcp'])
    expect(report.operations).toBeLessThanOrEqual(30)
    expect(report.omittedTools.filter((t) => t.reason === 'max-operations').length).toBe(40 - 23)
    expect(document.paths['/invoke/{tool}']!.post!.parameters).toContainEqual({ $ref: '#/parameters/Client' })
    // every tool call references the header, and the size was measured with it: the written text is within the limit
    for (const item of Object.values(document.paths)) if (item.post?.['x-mcp-tool']) expect(item.post.parameters).toContainEqual({ $ref: '#/parameters/Client' })
    expect(document.parameters!.Client).toEqual(client)
    expect(text.length).toBe(report.bytes)
    expect(report.bytes).toBeLessThanOrEqual(limit)
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(document)))
  })

  it('honours a custom maxOperations and keeps the fixed operations', () => {
    const { report, document } = emitSwagger2(bigCatalog(10), { maxOperations: 9 })
    expect(report.operations).toBe(9)
    expect(report.omittedTools.map((t) => t.name)).toEqual(['tool_003', 'tool_004', 'tool_005', 'tool_006', 'tool_007', 'tool_008', 'tool_009'])
    expect(document.paths['/invoke/{tool}']).toBeDefined()
  })

  it('keeps tool operation ids away from the reserved ids (a vendor tool named ListTools)', () => {
    const { document } = emitSwagger2(awkwardCatalog(), {})
    expect(toolOp(document, 'ListTools').operationId).toBe('ToolListTools')
    expect(document.paths['/connector/tools']!.get!.operationId).toBe('ListTools')
    const ids = operations(document).map((op) => op.operationId.toLowerCase())
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('omits a tool whose operationId or slug collides instead of emitting a broken document', () => {
    const catalog = makeCatalog([
      { name: 'one', inputSchema: { type: 'object' } },
      { name: 'two', inputSchema: { type: 'object' } },
    ])
    catalog.tools[1] = { ...catalog.tools[1]!, operationId: 'InvokeTool' }
    const { report, document } = emitSwagger2(catalog, {})
    expect(report.omittedTools).toEqual([{ name: 'two', reason: 'name-conflict' }])
    expect(errorsOf(document)).toEqual([])
  })

  it('reports the down-conversion notes per tool', () => {
    const { report } = emitSwagger2(awkwardCatalog(), {})
    const notes = report.schemaNotes.find((n) => n.name === 'crm/contacts.search')!.notes
    expect(notes).toContain('input /: property "filter.name" renamed to "filter_name"')
    expect(notes).toContain('output /: property "@odata.count" renamed to "_odata_count"')
  })

  it('keeps deep and recursive schemas within the depth the checker tolerates', () => {
    let deep: Record<string, unknown> = { type: 'string' }
    for (let i = 0; i < 15; i++) deep = i % 2 ? { type: 'object', properties: { next: deep } } : { type: 'array', items: deep }
    const catalog = makeCatalog([{ name: 'deep', inputSchema: { type: 'object', properties: { root: deep } }, outputSchema: { type: 'array', items: deep } }])
    const { document } = emitSwagger2(catalog, {})
    expect(checkConnectorDocument(document).filter((v) => v.rule === 'H-13' || v.severity === 'error')).toEqual([])
  })

  it('keeps wide schemas within 512 schemas per body by lowering the depth', () => {
    const leaf = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, { type: 'string' }]))
    const mid = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`m${i}`, { type: 'object', properties: leaf }]))
    const catalog = makeCatalog([{ name: 'wide', inputSchema: { type: 'object', properties: mid } }])
    const { document, report } = emitSwagger2(catalog, {})
    const body = toolOp(document, 'wide').parameters![0] as BodyParameter
    expect(Object.keys(body.schema.properties!)).toHaveLength(30)
    expect(body.schema.properties!.m0!.properties).toBeUndefined()
    expect(report.warnings.some((w) => w.includes('"wide"'))).toBe(true)
    expect(errorsOf(document)).toEqual([])
  })
})

describe('stability', () => {
  it('emits byte-identical JSON for the same catalog', () => {
    const a = serializeSwagger2(emitSwagger2(awkwardCatalog(), CERTIFIABLE_OPTIONS).document)
    const b = serializeSwagger2(emitSwagger2(awkwardCatalog(), CERTIFIABLE_OPTIONS).document)
    expect(a).toBe(b)
  })

  it('does not change operation ids (or the document) when the tools are reordered', () => {
    const catalog = awkwardCatalog()
    const reversed = makeCatalog(
      [...catalog.tools].reverse().map(({ slug: _s, operationId: _o, ...spec }) => spec),
      catalog.server,
    )
    const ids = (c: Catalog) => Object.fromEntries(c.tools.map((t) => [t.name, t.operationId]))
    expect(ids(reversed)).toEqual(ids(catalog))
    expect(serializeSwagger2(emitSwagger2(reversed, CERTIFIABLE_OPTIONS).document)).toBe(serializeSwagger2(emitSwagger2(catalog, CERTIFIABLE_OPTIONS).document))
  })
})
