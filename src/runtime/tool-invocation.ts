/**
 * @module runtime/tool-invocation
 * The whole tool call path after HTTP, top to bottom in one place:
 * find the tool → map connector names and validate the arguments against the vendor's original schema → run it
 * on the selected vendor session (pooled, existing or new caller session; see upstream/session for renewal and
 * the no-replay rules) → check the output against the tool's own output schema → shape the envelope (or the
 * problem) → answer synchronously, or hand back a 202 job when the call outlives the async threshold.
 *
 * Routes only translate HTTP into a {@link ToolInvocation} and the {@link InvocationResult} back into HTTP.
 */
import { findTool } from '../catalog/build.js'
import type { CatalogTool } from '../catalog/types.js'
import { validateDroppingEmpties, type CatalogValidators } from '../catalog/validator.js'
import { toConnectorNames, toVendorNames } from './property-mapping.js'
import { ApiError } from '../errors/api-error.js'
import { toProblem } from '../errors/problem.js'
import { toEnvelope } from './envelope.js'
import type { CallerContext } from '../sessions/manager.js'
import type { RunInput, RunResult, Step } from '../interaction/coordinator.js'
import type { CallSpec } from '../interaction/state.js'
import type { ToolResult } from '../upstream/index.js'
import { isStoreUnavailable } from '../sessions/store-unavailable.js'
import type { Job, JobOutcome } from './jobs.js'
import type { ServerRuntime, SessionSelector, ToolCallOutcome } from './server-runtime.js'

/** One tool call, as the HTTP layer received it. */
export interface ToolInvocation {
  /** The tool, found with {@link resolveTool}. */
  tool: CatalogTool
  /** The parsed JSON body (the tool's arguments). */
  body: Record<string, unknown>
  caller: CallerContext
  selector: SessionSelector
  /** The call came through the generated connector (its documents use renamed property names). */
  fromConnector: boolean
  /** The caller asked for the asynchronous pattern (`Prefer: respond-async`). */
  wantsAsync: boolean
  /** The caller can answer questions (`Prefer: input-required`). */
  wantsInput?: boolean
  /** `instance` of problem documents (the request path). */
  instance: string
  /** Tells when the HTTP caller goes away before its answer: a synchronous call is then cancelled at the vendor. */
  onCallerGone?: OnCallerGone
}

/** Calls `gone` if the caller goes away before its answer; returns the removal of that subscription. */
export type OnCallerGone = (gone: () => void) => () => void

/** What the route answers: the final outcome now, a job to poll, or (interactive calls) questions. */
export type InvocationResult = { kind: 'done'; outcome: JobOutcome } | { kind: 'accepted'; job: Job } | Extract<Step, { kind: 'input_required' }>

/**
 * True when an interactive call is possible for this invocation: opted in, `interaction.elicitation` is `ask`, and,
 * for a 2025 vendor, no caller session named (that vendor session never declared elicitation, and a 2025 interactive
 * call runs on a vendor session of its own: the named session's state would be missed).
 */
export function interactionApplies(runtime: ServerRuntime, inv: Pick<ToolInvocation, 'wantsInput' | 'selector'>): boolean {
  if (inv.wantsInput !== true || runtime.interactions.settings.elicitation !== 'ask') return false
  return runtime.vendorEra === 'modern' || inv.selector.kind === 'pooled'
}

/** How long an interactive step may take before the caller gets a 202 job instead. */
export function interactiveWaitMs(runtime: ServerRuntime, wantsAsync: boolean): number {
  const threshold = runtime.config.async.thresholdMs
  return wantsAsync ? 0 : threshold > 0 ? threshold : 24 * 3600_000
}

type Progress = { progress: number; total?: number; message?: string }

/**
 * Finds the tool a path segment names: its slug or name, as sent or percent-decoded.
 * @throws ApiError `tool_not_found`
 */
export function resolveTool(runtime: ServerRuntime, segment: string): CatalogTool {
  const { catalog } = runtime.requireCatalog()
  let decoded = segment
  try {
    decoded = decodeURIComponent(segment)
  } catch {
    // keep the raw segment: a malformed escape simply matches no tool
  }
  const tool = findTool(catalog, segment) ?? findTool(catalog, decoded)
  if (!tool) throw new ApiError('tool_not_found', { detail: `No tool "${decoded}" on this server. GET ${runtime.mountPath}/tools lists them.` })
  return tool
}

