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
  PROTOCOL: 'vendor_bad_response',
  // Our own failure: never reported as the vendor's (the vendor never saw the request).
  LOCAL: 'internal_error',
}

/**
 * Maps an upstream error to an ApiError.
 * @param notFound the code to use for NOT_FOUND (tool, prompt or resource)
 */
export function fromUpstream(error: { code: UpstreamErrorCode; message: string }, notFound: ProblemCode = 'tool_not_found'): ApiError {
  const code = error.code === 'NOT_FOUND' ? notFound : MAP[error.code]
  // Vendor 401/403 bodies can echo tokens or internal details: say only what happened.
  const detail =
    code === 'vendor_unauthorized' || code === 'vendor_forbidden'
      ? undefined
      : error.code === 'INTERRUPTED'
        ? 'The connection broke after the request reached the vendor. It was not retried because the tool is not marked read-only or idempotent; check the vendor before calling again.'
        : error.message
  return new ApiError(code, { detail, cause: error })
}
