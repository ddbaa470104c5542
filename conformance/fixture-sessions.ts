/**
 * @module conformance/fixture-sessions
 * The fixture vendor's 2025-era serving with sessions: one SDK server and Streamable HTTP transport per
 * `Mcp-Session-Id`, as a sessionful 2025 vendor runs. A vendor that pushes `elicitation/create` needs it: the
 * client's answer arrives in a POST of its own, which the SDK's stateless legacy serving would hand to a new server
 * that never asked. An unknown session id is 404 (the spec's answer for an ended session).
 */
import { randomUUID } from 'node:crypto'
import { isInitializeRequest, WebStandardStreamableHTTPServerTransport, type McpServer } from '@modelcontextprotocol/server'

const rpcError = (status: number, message: string) =>
  Response.json({ jsonrpc: '2.0', id: null, error: { code: -32000, message } }, { status })

/** Serves 2025-era requests with one server per session. */
export function sessionfulLegacy(createServer: () => McpServer) {
  const sessions = new Map<string, { transport: WebStandardStreamableHTTPServerTransport; server: McpServer }>()
  return {
    async handle(request: Request): Promise<Response> {
      const id = request.headers.get('mcp-session-id')
      if (id) {
        const session = sessions.get(id)
        return session ? session.transport.handleRequest(request) : rpcError(404, 'Session not found')
      }
      if (request.method !== 'POST') return rpcError(400, 'Bad Request: Mcp-Session-Id header is required')
      const body: unknown = await request.json().catch(() => undefined)
      if (!isInitializeRequest(body)) return rpcError(400, 'Bad Request: no valid session; send initialize first')
      const server = createServer()
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => void sessions.set(sid, { transport, server }),
        onsessionclosed: (sid) => void sessions.delete(sid),
      })
      await server.connect(transport)
      return transport.handleRequest(request, { parsedBody: body })
    },
    async close(): Promise<void> {
      const open = [...sessions.values()]
      sessions.clear()
      await Promise.allSettled(open.map((s) => s.server.close()))
    },
  }
}
