/**
 * @module http/openapi-document
 * The OpenAPI 3.1 document of one server, built with @hono/zod-openapi's registry from the current catalog:
 * one typed operation per tool (request = the vendor's input schema, response `data` = its output schema),
 * plus the facade's own operations. Rebuilt only when the catalog version changes.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { Catalog, CatalogTool } from '../catalog/types.js'
import { PROBLEMS } from '../errors/codes.js'
import { relocateSchema } from './openapi-schema.js'

const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(Object.keys(PROBLEMS) as [string, ...string[]]),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ pointer: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem')

const ContentBlockSchema = z
  .object({ type: z.string(), text: z.string().optional(), mimeType: z.string().optional(), data: z.string().optional(), uri: z.string().optional(), name: z.string().optional() })
  .passthrough()
  .openapi('ContentBlock')

const SessionCreatedSchema = z.object({ sessionId: z.string(), expiresAt: z.string() }).openapi('SessionCreated')
const JobSchema = z
  .object({
    status: z.literal('running'),
    jobId: z.string(),
    tool: z.string(),
    startedAt: z.string(),
    progress: z.object({ progress: z.number(), total: z.number().optional(), message: z.string().optional(), percent: z.number().optional() }).optional(),
  })
  .openapi('Job')

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } })
const PROBLEM_RESPONSES = {
  400: problem('Invalid arguments (`errors[]` lists each failing field as a JSON pointer), malformed JSON or a bad header.'),
  401: problem('Missing or invalid credentials, or the vendor rejected the forwarded credentials.'),
  403: problem('The vendor refused access.'),
  404: problem('Unknown tool, or unknown/expired/foreign session (`session_not_found`).'),
  413: problem('Request body too large.'),
  415: problem('The body is not application/json.'),
  502: problem('The vendor is unreachable, answered garbage, or broke its own output schema.'),
  503: problem('The catalog is not loaded yet or the service is shutting down.'),
  504: problem('The vendor did not answer in time.'),
}

const SESSION_DESCRIPTION =
  'A sessionId from POST /sessions or an earlier response keeps vendor-side state across calls; `new` opens a session. Without it the call runs on your pooled session.'
const callHeaders = z.object({
  'X-Session-Id': z.string().optional().openapi({ description: SESSION_DESCRIPTION }),
  Prefer: z.string().optional().openapi({ description: '`respond-async` answers 202 with a Location to poll instead of waiting.' }),
})
const callQuery = z.object({
  sessionId: z.string().optional().openapi({ description: 'Same as the X-Session-Id header, for clients that cannot set headers.' }),
})

function envelopeSchema(dataRef?: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'object',
    required: ['isError', 'text', 'content'],
    properties: {
      isError: { type: 'boolean', description: 'True when the tool reported an error (MCP `isError`).' },
      text: { type: 'string', description: 'All text blocks of the result joined with newlines.' },
      ...(dataRef ? { data: dataRef } : {}),
      content: { type: 'array', items: { $ref: '#/components/schemas/ContentBlock' }, description: 'Every content block as the vendor returned it.' },
      sessionId: { type: 'string', description: 'The caller session this call ran in; pass it back as X-Session-Id.' },
      sessionRenewed: { type: 'boolean', description: 'True when the vendor lost the session and it was re-created: vendor-side state is gone.' },
    },
  }
}

/** `data` schema: outputSchema wrapped with the same rule as the runtime (arrays → items, scalars → value). */
function dataSchema(tool: CatalogTool, outputRef: string): Record<string, unknown> {
  const t = tool.outputSchema?.type
  if (t === 'object' || t === undefined) return { $ref: outputRef }
  if (t === 'array') return { type: 'object', properties: { items: { $ref: outputRef } } }
  return { type: 'object', properties: { value: { $ref: outputRef } } }
}

/** Options of {@link buildOpenApiDocument}. */
export interface OpenApiOptions {
  title: string
  version: string
  serverUrl?: string
  /** Inbound API key header, or undefined when the facade runs without a key. */
  apiKeyHeader?: string
  bearer?: boolean
  /** Passthrough of the vendor's OAuth token: an `oauth2` authorization-code scheme. */
  oauth2?: { authorizationUrl: string; tokenUrl: string; refreshUrl?: string; scopes: Record<string, string> }
}

