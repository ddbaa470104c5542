/**
 * @module http/routes/mcp-extras
 * Resources and prompts as plain operations: `GET /resources`, `GET /resources/templates`,
 * `GET /resources/read?uri=…`, `GET /prompts`, `POST /prompts/{name}`.
 */
import type { Context, Hono } from 'hono'
import { ApiError } from '../../errors/api-error.js'
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import { decodeSegment, readJsonObject, sessionSelector } from '../request.js'

function withSession(c: Context, body: Record<string, unknown>, outcome: { sessionId?: string; renewed: boolean }) {
  if (outcome.sessionId) {
    c.header('X-Session-Id', outcome.sessionId)
    body.sessionId = outcome.sessionId
  }
  if (outcome.renewed) body.sessionRenewed = true
  return body
}

/** Registers the resource and prompt routes. */
export function registerMcpExtraRoutes(app: Hono, runtime: ServerRuntime) {
  app.get('/resources', (c) => {
    runtime.callerFrom(c.req.raw.headers)
    return c.json({ resources: runtime.requireCatalog().catalog.resources })
  })
  app.get('/resources/templates', (c) => {
    runtime.callerFrom(c.req.raw.headers)
    return c.json({ resourceTemplates: runtime.requireCatalog().catalog.resourceTemplates })
  })
  app.get('/resources/read', async (c) => {
    const caller = runtime.callerFrom(c.req.raw.headers)
    const uri = c.req.query('uri')
    if (!uri) throw new ApiError('invalid_request', { detail: 'Pass the resource URI as the uri query parameter.', errors: [{ pointer: '/uri', message: 'is required' }] })
    const outcome = await runtime.readResource(uri, caller, sessionSelector(c))
    return c.json(withSession(c, { contents: outcome.result.contents ?? [] }, outcome))
  })
  app.get('/prompts', (c) => {
    runtime.callerFrom(c.req.raw.headers)
    return c.json({ prompts: runtime.requireCatalog().catalog.prompts })
  })
  app.post('/prompts/:name{.+}', async (c) => {
    const caller = runtime.callerFrom(c.req.raw.headers)
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
}
