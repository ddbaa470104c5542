/**
 * @module auth/inbound
 * Who may call the facade:
 * - `none`: anyone who can reach it (local use; the server warns when it listens beyond loopback);
 * - `apiKey`: one of the configured keys, in a plain header or as `Authorization: Bearer <key>`, compared in
 *   constant time against every key;
 * - `passthrough`: the caller must present a credential, but the facade does not judge it: it is forwarded (or,
 *   with delegation, exchanged) and the vendor decides. The identity is a hash of the credential string, so a
 *   refreshed token is a new caller;
 * - `jwt`: the caller's bearer token is validated ({@link JwtVerifier}) and the identity comes from its immutable
 *   claims (`tid`+`oid`, `iss`+`sub`), so sessions survive a token refresh.
 * The returned credential only feeds the identity hash and delegation; it is never logged, stored or echoed.
 */
import { ApiError } from '../errors/api-error.js'
import type { InboundAuth } from '../config/schema.js'
import { constantTimeEqual } from '../security/constant-time.js'
import { REALM, bearerChallenge, type ChallengeParams } from '../security/challenge.js'
import { InvalidTokenError, KeysUnavailableError, type JwtVerifier } from '../identity/jwt-verifier.js'

/** Result of inbound authentication. */
export interface InboundResult {
  /** What the identity is derived from (raw, in memory only), or undefined for anonymous callers. */
  credential?: string
  /** The caller's bearer token (raw, in memory only), for delegation toward the vendor. */
  token?: string
}

/** `WWW-Authenticate` for a 401 (RFC 9110 §11.6.1 requires one). `error` adds the RFC 6750 error code. */
function challenge(header: string, error?: { code: string; description?: string }, extra: ChallengeParams = {}): Record<string, string> {
  if (header.toLowerCase() !== 'authorization') return { 'WWW-Authenticate': `ApiKey realm="${REALM}", header="${header}"` }
  return { 'WWW-Authenticate': bearerChallenge(error, extra) }
}

/** Extracts the key: from `Authorization: Bearer <key>` or from a plain header. */
function presentedKey(header: string, value: string | null): string | undefined {
  if (value === null || value === '') return undefined
  if (header.toLowerCase() === 'authorization') return bearerOf(value)
  return value
}

/** The token of an `Authorization: Bearer <token>` value. */
function bearerOf(value: string): string | undefined {
  return /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value)?.[1]
}

/**
 * Authenticates a request.
 * @param verifier the token validator (mode `jwt` only)
 * @param extra parameters added to a Bearer challenge (the MCP endpoint's `resource_metadata`)
 * @throws ApiError `unauthorized` (no credential) or `invalid_token` (401 with `WWW-Authenticate`; the detail names
 *   the failed check, never a value), `idp_unavailable` (503) when the issuer's keys cannot be fetched
 */
export async function authenticate(auth: InboundAuth, headers: Headers, verifier?: JwtVerifier, extra?: ChallengeParams): Promise<InboundResult> {
  switch (auth.mode) {
    case 'none':
      return {}
    case 'apiKey': {
      const raw = headers.get(auth.header)
      const key = presentedKey(auth.header, raw)
      if (key === undefined) {
        const detail =
          raw !== null && auth.header.toLowerCase() === 'authorization'
            ? 'Send the API key as Authorization: Bearer <key>.'
            : `Send the API key in the ${auth.header} header.`
        throw new ApiError('unauthorized', { detail, headers: challenge(auth.header, raw !== null ? { code: 'invalid_token' } : undefined) })
      }
      // Compare against every configured key without stopping early, so timing does not tell which one matched.
      let ok = false
      for (const k of auth.keys) ok = constantTimeEqual(key, k) || ok
      if (!ok) throw new ApiError('unauthorized', { detail: 'The API key is not valid.', headers: challenge(auth.header, { code: 'invalid_token' }) })
      return { credential: 'apikey:' + key }
    }
    case 'passthrough': {
      const value = headers.get(auth.header)
      // Without a credential the caller would reach the vendor with only the facade's static headers (which may
      // hold the facade's own catalog credential): refuse here instead of letting the vendor see that.
      if (!value) throw new ApiError('unauthorized', { detail: `Send your credential for the vendor in the ${auth.header} header.`, headers: challenge(auth.header, undefined, extra) })
      return { credential: 'pass:' + value, token: auth.header.toLowerCase() === 'authorization' ? bearerOf(value) : undefined }
    }
    case 'jwt': {
      const value = headers.get('authorization')
      if (!value) throw new ApiError('unauthorized', { detail: 'Send your access token as Authorization: Bearer <token>.', headers: challenge('authorization', undefined, extra) })
      const token = bearerOf(value)
      if (!token) throw invalidToken(new InvalidTokenError('malformed', 'Send the access token as Authorization: Bearer <token>.'), extra)
      try {
        const verified = await verifier!.verify(token)
        return { credential: 'jwt:' + JSON.stringify(verified.identityValues), token }
      } catch (error) {
        if (error instanceof InvalidTokenError) throw invalidToken(error, extra)
        if (error instanceof KeysUnavailableError)
          throw new ApiError('idp_unavailable', { detail: `The token cannot be checked now: ${error.message}.`, headers: { 'Retry-After': '5' } })
        throw error
      }
    }
  }
}

function invalidToken(error: InvalidTokenError, extra?: ChallengeParams): ApiError {
  return new ApiError('invalid_token', {
    detail: error.message,
    extensions: { check: error.check },
    headers: challenge('authorization', { code: 'invalid_token', description: error.message }, extra),
  })
}

/** True when a host binding is reachable from other machines (`0.0.0.0`, `::`, a LAN address, a host name). */
export function isNonLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return !(h === 'localhost' || h === '::1' || /^127\./.test(h) || /^::ffff:127\./.test(h))
}
