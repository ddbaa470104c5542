/**
 * @module auth/outbound
 * What reaches the vendor: static headers from config plus caller headers copied through an explicit
 * allowlist with an optional rename map. Some headers are never forwarded whatever the config says
 * ({@link isNeverForwarded}); the config schema rejects them at load time and this module drops them again.
 * Values are validated here and named in errors by header name only, never by value.
 */
import { ApiError } from '../errors/api-error.js'
import type { ServerConfig } from '../config/schema.js'
import { hasForbiddenHeaderChars, isNeverForwarded } from '../security/header-rules.js'

export { isNeverForwarded } from '../security/header-rules.js'

/** The forwarding rules of one server, resolved once. */
export interface ForwardRules {
  /** incoming lower-case name → outgoing name */
  map: Map<string, string>
  maxValueBytes: number
}

/** Resolves a server's forwarding rules; passthrough auth forwards its header implicitly. */
export function forwardRules(server: ServerConfig): ForwardRules {
  const map = new Map<string, string>()
  const rename = new Map(Object.entries(server.forwardHeaders.rename).map(([k, v]) => [k.toLowerCase(), v]))
  for (const name of server.forwardHeaders.allow) {
    // Defence in depth: a config that bypassed the schema still cannot forward these.
    const target = rename.get(name.toLowerCase()) ?? name
    if (!isNeverForwarded(name) && !isNeverForwarded(target)) map.set(name.toLowerCase(), target)
  }
  // With delegation the caller's token is exchanged, never forwarded: the vendor sees only the token issued for it.
  if (server.auth.mode === 'passthrough' && !server.oauth?.delegation && !map.has(server.auth.header.toLowerCase()) && !isNeverForwarded(server.auth.header))
    map.set(server.auth.header.toLowerCase(), server.auth.header)
  return { map, maxValueBytes: server.forwardHeaders.maxValueBytes }
}

/** Config problems in the forwarding rules (names that can never be forwarded). The schema reports the same ones. */
export function forwardRuleProblems(server: ServerConfig): string[] {
  const problems: string[] = []
  for (const name of server.forwardHeaders.allow)
    if (isNeverForwarded(name)) problems.push(`forwardHeaders.allow: ${name} is never forwarded (hop-by-hop, Host, X-Forwarded-*, Mcp-* or facade-owned)`)
  for (const target of Object.values(server.forwardHeaders.rename))
    if (isNeverForwarded(target)) problems.push(`forwardHeaders.rename: cannot rename to ${target}`)
  return problems
}

/** Header names the caller nominated as hop-by-hop in its `Connection` header (RFC 9110 §7.6.1). */
function connectionNominated(incoming: Headers): Set<string> {
  const value = incoming.get('connection')
  if (!value) return new Set()
  return new Set(value.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))
}

/**
 * True when a value holds anything but visible ASCII, space and tab. RFC 9110 allows obs-text (bytes 0x80–0xFF)
 * only for compatibility, and the facade would pass such bytes on in an encoding nobody agreed on (Node reads them
 * as Latin-1, fetch re-encodes), so they are refused rather than forwarded to the vendor garbled.
 */
export function hasNonVisibleAscii(value: string): boolean {
  return /[^\t\x20-\x7e]/.test(value)
}

/**
 * The caller headers to forward, validated.
 * @throws ApiError `invalid_header` for a value with CR/LF/NUL or another control character, with a byte outside
 *   visible ASCII (space and tab allowed), or over the size cap (the detail names the header, never the value)
 */
export function forwardedHeaders(rules: ForwardRules, incoming: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  // Most servers forward nothing: skip parsing `Connection` (every keep-alive caller sends it) on every request.
  if (rules.map.size === 0) return out
  const nominated = connectionNominated(incoming)
  for (const [incomingName, outgoingName] of rules.map) {
    if (nominated.has(incomingName)) continue
    const value = incoming.get(incomingName)
    if (value === null) continue
    // Node's HTTP parser already rejects raw CR/LF/NUL; this guards other entry points (app.request, proxies).
    if (hasForbiddenHeaderChars(value)) throw new ApiError('invalid_header', { detail: `Header ${incomingName} contains a line break or control character.` })
    if (hasNonVisibleAscii(value))
      throw new ApiError('invalid_header', { detail: `Header ${incomingName} contains a character outside visible ASCII (only printable ASCII, space and tab are forwarded).` })
    if (Buffer.byteLength(value, 'utf8') > rules.maxValueBytes)
      throw new ApiError('invalid_header', { detail: `Header ${incomingName} is longer than ${rules.maxValueBytes} bytes.` })
    out[outgoingName] = value
  }
  return out
}

/** Static headers with forwarded ones on top (a forwarded value replaces a static default of the same name). */
export function outboundHeaders(staticHeaders: Record<string, string>, forwarded: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  const lowerForwarded = new Set(Object.keys(forwarded).map((k) => k.toLowerCase()))
  for (const [k, v] of Object.entries(staticHeaders)) if (!lowerForwarded.has(k.toLowerCase())) out[k] = v
  return { ...out, ...forwarded }
}