/** Builds the OpenAPI 3.1 document for a catalog. */
export function buildOpenApiDocument(catalog: Catalog, options: OpenApiOptions): Record<string, unknown> {
  const app = new OpenAPIHono()
  const registry = app.openAPIRegistry
  registry.register('Problem', ProblemSchema)
  registry.register('ContentBlock', ContentBlockSchema)
  if (options.apiKeyHeader) registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: options.apiKeyHeader })
  if (options.bearer) registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' })
  const o = options.oauth2
  if (o) {
    const flow = { authorizationUrl: o.authorizationUrl, tokenUrl: o.tokenUrl, ...(o.refreshUrl ? { refreshUrl: o.refreshUrl } : {}), scopes: o.scopes }
    registry.registerComponent('securitySchemes', 'oauth2', { type: 'oauth2', flows: { authorizationCode: flow } })
  }
  const security = options.apiKeyHeader
    ? [{ apiKey: [] }]
    : options.bearer
      ? [{ bearer: [] }]
      : o
        ? [{ oauth2: Object.keys(o.scopes).sort() }]
        : undefined

  for (const tool of catalog.tools.filter((t) => t.typed)) {
    const input = relocateSchema(tool.inputSchema, `${tool.operationId}Input`)
    for (const [name, s] of Object.entries(input.components)) registry.registerComponent('schemas', name, s as never)
    registry.registerComponent('schemas', `${tool.operationId}Input`, input.root as never)
    let data: Record<string, unknown> | undefined
    if (tool.outputSchema) {
      const output = relocateSchema(tool.outputSchema, `${tool.operationId}Output`)
      for (const [name, s] of Object.entries(output.components)) registry.registerComponent('schemas', name, s as never)
      registry.registerComponent('schemas', `${tool.operationId}Output`, output.root as never)
      data = dataSchema(tool, `#/components/schemas/${tool.operationId}Output`)
    } else data = { type: 'object', description: 'Structured content, when the vendor returns any (arrays as {items}, scalars as {value}).' }
    registry.registerPath({
      method: 'post',
      path: `/tools/${tool.slug}`,
      operationId: tool.operationId,
      summary: tool.title ?? tool.name,
      description: tool.description,
      tags: ['Tools'],
      security,
      'x-mcp-tool': tool.name,
      request: {
        headers: callHeaders,
        query: callQuery,
        body: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${tool.operationId}Input` } as never } } },
      },
      responses: {
        200: { description: 'The tool result.', content: { 'application/json': { schema: envelopeSchema(data) as never } } },
        202: { description: 'Still running: poll the Location header (GET /jobs/{id}).', content: { 'application/json': { schema: JobSchema } } },
        ...PROBLEM_RESPONSES,
        422: problem('The tool reported an error (only when toolErrors is "problem"); `text` and `content` are included.'),
      },
    } as never)
  }

  const fixed = (method: 'get' | 'post' | 'delete', path: string, operationId: string, summary: string, responses: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    registry.registerPath({ method, path, operationId, summary, tags: ['Facade'], security, responses, ...extra } as never)
  fixed('get', '/tools', 'ListTools', 'List the tools with their schemas', { 200: { description: 'Tools.' } })
  fixed('post', '/invoke/{tool}', 'InvokeTool', 'Call any tool by its original name', { 200: { description: 'The tool result.', content: { 'application/json': { schema: envelopeSchema({ type: 'object' }) } } }, 202: { description: 'Still running.' }, ...PROBLEM_RESPONSES }, {
    request: { params: z.object({ tool: z.string() }), headers: callHeaders, query: callQuery, body: { content: { 'application/json': { schema: { type: 'object' } } } } },
  })
  fixed('post', '/sessions', 'CreateSession', 'Open a caller session', { 201: { description: 'Created.', content: { 'application/json': { schema: SessionCreatedSchema } } }, ...PROBLEM_RESPONSES })
  fixed('delete', '/sessions/{sessionId}', 'EndSession', 'End a caller session and its vendor session', { 204: { description: 'Ended.' }, 404: PROBLEM_RESPONSES[404] }, { request: { params: z.object({ sessionId: z.string() }) } })
  fixed('get', '/jobs/{jobId}', 'GetJob', 'Poll a long-running call', { 200: { description: 'Finished: the tool envelope.' }, 202: { description: 'Still running.', content: { 'application/json': { schema: JobSchema } } }, 404: PROBLEM_RESPONSES[404] }, { request: { params: z.object({ jobId: z.string() }) } })
  fixed('get', '/resources', 'ListResources', 'List resources', { 200: { description: 'Resources.' } })
  fixed('get', '/resources/templates', 'ListResourceTemplates', 'List resource templates', { 200: { description: 'Templates.' } })
  fixed('get', '/resources/read', 'ReadResource', 'Read a resource', { 200: { description: 'Contents.' }, ...PROBLEM_RESPONSES }, { request: { query: z.object({ uri: z.string() }) } })
  fixed('get', '/prompts', 'ListPrompts', 'List prompts', { 200: { description: 'Prompts.' } })
  for (const prompt of catalog.prompts)
    fixed('post', `/prompts/${prompt.slug}`, prompt.operationId, prompt.title ?? prompt.name, { 200: { description: 'Rendered prompt messages.' }, ...PROBLEM_RESPONSES }, {
      description: prompt.description,
      request: {
        body: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: Object.fromEntries((prompt.arguments ?? []).map((a) => [a.name, { type: 'string', description: a.description }])),
                required: (prompt.arguments ?? []).filter((a) => a.required).map((a) => a.name),
              },
            },
          },
        },
      },
    })
  fixed('post', '/catalog/refresh', 'RefreshCatalog', 'Reload the vendor catalog now', { 200: { description: 'Reloaded.' } })
  fixed('get', '/healthz', 'Health', 'Process liveness', { 200: { description: 'Alive.' } }, { security: [] })
  fixed('get', '/readyz', 'Ready', 'Vendor reachable and catalog loaded', { 200: { description: 'Ready.' }, 503: { description: 'Not ready.' } }, { security: [] })

  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: options.title,
      version: options.version,
      description: `REST facade for the MCP server "${catalog.server.title ?? catalog.server.name}" (catalog version ${catalog.version}).`,
    },
    servers: options.serverUrl ? [{ url: options.serverUrl }] : undefined,
  }) as unknown as Record<string, unknown>
}
