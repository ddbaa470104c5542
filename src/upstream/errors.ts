/**
 * @module upstream/errors
 * The upstream module's own error type. SDK errors never leave `src/upstream/`: they are classified here
 * into a small closed set of codes that the HTTP layer maps to problem responses.
 */
import { ProtocolError, SdkError, SdkHttpError, UnauthorizedError } from '@modelcontextprotocol/client'
import { isStaleSocketFailure } from './socket-reuse.js'

/** Closed set of upstream failure kinds. */
export type UpstreamErrorCode =
  /** The vendor could not be reached at all (connection refused, DNS, TLS). The request never arrived. */
  | 'UNAVAILABLE'
  /** The connection broke after the request was sent; the vendor may have run it. */
  | 'INTERRUPTED'
  /** No answer within the timeout. */
  | 'TIMEOUT'
  /** The vendor no longer knows the session (404, or 400 naming the session). The request was not executed. */
  | 'SESSION_LOST'
  /** The vendor rejected our credentials (HTTP 401). */
  | 'UNAUTHORIZED'
  /** The vendor refused access (HTTP 403). */
  | 'FORBIDDEN'
  /** The vendor does not know the tool, prompt or resource. */
  | 'NOT_FOUND'
  /** The vendor rejected the arguments (JSON-RPC -32602 that is not "not found"). */
  | 'INVALID_PARAMS'
  /** The vendor refused the request with HTTP 429 (too many requests). It did not run it. */
  | 'RATE_LIMITED'
  /** The vendor refused the request with HTTP 503 (overloaded, starting, draining). It did not run it. */
  | 'BUSY'
  /** The vendor answered something that is not valid MCP, or an HTTP error. */
  | 'PROTOCOL'
  /**
   * The vendor answered the request with a well-formed JSON-RPC error of its own (e.g. -32603, or -32021 for a
   * missing client capability): the protocol worked, the vendor said no. `details.rpcCode` and `details.rpcMessage`.
   */
  | 'VENDOR_ERROR'
  /** The facade failed on its own side (e.g. a stack overflow serializing the request): not the vendor's fault. */
  | 'LOCAL'
  /**
   * No credential for the vendor could be had (a delegated token exchange was refused or its endpoint was
   * unreachable). The request never left; `details.credential` says which problem the caller gets.
   */
  | 'CREDENTIAL'

/** An upstream failure, already classified. `message` never contains credentials. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError'
  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
    readonly details: {
      httpStatus?: number
      rpcCode?: number
      /** VENDOR_ERROR: the vendor's own error message (trimmed, secrets removed). */
      rpcMessage?: string
      /** The vendor's response stream ended without a response (the call may have run). */
      streamEnded?: boolean
      /** For `CREDENTIAL`: the problem to answer, the identity provider's codes and its step-up challenge. */
      credential?: {
        problem: 'delegation_failed' | 'insufficient_claims' | 'idp_unavailable'
        status: 401 | 403 | 502 | 503
        error?: string
        suberror?: string
        claims?: string
        retryAfter?: number
      }
      /** RATE_LIMITED / BUSY: how long the vendor asked us to wait (its `Retry-After`), when it said. */
      retryAfterMs?: number
      /**
       * INTERRUPTED on a reused keep-alive socket before any byte of an answer: the vendor most likely closed the
       * connection before reading the request (not proven; see upstream/socket-reuse).
       */
      staleSocket?: boolean
    } = {},
  ) {
    super(message)
  }
}

const SESSION_TEXT = /session/i

/** Trims vendor text before it goes into an error message (vendors sometimes return whole HTML pages). */
function short(text: unknown, max = 300): string {
  const s = typeof text === 'string' ? text : String(text ?? '')
  return s.length > max ? s.slice(0, max) + '…' : s
}

/**
 * True when an SDK error proves the vendor forgot the session: 404 per the spec, or 400 whose body names
 * the session (server-everything and many others). Only meaningful on a 2025-era connection that held a
 * session id; on 2026-07-28 a 404 means "unknown method".
 */
export function isSessionLost(error: unknown): boolean {
  if (!(error instanceof SdkHttpError)) return false
  if (error.status === 404) return true
  return error.status === 400 && SESSION_TEXT.test(String(error.data?.text ?? error.message))
}

/**
 * True for failures of this process rather than of the vendor: the stack or string limits (`RangeError`), and
 * values JSON cannot carry (circular, BigInt), all thrown while building the request before anything is sent.
 */
