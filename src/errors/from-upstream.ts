/**
 * @module errors/from-upstream
 * The only mapping from upstream failures to problem codes.
 */
import { ApiError } from './api-error.js'
import type { ProblemCode } from './codes.js'
import type { UpstreamError, UpstreamErrorCode } from '../upstream/errors.js'
import { bearerChallenge } from '../security/challenge.js'

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
  // The vendor's own JSON-RPC error: it did not misbehave, it said no (its code and message go along).
  VENDOR_ERROR: 'vendor_error',
  // Our own failure: never reported as the vendor's (the vendor never saw the request).
  LOCAL: 'internal_error',
  // Refined from details.credential below.
  CREDENTIAL: 'delegation_failed',
}

/**
 * Maps an upstream error to an ApiError.
 * @param notFound the code to use for NOT_FOUND (tool, prompt or resource)
 */
export function fromUpstream(error: { code: UpstreamErrorCode; message: string; details?: UpstreamError['details'] }, notFound: ProblemCode = 'tool_not_found'): ApiError {
  const credential = error.details?.credential
  if (error.code === 'CREDENTIAL' && credential) return fromCredential(credential, error)
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
  if (code === 'vendor_error')
    return new ApiError(code, {
      detail: error.message,
      extensions: { vendorCode: error.details?.rpcCode, vendorMessage: error.details?.rpcMessage },
      cause: error,
    })
  // Vendor 401/403 bodies can echo tokens or internal details: say only what happened.
  const detail =
    code === 'vendor_unauthorized' || code === 'vendor_forbidden'
      ? undefined
      : error.code === 'INTERRUPTED'
        ? 'The connection broke after the request reached the vendor. It was not retried because the tool is not marked read-only or idempotent; check the vendor before calling again.'
        : error.message
  return new ApiError(code, { detail, cause: error })
}

/**
 * A failed delegation: the identity provider's verdict decides the status; its `error` (and Microsoft's `suberror`)
 * are named, its description never (it may echo what it received). A step-up `claims` challenge is passed on in
 * `WWW-Authenticate`, as MSAL's guidance for web APIs says, so the client can sign the user in again with it.
 */
function fromCredential(credential: NonNullable<UpstreamError['details']['credential']>, cause: unknown): ApiError {
  const extensions = credential.error ? { idpError: credential.error, ...(credential.suberror ? { idpSuberror: credential.suberror } : {}) } : undefined
  if (credential.problem === 'insufficient_claims')
    return new ApiError('insufficient_claims', {
      detail: 'The identity provider requires the user to sign in again (multi-factor authentication or a Conditional Access policy).',
      extensions,
      headers: { 'WWW-Authenticate': bearerChallenge({ code: 'insufficient_claims' }, { claims: credential.claims! }) },
      cause,
    })
  if (credential.problem === 'idp_unavailable')
    return new ApiError('idp_unavailable', {
      detail: 'The identity provider could not issue a token for the vendor right now.',
      status: credential.status === 502 ? 502 : 503,
      headers: { 'Retry-After': String(credential.retryAfter ?? 5) },
      cause,
    })
  const status = credential.status === 403 ? 403 : 401
  return new ApiError('delegation_failed', {
    detail:
      status === 401
        ? `The identity provider refused to exchange your token for the vendor (${credential.error}): sign in again; if it persists, consent may be missing.`
        : `The identity provider refused to issue a token for the vendor (${credential.error}).`,
    status,
    extensions,
    headers: status === 401 ? { 'WWW-Authenticate': bearerChallenge({ code: 'invalid_token' }) } : undefined,
    cause,
  })
}
