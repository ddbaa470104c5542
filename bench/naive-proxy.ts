/**
 * @module bench/naive-proxy
 * The baseline the facade must beat: what a quick serverless function does. Every request opens a new MCP
 * client (initialize + initialized), calls the tool, ends the vendor session with DELETE and closes.
 * It is deliberately lean everywhere else (raw `node:http`, no validation, no envelope) so that the comparison
 * measures the per-call session cost, not framework overhead.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'

/** A running naive proxy. */
export interface NaiveProxy {
  /** Base URL, e.g. `http://127.0.0.1:40123`; tools are at `/tools/{name}`. */
  url: string
  close(): Promise<void>
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function send(res: ServerResponse, status: number, body: unknown) {
  const payload = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
  res.end(payload)
}

/** One full session lifecycle per call; the vendor session never outlives the request. */
async function callOnce(vendorUrl: URL, name: string, args: Record<string, unknown>, timeoutMs: number) {
  const transport = new StreamableHTTPClientTransport(vendorUrl)
  const client = new Client({ name: 'naive-proxy', version: '0.0.0' })
  try {
    await client.connect(transport, { timeout: timeoutMs })
    const result = await client.callTool({ name, arguments: args }, { timeout: timeoutMs })
    await transport.terminateSession()
    return result
  } finally {
    await client.close().catch(() => undefined)
  }
}

/**
 * Starts the naive proxy on 127.0.0.1 (port 0).
 * @param vendorUrl the vendor's MCP endpoint
 */
export async function startNaiveProxy(vendorUrl: string, timeoutMs = 10_000): Promise<NaiveProxy> {
  const target = new URL(vendorUrl)
  const server = createServer((req, res) => {
    const match = /^\/tools\/([^/?]+)$/.exec(req.url ?? '')
    if (req.method !== 'POST' || !match) return send(res, 404, { error: 'not found' })
    readBody(req)
      .then(async (text) => {
        const args = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
        const result = await callOnce(target, decodeURIComponent(match[1]!), args, timeoutMs)
        send(res, 200, result)
      })
      .catch((error: unknown) => send(res, 502, { error: (error as Error).message }))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
