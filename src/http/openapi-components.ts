/**
 * @module http/openapi-components
 * The shared parts of the OpenAPI 3.1 document: the schemas every route answers with (zod, so the routes that
 * declare them with `createRoute` and the document use one definition), the response headers callers rely on,
 * and the problem responses. A problem response is named after the exact set of `code` values it can carry, so
 * every operation declares only the codes it can answer, and operations with the same set share one component.
 */
import { z } from '@hono/zod-openapi'
import { PROBLEMS, type ProblemCode } from '../errors/codes.js'
import type { ServerRuntime } from '../runtime/server-runtime.js'

type Json = Record<string, unknown>

const ref = (kind: 'schemas' | 'responses' | 'parameters' | 'headers', name: string) => ({ $ref: `#/components/${kind}/${name}` })

/** RFC 9457 problem document with our stable `code`. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]]).openapi({ description: 'Stable problem code; branch on it.' }),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ pointer: z.string().openapi({ description: 'JSON pointer (RFC 6901) of the failing field.' }), message: z.string() })).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details. `tool_error` problems also carry `text`, `content` and `sessionId`.' })

/** One MCP content block, as the vendor returned it. */
export const ContentBlockSchema = z
  .looseObject({ type: z.string(), text: z.string().optional(), mimeType: z.string().optional(), data: z.string().optional(), uri: z.string().optional(), name: z.string().optional() })
  .openapi('ContentBlock')

/** The success envelope of every tool call (`data` is typed per tool operation). */
export const ToolEnvelopeSchema = z
  .object({
    isError: z.boolean().openapi({ description: 'True when the tool reported an error (MCP `isError`).' }),
    text: z.string().openapi({ description: 'All text blocks of the result joined with newlines.' }),
    data: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Structured content (arrays as {items}, scalars as {value}).' }),
    content: z.array(ContentBlockSchema).openapi({ description: 'Every content block as the vendor returned it.' }),
    sessionId: z.string().optional().openapi({ description: 'The caller session this call ran in; pass it back as X-Session-Id.' }),
    sessionRenewed: z.boolean().optional().openapi({ description: 'True when the vendor lost the session and it was re-created: vendor-side state is gone.' }),
    status: z.literal('complete').optional().openapi({ description: '`complete`: the call has finished (interactive calls answer `input_required` until then).' }),
    notes: z.array(z.string()).optional().openapi({ description: 'What the facade decided on its own during an interactive call (e.g. answered `cancel` before the vendor timed out).' }),
  })
  .openapi('ToolEnvelope')

/** One question of an interactive call. */
export const QuestionSchema = z
  .object({
    id: z.string().openapi({ description: 'Question id; answer with it as `questionId`.' }),
    kind: z.enum(['form', 'url']),
    message: z.string(),
    schema: z.record(z.string(), z.unknown()).optional().openapi({ description: "Form questions: the vendor's requestedSchema as sent." }),
    url: z.string().optional().openapi({ description: 'URL questions: where the user goes; answer `accept` once done.' }),
    adaptiveCard: z.record(z.string(), z.unknown()).openapi({ description: 'An Adaptive Card 1.5 for the question, ready to post.' }),
  })
  .openapi('Question')

/** The 200 answer of an interactive call that waits for answers (`Prefer: input-required`). */
export const InputRequiredSchema = z
  .object({
    status: z.literal('input_required'),
    jobId: z.string(),
    tool: z.string(),
    round: z.number().int().openapi({ description: '1 for the first questions, one more per answered round.' }),
    expiresAt: z.string().openapi({ description: 'When the pending questions stop accepting answers.' }),
    answerUrl: z.string().openapi({ description: 'Where to POST the answers (AnswerJob).' }),
    sessionId: z.string().optional(),
    question: QuestionSchema.openapi({ description: 'The first pending question (the one to post when there is one).' }),
    questions: z.array(QuestionSchema),
    notes: z.array(z.string()).optional(),
  })
  .openapi('InputRequired')

const AnswerSchema = z
  .object({
    questionId: z.string().optional().openapi({ description: 'Optional when one question is pending.' }),
    action: z.enum(['accept', 'decline', 'cancel']),
    content: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Form questions on accept: the values (defaults fill what is omitted).' }),
  })
  .openapi('Answer')

