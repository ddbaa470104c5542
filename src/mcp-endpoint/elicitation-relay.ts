/**
 * @module mcp-endpoint/elicitation-relay
 * Passes a vendor's questions on to the MCP caller of `/mcp` that declared `elicitation`, and its answers back.
 * The call runs as an interactive job of the {@link InteractionCoordinator} (the REST side's machinery), so
 * both vendor eras are handled once: a 2025 vendor's `elicitation/create` is held by the replica running the call,
 * a 2026-07-28 vendor's `input_required` round is stored and resumed by any replica; answers are checked against
 * the question's schema with SEP-1034 defaults filled in (interaction/answers), the same answer is never forwarded
 * twice, and only the caller's identity can answer.
 *
 * - **2025 callers** get each question as `elicitation/create` on the stream of their `tools/call` (related to it);
 *   the answer they POST is routed back by {@link DownstreamElicitation}. A question of a mode the caller did not
 *   declare is answered `decline`; a caller that does not answer in time (the vendor's own timeout, less a margin)
 *   or answers something unreadable counts as `cancel`; an answer that breaks the schema ends the call with an
 *   `invalid_answer` tool error (the vendor's question is answered `cancel`).
 * - **2026-07-28 callers** get `input_required` results with the vendor's questions under their keys (2025 vendors:
 *   `q<round>`) and a `requestState` of ours naming the job and round; the retry's `inputResponses` are the
 *   answers. Any replica that shares the job store takes the retry. A retry that answers none of the pending
 *   questions gets them again; a `requestState` this endpoint did not issue is `-32602`; `inputResponses` without a
 *   `requestState` go to a 2026-07-28 vendor's first call as they are.
 * - A caller that did not declare elicitation is not relayed to (see mcp-server): the vendor is never told it may
 *   ask, as before.
 *
 * 2025 vendors ask during a live request on a vendor session that declared elicitation at `initialize`, so such a
 * call runs on an interactive vendor session of the caller's identity (as REST calls with `Prefer:
 * input-required` do), not on the conversation's own vendor session.
 */
import { randomUUID } from 'node:crypto'
import type { CatalogTool } from '../catalog/types.js'
import { ApiError } from '../errors/api-error.js'
import { PROBLEMS } from '../errors/codes.js'
import type { Observers, Step } from '../interaction/coordinator.js'
import type { Question } from '../interaction/questions.js'
import type { CallSpec } from '../interaction/state.js'
import type { DownstreamElicitation, ElicitationModes, WatchedTransport } from './downstream-elicitation.js'
import type { CallerContext, McpRuntimePort, SessionSelector } from './runtime-port.js'

type Json = Record<string, unknown>

/** A tool result for the MCP caller. */
export type RelayedResult = { content: { type: string; [k: string]: unknown }[]; structuredContent?: Json; isError?: boolean }

/** A 2026-07-28 `input_required` result for the MCP caller. */
export type RelayedInputRequired = { resultType: 'input_required'; inputRequests: Record<string, { method: 'elicitation/create'; params: Json }>; requestState: string }

/** An error the handler answers as JSON-RPC (bad retry state or answers). */
export class RelayProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: Json,
  ) {
    super(message)
  }
}

/** What the relay needs from the `tools/call` being handled. */
export interface RelayCall {
  port: McpRuntimePort
  caller: CallerContext
  tool: CatalogTool
  /** Validated arguments, in the vendor's names. */
  args: Json
  selector: SessionSelector
  /** The modes the caller declared. */
  modes: ElicitationModes
  signal: AbortSignal
  /** The vendor's progress and log messages, passed on while the caller's request is open. */
  observers: Observers
}

/** What a 2025 caller's call needs to ask on its stream. */
export interface LegacyAsker {
  downstream: DownstreamElicitation
  sessionId: string
  transport: WatchedTransport | undefined
  /** `ctx.mcpReq.send` of the call: sends a request related to it. */
  send(request: { method: 'elicitation/create'; params: Json }, options: { timeout: number; signal: AbortSignal }): Promise<unknown>
}

