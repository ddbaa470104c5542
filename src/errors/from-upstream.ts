/**
 * @module errors/from-upstream
 * The only mapping from upstream failures to problem codes.
 */
import { ApiError } from './api-error.js'
import type { ProblemCode } from './codes.js'
import type { UpstreamErrorCode } from '../upstream/errors.js'

const MAP: Record<UpstreamErrorCode, ProblemCode> = {
  UNAVAILABLE: 'vendor_unavailable',
  INTERRUPTED: 'vendor_interrupted',
  TIMEOUT: 'vendor_timeout',
  // Only reached when the renewal itself failed again.
  SESSION_LOST: 'vendor_unavailable',
  UNAUTHORIZED: 'vendor_unauthorized',
  FORBIDDEN: 'vendor_forbidden',
  NOT_FOUND: 'tool_not_found',
  INVALID_PARAMS: 'invalid_arguments',
  // Refused, not run: the caller may retry any tool (after Retry-After).
  RATE_LIMITED: 'vendor_rate_limited',
  BUSY: 'vendor_busy',
  PROTOCOL: 'vendor_bad_response',
  // Our own failure: never reported as the vendor's (the vendor never saw the request).
  LOCAL: 'internal_error',
}

/**
 * Maps an upstream error to an ApiError.
 * @param notFound the code to use for NOT_FOUND (tool, prompt or resource)
 */
export function fromUpstream(error: { code: UpstreamErrorCode; message: string; details?: { retryAfterMs?: number } }, notFound: ProblemCode = 'tool_not_found'): ApiError {
  const code = error.code === 'NOT_FOUND' ? notFound : MAP[error.code]
  if (code === 'vendor_rate_limited' || code === 'vendor_busy') {
    // The vendor's own delay is passed on (the facade already retried while the wait fitted its retry budget).
    const wait = error.details?.retryAfterMs
    return new ApiError(code, {
      detail: `${error.message}. The vendor did not run the request; it is safe to send again${wait !== undefined ? ' after Retry-After' : ''}.`,
      headers: wait !== undefined ? { 'Retry-After': String(Math.ceil(wait / 1000)) } : undefined,
      cause: error,
    })
  }
  // Vendor 401/403 bodies can echo tokens or internal details: say only what happened.
  const detail =
    code === 'vendor_unauthorized' || code === 'vendor_forbidden'
      ? undefined
      : error.code === 'INTERRUPTED'
        ? 'The connection broke after the request reached the vendor. It was not retried because the tool is not marked read-only or idempotent; check the vendor before calling again.'
        : error.message
  return new ApiError(code, { detail, cause: error })
}
