/**
 * @module errors/problem
 * RFC 9457 problem documents: `application/problem+json` with `type`, `title`, `status`, `detail`,
 * `instance`, our stable `code`, and `errors[]` (JSON pointer + message) for invalid input.
 */
import { PROBLEMS, type ProblemCode } from './codes.js'
import type { ApiError } from './api-error.js'

/** Media type of problem responses. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** A problem document. */
export interface ProblemDocument {
  type: string
  title: string
  status: number
  code: ProblemCode
  detail?: string
  instance?: string
  requestId?: string
  errors?: { pointer: string; message: string }[]
  [extension: string]: unknown
}

/** Builds the problem document for an error. */
export function toProblem(error: ApiError, instance?: string, requestId?: string): ProblemDocument {
  const { code } = error
  return {
    ...(error.options.extensions ?? {}),
    type: `https://mcp-rest-facade.dev/problems/${code.replace(/_/g, '-')}`,
    title: PROBLEMS[code].title,
    status: error.status,
    code,
    ...(error.options.detail ? { detail: error.options.detail } : {}),
    ...(error.options.errors?.length ? { errors: error.options.errors } : {}),
    ...(instance ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
  }
}

/** A `Response` carrying the problem document. */
export function problemResponse(error: ApiError, instance?: string, requestId?: string): Response {
  const headers = new Headers({ 'content-type': PROBLEM_CONTENT_TYPE, ...(error.options.headers ?? {}) })
  return new Response(JSON.stringify(toProblem(error, instance, requestId)), { status: error.status, headers })
}
