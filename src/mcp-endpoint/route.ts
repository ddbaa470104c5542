/**
 * @module mcp-endpoint/route
 * `POST|GET|DELETE /mcp` (under `/{server}` with several servers): the facade's own MCP endpoint (Streamable HTTP).
 * HTTP concerns only: authenticate (the server's inbound `auth` mode; 401 + `WWW-Authenticate` as on every
 * route), read the body within the size limit, hand the request to the SDK's handler ({@link ./handler}, loaded
 * on the first POST so a facade nobody calls over MCP never loads the server SDK), and own `Mcp-Session-Id`:
 * an `initialize` gets a caller-session id in that header; later requests are routed by it
 * ({@link Conversations}); DELETE ends it. A 2025 caller's answer to a question relayed to it is handed to the call
 * that asked, and its declared elicitation is remembered at `initialize` ({@link DownstreamElicitation}); its
 * `notifications/cancelled` aborts the call it names ({@link InFlightCalls}). GET opens
 * the conversation's standalone stream when resource subscriptions are offered (2025 callers with an
 * `Mcp-Session-Id`, a vendor that declares them: see {@link ./subscriptions}); otherwise nothing is pushed outside
 * a request and GET is 405, which the spec allows. Every method first passes the DNS-rebinding guard ({@link ./host-guard}): a `Host` the
 * facade does not serve is 421, a foreign browser `Origin` 403.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { ApiError } from '../errors/api-error.js'
import { InFlightCalls } from './call-cancellation.js'
import { callerGone } from '../http/caller-gone.js'
import { readBodyText } from '../http/request.js'
import type { ServerRuntime } from '../runtime/server-runtime.js'
import { Conversations } from './conversations.js'
import { DownstreamElicitation } from './downstream-elicitation.js'
import { createHostGuard } from './host-guard.js'
import type { EndpointHandler } from './handler.js'
import type { RequestScope } from './mcp-server.js'
import { runtimePort } from './runtime-port.js'
import { offersSubscriptions, UpdateStreams } from './subscriptions.js'
import { resourceMetadataUrl } from './protected-resource.js'

/** Where the endpoint lives inside a server app. */
export const MCP_ENDPOINT_PATH = '/mcp'

const SESSION_HEADER = 'mcp-session-id'

/** Registers the MCP endpoint on a server app (no-op when `mcpEndpoint.enabled` is false). */
export function registerMcpEndpoint(app: OpenAPIHono, runtime: ServerRuntime): void {
  if (!runtime.config.mcpEndpoint.enabled) return
  const port = runtimePort(runtime)
  const conversations = new Conversations(port)
  const streams = new UpdateStreams()
  const downstream = new DownstreamElicitation()
  const inFlight = new InFlightCalls()
  const guard = createHostGuard(port.hostGuard)
  // Before authentication and any other work: a rebound request must learn nothing, not even whether auth is on.
  app.use(MCP_ENDPOINT_PATH, async (c, next) => {
    guard(c.req.raw.headers, c.req.url)
    await next()
  })
  let loading: Promise<EndpointHandler> | undefined
  const handler = () =>
    (loading ??= import('./handler.js').then(
      (m) => m.createEndpointHandler(port),
      (error: unknown) => {
        loading = undefined // a failed load is tried again by the next request
        throw error
      },
    ))

  app.post(MCP_ENDPOINT_PATH, async (c) => {
    const caller = await port.caller(c.req.raw.headers, resourceMetadataChallenge(c, port))
    port.catalog() // 503 not_ready before any MCP exchange starts
    const text = await readBodyText(c, port.bodyLimitBytes)
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined // the SDK answers the JSON-RPC parse error
    }
    const sessionId = c.req.header(SESSION_HEADER) || undefined
    // A 2025 caller's answer to a question we relayed goes back to the call that asked (see downstream-elicitation).
    if (downstream.deliver(caller.identity, sessionId, parsed)) return c.body(null, 202)
    // Its cancellation of a call goes to the call (see call-cancellation).
    if (inFlight.cancel(caller.identity, sessionId, parsed)) return c.body(null, 202)
    // The caller closing the connection aborts the request in the SDK: that is how a 2026-07-28 caller cancels
    // (it closes the request's own stream instead of sending notifications/cancelled).
    const closed = new AbortController()
    callerGone(c)(() => closed.abort())
    const request = new Request(c.req.raw.url, { method: 'POST', headers: c.req.raw.headers, body: text, signal: closed.signal })
    const scope: Omit<RequestScope, 'era'> = { port, conversations, streams, caller, sessionId, downstream, inFlight }
    const endpoint = await handler()
    const response = await endpoint.answer(request, parsed, scope)
    if (!(response.ok && endpoint.isInitialize(parsed))) return response
    // A 2025 handshake: hand out a caller session, so this conversation gets a vendor session of its own.
    const id = await conversations.open(caller)
    downstream.remember(caller.identity, id, (parsed as { params?: { capabilities?: unknown } }).params?.capabilities)
    const headers = new Headers(response.headers)
    headers.set('Mcp-Session-Id', id)
    return new Response(response.body, { status: response.status, headers })
  })

  app.delete(MCP_ENDPOINT_PATH, async (c) => {
    const caller = await port.caller(c.req.raw.headers, resourceMetadataChallenge(c, port))
    const sessionId = c.req.header(SESSION_HEADER)
    if (!sessionId) throw new ApiError('method_not_allowed', { detail: 'DELETE ends a session: send its Mcp-Session-Id.', headers: { Allow: 'POST, DELETE' } })
    await conversations.end(sessionId, caller)
    streams.end(UpdateStreams.key(caller, sessionId))
    downstream.forget(caller.identity, sessionId)
    return c.body(null, 204)
  })

  app.get(MCP_ENDPOINT_PATH, async (c) => {
    const caller = await port.caller(c.req.raw.headers, resourceMetadataChallenge(c, port))
    const sessionId = c.req.header(SESSION_HEADER)
    // 2026-07-28 has no GET stream (its subscriptions/listen is a POST); a 2025 caller sends its negotiated version.
    const legacy = c.req.header('mcp-protocol-version') !== '2026-07-28'
    const supports = port.catalog().catalog.server.supports ?? {}
    if (sessionId && legacy && offersSubscriptions(supports, 'legacy')) return streams.open(UpdateStreams.key(caller, sessionId))
    throw new ApiError('method_not_allowed', { detail: 'This endpoint sends messages only in answer to a POST; there is no GET stream.', headers: { Allow: 'POST, DELETE' } })
  })
}

/** RFC 9728 §5.1: a 401 from the MCP endpoint names where its protected-resource metadata lives. */
function resourceMetadataChallenge(c: Context, port: { config: { auth: { mode: string } }; publicUrl?: string }): Record<string, string> | undefined {
  return port.config.auth.mode === 'jwt' ? { resource_metadata: resourceMetadataUrl(c.req.raw.url, port.publicUrl) } : undefined
}
