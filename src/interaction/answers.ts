/**
 * @module interaction/answers
 * Reads `POST /jobs/{jobId}/answers`: the full form `{ answers: [{ questionId, action, content }] }` or the short
 * form `{ action, content }` for a single pending question. On `accept` of a form question, omitted properties are
 * filled from the schema's `default`s (SEP-1034), Adaptive Card strings are coerced for connector callers ("true",
 * "3", "a,b"), then the content is validated against the question's schema with Ajv: 400 `invalid_answer` with
 * JSON pointers into the request body.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { toFieldErrors } from '../catalog/validator.js'
import { ApiError, type FieldError } from '../errors/api-error.js'
import type { ElicitationReply } from '../upstream/index.js'
import type { Question } from './questions.js'

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: unknown) => void

type Json = Record<string, unknown>

/** Two engines: one fills defaults only, the other also coerces card strings (connector callers). */
function engine(coerce: boolean) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, useDefaults: true, ...(coerce ? { coerceTypes: 'array' as const } : {}) })
  addFormats(ajv)
  return ajv
}
// Built on the first answer, not at start-up: most deployments never ask a question (two Ajv engines with
// formats are a few milliseconds of every start).
let plain: ReturnType<typeof engine> | undefined
let coercing: ReturnType<typeof engine> | undefined

const ACTIONS = new Set(['accept', 'decline', 'cancel'])

/** One answer as posted, before it is checked against its question. */
interface Posted {
  questionId?: unknown
  action?: unknown
  content?: unknown
  /** Pointer of this answer in the request body. */
  at: string
}

function postedOf(body: Json): Posted[] {
  if (Array.isArray(body.answers)) return body.answers.map((a, i) => ({ ...(a && typeof a === 'object' ? (a as Json) : {}), at: `/answers/${i}` }))
  if ('answers' in body) throw new ApiError('invalid_answer', { detail: '`answers` must be an array.', errors: [{ pointer: '/answers', message: 'must be array' }] })
  return [{ questionId: body.questionId, action: body.action, content: body.content, at: '' }]
}

/** A multi-select answered by a card is "a,b": split it before Ajv wraps the whole string into one item. */
function splitCardLists(schema: Json, content: Json) {
  const properties = (schema.properties ?? {}) as Record<string, Json>
  for (const [name, prop] of Object.entries(properties)) {
    const v = content[name]
    if (prop?.type === 'array' && typeof v === 'string') content[name] = v === '' ? [] : v.split(',').map((s) => s.trim())
  }
}

/**
 * The replies to send, by question id.
 * @param pending   the round's questions still waiting for an answer
 * @param fromConnector coerce Adaptive Card strings
 * @throws ApiError `invalid_answer` (shape or content), `question_not_pending` (unknown or already answered id)
 */
export function readAnswers(body: Json, pending: Question[], fromConnector: boolean): Map<string, ElicitationReply> {
  const posted = postedOf(body)
  const errors: FieldError[] = []
  const replies = new Map<string, ElicitationReply>()
  for (const p of posted) {
    let id = p.questionId
    if (id === undefined && p.at === '') {
      if (pending.length !== 1)
        throw new ApiError('invalid_answer', {
          detail: `${pending.length} questions are pending: answer them with { "answers": [{ "questionId", "action", "content" }] }.`,
          errors: [{ pointer: '/questionId', message: 'is required when several questions are pending' }],
        })
      id = pending[0]!.id
    }
    if (typeof id !== 'string') {
      errors.push({ pointer: `${p.at}/questionId`, message: 'is required' })
      continue
    }
    const question = pending.find((q) => q.id === id)
    if (!question || replies.has(id)) throw new ApiError('question_not_pending', { detail: `Question "${id}" is not waiting for an answer (unknown, or answered already).` })
    if (typeof p.action !== 'string' || !ACTIONS.has(p.action)) {
      errors.push({ pointer: `${p.at}/action`, message: 'must be one of ["accept","decline","cancel"]' })
      continue
    }
    const action = p.action as ElicitationReply['action']
    if (action !== 'accept' || question.kind === 'url') {
      replies.set(id, { action })
      continue
    }
    if (p.content !== undefined && (p.content === null || typeof p.content !== 'object' || Array.isArray(p.content))) {
      errors.push({ pointer: `${p.at}/content`, message: 'must be object' })
      continue
    }
    const content = structuredClone((p.content ?? {}) as Json)
    const schema = question.schema ?? { type: 'object' }
    if (fromConnector) splitCardLists(schema, content)
    const ajv = fromConnector ? (coercing ??= engine(true)) : (plain ??= engine(false))
    let validate
    try {
      validate = ajv.compile(schema)
    } catch {
      // A schema Ajv cannot read: the vendor validates the answer itself.
      replies.set(id, { action, content })
      continue
    }
    if (!validate(content)) errors.push(...toFieldErrors(validate.errors).map((e) => ({ pointer: `${p.at}/content${e.pointer}`, message: e.message })))
    else replies.set(id, { action, content })
  }
  if (errors.length) throw new ApiError('invalid_answer', { detail: 'The answer does not match the question.', errors })
  return replies
}