/** Prefix of the `requestState` values this endpoint issues. */
const STATE_PREFIX = 'mrf1.'
/** Answered before the vendor's own request timeout fires (same margin as the coordinator). */
const VENDOR_TIMEOUT_MARGIN_MS = 5_000
/** How often a retry that found its job running looks again (the job store's own announcements are not exposed). */
const SETTLE_POLL_MS = 50
/** How long a round whose answers were taken may still show its questions before they count as pending. */
const STALE_ROUND_MS = 2_000

/** The modes to relay for, or undefined when the call is not relayed (the server's `interaction.elicitation` is `off`). */
export function relayApplies(port: McpRuntimePort, modes: ElicitationModes | undefined): ElicitationModes | undefined {
  return port.interactions.settings.elicitation === 'ask' ? modes : undefined
}

/** The job's call: 2025 vendors ask on an interactive session of the identity, 2026-07-28 ones on the selected one. */
function callSpec(call: RelayCall): CallSpec {
  const onSession = call.port.vendorEra() === 'modern' && call.selector.kind === 'existing'
  return { tool: call.tool.name, args: call.args, ...(onSession ? { sessionId: (call.selector as { id: string }).id } : {}), fromConnector: false, instance: '/mcp' }
}

function waitMs(call: RelayCall) {
  return call.port.toolTimeoutMs(call.tool)
}

/** A 2026-07-28 caller: the step as a result, or the questions as `input_required`. */
export async function relayModern(call: RelayCall, requestState: unknown, inputResponses: Record<string, unknown> | undefined): Promise<RelayedResult | RelayedInputRequired> {
  const coordinator = call.port.interactions
  const state = readState(requestState, call.tool.name)
  let step: Step
  if (!state) {
    // Answers sent without a requestState of ours go to a 2026-07-28 vendor as they are (it checks them, SEP-2322).
    const era = call.port.vendorEra() ?? 'legacy'
    const first = era === 'modern' && inputResponses && Object.keys(inputResponses).length ? { inputResponses } : undefined
    step = await coordinator.start(callSpec(call), call.caller, era, waitMs(call), call.observers, first)
  } else {
    const current = await retryErrors(() => settled(call, state.j))
    if (current.kind !== 'input_required' || current.job.interaction.round !== state.r) step = current
    else {
      const { answers, keys } = answersFrom(current.job.interaction.questions, inputResponses ?? {}, call.modes)
      // A retry sent twice (a client retrying after a lost answer, maybe to another replica) is forwarded once;
      // the second gets what the first gets.
      const answer = () =>
        coordinator.answer(state.j, call.caller, { answers }, false, waitMs(call), call.observers).catch((error: unknown) => {
          if (error instanceof ApiError && error.code === 'question_not_pending') return settled(call, state.j, state.r)
          throw error
        })
      step = answers.length ? await retryErrors(answer, keys) : current
    }
  }
  step = await declineUnsupported(call, step)
  if (step.kind !== 'input_required') return resultOf(step)
  const { job } = step
  return {
    resultType: 'input_required',
    inputRequests: Object.fromEntries(job.interaction.questions.map((q) => [q.id, { method: 'elicitation/create' as const, params: askParams(q, 'modern') }])),
    requestState: STATE_PREFIX + Buffer.from(JSON.stringify({ j: job.id, r: job.interaction.round, t: call.tool.name })).toString('base64url'),
  }
}

