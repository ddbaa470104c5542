/**
 * @module http/routes/mcp-extras
 * Resources and prompts as plain operations: `GET /resources`, `GET /resources/templates`,
 * `GET /resources/read?uri=…`, `GET /resources/templates/{slug}/read?<variable>=…` (a template filled in),
 * `GET /prompts`, `POST /prompts/{name}`, and `POST /completions` (argument
 * completion for prompts and resource templates, when the vendor offers it). The fixed ones are declared with
 * `createRoute`; the prompt calls follow the catalog (one documented operation per prompt, built with the
 * document), so their route stays a plain handler. Their shared schemas are exported for that document.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { ApiError } from '../../errors/api-error.js'
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import { authenticated, callerOf } from '../caller.js'
import { CALLER_CODES, headerRefs, LIMIT_CODES, problemContextOf, problemResponses, VENDOR_CODES } from '../openapi-components.js'
import { decodeSegment, readJsonObject, sessionSelector } from '../request.js'
import { findResourceTemplate } from '../../catalog/resource-templates.js'
import { expandTemplate, templateVariables } from '../../catalog/uri-template.js'
import { SessionQuery, SessionHeaders } from './session-parameters.js'

const described = { title: z.string().optional(), description: z.string().optional(), mimeType: z.string().optional() }
const ResourceListSchema = z.object({ resources: z.array(z.object({ uri: z.string(), name: z.string(), ...described })) }).openapi('ResourceList')
const ResourceTemplateListSchema = z
  .object({ resourceTemplates: z.array(z.object({ uriTemplate: z.string(), name: z.string(), ...described })) })
  .openapi('ResourceTemplateList')
const sessionFields = {
  sessionId: z.string().optional().openapi({ description: 'The caller session the call ran in.' }),
  sessionRenewed: z.boolean().optional().openapi({ description: 'True when the vendor lost the session and it was re-created.' }),
}
const ResourceContentsSchema = z
  .object({ contents: z.array(z.looseObject({ uri: z.string(), mimeType: z.string().optional(), text: z.string().optional(), blob: z.string().optional() })), ...sessionFields })
  .openapi('ResourceContents')
const PromptListSchema = z
  .object({
    prompts: z.array(
      z.object({
        name: z.string(),
        title: z.string().optional(),
        description: z.string().optional(),
        arguments: z.array(z.object({ name: z.string(), description: z.string().optional(), required: z.boolean().optional() })).optional(),
        slug: z.string(),
        operationId: z.string(),
      }),
    ),
  })
  .openapi('PromptList')

/** The answer of a prompt call (referenced by the per-prompt operations of the document). */
export const PromptMessagesSchema = z
  .object({ description: z.string().optional(), messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })), ...sessionFields })
  .openapi('PromptMessages')

/** Codes of a prompt call, for the per-prompt operations of the document. */
const CompletionRequestSchema = z
  .object({
    ref: z.discriminatedUnion('type', [
      z.object({ type: z.literal('ref/prompt'), name: z.string().min(1).openapi({ description: 'The prompt name.' }) }),
      z.object({ type: z.literal('ref/resource'), uri: z.string().min(1).openapi({ description: 'The resource template (its uriTemplate) or resource URI.' }) }),
    ]),
    argument: z.object({ name: z.string().min(1), value: z.string() }).openapi({ description: 'The argument being completed and what the user typed so far.' }),
    context: z.object({ arguments: z.record(z.string(), z.string()).optional() }).optional().openapi({ description: 'Arguments already chosen.' }),
  })
type Completion = { values: string[]; total?: number; hasMore?: boolean }
export const COMPLETION_CODES = [...CALLER_CODES, 'not_ready', 'not_found', 'prompt_not_found', 'resource_not_found', 'session_not_found', 'store_unavailable', ...LIMIT_CODES, 'invalid_json', 'invalid_arguments', 'payload_too_large', 'unsupported_media_type', ...VENDOR_CODES] as const

/** Codes of a resource-template read, for the per-template operations of the document. */
export const TEMPLATE_READ_CODES = [...CALLER_CODES, 'not_ready', 'invalid_arguments', 'resource_not_found', 'session_not_found', 'store_unavailable', ...LIMIT_CODES, ...VENDOR_CODES] as const

export const PROMPT_CALL_CODES = [...CALLER_CODES, 'not_ready', 'prompt_not_found', 'session_not_found', 'store_unavailable', ...LIMIT_CODES, 'invalid_json', 'invalid_arguments', 'payload_too_large', 'unsupported_media_type', ...VENDOR_CODES] as const

function withSession(c: Context, body: Record<string, unknown>, outcome: { sessionId?: string; renewed: boolean }) {
  if (outcome.sessionId) {
    c.header('X-Session-Id', outcome.sessionId)
    body.sessionId = outcome.sessionId
  }
  if (outcome.renewed) body.sessionRenewed = true
  return body
}

