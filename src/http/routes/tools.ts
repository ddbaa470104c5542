/**
 * @module http/routes/tools
 * `POST /tools/{tool}` (one operation per tool), `POST /invoke/{tool}` (the connector's generic operation),
 * `GET /tools` and `GET /jobs/{jobId}` (these two declared with `createRoute`; the tool calls follow the catalog
 * and are documented by http/openapi-document).
 * Only HTTP concerns live here: authenticate, read the body and headers, then hand the call to
 * runtime/tool-invocation, and turn its result (an outcome or a 202 job) into the response.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { CatalogTool } from '../../catalog/types.js'
import { CONNECTOR_CLIENT_HEADER, CONNECTOR_CLIENT_VALUE } from '../../connector/client-header.js'
import { ApiError } from '../../errors/api-error.js'
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import type { Step } from '../../interaction/coordinator.js'
import { inputRequiredBody } from '../../interaction/state.js'
import type { JobOutcome } from '../../runtime/jobs.js'
import { parseIdempotencyKey, runOnce } from '../../runtime/idempotency.js'
import type { StoredResponse } from '../../sessions/idempotency-store.js'
import { interactionApplies, interactiveWaitMs, invokeTool, resolveTool } from '../../runtime/tool-invocation.js'
import { baseUrl } from '../base-url.js'
import { prefersAsync, prefersInput, readJsonObject, sessionSelector } from '../request.js'
import { authenticated, callerOf } from '../caller.js'
import { callerGone } from '../caller-gone.js'
import { answerWithId, requestIdOf } from '../request-id.js'
import { ANSWER_CODES, AnswersSchema, CALLER_CODES, CANCEL_CODES, headerRefs, InputRequiredSchema, JOB_CODES, JobSchema, problemContextOf, problemResponses, ToolEnvelopeSchema } from '../openapi-components.js'

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
    excluded: z
      .array(z.object({ name: z.string(), reason: z.string() }))
      .openapi({ description: 'Tools left out of the catalog because their definition is invalid (e.g. a bad SEP-2243 x-mcp-header annotation), with the reason.' }),
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
    return c.json({ catalogVersion: catalog.version, tools: catalog.tools.map((t) => describe(t, runtime.mountPath)), excluded: catalog.excluded } as z.infer<typeof ToolListSchema>, 200)
  })

  const invoke = (c: Context) => callTool(c, runtime, c.req.param('tool') ?? '')
  app.post('/tools/:tool{.+}', invoke)
  app.post('/invoke/:tool{.+}', invoke)
  // A tool is called, not fetched: say so (405 with Allow) rather than "no route".
  app.on(['GET', 'PUT', 'PATCH', 'DELETE'], ['/tools/:tool{.+}', '/invoke/:tool{.+}'], (c) => {
    throw new ApiError('method_not_allowed', { detail: `${c.req.method} is not allowed here: call a tool with POST and its arguments as a JSON object.`, headers: { Allow: 'POST' } })
  })

  const getJob = createRoute({
    middleware: [auth],
    method: 'get',
    path: '/jobs/{jobId}',
    operationId: 'GetJob',
    summary: 'Poll a long-running call',
    description:
      'Answers 202 while the call runs, 200 with `status: input_required` while an interactive call waits for answers, then what the call itself answered (the tool envelope or its problem; 409 `job_cancelled` once cancelled).',
    tags: ['Tools'],
    request: { params: z.object({ jobId: z.string().min(1).openapi({ description: 'From the Location header of the 202.' }) }) },
    responses: {
      ...jobStepResponses('Finished (the tool envelope, `status: complete`), or waiting for answers (`status: input_required`).', 'Still running: poll again after Retry-After seconds.'),
      ...problemResponses(ctx, JOB_CODES),
    },
  })
  app.openapi(getJob, async (c) => {
    const caller = callerOf(c)
    const job = await runtime.jobs.get(c.req.valid('param').jobId, caller.identity)
    if (!job) throw new ApiError('job_not_found')
    if (job.interaction) return stepResponse(c, runtime, await runtime.interactions.view({ ...job, interaction: job.interaction })) as never
    if (!job.outcome) return accepted(c, runtime, job.id, { status: 'running', jobId: job.id, tool: job.tool, startedAt: new Date(job.startedAt).toISOString(), progress: job.progress }) as never
    return outcomeResponse(c, job.outcome) as never
  })

  const jobParams = z.object({ jobId: z.string().min(1).openapi({ description: 'The `jobId` of the `input_required` answer.' }) })
  const answerJob = createRoute({
    middleware: [auth],
    method: 'post',
    path: '/jobs/{jobId}/answers',
    operationId: 'AnswerJob',
    summary: 'Answer the questions of a call',
    description:
      'Answers the pending questions of an interactive call (`status: input_required`). On `accept` of a form question, omitted properties take the schema defaults, then the content is checked against the question schema. Answers with what the call answers next: the tool envelope, the next `input_required` round, or 202 while it runs on.',
    tags: ['Tools'],
    request: { params: jobParams, body: { required: true, content: { 'application/json': { schema: AnswersSchema } } } },
    responses: {
      ...jobStepResponses('Finished (the tool envelope), or the next round of questions (`status: input_required`).', 'The call runs on: poll the Location.'),
      ...problemResponses(ctx, ANSWER_CODES),
    },
  })
  app.openapi(answerJob, async (c) => {
    const caller = callerOf(c)
    const body = await readJsonObject(c, runtime.global.bodyLimitBytes, runtime.global.maxJsonDepth)
    const fromConnector = c.req.header(CONNECTOR_CLIENT_HEADER) === CONNECTOR_CLIENT_VALUE
    const step = await runtime.interactions.answer(c.req.valid('param').jobId, caller, body, fromConnector, interactiveWaitMs(runtime, prefersAsync(c)))
    return stepResponse(c, runtime, step) as never
  })

  const cancelJob = createRoute({
    middleware: [auth],
    method: 'delete',
    path: '/jobs/{jobId}',
    operationId: 'CancelJob',
    summary: 'Cancel a call',
    description: 'Pending questions are answered `cancel` and a running request is cancelled at the vendor (`notifications/cancelled`). Later polls answer 409 `job_cancelled`.',
    tags: ['Tools'],
    request: { params: jobParams },
    responses: {
      200: { description: 'Cancelled.', headers: headerRefs() as never, content: { 'application/json': { schema: CancelledSchema } } },
      ...problemResponses(ctx, CANCEL_CODES),
    },
  })
  app.openapi(cancelJob, async (c) => {
    const { jobId } = c.req.valid('param')
    const caller = callerOf(c)
    const job = await runtime.jobs.get(jobId, caller.identity)
    if (!job) throw new ApiError('job_not_found')
    if (job.interaction) await runtime.interactions.cancel(jobId, caller)
    else await runtime.jobs.cancel(job)
    return c.json({ status: 'cancelled' as const, jobId }, 200)
  })
}

const CancelledSchema = z.object({ status: z.literal('cancelled'), jobId: z.string() }).openapi('JobCancelled')

/** A finished call's answer as HTTP. */
function outcomeResponse(c: Context, outcome: JobOutcome) {
  const { status, body, headers } = outcome
  for (const [k, v] of Object.entries(headers ?? {})) c.header(k, v)
  if (status >= 400) return c.body(JSON.stringify(withRequestId(c, body)), status as 400, { 'content-type': 'application/problem+json' })
  return c.body(JSON.stringify(body), status as 200, { 'content-type': 'application/json' })
}