/** A 2025 caller: every question asked on the call's stream, until the vendor answers. */
export async function relayLegacy(call: RelayCall, asker: LegacyAsker): Promise<RelayedResult> {
  const coordinator = call.port.interactions
  let step = await coordinator.start(callSpec(call), call.caller, call.port.vendorEra() ?? 'legacy', waitMs(call), call.observers)
  const stop = asker.transport ? asker.downstream.watch(asker.transport, call.caller.identity, asker.sessionId) : () => undefined
  const { vendorRequestTimeoutMs, answerTtlSeconds } = coordinator.settings
  // A 2025 vendor times out its own question: ask the caller for less than that.
  const askMs = call.port.vendorEra() === 'modern' ? answerTtlSeconds * 1000 : Math.max(1_000, vendorRequestTimeoutMs - VENDOR_TIMEOUT_MARGIN_MS)
  try {
    while (step.kind === 'input_required') {
      const { job } = step
      if (call.signal.aborted) {
        await coordinator.cancel(job.id, call.caller).catch(() => undefined)
        return failureResult(new ApiError('job_cancelled', { detail: 'The caller cancelled the call.' }))
      }
      const answers = await Promise.all(job.interaction.questions.map((q) => askDownstream(q, call, asker, askMs)))
      try {
        step = await coordinator.answer(job.id, call.caller, { answers }, false, waitMs(call), call.observers)
      } catch (error) {
        if (!(error instanceof ApiError)) throw error
        if (error.code === 'question_not_pending') step = await settled(call, job.id, job.interaction.round)
        else {
          // Any other refusal ends the call (`invalid_answer`: the answer breaks the schema; the job cancelled or
          // gone); a question still pending at the vendor is answered cancel.
          await coordinator.cancel(job.id, call.caller).catch(() => undefined)
          return failureResult(error)
        }
      }
    }
  } finally {
    stop()
  }
  return resultOf(step)
}

/** One question asked on a 2025 caller's stream; never rejects (no answer counts as `cancel`). */
async function askDownstream(q: Question, call: RelayCall, asker: LegacyAsker, timeout: number): Promise<Json> {
  if (!call.modes[q.kind]) return { questionId: q.id, action: 'decline' }
  try {
    const reply = (await asker.send({ method: 'elicitation/create', params: askParams(q, 'legacy') }, { timeout, signal: call.signal })) as Json
    return { questionId: q.id, action: reply.action, ...(reply.content !== undefined ? { content: reply.content } : {}) }
  } catch (error) {
    call.port.log.info('mcp endpoint: a relayed question got no usable answer; answering cancel', { server: call.port.server, error: (error as Error).name })
    return { questionId: q.id, action: 'cancel' }
  }
}

/**
 * The job's current step once it is not merely running (a retry that arrives while another request of the same
 * job resumes it waits for what that one gets), or still running after the tool timeout. `answered`: a round whose
 * answers were taken already; its questions, still shown until the resuming replica saves the job, are waited
 * out for a moment (answers taken for part of a round only leave the round as it is).
 */
async function settled(call: RelayCall, jobId: string, answered?: number): Promise<Step> {
  const started = Date.now()
  const deadline = started + waitMs(call)
  for (;;) {
    const step = await call.port.interactions.current(jobId, call.caller)
    const stale = step.kind === 'input_required' && step.job.interaction.round === answered && Date.now() - started < STALE_ROUND_MS
    if ((step.kind !== 'accepted' && !stale) || Date.now() > deadline || call.signal.aborted) return step
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS))
  }
}

/** Questions of a mode the caller did not declare are answered `decline` at once. */
async function declineUnsupported(call: RelayCall, step: Step): Promise<Step> {
  while (step.kind === 'input_required') {
    const unsupported = step.job.interaction.questions.filter((q) => !call.modes[q.kind])
    if (!unsupported.length) return step
    step = await call.port.interactions.answer(step.job.id, call.caller, { answers: unsupported.map((q) => ({ questionId: q.id, action: 'decline' })) }, false, waitMs(call), call.observers)
  }
  return step
}

/** The `elicitation/create` params of a question, for a caller of an era. */
function askParams(q: Question, era: 'legacy' | 'modern'): Json {
  if (q.kind === 'url') return { mode: 'url', message: q.message, url: q.url, ...(era === 'legacy' ? { elicitationId: randomUUID() } : {}) }
  return { message: q.message, requestedSchema: q.schema ?? { type: 'object', properties: {} } }
}