/** Registers the resource and prompt routes. */
export function registerMcpExtraRoutes(app: OpenAPIHono, runtime: ServerRuntime) {
  const ctx = problemContextOf(runtime)
  const auth = authenticated(runtime)
  // Referenced by the per-prompt operations the document generates.
  app.openAPIRegistry.register('PromptMessages', PromptMessagesSchema)
  const listProblems = problemResponses(ctx, [...CALLER_CODES, 'not_ready'])
  const ok = (description: string, schema: z.ZodType, ...headers: string[]) => ({
    description,
    headers: headerRefs(...headers) as never,
    content: { 'application/json': { schema } },
  })

  const listResources = createRoute({ middleware: [auth], method: 'get', path: '/resources', operationId: 'ListResources', summary: 'List resources', tags: ['Resources'], responses: { 200: ok('Resources.', ResourceListSchema), ...listProblems } })
  app.openapi(listResources, (c) => {
    return c.json({ resources: runtime.requireCatalog().catalog.resources }, 200)
  })

  const listTemplates = createRoute({
    middleware: [auth],
    method: 'get',
    path: '/resources/templates',
    operationId: 'ListResourceTemplates',
    summary: 'List resource templates',
    tags: ['Resources'],
    responses: { 200: ok('Templates.', ResourceTemplateListSchema), ...listProblems },
  })
  app.openapi(listTemplates, (c) => {
    return c.json({ resourceTemplates: runtime.requireCatalog().catalog.resourceTemplates }, 200)
  })

  const readResource = createRoute({
    middleware: [auth],
    method: 'get',
    path: '/resources/read',
    operationId: 'ReadResource',
    summary: 'Read a resource',
    tags: ['Resources'],
    request: { query: SessionQuery.extend({ uri: z.string().min(1).openapi({ description: 'The resource URI.' }) }), headers: SessionHeaders },
    responses: {
      200: ok('Contents.', ResourceContentsSchema, 'SessionId'),
      ...problemResponses(ctx, [...CALLER_CODES, 'invalid_request', 'resource_not_found', 'session_not_found', 'store_unavailable', ...LIMIT_CODES, ...VENDOR_CODES]),
    },
  })
  app.openapi(readResource, async (c) => {
    const caller = callerOf(c)
    const outcome = await runtime.readResource(c.req.valid('query').uri, caller, sessionSelector(c))
    return c.json(withSession(c, { contents: outcome.result.contents ?? [] }, outcome) as z.infer<typeof ResourceContentsSchema>, 200)
  })

  // One documented operation per template (openapi-document), so a plain handler like the prompt calls: the
  // template's variables as query parameters, expanded by RFC 6570 into the URI that is read.
  app.get('/resources/templates/:slug/read', async (c) => {
    const caller = await runtime.callerFrom(c.req.raw.headers)
    const { catalog } = runtime.requireCatalog()
    const template = findResourceTemplate(catalog, c.req.param('slug'))
    if (!template) throw new ApiError('resource_not_found', { detail: `No resource template "${c.req.param('slug')}" on this server.` })
    const query = c.req.query()
    const variables = templateVariables(template.uriTemplate)
    const missing = variables.filter((v) => !v.optional && !query[v.name]).map((v) => ({ pointer: `/${v.name}`, message: 'is required' }))
    if (missing.length) throw new ApiError('invalid_arguments', { detail: `The variables do not fill resource template "${template.name}".`, errors: missing })
    const values = Object.fromEntries(variables.filter((v) => query[v.name] !== undefined).map((v) => [v.name, query[v.name]!]))
    const outcome = await runtime.readResource(expandTemplate(template.uriTemplate, values), caller, sessionSelector(c))
    return c.json(withSession(c, { contents: outcome.result.contents ?? [] }, outcome))
  })

  const listPrompts = createRoute({ middleware: [auth], method: 'get', path: '/prompts', operationId: 'ListPrompts', summary: 'List prompts', tags: ['Prompts'], responses: { 200: ok('Prompts.', PromptListSchema), ...listProblems } })
  app.openapi(listPrompts, (c) => {
    return c.json({ prompts: runtime.requireCatalog().catalog.prompts }, 200)
  })

  app.post('/prompts/:name{.+}', async (c) => {
    const caller = await runtime.callerFrom(c.req.raw.headers)
    const { catalog } = runtime.requireCatalog()
    const segment = c.req.param('name')
    const decoded = decodeSegment(segment)
    const prompt = catalog.prompts.find((p) => p.slug === segment) ?? catalog.prompts.find((p) => p.name === decoded)
    if (!prompt) throw new ApiError('prompt_not_found', { detail: `No prompt "${segment}" on this server.` })
    const body = await readJsonObject(c, runtime.global.bodyLimitBytes, runtime.global.maxJsonDepth)
    const errors = []
    const args: Record<string, string> = {}
    for (const [k, v] of Object.entries(body)) {
      // MCP prompt arguments are strings; numbers and booleans are converted, anything else is refused.
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') args[k] = String(v)
      else errors.push({ pointer: `/${k}`, message: 'must be string' })
    }
    for (const a of prompt.arguments ?? []) if (a.required && !(a.name in args)) errors.push({ pointer: `/${a.name}`, message: 'is required' })
    if (errors.length) throw new ApiError('invalid_arguments', { detail: `The arguments do not match prompt "${prompt.name}".`, errors })
    const outcome = await runtime.getPrompt(prompt.name, args, caller, sessionSelector(c))
    return c.json(withSession(c, { description: outcome.result.description, messages: outcome.result.messages ?? [] }, outcome))
  })

  // Documented by the document builder, and only when the vendor offers completions (openapi-document).
  app.post('/completions', async (c) => {
    const caller = await runtime.callerFrom(c.req.raw.headers)
    const { catalog } = runtime.requireCatalog()
    if (!catalog.server.supports?.completions) throw new ApiError('not_found', { detail: 'The MCP server does not offer completions.' })
    const parsed = CompletionRequestSchema.safeParse(await readJsonObject(c, runtime.global.bodyLimitBytes, runtime.global.maxJsonDepth))
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ pointer: i.path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''), message: i.message }))
      throw new ApiError('invalid_arguments', { detail: 'The body is not a completion request.', errors })
    }
    const outcome = await runtime.complete(parsed.data, caller, sessionSelector(c))
    const completion = (outcome.result.completion ?? { values: [] }) as Completion
    return c.json(withSession(c, { completion }, outcome))
  })
}
