/**
 * @module mcp-endpoint/handler
 * The SDK side of the facade's own MCP endpoint: the `@modelcontextprotocol/server` handler that answers one MCP
 * request (2026-07-28 and the 2025 revisions; `legacy: 'stateless'` serves each 2025 request from a fresh
 * server). Loaded by {@link ../route} on the endpoint's first request, not at start-up: the server SDK is about a
 * tenth of the facade's code, and most deployments never receive an MCP request.
 */
import { createMcpHandler, isInitializeRequest, isLegacyRequest, type McpRequestContext } from '@modelcontextprotocol/server'
import { scanParamHeaders } from '../catalog/param-headers.js'
import { HEADER_MISMATCH, paramHeaderMismatch } from './param-header-check.js'
import { createEndpointServer, type RequestScope } from './mcp-server.js'
import type { McpRuntimePort } from './runtime-port.js'

/** Answers MCP requests of one server's endpoint. */
export interface EndpointHandler {
  /** Answers one request; `scope` travels through the SDK to the request's server. */
  answer(request: Request, parsedBody: unknown, scope: Omit<RequestScope, 'era'>): Promise<Response>
  /** True when the body is an `initialize` request (a 2025 handshake). */
  isInitialize(parsedBody: unknown): boolean
}

/** Builds the endpoint handler of a server. */
export function createEndpointHandler(port: McpRuntimePort): EndpointHandler {
  // The request's scope travels through the SDK as pass-through authInfo (never derived from headers by the SDK).
  const scopeOf = (ctx: McpRequestContext): RequestScope => {
    const base = ctx.authInfo?.extra?.scope as Omit<RequestScope, 'era'>
    return { ...base, era: ctx.era }
  }
  const handler = createMcpHandler((ctx) => createEndpointServer(scopeOf(ctx)), {
    legacy: 'stateless',
    maxRequestBodySize: port.bodyLimitBytes,
    // Only the error's kind: SDK messages can quote request header values (e.g. a protocol version or session id).
    onerror: (error) => port.log.debug('mcp endpoint: request rejected', { server: port.server, error: error.name }),
  })
  return {
    async answer(request, parsedBody, scope) {
      const rejected = await checkParamHeaders(port, request, parsedBody)
      if (rejected) return rejected
      return handler.fetch(request, {
        ...(parsedBody !== undefined ? { parsedBody } : {}),
        authInfo: { token: '', clientId: 'mcp-rest-facade', scopes: [], extra: { scope } },
      })
    },
    isInitialize: (parsedBody) => isInitializeRequest(parsedBody),
  }
}

/**
 * SEP-2243 server side (see {@link ./param-header-check}): only where the listing keeps `x-mcp-header` (the
 * Copilot-safe listing drops every `x-` keyword, so its callers send no `Mcp-Param-*` headers), and only on
 * 2026-07-28 requests (2025 callers never mirror arguments into headers).
 */
async function checkParamHeaders(port: McpRuntimePort, request: Request, body: unknown): Promise<Response | undefined> {
  if (port.config.mcpEndpoint.copilotSafeSchemas) return undefined
  const call = body as { id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: unknown } } | undefined
  if (!call || call.method !== 'tools/call' || typeof call.params?.name !== 'string') return undefined
  const tool = port.catalog().catalog.tools.find((t) => t.name === call.params!.name)
  if (!tool) return undefined
  const scan = scanParamHeaders(tool.inputSchema)
  if (!scan.valid || scan.headers.length === 0 || (await isLegacyRequest(request, body))) return undefined
  const mismatch = paramHeaderMismatch(scan.headers, call.params.arguments, request.headers)
  if (!mismatch) return undefined
  const id = typeof call.id === 'string' || typeof call.id === 'number' ? call.id : null
  const error = { code: HEADER_MISMATCH, message: `Bad Request: the request headers and body disagree: ${mismatch.message}`, data: { mismatch: { header: mismatch.header } } }
  return Response.json({ jsonrpc: '2.0', id, error }, { status: 400 })
}