/**
 * Validates arguments (already in the vendor's property names) against the vendor's original input schema.
 * `null` on an optional property whose schema does not allow it means "absent", for every caller; with
 * `dropEmpties` (calls through the connector) `""` and `[]` do too (see catalog/validator
 * `validateDroppingEmpties`): Power Automate sends them for inputs left empty.
 * @throws ApiError `invalid_arguments` with JSON pointers
 */
export function validateInput(validators: CatalogValidators, tool: CatalogTool, args: Record<string, unknown>, dropEmpties: boolean): Record<string, unknown> {
  const input = validators.input(tool.name, tool.inputSchema)
  const checked = validateDroppingEmpties(input.validate, args, dropEmpties ? 'connector' : 'null')
  if (checked.errors) throw new ApiError('invalid_arguments', { detail: `The arguments do not match the input schema of tool "${tool.name}".`, errors: checked.errors })
  return checked.args
}

/**
 * The vendor's structured content must match the tool's own output schema (skip for `isError` results).
 * @throws ApiError `vendor_bad_output`
 */
export function checkOutput(validators: CatalogValidators, tool: CatalogTool, structured: unknown): void {
  if (!tool.outputSchema) return
  if (structured === undefined)
    throw new ApiError('vendor_bad_output', { detail: `Tool "${tool.name}" declares an output schema but returned no structured content.` })
  const bad = validators.output(tool.name, tool.outputSchema).validate(structured)
  if (bad) throw new ApiError('vendor_bad_output', { detail: `Tool "${tool.name}" returned structured content that breaks its own output schema.`, errors: bad })
}

/**
 * Runs a tool call end to end.
 * @throws ApiError for what is decided before the vendor is called (unknown tool, bad arguments, not ready)
 */
export async function invokeTool(runtime: ServerRuntime, inv: ToolInvocation): Promise<InvocationResult> {
  const { tool } = inv
  const { validators } = runtime.requireCatalog()
  const args = validateInput(validators, tool, toVendorNames(tool.inputSchema, inv.body), inv.fromConnector)
  if (interactionApplies(runtime, inv)) {
    const call: CallSpec = { tool: tool.name, args, sessionId: inv.selector.kind === 'existing' ? inv.selector.id : undefined, fromConnector: inv.fromConnector, instance: inv.instance }
    const step = await runtime.interactions.start(call, inv.caller, runtime.vendorEra ?? 'legacy', interactiveWaitMs(runtime, inv.wantsAsync))
    return step.kind === 'accepted' ? { kind: 'accepted', job: step.job } : step
  }

  let job: Job | undefined
  let lastProgress: Progress | undefined
  const onProgress = (p: Progress) => {
    lastProgress = p
    if (job) runtime.jobs.report(job, p)
  }
  // Aborted by DELETE /jobs/{jobId}: the SDK then sends notifications/cancelled for the running request.
  const abort = new AbortController()
  const running = callAndShape(runtime, validators, tool, args, inv, onProgress, abort.signal)

  const threshold = runtime.config.async.thresholdMs
  if (!inv.wantsAsync) {
    // Nobody can receive the answer of a synchronous call whose caller went away: the vendor gets
    // notifications/cancelled. A call that became a job (202) runs on whatever the first request does.
    const unsubscribe = inv.onCallerGone?.(() => abort.abort(new Error('the caller went away')))
    const outcome = threshold <= 0 ? await running : await withinThreshold(running, threshold)
    unsubscribe?.()
    if (outcome) return { kind: 'done', outcome }
  }
  let started: Job
  try {
    started = await runtime.jobs.start(inv.caller.identity, tool.name, running, undefined, abort)
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error
    // The call runs already: a 503 now would make a retrying caller run it twice. Answer it when it ends instead.
    runtime.log.warn('job not recorded (state store unavailable); answering when the call ends', { tool: tool.name })
    return { kind: 'done', outcome: await running }
  }
  job = started
  if (lastProgress) runtime.jobs.report(started, lastProgress)
  return { kind: 'accepted', job: started }
}

/**
 * The outcome if it settles within `ms`, else undefined (the call keeps running).
 * One promise and one reaction instead of `Promise.race` plus an async wrapper: this sits on every synchronous
 * call's path, and `running` never rejects (see {@link callAndShape}).
 */
