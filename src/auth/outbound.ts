/**
 * @module auth/outbound
 * What reaches the vendor: static headers from config plus caller headers copied through an explicit
 * allowlist with an optional rename map. Some headers are never forwarded whatever the config says.
 */
import { ApiError } from '../errors/api-error.js'
import type { ServerConfig } from '../config/schema.js'

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']

/**
 * True for headers that are never forwarded: hop-by-hop, `Host`, `Content-Length`, `X-Forwarded-*`, `Forwarded`,
 * `Mcp-*` (they belong to the facade's own MCP connection) and a few that only describe our own request.
 */
export function isNeverForwarded(name: string): boolean {
  const n = name.toLowerCase()
  return (
    HOP_BY_HOP.includes(n) ||
    n === 'host' ||
    n === 'content-length' ||
    n === 'content-type' ||
    n === 'accept' ||
    n === 'accept-encoding' ||
    n === 'last-event-id' ||
    n === 'forwarded' ||
    n.startsWith('x-forwarded-') ||
    n.startsWith('mcp-') ||
    n === 'x-session-id'
  )
}

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
  for (const name of server.forwardHeaders.allow) map.set(name.toLowerCase(), rename.get(name.toLowerCase()) ?? name)
  if (server.auth.mode === 'passthrough' && !map.has(server.auth.header.toLowerCase()))
    map.set(server.auth.header.toLowerCase(), server.auth.header)
  return { map, maxValueBytes: server.forwardHeaders.maxValueBytes }
}

/** Config problems in the forwarding rules (names that can never be forwarded). */
export function forwardRuleProblems(server: ServerConfig): string[] {
  const problems: string[] = []
  for (const name of server.forwardHeaders.allow)
    if (isNeverForwarded(name)) problems.push(`forwardHeaders.allow: ${name} is never forwarded (hop-by-hop, Host, X-Forwarded-*, Mcp-* or facade-owned)`)
  for (const target of Object.values(server.forwardHeaders.rename))
    if (isNeverForwarded(target)) problems.push(`forwardHeaders.rename: cannot rename to ${target}`)
  return problems
}

/**
 * The caller headers to forward, validated.
 * @throws ApiError `invalid_header` for a value with CR/LF or over the size cap (the detail names the header, never the value)
 */
export function forwardedHeaders(rules: ForwardRules, incoming: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [incomingName, outgoingName] of rules.map) {
    const value = incoming.get(incomingName)
    if (value === null) continue
    if (/[\r\n\0]/.test(value)) throw new ApiError('invalid_header', { detail: `Header ${incomingName} contains a line break or NUL character.` })
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