function isLocalFailure(error: unknown): boolean {
  if (error instanceof RangeError) return true
  return error instanceof TypeError && /circular structure|serialize a BigInt/i.test(error.message)
}

/** An error and its causes, outermost first (at most `depth`: a cyclic chain must not loop). */
export function causeChain(error: unknown, depth = 6): { code?: unknown; syscall?: unknown }[] {
  const chain: { code?: unknown; syscall?: unknown }[] = []
  for (let e = error; e && chain.length < depth; e = (e as { cause?: unknown }).cause) chain.push(e as { code?: unknown })
  return chain
}

/** Every string error code (ECONNREFUSED, ETIMEDOUT, DEPTH_ZERO_SELF_SIGNED_CERT …) in a cause chain. */
function causeCodes(error: unknown): string[] {
  return causeChain(error)
    .map((e) => e.code)
    .filter((code): code is string => typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code))
}

/** Finds a Node network error code (ECONNREFUSED, ECONNRESET …) in an error's cause chain. */
export function networkCode(error: unknown): string | undefined {
  const codes = causeCodes(error)
  return codes.find((c) => /^E[A-Z]+$/.test(c)) ?? codes.find((c) => c.startsWith('UND_ERR_'))
}

/** Failures of name resolution or connection setup: no byte of the request reached the vendor. */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  // Node's global fetch (undici), used for OAuth.
  'UND_ERR_CONNECT_TIMEOUT',
  // Our own connection was closed before the request started (see http-pool).
  'ECONNABORTED',
  // An HTTP/2 stream the vendor refused, or above the last stream id of its GOAWAY: not processed (see h2-pool).
  'ERR_HTTP2_REFUSED_STREAM',
])

/** TLS handshake failures (certificate checks run before any request byte is written). */
const TLS_FAILURE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/

/**
 * True when the error proves the request never left this process: the connection could not be set up. Such a
 * request can be retried for any tool, since the vendor cannot have run it. Any failure of the `connect` system
 * call counts, whatever its code (ETIMEDOUT from the OS or from the pool's connect timeout, EACCES …): no socket,
 * no request byte.
 */
export function neverSent(error: unknown): boolean {
  return causeChain(error).some(({ code, syscall }) => syscall === 'connect' || (typeof code === 'string' && (NEVER_SENT.has(code) || TLS_FAILURE.test(code))))
}

/** JSON-RPC error code of the answer the facade synthesizes when a response stream ends without a response. */
export const STREAM_ENDED_CODE = -32099
/** Marker in that answer's `data`, so a vendor's own -32099 is not mistaken for it. */
export const STREAM_ENDED_MARK = 'mcp-rest-facade/stream-ended'

/**
 * Milliseconds a `Retry-After` value asks for (RFC 9110 §10.2.3: delay-seconds or an HTTP-date); undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  const v = value?.trim()
  if (!v) return undefined
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * The error for a vendor's refusal (HTTP 429 or 503): thrown by the pool's fetch before the SDK sees the answer,
 * so the `Retry-After` value (which the SDK's HTTP errors do not keep) reaches the retry and the caller.
 */
export function refusalError(status: 429 | 503, retryAfter: string | undefined): UpstreamError {
  const retryAfterMs = parseRetryAfter(retryAfter)
  const what = status === 429 ? 'too many requests' : 'service unavailable'
  return new UpstreamError(status === 429 ? 'RATE_LIMITED' : 'BUSY', `vendor refused the request (HTTP ${status}, ${what})${retryAfterMs !== undefined ? `; retry after ${Math.ceil(retryAfterMs / 1000)} s` : ''}`, {
    httpStatus: status,
    retryAfterMs,
  })
}

/** True for a refusal the vendor answered without running the request. */
export function isRefusal(error: UpstreamError): boolean {
  return error.code === 'RATE_LIMITED' || error.code === 'BUSY'
}

/**
 * Classifies anything thrown by the SDK (or by fetch underneath it) into an {@link UpstreamError}.
 * @param sessionHeld whether the connection carried a vendor session id (enables SESSION_LOST)
 */
export function classifyUpstreamError(error: unknown, sessionHeld: boolean): UpstreamError {
  const classified = classify(error, sessionHeld)
  if (classified.code === 'INTERRUPTED' && !classified.details.staleSocket && causeChain(error).some(isStaleSocketFailure))
    return new UpstreamError('INTERRUPTED', classified.message, { ...classified.details, staleSocket: true })
  return classified
}

