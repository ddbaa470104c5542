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

/**
 * The success envelope without `data`: each typed tool's 200 schema is `allOf: [ToolEnvelopeBase, { data: <its
 * output> }]`, so a generated client types `data` as exactly the tool's output (an open `data` in the base would
 * intersect with it and let any field type-check).
 */
export const ToolEnvelopeBaseSchema = z
  .object({
    isError: z.boolean().openapi({ description: 'True when the tool reported an error (MCP `isError`).' }),
    text: z.string().openapi({ description: 'All text blocks of the result joined with newlines.' }),
    content: z.array(ContentBlockSchema).openapi({ description: 'Every content block as the vendor returned it.' }),
    sessionId: z.string().optional().openapi({ description: 'The caller session this call ran in; pass it back as X-Session-Id.' }),
    sessionRenewed: z.boolean().optional().openapi({ description: 'True when the vendor lost the session and it was re-created: vendor-side state is gone.' }),
    status: z.literal('complete').optional().openapi({ description: '`complete`: the call has finished (interactive calls answer `input_required` until then).' }),
    notes: z.array(z.string()).optional().openapi({ description: 'What the facade decided on its own during an interactive call (e.g. answered `cancel` before the vendor timed out).' }),
  })
  .openapi('ToolEnvelopeBase', {
    description: "A tool result. Each typed tool's schema adds `data`: the structured content, typed by the tool's output schema (arrays as {items}, scalars as {value}).",
  })

/** The success envelope of a tool call whose output is not declared (`data` free-form). */
export const ToolEnvelopeSchema = ToolEnvelopeBaseSchema.extend({
  data: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Structured content (arrays as {items}, scalars as {value}).' }),
}).openapi('ToolEnvelope')

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
  RateLimitPolicy: { description: 'The limit that was reached (IETF draft RateLimit header fields), e.g. `"default-identity-calls";q=100;w=60`.', schema: { type: 'string' } },
  RateLimit: { description: 'What is left of that limit and when it resets, in seconds (IETF draft), e.g. `"default-identity-calls";r=0;t=12`.', schema: { type: 'string' } },
}

/** `headers` of a response, by header component name. */
export function headerRefs(...names: (keyof typeof HEADER_COMPONENTS | string)[]): Json {
  const wire: Record<string, string> = {
    RequestId: 'X-Request-Id',
    SessionId: 'X-Session-Id',
    Location: 'Location',
    RetryAfter: 'Retry-After',
    PreferenceApplied: 'Preference-Applied',
    WWWAuthenticate: 'WWW-Authenticate',
    ETag: 'ETag',
    RateLimitPolicy: 'RateLimit-Policy',
    RateLimit: 'RateLimit',
  }
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
  host_not_allowed: 'Host',
  request_timeout: 'ReqTimeout',
  expectation_failed: 'Expect',
  headers_too_large: 'HdrSize',
  store_unavailable: 'Store',
  connector_not_exportable: 'Export',
  vendor_rate_limited: 'VLim',
  vendor_busy: 'VBsy',
  too_many_sessions: 'Ses',
  rate_limited: 'Rt',
  too_many_requests: 'Bsy',
  idempotency_key_reused: 'KeyReused',
  idempotency_key_in_use: 'KeyBusy',
  vendor_error: 'VError',
  invalid_answer: 'Answer',
  question_not_pending: 'NotPending',
  job_cancelled: 'Cancelled',
  job_finished: 'Finished',
}

/** Every problem response component used so far, by name (the name encodes the status and the codes). */
const problemComponents = new Map<string, { status: number; codes: ProblemCode[] }>()

function problemComponent(status: number, codes: ProblemCode[]): Json {
  return {
    description: codes.map((c) => `\`${c}\`: ${PROBLEMS[c].title}.`).join(' '),
    headers: status === 401 ? headerRefs('WWWAuthenticate') : status === 429 ? headerRefs('RetryAfter', 'RateLimitPolicy', 'RateLimit') : status === 503 ? headerRefs('RetryAfter') : headerRefs(),
    content: {
      'application/problem+json': {
        schema: { allOf: [ref('schemas', 'Problem'), { type: 'object', properties: { status: { const: status }, code: { type: 'string', enum: codes } } }] },
      },
    },
  }
}

/** The `components.responses` entries for every problem response referenced so far. */
export function problemResponseComponents(): Record<string, Json> {
  return Object.fromEntries([...problemComponents].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, { status, codes }]) => [name, problemComponent(status, codes)]))
}

/** Codes every route that authenticates its caller can answer. */
export const CALLER_CODES: ProblemCode[] = ['invalid_header', 'unauthorized', 'shutting_down']
/** Codes of the per-caller limits on anything that runs on a vendor session (config `limits`). */
export const LIMIT_CODES: ProblemCode[] = ['rate_limited', 'too_many_requests', 'too_many_sessions']
/** Codes of anything that talks to the vendor. */
export const VENDOR_CODES: ProblemCode[] = ['vendor_unauthorized', 'vendor_forbidden', 'vendor_rate_limited', 'vendor_unavailable', 'vendor_interrupted', 'vendor_bad_response', 'vendor_error', 'vendor_busy', 'vendor_timeout']
/** Codes of reading a JSON body. */
export const BODY_CODES: ProblemCode[] = ['invalid_json', 'invalid_arguments', 'payload_too_large', 'unsupported_media_type']