function withinThreshold(running: Promise<JobOutcome>, ms: number): Promise<JobOutcome | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms)
    void running.then((outcome) => {
      clearTimeout(timer)
      resolve(outcome)
    })
  })
}

/** Calls the vendor and turns every ending into an outcome; never rejects (a job may hold it). */
async function callAndShape(
  runtime: ServerRuntime,
  validators: CatalogValidators,
  tool: CatalogTool,
  args: Record<string, unknown>,
  inv: ToolInvocation,
  onProgress: (p: Progress) => void,
  signal: AbortSignal,
): Promise<JobOutcome> {
  try {
    return shapeResult(runtime, validators, tool, await runtime.callTool(tool, args, inv.caller, inv.selector, onProgress, undefined, signal), inv)
  } catch (error) {
    return failureOutcome(runtime, tool, error, inv.instance)
  }
}

/** A vendor result as the REST answer: checked against the output schema, in connector names, as envelope or problem. */
function shapeResult(runtime: ServerRuntime, validators: CatalogValidators, tool: CatalogTool, outcome: ToolCallOutcome, inv: Pick<ToolInvocation, 'fromConnector' | 'instance'>): JobOutcome {
  const { result } = outcome
  if (!result.isError) checkOutput(validators, tool, result.structuredContent)
  // The connector's document renamed unsafe output property names; its calls get data in those names.
  const shaped =
    inv.fromConnector && result.structuredContent !== undefined ? { ...result, structuredContent: toConnectorNames(tool.outputSchema, result.structuredContent) } : result
  const envelope = toEnvelope(shaped, { sessionId: outcome.sessionId, renewed: outcome.renewed })
  const headers: Record<string, string> = outcome.sessionId ? { 'X-Session-Id': outcome.sessionId } : {}
  if (result.isError && runtime.config.toolErrors === 'problem') {
    const problem = new ApiError('tool_error', {
      detail: envelope.text || `Tool "${tool.name}" reported an error.`,
      extensions: { text: envelope.text, content: envelope.content, ...(envelope.sessionId ? { sessionId: envelope.sessionId } : {}) },
    })
    return { status: 422, body: toProblem(problem, inv.instance), headers }
  }
  return { status: 200, body: envelope, headers }
}

/** A failed call as its outcome (never a rejection). */
function failureOutcome(runtime: ServerRuntime, tool: CatalogTool, error: unknown, instance: string): JobOutcome {
  if (error instanceof ApiError) return { status: error.status, body: toProblem(error, instance), headers: error.options.headers }
  runtime.log.error('tool call failed unexpectedly', { tool: tool.name, error: (error as Error).message })
  return { status: 500, body: toProblem(new ApiError('internal_error'), instance) }
}

/**
 * The runner of an interactive call (see interaction/coordinator): one vendor request, on this replica, for this
 * caller, shaped like any other call's answer; a 2026-07-28 `input_required` result comes back as it is.
 */
export function interactiveRunner(runtime: ServerRuntime, call: CallSpec, caller: CallerContext): (input: RunInput) => Promise<RunResult> {
  return async (input) => {
    let tool: CatalogTool | undefined
    try {
      const { catalog, validators } = runtime.requireCatalog()
      tool = findTool(catalog, call.tool)
      if (!tool) throw new ApiError('tool_not_found', { detail: `No tool "${call.tool}" on this server any more.` })
      if (!call.args && runtime.vendorEra === 'modern') throw new ApiError('invalid_request', { detail: 'The call cannot be resumed here.' })
      const selector: SessionSelector = call.sessionId ? { kind: 'existing', id: call.sessionId } : { kind: 'pooled' }
      const outcome = await runtime.callToolInteractive(tool, call.args ?? {}, caller, selector, { signal: input.signal, elicit: input.elicit, resume: input.resume, onProgress: input.onProgress, onLog: input.onLog, logLevel: input.logLevel })
      const { result } = outcome
      if ('resultType' in result && result.resultType === 'input_required') return { kind: 'input', answer: result }
      return { kind: 'outcome', outcome: shapeResult(runtime, validators, tool, { ...outcome, result: result as ToolResult }, call) }
    } catch (error) {
      return { kind: 'outcome', outcome: tool ? failureOutcome(runtime, tool, error, call.instance) : failureOutcome(runtime, { name: call.tool } as CatalogTool, error, call.instance) }
    }
  }
}
