/**
 * @module http/routes/tools
 * `POST /tools/{tool}` (one operation per tool), `POST /invoke/{tool}` (the connector's generic operation),
 * `GET /tools` and `GET /jobs/{jobId}` (these two declared with `createRoute`; the tool calls follow the catalog
 * and are documented by http/openapi-document).
 * A call: authenticate → find the tool → parse and validate the body against the vendor's original schema →
 * pick the vendor session → call (synchronously, or as a 202 job) → check the output → envelope.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { findTool } from '../../catalog/build.js'
import type { CatalogTool } from '../../catalog/types.js'
import { validateDroppingEmpties } from '../../catalog/validator.js'
import { ApiError } from '../../errors/api-error.js'
import { toProblem } from '../../errors/problem.js'
import type { JobOutcome } from '../../runtime/jobs.js'
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import { baseUrl } from '../base-url.js'
import { CONNECTOR_CLIENT_HEADER, CONNECTOR_CLIENT_VALUE } from '../../connector/swagger-options.js'
import { toConnectorNames, toVendorNames } from '../../connector/property-mapping.js'
import { toEnvelope } from '../envelope.js'
import { prefersAsync, readJsonObject, sessionSelector } from '../request.js'
import { authenticated, callerOf } from '../caller.js'
import { CALLER_CODES, headerRefs, JOB_CODES, JobSchema, problemContextOf, problemResponses, ToolEnvelopeSchema } from '../openapi-components.js'

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

const ToolListSchema = z
  .object({
    catalogVersion: z.number().int(),
    tools: z.array(
      z.object({
        name: z.string(),
        title: z.string().optional(),
        description: z.string().optional(),
        path: z.string().openapi({ description: 'Path of the tool operation.' }),
        operationId: z.string(),
        typed: z.boolean().openapi({ description: 'False when the config keeps the tool out of the documents (still callable).' }),
        inputSchema: z.record(z.string(), z.unknown()).openapi({ description: 'The vendor input schema, unchanged.' }),
        outputSchema: z.record(z.string(), z.unknown()).optional(),
        annotations: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
  })
  .openapi('ToolList')

/** Registers the tool routes on a server app. */
export function registerToolRoutes(app: OpenAPIHono, runtime: ServerRuntime) {
  const ctx = problemContextOf(runtime)
  const auth = authenticated(runtime)
  const listTools = createRoute({
    middleware: [auth],
    method: 'get',
    path: '/tools',
    operationId: 'ListTools',
    summary: 'List the tools with their schemas',
    tags: ['Tools'],
    responses: {
      200: { description: 'Tools.', headers: headerRefs('ETag') as never, content: { 'application/json': { schema: ToolListSchema } } },
      ...problemResponses(ctx, [...CALLER_CODES, 'not_ready']),
    },
  })
  app.openapi(listTools, (c) => {
    const { catalog } = runtime.requireCatalog()
    c.header('ETag', `"${catalog.etag}"`)
    return c.json({ catalogVersion: catalog.version, tools: catalog.tools.map((t) => describe(t, runtime.mountPath)) } as z.infer<typeof ToolListSchema>, 200)
  })

  const invoke = (c: Context) => callTool(c, runtime, c.req.param('tool') ?? '')
  app.post('/tools/:tool{.+}', invoke)
  app.post('/invoke/:tool{.+}', invoke)

  const getJob = createRoute({
    middleware: [auth],
    method: 'get',
    path: '/jobs/{jobId}',
    operationId: 'GetJob',
    summary: 'Poll a long-running call',
    description: 'Answers 202 while the call runs, then what the call itself answered (the tool envelope or its problem).',
    tags: ['Tools'],
    request: { params: z.object({ jobId: z.string().min(1).openapi({ description: 'From the Location header of the 202.' }) }) },
    responses: {
      200: { description: 'Finished: the tool envelope.', headers: headerRefs('SessionId') as never, content: { 'application/json': { schema: ToolEnvelopeSchema } } },
      202: { description: 'Still running: poll again after Retry-After seconds.', headers: headerRefs('Location', 'RetryAfter') as never, content: { 'application/json': { schema: JobSchema } } },
      ...problemResponses(ctx, JOB_CODES),
    },
  })
  app.openapi(getJob, (c) => {
    const caller = callerOf(c)
    const job = runtime.jobs.get(c.req.valid('param').jobId, caller.identity)
    if (!job) throw new ApiError('job_not_found')
    if (!job.outcome) return accepted(c, runtime, job.id, { status: 'running', jobId: job.id, tool: job.tool, startedAt: new Date(job.startedAt).toISOString(), progress: job.progress }) as never
    const { status, body, headers } = job.outcome
    for (const [k, v] of Object.entries(headers ?? {})) c.header(k, v)
    return c.body(JSON.stringify(body), status as 200, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' }) as never
  })
}

function accepted(c: Context, runtime: ServerRuntime, jobId: string, body: unknown) {
  c.header('Location', `${baseUrl(c, runtime.global.publicUrl, runtime.mountPath)}/jobs/${jobId}`)
  c.header('Retry-After', String(runtime.config.async.retryAfterSeconds))
  return c.json(body, 202)
}

async function callTool(c: Context, runtime: ServerRuntime, segment: string) {
  const caller = runtime.callerFrom(c.req.raw.headers)
  const { catalog, validators } = runtime.requireCatalog()
  let decoded = segment
  try {
    decoded = decodeURIComponent(segment)
  } catch {
    // keep the raw segment: a malformed escape simply matches no tool
  }
  const tool = findTool(catalog, segment) ?? findTool(catalog, decoded)
  if (!tool) throw new ApiError('tool_not_found', { detail: `No tool "${decoded}" on this server. GET ${runtime.mountPath}/tools lists them.` })

  const body = toVendorNames(tool.inputSchema, await readJsonObject(c, runtime.global.bodyLimitBytes))
  const input = validators.input(tool.name, tool.inputSchema)
  const { args, errors } = c.req.header(CONNECTOR_CLIENT_HEADER) === CONNECTOR_CLIENT_VALUE ? validateDroppingEmpties(input.validate, body) : { args: body, errors: input.validate(body) }
  if (errors) throw new ApiError('invalid_arguments', { detail: `The arguments do not match the input schema of tool "${tool.name}".`, errors })

  const selector = sessionSelector(c)
  let job: ReturnType<ServerRuntime['jobs']['start']> | undefined
  let lastProgress: { progress: number; total?: number; message?: string } | undefined
  const onProgress = (p: { progress: number; total?: number; message?: string }) => {
    lastProgress = p
    if (job) runtime.jobs.report(job, p)
  }

  const execute = async (): Promise<JobOutcome> => {
    try {
      const outcome = await runtime.callTool(tool, args, caller, selector, onProgress)
      const { result } = outcome
      if (tool.outputSchema && !result.isError) {
        if (result.structuredContent === undefined)
          throw new ApiError('vendor_bad_output', { detail: `Tool "${tool.name}" declares an output schema but returned no structured content.` })
        const bad = validators.output(tool.name, tool.outputSchema).validate(result.structuredContent)
        if (bad) throw new ApiError('vendor_bad_output', { detail: `Tool "${tool.name}" returned structured content that breaks its own output schema.`, errors: bad })
      }
      // The connector's document renamed unsafe output property names; its calls get data in those names.
      const fromConnector = c.req.header(CONNECTOR_CLIENT_HEADER) === CONNECTOR_CLIENT_VALUE
      const shaped = fromConnector && result.structuredContent !== undefined ? { ...result, structuredContent: toConnectorNames(tool.outputSchema, result.structuredContent) } : result
      const envelope = toEnvelope(shaped, { sessionId: outcome.sessionId, renewed: outcome.renewed })
      const headers: Record<string, string> = outcome.sessionId ? { 'X-Session-Id': outcome.sessionId } : {}
      if (result.isError && runtime.config.toolErrors === 'problem') {
        const problem = new ApiError('tool_error', {
          detail: envelope.text || `Tool "${tool.name}" reported an error.`,
          extensions: { text: envelope.text, content: envelope.content, ...(envelope.sessionId ? { sessionId: envelope.sessionId } : {}) },
        })
        return { status: 422, body: toProblem(problem, c.req.path), headers }
      }
      return { status: 200, body: envelope, headers }
    } catch (error) {
      if (error instanceof ApiError) return { status: error.status, body: toProblem(error, c.req.path), headers: error.options.headers }
      runtime.log.error('tool call failed unexpectedly', { tool: tool.name, error: (error as Error).message })
      return { status: 500, body: toProblem(new ApiError('internal_error'), c.req.path) }
    }
  }

  const running = execute()
  const threshold = runtime.config.async.thresholdMs
  const wantsAsync = prefersAsync(c)
  let outcome: JobOutcome | undefined
  if (!wantsAsync) {
    if (threshold <= 0) outcome = await running
    else {
      let timer: NodeJS.Timeout | undefined
      outcome = await Promise.race([running, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), threshold)))])
      clearTimeout(timer)
    }
  }
  if (!outcome) {
    job = runtime.jobs.start(caller.identity, tool.name, running)
    if (lastProgress) runtime.jobs.report(job, lastProgress)
    if (wantsAsync) c.header('Preference-Applied', 'respond-async')
    return accepted(c, runtime, job.id, { status: 'running', jobId: job.id, tool: tool.name, startedAt: new Date(job.startedAt).toISOString(), progress: job.progress })
  }
  for (const [k, v] of Object.entries(outcome.headers ?? {})) c.header(k, v)
  if (outcome.status >= 400) return c.body(JSON.stringify(outcome.body), outcome.status as 400, { 'content-type': 'application/problem+json' })
  return c.json(outcome.body, 200)
}
