/**
 * OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, the facade (a real CLI child) sends spans to a real local
 * OTLP/HTTP receiver, continues the caller's trace, and propagates `traceparent` to the vendor on the tool call.
 */
import { spawn } from 'node:child_process'
import { createServer, type IncomingMessage } from 'node:http'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { startSessionfulVendor } from '../fixtures/index.js'
import { startFaultProxy } from '../fixtures/fault-proxy.js'

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

interface ExportedSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
}

/** A minimal OTLP/HTTP JSON receiver: collects every span POSTed to /v1/traces. */
async function startOtlpReceiver() {
  const spans: ExportedSpan[] = []
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }
  const server = createServer(async (req, res) => {
    const body = await read(req)
    if (req.method === 'POST' && req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
      const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[] }
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans)
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    } else res.writeHead(415).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, spans, close: () => new Promise<void>((r) => server.close(() => r())) }
}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f()
})

describe('tracing', () => {
  it('exports spans and propagates traceparent to the vendor when OTEL_EXPORTER_OTLP_ENDPOINT is set', { timeout: 40_000 }, async () => {
    const receiver = await startOtlpReceiver()
    cleanups.push(() => receiver.close())
    const vendor = await startSessionfulVendor()
    cleanups.push(() => vendor.close())
    const seen: Array<{ method?: string; traceparent: string | null }> = []
    const proxy = await startFaultProxy(vendor.url, ({ request, message }) => {
      seen.push({ method: message?.method, traceparent: request.headers.get('traceparent') })
      return undefined
    })
    cleanups.push(() => proxy.close())

    const child = spawn(process.execPath, ['--import', tsx, cli, '--upstream', proxy.url, '--port', '0'], {
      env: { PATH: process.env.PATH ?? '', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_SERVICE_NAME: 'facade-under-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'))
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    await expect.poll(() => out, { timeout: 20_000 }).toMatch(/listening on/)
    const base = /listening on (http:\/\/\S+)/.exec(out)![1]!
    await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 15_000 }).toBe(200)
    expect(err).toContain('tracing on')

    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const res = await fetch(`${base}/tools/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: '{"message":"traced"}',
    })
    expect(res.status).toBe(200)

    const call = seen.find((s) => s.method === 'tools/call')
    expect(call?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))

    await expect.poll(() => receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.name), { timeout: 15_000 }).toEqual(
      expect.arrayContaining(['POST /tools/:tool{.+}', 'tools/call echo']),
    )
    const mine = receiver.spans.filter((s) => s.traceId === traceId)
    const server = mine.find((s) => s.name === 'POST /tools/:tool{.+}')!
    const vendorSpan = mine.find((s) => s.name === 'tools/call echo')!
    expect(server.parentSpanId).toBe('00f067aa0ba902b7')
    expect(vendorSpan.parentSpanId).toBe(server.spanId)
    // The traceparent the vendor got names a span of this trace below the vendor-call span (the fetch underneath).
    const sentParent = call!.traceparent!.split('-')[2]
    const httpSpan = mine.find((s) => s.spanId === sentParent)
    expect(httpSpan?.parentSpanId).toBe(vendorSpan.spanId)

    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  })
})