/** The retry's answers to the pending questions, in the coordinator's form; `keys` maps answer index → response key. */
function answersFrom(questions: Question[], responses: Record<string, unknown>, modes: ElicitationModes) {
  const answers: Json[] = []
  const keys: string[] = []
  for (const q of questions) {
    if (!(q.id in responses) || !modes[q.kind]) continue
    const r = responses[q.id]
    const reply = r && typeof r === 'object' ? (r as Json) : {}
    answers.push({ questionId: q.id, action: reply.action, ...(reply.content !== undefined ? { content: reply.content } : {}) })
    keys.push(q.id)
  }
  return { answers, keys }
}

/** Our `requestState` ({ job, round, tool }), or undefined when the call carried none. */
function readState(raw: unknown, tool: string): { j: string; r: number } | undefined {
  if (raw === undefined) return undefined
  const bad = () => new RelayProtocolError(-32602, 'requestState was not issued by this endpoint for this tool', { code: 'invalid_request' })
  if (typeof raw !== 'string' || !raw.startsWith(STATE_PREFIX)) throw bad()
  let state: { j?: unknown; r?: unknown; t?: unknown }
  try {
    state = JSON.parse(Buffer.from(raw.slice(STATE_PREFIX.length), 'base64url').toString('utf8')) as typeof state
  } catch {
    throw bad()
  }
  if (typeof state?.j !== 'string' || typeof state.r !== 'number' || state.t !== tool) throw bad()
  return { j: state.j, r: state.r }
}

/** Runs a coordinator call of a retry, answering its refusals as JSON-RPC errors (pointers into `inputResponses`). */
async function retryErrors<T>(work: () => Promise<T>, keys: string[] = []): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof ApiError) || error.code === 'store_unavailable') throw error
    const errors = error.options.errors?.map((e) => ({
      ...e,
      pointer: e.pointer.replace(/^\/answers\/(\d+)/, (_, i: string) => `/inputResponses/${keys[Number(i)] ?? i}`),
    }))
    throw new RelayProtocolError(-32602, error.message, { code: error.code, ...(errors ? { errors } : {}) })
  }
}

/** The final step as a tool result. */
function resultOf(step: Step): RelayedResult {
  if (step.kind === 'accepted') return failureResult(new ApiError('vendor_timeout', { detail: 'The call did not finish within the tool timeout.' }))
  if (step.kind !== 'done') return failureResult(new ApiError('internal_error'))
  const body = (step.outcome.body ?? {}) as Json
  if (step.outcome.status < 400 && Array.isArray(body.content))
    return {
      content: body.content as RelayedResult['content'],
      ...(body.data !== undefined ? { structuredContent: body.data as Json } : {}),
      ...(body.isError === true ? { isError: true } : {}),
    }
  // `toolErrors: "problem"` keeps the vendor's content in the problem.
  if (body.code === 'tool_error' && Array.isArray(body.content)) return { content: body.content as RelayedResult['content'], isError: true }
  const lines = [`${String(body.title ?? 'Error')} (${String(body.code ?? 'internal_error')}): ${String(body.detail ?? '')}`]
  for (const e of (body.errors as { pointer?: string; message?: string }[] | undefined) ?? []) lines.push(`- ${e.pointer || '/'}: ${e.message ?? ''}`)
  return { content: [{ type: 'text', text: lines.join('\n') }], isError: true }
}

function failureResult(error: ApiError): RelayedResult {
  const lines = [`${PROBLEMS[error.code].title} (${error.code}): ${error.message}`]
  for (const e of error.options.errors ?? []) lines.push(`- ${e.pointer || '/'}: ${e.message}`)
  return { content: [{ type: 'text', text: lines.join('\n') }], isError: true }
}