/** Where the answers of a job go. */
function answerUrlOf(c: Context, runtime: ServerRuntime, jobId: string) {
  return `${baseUrl(c, runtime.global.publicUrl, runtime.mountPath)}/jobs/${jobId}/answers`
}

/** An interactive step as HTTP: the outcome, the questions (200 `input_required`), or a running job (202). */
function stepResponse(c: Context, runtime: ServerRuntime, step: Step) {
  if (step.kind === 'done') return outcomeResponse(c, step.outcome)
  if (step.kind === 'accepted') return accepted(c, runtime, step.job.id, { status: 'running', jobId: step.job.id, tool: step.job.tool, startedAt: new Date(step.job.startedAt).toISOString(), progress: step.job.progress })
  return c.json(inputRequiredBody(step.job, answerUrlOf(c, runtime, step.job.id)), 200)
}

/**
 * A call's problem (built by the invocation, which also stores it for a job's poll) with the id of the request that
 * answers it, as every other problem has: the id a caller quotes to find the log lines.
 */
function withRequestId(c: Context, problem: unknown): unknown {
  const requestId = requestIdOf(c)
  return requestId && problem && typeof problem === 'object' ? { ...problem, requestId } : problem
}

function accepted(c: Context, runtime: ServerRuntime, jobId: string, body: unknown) {
  c.header('Location', `${baseUrl(c, runtime.global.publicUrl, runtime.mountPath)}/jobs/${jobId}`)
  c.header('Retry-After', String(runtime.config.async.retryAfterSeconds))
  return c.json(body, 202)
}

