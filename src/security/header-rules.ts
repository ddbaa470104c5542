/**
 * @module security/header-rules
 * Which header names the facade refuses to forward or set toward the vendor, whatever the config says.
 * Dependency-free on purpose: the config schema checks names with it at load time, and the request path
 * checks them again, so a name that slipped past one layer is still stopped by the other.
 */

/** RFC 9110 §7.6.1 connection-specific headers, plus the non-standard ones proxies still see. */
export const HOP_BY_HOP: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]

/**
 * True for headers that are never forwarded from a caller: hop-by-hop, `Host`, `Content-Length`, `Expect`,
 * `Forwarded`/`X-Forwarded-*` (they would let a caller spoof the facade's view of the client), `Mcp-*` (they belong
 * to the facade's own MCP connection), and the headers that describe the caller's request to the facade
 * (`Content-Type`, `Accept*`, `Last-Event-Id`, `X-Session-Id`), which mean nothing on the vendor connection.
 * `Cookie` is not in this list: it is forwarded only when the config names it explicitly, like any other header.
 */
export function isNeverForwarded(name: string): boolean {
  const n = name.toLowerCase()
  return (
    HOP_BY_HOP.includes(n) ||
    n === 'host' ||
    n === 'content-length' ||
    n === 'content-type' ||
    n === 'expect' ||
    n === 'accept' ||
    n === 'accept-encoding' ||
    n === 'last-event-id' ||
    n === 'forwarded' ||
    n.startsWith('x-forwarded-') ||
    n.startsWith('mcp-') ||
    n === 'x-session-id'
  )
}

/**
 * True for headers a static config entry may not set: the ones the MCP transport or `fetch` own (a static value
 * would break the connection or be silently overridden).
 */
export function isTransportManaged(name: string): boolean {
  const n = name.toLowerCase()
  return HOP_BY_HOP.includes(n) || n === 'host' || n === 'content-length' || n === 'content-type' || n === 'expect' || n.startsWith('mcp-')
}

/** True when a header value is not a valid RFC 9110 field value (CR, LF, NUL and other controls except TAB). */
export function hasForbiddenHeaderChars(value: string): boolean {
  return /[\x00-\x08\x0a-\x1f\x7f]/.test(value)
}