/** `POST /jobs/{jobId}/answers`: several answers, or one (the short form). */
export const AnswersSchema = z
  .union([z.object({ answers: z.array(AnswerSchema).min(1) }), AnswerSchema])
  .openapi('Answers')

/** A running job (202 answers of tool calls and of GET /jobs/{jobId}). */
export const JobSchema = z
  .object({
    status: z.literal('running'),
    jobId: z.string(),
    tool: z.string(),
    startedAt: z.string(),
    progress: z.object({ progress: z.number(), total: z.number().optional(), message: z.string().optional(), percent: z.number().optional() }).optional(),
  })
  .openapi('Job')

/** Response headers, declared once and referenced. */
export const HEADER_COMPONENTS: Record<string, Json> = {
  RequestId: { description: 'Echo of a valid incoming X-Request-Id, else a generated id; quote it when reporting a problem.', schema: { type: 'string' } },
  SessionId: { description: 'The caller session the call ran in; pass it back as X-Session-Id.', schema: { type: 'string' } },
  Location: { description: 'Absolute URL of the job to poll (GET /jobs/{jobId}).', schema: { type: 'string', format: 'uri' } },
  RetryAfter: { description: 'Seconds to wait before polling or sending again.', schema: { type: 'integer' } },
  PreferenceApplied: { description: 'The preferences honoured: `respond-async` (a 202 job), `input-required` (questions answered as `status: input_required`).', schema: { type: 'string' } },
  WWWAuthenticate: { description: 'The authentication challenge (RFC 9110 §11.6.1).', schema: { type: 'string' } },
  ETag: { description: 'Version of the catalog the answer was built from.', schema: { type: 'string' } },
}

/** `headers` of a response, by header component name. */
export function headerRefs(...names: (keyof typeof HEADER_COMPONENTS | string)[]): Json {
  const wire: Record<string, string> = { RequestId: 'X-Request-Id', SessionId: 'X-Session-Id', Location: 'Location', RetryAfter: 'Retry-After', PreferenceApplied: 'Preference-Applied', WWWAuthenticate: 'WWW-Authenticate', ETag: 'ETag' }
  return Object.fromEntries(['RequestId', ...names].map((n) => [wire[n]!, ref('headers', n)]))
}

/**
 * Short, distinct aliases of the codes for component names (`E404SessionTool`): an operation references ten or so
 * problem responses, once per tool, so the names are a large share of the document's bytes. The description of
 * each component lists the full codes.
 */
const ALIAS: Record<ProblemCode, string> = {
  invalid_json: 'Json',
  invalid_arguments: 'Args',
  invalid_request: 'Req',
  invalid_header: 'Hdr',
  unauthorized: 'Auth',
  invalid_token: 'Token',
  insufficient_claims: 'Claims',
  delegation_failed: 'Deleg',
  idp_unavailable: 'IdP',
  vendor_unauthorized: 'VAuth',
  vendor_forbidden: 'VDeny',
  tool_not_found: 'Tool',
  prompt_not_found: 'Prompt',
  resource_not_found: 'Res',
  session_not_found: 'Session',
  job_not_found: 'Job',
  not_found: 'Route',
  method_not_allowed: 'Method',
  payload_too_large: 'Size',
  unsupported_media_type: 'Media',
  tool_error: 'ToolError',
  internal_error: 'Internal',
  vendor_unavailable: 'VDown',
  vendor_interrupted: 'VCut',
  vendor_bad_response: 'VBad',
  vendor_bad_output: 'VOutput',
  not_ready: 'NotReady',
  shutting_down: 'Stopping',
  vendor_timeout: 'VTimeout',
  bad_request: 'Bad',
  origin_forbidden: 'Origin',
  request_timeout: 'ReqTimeout',
  expectation_failed: 'Expect',
  headers_too_large: 'HdrSize',
  store_unavailable: 'Store',
  vendor_rate_limited: 'VLimit',
  vendor_busy: 'VBusy',
  vendor_error: 'VError',
  invalid_answer: 'Answer',
  question_not_pending: 'NotPending',
  job_cancelled: 'Cancelled',
  job_finished: 'Finished',
}

/** Every problem response component used so far, by name (the name encodes the codes). */
const problemComponents = new Map<string, ProblemCode[]>()