function classify(error: unknown, sessionHeld: boolean): UpstreamError {
  if (error instanceof UpstreamError) return error
  // A refusal from the pool's fetch may come wrapped (e.g. in the SDK's era negotiation error): it still decides.
  const refusal = causeChain(error).find((e): e is UpstreamError => e instanceof UpstreamError && isRefusal(e))
  if (refusal) return refusal
  if (error instanceof SdkHttpError) {
    const status = error.status
    if (sessionHeld && isSessionLost(error)) return new UpstreamError('SESSION_LOST', 'vendor session no longer exists', { httpStatus: status })
    if (status === 401) return new UpstreamError('UNAUTHORIZED', 'vendor rejected the credentials', { httpStatus: 401 })
    if (status === 403) return new UpstreamError('FORBIDDEN', 'vendor refused access', { httpStatus: 403 })
    if (status === 404) return new UpstreamError('NOT_FOUND', 'vendor endpoint not found (HTTP 404)', { httpStatus: 404 })
    if (status === 408 || status === 504) return new UpstreamError('TIMEOUT', `vendor timed out (HTTP ${status})`, { httpStatus: status })
    return new UpstreamError('PROTOCOL', `vendor answered HTTP ${status}: ${short(error.data?.text ?? '')}`, { httpStatus: status })
  }
  if (error instanceof UnauthorizedError) return new UpstreamError('UNAUTHORIZED', 'vendor rejected the credentials', { httpStatus: 401 })
  if (error instanceof ProtocolError) {
    const msg = short(error.message)
    if (error.code === STREAM_ENDED_CODE && (error.data as { mark?: unknown } | undefined)?.mark === STREAM_ENDED_MARK)
      return new UpstreamError('INTERRUPTED', msg, { streamEnded: true })
    if (error.code === -32602 && /not found|unknown tool|no such/i.test(msg)) return new UpstreamError('NOT_FOUND', msg, { rpcCode: error.code })
    if (error.code === -32002) return new UpstreamError('NOT_FOUND', msg, { rpcCode: error.code })
    if (error.code === -32601) return new UpstreamError('NOT_FOUND', msg, { rpcCode: error.code })
    if (error.code === -32602) return new UpstreamError('INVALID_PARAMS', msg, { rpcCode: error.code })
    if (error.code === -32001 && /timed? ?out/i.test(msg)) return new UpstreamError('TIMEOUT', msg, { rpcCode: error.code })
    return new UpstreamError('VENDOR_ERROR', `vendor error ${error.code}: ${msg}`, { rpcCode: error.code, rpcMessage: msg })
  }
  if (error instanceof SdkError) {
    switch (error.code) {
      case 'REQUEST_TIMEOUT':
        return new UpstreamError('TIMEOUT', short(error.message))
      case 'CONNECTION_CLOSED':
      case 'SEND_FAILED':
        return new UpstreamError(neverSent(error) ? 'UNAVAILABLE' : 'INTERRUPTED', short(error.message))
      case 'NOT_CONNECTED':
        return new UpstreamError('UNAVAILABLE', short(error.message))
      case 'ERA_NEGOTIATION_FAILED':
        return new UpstreamError(neverSent(error) ? 'UNAVAILABLE' : 'PROTOCOL', short(error.message))
      case 'CLIENT_HTTP_UNEXPECTED_CONTENT':
      case 'INVALID_RESULT':
        return new UpstreamError('PROTOCOL', `vendor answered garbage: ${short(error.message)}`)
      default:
        return new UpstreamError('PROTOCOL', short(error.message))
    }
  }
  const code = networkCode(error) ?? causeCodes(error)[0]
  if (neverSent(error)) return new UpstreamError('UNAVAILABLE', `vendor unreachable (${code})`)
  if (code) return new UpstreamError('INTERRUPTED', `connection to vendor failed (${code})`)
  if (error instanceof SyntaxError) return new UpstreamError('PROTOCOL', `vendor answered garbage: ${short(error.message)}`)
  if (isLocalFailure(error)) return new UpstreamError('LOCAL', 'the facade could not prepare the request')
  if (error instanceof Error && /fetch failed|socket|terminated|aborted/i.test(error.message))
    return new UpstreamError('INTERRUPTED', short(error.message))
  return new UpstreamError('PROTOCOL', short(error instanceof Error ? error.message : error))
}
