/**
 * @module http/routes/tools
 * `POST /tools/{tool}` (one operation per tool), `POST /invoke/{tool}` (the connector's generic operation),
 * `GET /tools` and `GET /jobs/{id}`.
 * Only HTTP concerns live here: authenticate, read the body and headers, then hand the call to
 * runtime/tool-invocation, and turn its result (an outcome or a 202 job) into the response.
 */
import type { Context, Hono } from 'hono'
import type { CatalogTool } from '../../catalog/types.js'
import { CONNECTOR_CLIENT_HEADER, CONNECTOR_CLIENT_VALUE } from '../../connector/swagger-options.js'
import { ApiError } from '../../errors/api-error.js'
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import { invokeTool, resolveTool } from '../../runtime/tool-invocation.js'
import { baseUrl } from '../base-url.js'
import { prefersAsync, readJsonObject, sessionSelector } from '../request.js'

/** Describes a tool for `GET /tools`. */
function describe(tool: CatalogTool, mountPath: string) {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    path: `${mountPath}/tools/${tool.slug}`,
    operationId: tool.operationId,
    typed: tool.typed,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    annotations: tool.annotations,
  }
}

/** Registers the tool routes on a server app. */
export function registerToolRoutes(app: Hono, runtime: ServerRuntime) {
  app.get('/tools', (c) => {
    runtime.callerFrom(c.req.raw.headers)
    const { catalog } = runtime.requireCatalog()
    c.header('ETag', `"${catalog.etag}"`)
    return c.json({ catalogVersion: catalog.version, tools: catalog.tools.map((t) => describe(t, runtime.mountPath)), excluded: catalog.excluded })
  })

  const invoke = (c: Context) => callTool(c, runtime, c.req.param('tool') ?? '')
  app.post('/tools/:tool{.+}', invoke)
  app.post('/invoke/:tool{.+}', invoke)

  app.get('/jobs/:id', async (c) => {
    const caller = runtime.callerFrom(c.req.raw.headers)
    const job = await runtime.jobs.get(c.req.param('id'), caller.identity)
    if (!job) throw new ApiError('job_not_found')
    if (!job.outcome) return accepted(c, runtime, job.id, { status: 'running', jobId: job.id, tool: job.tool, startedAt: new Date(job.startedAt).toISOString(), progress: job.progress })
    const { status, body, headers } = job.outcome
    for (const [k, v] of Object.entries(headers ?? {})) c.header(k, v)
    return c.body(JSON.stringify(body), status as 200, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' })
  })
}

function accepted(c: Context, runtime: ServerRuntime, jobId: string, body: unknown) {
  c.header('Location', `${baseUrl(c, runtime.global.publicUrl, runtime.mountPath)}/jobs/${jobId}`)
  c.header('Retry-After', String(runtime.config.async.retryAfterSeconds))
  return c.json(body, 202)
}

/** `POST /tools/{tool}` and `POST /invoke/{tool}`: HTTP in, the invocation (runtime/tool-invocation), HTTP out. */
async function callTool(c: Context, runtime: ServerRuntime, segment: string) {
  const caller = runtime.callerFrom(c.req.raw.headers)
  const tool = resolveTool(runtime, segment)
  const result = await invokeTool(runtime, {
    tool,
    body: await readJsonObject(c, runtime.global.bodyLimitBytes, runtime.global.maxJsonDepth),
    caller,
    selector: sessionSelector(c),
    fromConnector: c.req.header(CONNECTOR_CLIENT_HEADER) === CONNECTOR_CLIENT_VALUE,
    wantsAsync: prefersAsync(c),
    instance: c.req.path,
  })
  if (result.kind === 'accepted') {
    const { job } = result
    if (prefersAsync(c)) c.header('Preference-Applied', 'respond-async')
    return accepted(c, runtime, job.id, { status: 'running', jobId: job.id, tool: job.tool, startedAt: new Date(job.startedAt).toISOString(), progress: job.progress })
  }
  const { outcome } = result
  for (const [k, v] of Object.entries(outcome.headers ?? {})) c.header(k, v)
  if (outcome.status >= 400) return c.body(JSON.stringify(outcome.body), outcome.status as 400, { 'content-type': 'application/problem+json' })
  return c.json(outcome.body, 200)
}