function problemComponent(codes: ProblemCode[]): Json {
  const status = PROBLEMS[codes[0]!].status
  return {
    description: codes.map((c) => `\`${c}\`: ${PROBLEMS[c].title}.`).join(' '),
    headers: status === 401 ? headerRefs('WWWAuthenticate') : status === 429 || status === 503 ? headerRefs('RetryAfter') : headerRefs(),
    content: {
      'application/problem+json': {
        schema: { allOf: [ref('schemas', 'Problem'), { type: 'object', properties: { status: { const: status }, code: { type: 'string', enum: codes } } }] },
      },
    },
  }
}

/** The `components.responses` entries for every problem response referenced so far. */
export function problemResponseComponents(): Record<string, Json> {
  return Object.fromEntries([...problemComponents].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, codes]) => [name, problemComponent(codes)]))
}

/** Codes every route that authenticates its caller can answer. */
export const CALLER_CODES: ProblemCode[] = ['invalid_header', 'unauthorized', 'shutting_down']
/** Codes of anything that talks to the vendor. */
export const VENDOR_CODES: ProblemCode[] = ['vendor_unauthorized', 'vendor_forbidden', 'vendor_rate_limited', 'vendor_unavailable', 'vendor_interrupted', 'vendor_bad_response', 'vendor_error', 'vendor_busy', 'vendor_timeout']
/** Codes of reading a JSON body. */
export const BODY_CODES: ProblemCode[] = ['invalid_json', 'invalid_arguments', 'payload_too_large', 'unsupported_media_type']

/** What the configuration makes impossible: no `unauthorized` without inbound auth, no `tool_error` in envelope mode. */
export interface ProblemContext {
  auth: boolean
  toolErrorProblems: boolean
}

/** The problem context of a runtime. */
export function problemContextOf(runtime: Pick<ServerRuntime, 'config'>): ProblemContext {
  return { auth: runtime.config.auth.mode !== 'none', toolErrorProblems: runtime.config.toolErrors === 'problem' }
}

/**
 * Problem responses for the codes an operation can answer, grouped by status, as `$ref`s to shared components.
 * @example responses: { 200: …, ...problemResponses(ctx, [...CALLER_CODES, 'job_not_found']) }
 */
export function problemResponses(ctx: ProblemContext, codes: readonly ProblemCode[]): Record<string, { $ref: string }> {
  const possible = [...new Set(codes)].filter((c) => (c !== 'unauthorized' || ctx.auth) && (c !== 'tool_error' || ctx.toolErrorProblems))
  const byStatus = new Map<number, ProblemCode[]>()
  for (const code of possible) byStatus.set(PROBLEMS[code].status, [...(byStatus.get(PROBLEMS[code].status) ?? []), code])
  const out: Record<string, { $ref: string }> = {}
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const sorted = group.sort()
    const name = `E${status}${sorted.map((c) => ALIAS[c]).join('')}`
    problemComponents.set(name, sorted)
    out[String(status)] = ref('responses', name)
  }
  return out
}

/** A `$ref` to a component. */
export const componentRef = ref

/** Codes of a tool call (`POST /tools/{slug}`, `POST /invoke/{tool}`). */
export const TOOL_CALL_CODES: ProblemCode[] = [...CALLER_CODES, 'not_ready', ...BODY_CODES, 'tool_not_found', 'session_not_found', 'store_unavailable', ...VENDOR_CODES, 'vendor_bad_output', 'tool_error']

/** Codes of `POST /jobs/{jobId}/answers`: reading the answer, then whatever the call answers next. */
export const ANSWER_CODES: ProblemCode[] = [...CALLER_CODES, 'invalid_json', 'payload_too_large', 'unsupported_media_type', 'invalid_answer', 'question_not_pending', 'job_cancelled', 'job_not_found', 'tool_not_found', 'session_not_found', 'store_unavailable', ...VENDOR_CODES, 'vendor_bad_output', 'tool_error']
/** Codes of `DELETE /jobs/{jobId}`. */
export const CANCEL_CODES: ProblemCode[] = [...CALLER_CODES, 'job_not_found', 'job_finished', 'store_unavailable']

/** Codes a finished job can answer with (what the call would have answered once running), plus `job_not_found`. */
export const JOB_CODES: ProblemCode[] = [...CALLER_CODES, 'job_not_found', 'job_cancelled', 'invalid_arguments', 'tool_not_found', 'session_not_found', 'store_unavailable', ...VENDOR_CODES, 'vendor_bad_output', 'tool_error']