/**
 * What the configuration makes possible: no `unauthorized` without inbound auth, no `tool_error` in envelope mode,
 * no `invalid_token` unless tokens are validated (`jwt`), no delegation problems without `oauth.delegation`.
 */
export interface ProblemContext {
  auth: boolean
  toolErrorProblems: boolean
  /** `auth.mode: "jwt"`: tokens are validated (`invalid_token`; `idp_unavailable` when the issuer's keys cannot be had). */
  token?: boolean
  /** `oauth.delegation`: calls to the vendor exchange the caller's token first. */
  delegation?: boolean
}

/** The problem context of a runtime. */
export function problemContextOf(runtime: Pick<ServerRuntime, 'config'>): ProblemContext {
  const config = runtime.config
  return { auth: config.auth.mode !== 'none', toolErrorProblems: config.toolErrors === 'problem', token: config.auth.mode === 'jwt', delegation: !!config.oauth?.delegation }
}

/**
 * The statuses a code can be answered with where `codes` are possible: its usual one, plus, on routes that reach
 * the identity provider's token endpoint (they can answer `delegation_failed`), the IdP's verdict: a refused
 * exchange is 401 or 403, an unreachable token endpoint 502 or 503.
 */
/**
 * The identity problems follow from what a route does, so the code lists need not repeat them: a route that
 * authenticates its caller (it can answer `unauthorized`) checks a token and may fetch its issuer's keys; a route
 * that talks to the vendor (`vendor_unauthorized`) may first exchange the caller's token.
 */
function withIdentityCodes(codes: readonly ProblemCode[]): ProblemCode[] {
  const out = [...codes]
  if (codes.includes('unauthorized')) out.push('invalid_token', 'idp_unavailable')
  if (codes.includes('vendor_unauthorized')) out.push('delegation_failed', 'insufficient_claims', 'idp_unavailable')
  return out
}

function statusesOf(ctx: ProblemContext, code: ProblemCode, codes: readonly ProblemCode[]): number[] {
  const usual = PROBLEMS[code].status
  const exchanging = !!ctx.delegation && codes.includes('delegation_failed')
  if (exchanging && code === 'delegation_failed') return [usual, 403]
  if (exchanging && code === 'idp_unavailable') return [502, usual]
  return [usual]
}

function possible(ctx: ProblemContext, code: ProblemCode, codes: readonly ProblemCode[]): boolean {
  switch (code) {
    case 'unauthorized':
      return ctx.auth
    case 'tool_error':
      return ctx.toolErrorProblems
    case 'invalid_token':
      return !!ctx.token
    case 'delegation_failed':
    case 'insufficient_claims':
      return !!ctx.delegation
    case 'idp_unavailable':
      return !!ctx.token || (!!ctx.delegation && codes.includes('delegation_failed'))
    default:
      return true
  }
}

/**
 * Problem responses for the codes an operation can answer, grouped by status, as `$ref`s to shared components.
 * @example responses: { 200: …, ...problemResponses(ctx, [...CALLER_CODES, 'job_not_found']) }
 */
export function problemResponses(ctx: ProblemContext, declared: readonly ProblemCode[]): Record<string, { $ref: string }> {
  const codes = withIdentityCodes(declared)
  const byStatus = new Map<number, ProblemCode[]>()
  for (const code of new Set(codes)) {
    if (!possible(ctx, code, codes)) continue
    for (const status of statusesOf(ctx, code, codes)) byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  const out: Record<string, { $ref: string }> = {}
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const sorted = group.sort()
    const name = `E${status}${sorted.map((c) => ALIAS[c]).join('')}`
    problemComponents.set(name, { status, codes: sorted })
    out[String(status)] = ref('responses', name)
  }
  return out
}

/** A `$ref` to a component. */
export const componentRef = ref

/** Codes of a tool call (`POST /tools/{slug}`, `POST /invoke/{tool}`). */
export const TOOL_CALL_CODES: ProblemCode[] = [...CALLER_CODES, 'not_ready', ...BODY_CODES, 'tool_not_found', 'session_not_found', 'store_unavailable', ...LIMIT_CODES, ...VENDOR_CODES, 'vendor_bad_output', 'tool_error']

/** Codes of `POST /jobs/{jobId}/answers`: reading the answer, then whatever the call answers next. */
export const ANSWER_CODES: ProblemCode[] = [...CALLER_CODES, 'invalid_json', 'payload_too_large', 'unsupported_media_type', 'invalid_answer', 'question_not_pending', 'job_cancelled', 'job_not_found', 'tool_not_found', 'session_not_found', 'store_unavailable', ...VENDOR_CODES, 'vendor_bad_output', 'tool_error']
/** Codes of `DELETE /jobs/{jobId}`. */
export const CANCEL_CODES: ProblemCode[] = [...CALLER_CODES, 'job_not_found', 'job_finished', 'store_unavailable']

/** Codes a finished job can answer with (what the call would have answered once running), plus `job_not_found`. */
export const JOB_CODES: ProblemCode[] = [...CALLER_CODES, 'job_not_found', 'job_cancelled', 'invalid_arguments', 'tool_not_found', 'session_not_found', 'store_unavailable', ...VENDOR_CODES, 'vendor_bad_output', 'tool_error']
