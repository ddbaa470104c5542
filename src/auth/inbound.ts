/**
 * @module auth/inbound
 * Who may call the facade. `none` (local use), `apiKey` (keys from config, compared in constant time) and
 * `passthrough` (the credential is not judged here; it is forwarded and the vendor decides).
 * The returned credential only feeds the identity hash; it is never logged or stored.
 */
import { ApiError } from '../errors/api-error.js'
import type { InboundAuth } from '../config/schema.js'
import { constantTimeEqual } from '../sessions/identity.js'

/** Result of inbound authentication. */
export interface InboundResult {
  /** The presented credential (raw, in memory only), or undefined for anonymous callers. */
  credential?: string
}

function challenge(auth: InboundAuth): Record<string, string> {
  if (auth.mode === 'apiKey' && auth.header.toLowerCase() !== 'authorization') return { 'WWW-Authenticate': `ApiKey header="${auth.header}"` }
  return { 'WWW-Authenticate': 'Bearer realm="mcp-rest-facade"' }
}

/** Extracts the key: from `Authorization: Bearer <key>` or from a plain header. */
function presentedKey(header: string, value: string | null): string | undefined {
  if (value === null || value === '') return undefined
  if (header.toLowerCase() === 'authorization') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(value)
    return m?.[1]
  }
  return value
}

/**
 * Authenticates a request.
 * @throws ApiError `unauthorized` (401 with `WWW-Authenticate`)
 */
export function authenticate(auth: InboundAuth, headers: Headers): InboundResult {
  switch (auth.mode) {
    case 'none':
      return {}
    case 'apiKey': {
      const key = presentedKey(auth.header, headers.get(auth.header))
      if (key === undefined)
        throw new ApiError('unauthorized', { detail: `Send the API key in the ${auth.header} header.`, headers: challenge(auth) })
      // Compare against every configured key without stopping early, so timing does not tell which matched.
      let ok = false
      for (const k of auth.keys) ok = constantTimeEqual(key, k) || ok
      if (!ok) throw new ApiError('unauthorized', { detail: 'The API key is not valid.', headers: challenge(auth) })
      return { credential: 'apikey:' + key }
    }
    case 'passthrough': {
      const value = headers.get(auth.header)
      return value ? { credential: 'pass:' + value } : {}
    }
  }
}

/** True when a host binding is reachable from other machines. */
export function isNonLoopback(host: string): boolean {
  return !(host === 'localhost' || host === '::1' || /^127\./.test(host))
}
