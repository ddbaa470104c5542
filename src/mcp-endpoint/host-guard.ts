/**
 * @module mcp-endpoint/host-guard
 * The DNS-rebinding guard of the MCP endpoint (the spec's "servers MUST validate the Origin header"), checked
 * before any other work on `/mcp`.
 *
 * A rebinding attack makes a browser send the attacker's own name in `Host` (and in `Origin`) to the facade's
 * address, so the guard must compare with names the facade was *configured* with, never with the request's own
 * `Host` (which the attacker controls). A `Host` is accepted when its hostname (port-agnostic, as in the SDK's
 * `validateHostHeader`) is:
 * - a loopback name (`localhost`, `127.0.0.1`, `[::1]`) while the facade listens on loopback or on all
 *   interfaces (a local run, a container whose port is published on the host);
 * - the hostname of `publicUrl` (behind a gateway or ingress the request carries the public name);
 * - listed in `mcpEndpoint.allowedHosts` (`"*"` turns the Host check off, for a proxy that rewrites Host to
 *   addresses nobody can list in advance).
 * Anything else is 421 `host_not_allowed` (the request reached a server that does not serve that name).
 *
 * A browser's `Origin` (server-to-server callers send none) is accepted when it is the facade's own origin
 * (the validated `Host` with the same scheme), a loopback origin under the rule above, the origin of `publicUrl`,
 * an `https://` origin of an allowed host, or listed in `mcpEndpoint.allowedOrigins` / `cors.origins` (`"*"` in
 * `allowedOrigins` accepts any). Anything else, including the opaque `null`, is 403 `origin_forbidden`.
 *
 * Own code rather than the SDK's `hostHeaderValidationResponse`: that lives in the server SDK, which this route
 * loads only on the first MCP request, and it answers 403 for a Host where a misdirected request is 421.
 */
import { isIP } from 'node:net'
import { ApiError } from '../errors/api-error.js'

/** What the guard is configured with. */
export interface HostGuardSettings {
  /** The address the facade listens on (`host` in config). */
  listenHost: string
  publicUrl?: string
  allowedHosts: readonly string[]
  allowedOrigins: readonly string[]
  /** `cors.origins`: origins already trusted for browser access (a `"*"` there does not open `/mcp`). */
  corsOrigins: readonly string[]
}

/** A compiled guard: throws ApiError `host_not_allowed` (421) or `origin_forbidden` (403). */
export type HostGuard = (headers: Headers, requestUrl: string) => void

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]']

/** True when listening on `host` makes the facade reachable over loopback. */
function servesLoopback(listenHost: string): boolean {
  const h = listenHost.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h === '::1' || h === '::' || h === '0.0.0.0' || h === '') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

/** Hostname of a `Host` header value (lowercase, IPv6 in brackets), or undefined when it does not parse. */
function hostnameOf(hostHeader: string): string | undefined {
  try {
    const url = new URL(`http://${hostHeader}`)
    // A Host header is host[:port] only: anything that parses into more (user info, a path) is not one.
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined
    return url.hostname
  } catch {
    return undefined
  }
}

/** Normalises an origin (`scheme://host[:port]`, default port dropped); undefined when it is not one. */
function originOf(value: string): string | undefined {
  try {
    const url = new URL(value)
    return url.origin === 'null' ? undefined : url.origin
  } catch {
    return undefined
  }
}

/** Builds the guard of one server's endpoint. */
export function createHostGuard(settings: HostGuardSettings): HostGuard {
  const anyHost = settings.allowedHosts.includes('*')
  const anyOrigin = settings.allowedOrigins.includes('*')
  const hosts = new Set<string>()
  if (servesLoopback(settings.listenHost)) LOOPBACK_NAMES.forEach((n) => hosts.add(n))
  const origins = new Set<string>()
  if (settings.publicUrl) {
    const url = new URL(settings.publicUrl)
    hosts.add(url.hostname)
    origins.add(url.origin)
  }
  for (const entry of settings.allowedHosts) {
    if (entry === '*') continue
    const name = hostnameOf(entry)
    if (name) hosts.add(name)
  }
  for (const entry of [...settings.allowedOrigins, ...settings.corsOrigins]) {
    const origin = entry === '*' ? undefined : originOf(entry)
    if (origin) origins.add(origin)
  }

  return (headers, requestUrl) => {
    const hostHeader = headers.get('host') ?? ''
    const hostname = hostnameOf(hostHeader)
    if (!anyHost && !(hostname && hosts.has(hostname)))
      throw new ApiError('host_not_allowed', { detail: 'This endpoint does not serve the requested Host name; list it in mcpEndpoint.allowedHosts or set publicUrl.' })
    const origin = headers.get('origin')
    if (origin === null || origin === '' || anyOrigin) return
    const normalised = originOf(origin)
    if (normalised && originAllowed(normalised, hostHeader, requestUrl, hosts, origins)) return
    throw new ApiError('origin_forbidden', { detail: 'The MCP endpoint accepts browser requests only from its own origin and the origins listed in mcpEndpoint.allowedOrigins.' })
  }
}

function originAllowed(origin: string, hostHeader: string, requestUrl: string, hosts: Set<string>, origins: Set<string>): boolean {
  if (origins.has(origin)) return true
  const url = new URL(origin)
  // The facade's own origin: the page was served by this very host (the Host was checked above).
  if (url.protocol === new URL(requestUrl).protocol && url.host === hostHeader.toLowerCase()) return true
  if (!hosts.has(url.hostname)) return false
  // Loopback pages may use any port or scheme (local tools); a named host only over https.
  return LOOPBACK_NAMES.includes(url.hostname) || url.protocol === 'https:'
}
