/**
 * @module http/routes/connector
 * Internal operations the connector's generic InvokeTool uses at design time: the tool list for the picker and
 * each tool's input and response schema as Swagger 2.0 schema objects (x-ms-dynamic-schema / -properties).
 * Declared with `createRoute`; in `/openapi.json` they are the `Connector*` operations (the Swagger document names
 * them ListTools, GetToolInputSchema and GetToolOutputSchema). `GET /connector/package` (not in the documents: it is
 * for makers, not for flows) answers the whole connector folder as a zip, behind the same inbound auth.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { findTool } from '../../catalog/build.js'
import { ApiError } from '../../errors/api-error.js'
import { baseUrl } from '../base-url.js'
import { decodeSegment } from '../request.js'
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import { connectorInputSchema, connectorOutputSchema, connectorToolList } from '../../swagger/tool-schemas.js'
import { authenticated, callerOf } from '../caller.js'
import { CALLER_CODES, headerRefs, LIMIT_CODES, problemContextOf, problemResponses, VENDOR_CODES } from '../openapi-components.js'

const ConnectorToolListSchema = z.object({ tools: z.array(z.object({ name: z.string(), title: z.string() })) }).openapi('ConnectorToolList')
/** The other arguments arrive as `context.<name>` query parameters (see connector/catalog-operations). */
const CONTEXT_PREFIX = 'context.'

/** Problem codes of `GET /connector/completions`. */
export const CONNECTOR_COMPLETION_CODES = [...CALLER_CODES, 'not_ready', 'not_found', 'prompt_not_found', 'resource_not_found', 'invalid_request', ...LIMIT_CODES, ...VENDOR_CODES] as const
const ConnectorSchemaSchema = z
  .object({ schema: z.record(z.string(), z.unknown()).openapi({ description: 'A Swagger 2.0 schema object.' }) })
  .openapi('ConnectorSchema')

/** Registers the connector helper routes. */
export function registerConnectorRoutes(app: OpenAPIHono, runtime: ServerRuntime) {
  const ctx = problemContextOf(runtime)
  const auth = authenticated(runtime)
  const toolOf = (segment: string) => {
    const { catalog } = runtime.requireCatalog()
    const decoded = decodeSegment(segment)
    const tool = findTool(catalog, segment) ?? (decoded === undefined ? undefined : findTool(catalog, decoded))
    if (!tool) throw new ApiError('tool_not_found', { detail: `No tool "${segment}" on this server.` })
    return tool
  }
  const ok = (schema: z.ZodType) => ({ description: 'OK.', headers: headerRefs() as never, content: { 'application/json': { schema } } })
  const toolParam = z.object({ tool: z.string().min(1).openapi({ description: 'The vendor tool name.' }) })

  const list = createRoute({
    middleware: [auth],
    method: 'get',
    path: '/connector/tools',
    operationId: 'ConnectorListTools',
    summary: 'Tool picker of the connector',
    tags: ['Connector'],
    responses: { 200: ok(ConnectorToolListSchema), ...problemResponses(ctx, [...CALLER_CODES, 'not_ready']) },
  })
  app.openapi(list, (c) => {
    return c.json(connectorToolList(runtime.requireCatalog().catalog) as z.infer<typeof ConnectorToolListSchema>, 200)
  })

  const schemaRoute = (which: 'input' | 'output') =>
    createRoute({
      middleware: [auth],
      method: 'get',
      path: `/connector/tools/{tool}/${which}-schema`,
      operationId: which === 'input' ? 'ConnectorGetToolInputSchema' : 'ConnectorGetToolOutputSchema',
      summary: `The ${which} schema of a tool, as Swagger 2.0`,
      tags: ['Connector'],
      request: { params: toolParam },
      responses: { 200: ok(ConnectorSchemaSchema), ...problemResponses(ctx, [...CALLER_CODES, 'not_ready', 'tool_not_found']) },
    })
  app.openapi(schemaRoute('input'), (c) => {
    return c.json(connectorInputSchema(toolOf(c.req.valid('param').tool)) as z.infer<typeof ConnectorSchemaSchema>, 200)
  })
  app.openapi(schemaRoute('output'), (c) => {
    return c.json(connectorOutputSchema(toolOf(c.req.valid('param').tool)) as z.infer<typeof ConnectorSchemaSchema>, 200)
  })

  // The connector's CompleteArgument (connector/catalog-operations): the vendor's `completion/complete` for a
  // prompt argument or a resource-template variable, the others as context, answered as objects a dynamic-values list can point at. At
  // design time: on the identity's pooled session. Documented by the document builder, and only when the vendor
  // offers completions (openapi-document), like `POST /completions`.
  app.get('/connector/completions', auth, async (c) => {
    const { catalog } = runtime.requireCatalog()
    if (!catalog.server.supports?.completions) throw new ApiError('not_found', { detail: 'The MCP server does not offer completions.' })
    const query = c.req.query()
    const missing = [...(query.prompt || query.template ? [] : ['prompt']), ...(query.argument ? [] : ['argument'])]
    if (missing.length) throw new ApiError('invalid_request', { detail: 'argument and one of prompt or template are required.', errors: missing.map((name) => ({ pointer: `/${name}`, message: 'is required' })) })
    const context: Record<string, string> = {}
    for (const [key, given] of Object.entries(query)) {
      // An empty field is one the maker has not filled in yet: not context.
      if (key.startsWith(CONTEXT_PREFIX) && key.length > CONTEXT_PREFIX.length && given !== '') context[key.slice(CONTEXT_PREFIX.length)] = given
    }
    const params = {
      ref: query.prompt ? { type: 'ref/prompt', name: query.prompt } : { type: 'ref/resource', uri: query.template! },
      argument: { name: query.argument, value: query.value ?? '' },
      ...(Object.keys(context).length ? { context: { arguments: context } } : {}),
    }
    const outcome = await runtime.complete(params, callerOf(c), { kind: 'pooled' })
    const values = ((outcome.result.completion as { values?: unknown[] } | undefined)?.values ?? []).filter((v): v is string => typeof v === 'string')
    return c.json({ values: values.map((v) => ({ value: v })) })
  })

  // The folder `export` writes, as a zip. Without a configured publicUrl the request's origin is the connector's
  // host; like the export, an http one is refused unless `allowHttp=true` (local tests). Loaded on first use: the
  // emitter, the rule checker and the zip writer cost nothing at start-up.
  app.get('/connector/package', auth, async (c) => {
    const { ExportError } = await import('../../connector/export.js')
    const { connectorPackage } = await import('../../connector/package.js')
    const flag = (name: string) => {
      const value = c.req.query(name)
      if (value !== undefined && value !== 'true' && value !== 'false') throw new ApiError('invalid_request', { detail: `${name} must be true or false.` })
      return value === 'true'
    }
    const options = { mcpOnly: flag('mcpOnly'), allowHttp: flag('allowHttp') }
    const publicRoot = runtime.global.publicUrl ?? baseUrl(c, undefined, '')
    let built
    try {
      built = connectorPackage(runtime, { ...options, publicRoot })
    } catch (error) {
      if (error instanceof ExportError) throw new ApiError('connector_not_exportable', { detail: error.message })
      throw error
    }
    return c.body(built.zip as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${runtime.name}-connector${options.mcpOnly ? '-mcp' : ''}.zip"`,
      'Cache-Control': 'no-store',
      // What the export would print, for `export --from` (URI-encoded: header values are Latin-1).
      'X-Connector-Operations': String(built.operations),
      ...(built.warnings.length ? { 'X-Connector-Warnings': encodeURIComponent(JSON.stringify(built.warnings)) } : {}),
    })
  })
}