/** The Idempotency-Key of a call: the header, else (when configured) the flow engine's run and action ids. */
function idempotencyKeyOf(c: Context, runtime: ServerRuntime): string | undefined {
  const explicit = parseIdempotencyKey(c.req.header('idempotency-key'))
  if (explicit !== undefined || !runtime.global.idempotency.keyFromFlowHeaders) return explicit
  const run = c.req.header('x-ms-workflow-run-id')
  const action = c.req.header('x-ms-action-tracking-id')
  return run && action ? parseIdempotencyKey(`flow:${run}:${action}`) : undefined
}

/** `POST /tools/{tool}` and `POST /invoke/{tool}`: HTTP in, the invocation (runtime/tool-invocation), HTTP out. */
async function callTool(c: Context, runtime: ServerRuntime, segment: string) {
  const caller = await runtime.callerFrom(c.req.raw.headers)
  const tool = resolveTool(runtime, segment)
  const key = idempotencyKeyOf(c, runtime)
  const body = await readJsonObject(c, runtime.global.bodyLimitBytes, runtime.global.maxJsonDepth)
  const selector = sessionSelector(c)
  const wantsInput = prefersInput(c)
  const inputApplied = interactionApplies(runtime, { wantsInput, selector })
  const invoke = async (): Promise<StoredResponse> => {
    const result = await invokeTool(runtime, {
      tool,
      body,
      caller,
      selector,
      fromConnector: c.req.header(CONNECTOR_CLIENT_HEADER) === CONNECTOR_CLIENT_VALUE,
      wantsAsync: prefersAsync(c),
      wantsInput,
      instance: c.req.path,
      // A caller that can retry with its Idempotency-Key gets the call's answer then: its disconnect cancels nothing.
      onCallerGone: key === undefined ? callerGone(c) : undefined,
    })
    const applied = [prefersAsync(c) && result.kind === 'accepted' ? 'respond-async' : '', inputApplied ? 'input-required' : ''].filter(Boolean)
    const preference: Record<string, string> = applied.length ? { 'Preference-Applied': applied.join(', ') } : {}
    if (result.kind === 'done') return { ...result.outcome, headers: { ...result.outcome.headers, ...preference } }
    if (result.kind === 'input_required') return { status: 200, body: inputRequiredBody(result.job, answerUrlOf(c, runtime, result.job.id)), headers: preference }
    const { job } = result
    return {
      status: 202,
      body: { status: 'running', jobId: job.id, tool: job.tool, startedAt: new Date(job.startedAt).toISOString(), progress: job.progress },
      headers: {
        Location: `${baseUrl(c, runtime.global.publicUrl, runtime.mountPath)}/jobs/${job.id}`,
        'Retry-After': String(runtime.config.async.retryAfterSeconds),
        ...preference,
      },
    }
  }
  if (key === undefined) return respond(c, await invoke())
  // An ApiError thrown before the call ran (bad arguments, limits) releases the key inside runOnce and is answered
  // as usual; a kept answer (the call ran) is given to every retry.
  const { response, replayed } = await runOnce(
    {
      store: runtime.idempotency,
      ttlSeconds: runtime.global.idempotency.ttlSeconds,
      runningTtlSeconds: Math.ceil(Math.max(runtime.timeoutFor(tool), runtime.config.async.thresholdMs) / 1000) + 60,
      waitMs: runtime.config.async.thresholdMs,
      log: runtime.log,
    },
    { server: runtime.name, identity: caller.identity, key, content: { tool: tool.name, selector, body } },
    invoke,
  )
  return respond(c, response, replayed ? { 'Idempotent-Replayed': 'true' } : undefined)
}

/** Writes a tool call's answer (envelope, problem or 202). */
function respond(c: Context, response: StoredResponse, extra?: Record<string, string>) {
  const headers = extra ? { ...response.headers, ...extra } : response.headers
  if (response.status >= 400) return answerWithId(c, response.status, JSON.stringify(withRequestId(c, response.body)), 'application/problem+json', headers)
  return answerWithId(c, response.status, JSON.stringify(response.body), 'application/json', headers)
}

/** The 200 (result or questions) and 202 (still running) of a job step: what polling and answering can give. */
function jobStepResponses(finished: string, running: string) {
  return {
    200: { description: finished, headers: headerRefs('SessionId') as never, content: { 'application/json': { schema: z.union([ToolEnvelopeSchema, InputRequiredSchema]) } } },
    202: { description: running, headers: headerRefs('Location', 'RetryAfter') as never, content: { 'application/json': { schema: JobSchema } } },
  }
}
