/**
 * @module test/mcp-endpoint/mcp-client
 * SDK clients acting as the MCP caller of the facade's endpoint (a 2025-era client that keeps its
 * `Mcp-Session-Id`, and a 2026-07-28 client), plus a raw JSON-RPC poster for wire-level checks.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'

/** A connected SDK client and its transport. */
export interface McpCaller {
  client: Client
  transport: StreamableHTTPClientTransport
  close(): Promise<void>
}

/**
 * Connects an SDK client to `url`.
 * @param era `legacy` (2025 initialize, keeps the session id) or `modern` (pinned 2026-07-28)
 * @param options.sessionId resume with this `Mcp-Session-Id` without initializing (what Copilot Studio does)
 */
export async function connectCaller(url: string, era: 'legacy' | 'modern', options: { headers?: Record<string, string>; sessionId?: string } = {}): Promise<McpCaller> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: options.headers ?? {} },
    ...(options.sessionId ? { sessionId: options.sessionId, protocolVersion: '2025-11-25' } : {}),
  })
  const client = new Client({ name: 'test-mcp-caller', version: '1.0.0' }, { versionNegotiation: era === 'modern' ? { mode: { pin: '2026-07-28' } } : { mode: 'legacy' } })
  await client.connect(transport)
  return { client, transport, close: () => client.close() }
}

/** Text of the first content block of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? []
  return content.find((c) => c.type === 'text')?.text ?? ''
}

/** POSTs one JSON-RPC message the way a 2025 client does after initialize. */
export function postRpc(url: string, message: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', ...headers },
    body: JSON.stringify(message),
  })
}
