/**
 * @module auth/inbound
 * Who may call the facade:
 * - `none`: anyone who can reach it (local use; the server warns when it listens beyond loopback);
 * - `apiKey`: one of the configured keys, in a plain header or as `Authorization: Bearer <key>`, compared in
 *   constant time against every key;
 * - `passthrough`: the caller must present a credential, but the facade does not judge it: it is forwarded and the
 *   vendor decides (its 401/403 become our `vendor_unauthorized`/`vendor_forbidden`).
 * The returned credential only feeds the identity hash; it is never logged, stored or echoed.
 */
import { ApiError } from '../errors/api-error.js'
import type { InboundAuth } from '../config/schema.js'
import { constantTimeEqual } from '../sessions/identity.js'

/** Result of inbound authentication. */
export interface InboundResult {
  /** The presented credential (raw, in memory only), or undefined for anonymous callers. */
  credential?: string
}

const REALM = 'mcp-rest-facade'

/** `WWW-Authenticate` for a 401 (RFC 9110 §11.6.1 requires one). `invalid` adds RFC 6750 `error="invalid_token"`. */
function challenge(header: string, invalid: boolean): Record<string, string> {
  if (header.toLowerCase() !== 'authorization') return { 'WWW-Authenticate': `ApiKey realm="${REALM}", header="${header}"` }
  return { 'WWW-Authenticate': `Bearer realm="${REALM}"${invalid ? ', error="invalid_token"' : ''}` }
}

/** Extracts the key: from `Authorization: Bearer <key>` or from a plain header. */
function presentedKey(header: string, value: string | null): string | undefined {
  if (value === null || value === '') return undefined
  if (header.toLowerCase() === 'authorization') {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value)
    return m?.[1]
  }
  return value
}

/**
 * Authenticates a request.
 * @throws ApiError `unauthorized` (401 with `WWW-Authenticate`); the detail names the header, never a value
 */
export function authenticate(auth: InboundAuth, headers: Headers): InboundResult {
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
        throw new ApiError('unauthorized', { detail, headers: challenge(auth.header, raw !== null) })
      }
      // Compare against every configured key without stopping early, so timing does not tell which one matched.
      let ok = false
      for (const k of auth.keys) ok = constantTimeEqual(key, k) || ok
      if (!ok) throw new ApiError('unauthorized', { detail: 'The API key is not valid.', headers: challenge(auth.header, true) })
      return { credential: 'apikey:' + key }
    }
    case 'passthrough': {
      const value = headers.get(auth.header)
      // Without a credential the caller would reach the vendor with only the facade's static headers (which may
      // hold the facade's own catalog credential): refuse here instead of letting the vendor see that.
      if (!value) throw new ApiError('unauthorized', { detail: `Send your credential for the vendor in the ${auth.header} header.`, headers: challenge(auth.header, false) })
      return { credential: 'pass:' + value }
    }
  }
}

/** True when a host binding is reachable from other machines (`0.0.0.0`, `::`, a LAN address, a host name). */
export function isNonLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return !(h === 'localhost' || h === '::1' || /^127\./.test(h) || /^::ffff:127\./.test(h))
}
