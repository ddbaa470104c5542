/**
 * @module bench/targets
 * The vendor (on a worker thread) and the three callers the bench compares, each calling `echo` once per
 * invocation and checking the answer, so a fast wrong answer can never count as a call.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { EventLoopUtilization } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { ConfigSchema } from '../src/config/schema.js'
import { createLogger } from '../src/log.js'
import { startFacade, type RunningFacade } from '../src/server.js'
import type { JsonPoster } from './http-client.js'
import type { Call } from './load.js'
import { startNaiveProxy, type NaiveProxy } from './naive-proxy.js'
import { CALL_TIMEOUT_MS, expectEcho, message, restCall, type RestSpec } from './rest-call.js'
import type { VendorWorkerData, VendorWorkerMessage } from './vendor-worker.js'
import type { FixtureTls } from '../test/fixtures/http.js'

/** How the vendor answers POSTs. */
export type VendorResponse = 'sse' | 'json'
/** Where the vendor runs. */
export type VendorThread = 'worker' | 'inline'
/** The three callers compared, plus `floor`: the bare HTTP hop, for calibration only. */
export type Mode = 'direct' | 'facade' | 'naive' | 'floor'

/** A running vendor, wherever it lives. */
export interface VendorHandle {
  url: string
  /** Event-loop utilization of the vendor's thread (undefined when it shares the main thread). */
  elu?: () => EventLoopUtilization
  stats(): Promise<{ sessions: number; initializes: number; echoes: number }>
  /** TCP connections the vendor accepted, has open, and had open at most since the last call (which starts a new peak). */
  connections(): Promise<{ opened: number; open: number; peak: number }>
  close(): Promise<void>
}

/**
 * Starts a TypeScript module on a worker thread. Workers do not inherit tsx's loader, so a tiny JS bootstrap
 * registers it before importing the module.
 * @param file path relative to this directory, e.g. `./vendor-worker.ts`
 */
export function startTsWorker(file: string, workerData: unknown): Worker {
  const api = import.meta.resolve('tsx/esm/api')
  const entry = new URL(file, import.meta.url).href
  const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry)})`
  return new Worker(new URL('data:text/javascript,' + encodeURIComponent(boot)), { workerData })
}

/**
 * Starts the sessionful fixture vendor on a worker thread (or inline, for comparison).
 * @param tls serve over TLS (and HTTP/2 by ALPN when `tls.http2`); its certificate must be trusted by the callers
 */
export async function startVendor(response: VendorResponse, where: VendorThread, echoDelayMs = 0, tls?: FixtureTls): Promise<VendorHandle> {
  const enableJsonResponse = response === 'json'
  if (where === 'inline') {
    const { startSessionfulVendor } = await import('../test/fixtures/sessionful-vendor.js')
    const vendor = await startSessionfulVendor({ enableJsonResponse, echoDelayMs, tls })
    return {
      url: vendor.url,
      stats: async () => ({ sessions: vendor.sessionCount(), initializes: vendor.initializeCount(), echoes: vendor.executions('echo') }),
      async connections() {
        const counts = vendor.connections()
        vendor.resetPeak()
        return counts
      },
      close: () => vendor.close(),
    }
  }
  const data: VendorWorkerData = { enableJsonResponse, echoDelayMs, tls }
  const worker = startTsWorker('./vendor-worker.ts', data)
  const next = (kind: VendorWorkerMessage['kind']) =>
    new Promise<VendorWorkerMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`vendor worker did not answer "${kind}" in time`)), 15_000)
      const onMessage = (message: VendorWorkerMessage) => {
        if (message.kind !== kind) return
        clearTimeout(timer)
        worker.off('message', onMessage)
        resolve(message)
      }
      worker.on('message', onMessage)
      worker.once('error', reject)
    })
  const ready = (await next('ready')) as Extract<VendorWorkerMessage, { kind: 'ready' }>
  return {
    url: ready.url,
    elu: () => worker.performance.eventLoopUtilization(),
    async stats() {
      const answer = next('stats')
      worker.postMessage({ kind: 'stats' })
      const { sessions, initializes, echoes } = (await answer) as Extract<VendorWorkerMessage, { kind: 'stats' }>
      return { sessions, initializes, echoes }
    },
    async connections() {
      const answer = next('stats')
      worker.postMessage({ kind: 'resetPeak' })
      return ((await answer) as Extract<VendorWorkerMessage, { kind: 'stats' }>).connections
    },
    async close() {
      const closed = next('closed').catch(() => undefined)
      worker.postMessage({ kind: 'close' })
      await closed
      await worker.terminate()
    },
  }
}

/** A target to call: one `echo` per invocation, answer checked. */
export interface Target {
  mode: Mode
  call: Call
  /** Set for REST targets, so the calls can also be made from the caller worker. */
  rest?: RestSpec
  close(): Promise<void>
}

/** (a) one SDK client, connected once, calling the vendor directly. */
export async function directTarget(vendorUrl: string): Promise<Target> {
  const transport = new StreamableHTTPClientTransport(new URL(vendorUrl))
  const client = new Client({ name: 'bench-direct', version: '0.0.0' })
  await client.connect(transport, { timeout: CALL_TIMEOUT_MS })
  return {
    mode: 'direct',
    async call(seq) {
      const result = await client.callTool({ name: 'echo', arguments: { message: message(seq) } }, { timeout: CALL_TIMEOUT_MS })
      expectEcho((result.structuredContent as { message?: unknown } | undefined)?.message, seq, 'direct')
    },
    async close() {
      await transport.terminateSession().catch(() => undefined)
      await client.close()
    },
  }
}

/** (b) the real facade, in-process, called over plain HTTP. */
export async function facadeTarget(vendorUrl: string, poster: JsonPoster, server: Record<string, unknown> = {}): Promise<Target & { facade: RunningFacade }> {
  const config = ConfigSchema.parse({ port: 0, host: '127.0.0.1', logLevel: 'silent', shutdownGraceMs: 1000, servers: { default: { ...server, url: vendorUrl } } })
  const facade = await startFacade(config, createLogger('silent'))
  const rest: RestSpec = { name: 'facade', url: `${facade.url}/tools/echo`, field: 'data' }
  return {
    mode: 'facade',
    facade,
    rest,
    call: restCall(poster, rest),
    close: () => facade.close(),
  }
}

/** (c) the naive per-request proxy, called over plain HTTP exactly like the facade. */
export async function naiveTarget(vendorUrl: string, poster: JsonPoster): Promise<Target & { proxy: NaiveProxy }> {
  const proxy = await startNaiveProxy(vendorUrl, CALL_TIMEOUT_MS)
  const rest: RestSpec = { name: 'naive', url: `${proxy.url}/tools/echo`, field: 'structuredContent' }
  return {
    mode: 'naive',
    proxy,
    rest,
    call: restCall(poster, rest),
    close: () => proxy.close(),
  }
}

/**
 * The floor: the same HTTP client against a `node:http` server that answers the echo itself, no MCP at all.
 * Not one of the compared clients; it shows what any REST hop costs on this machine (client, server, loopback
 * TCP), which is the part of the facade's overhead no facade code can remove.
 */
export async function floorTarget(poster: JsonPoster): Promise<Target> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const { message: text } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message: string }
      const payload = JSON.stringify({ isError: false, text: `Echo: ${text}`, data: { message: text }, content: [{ type: 'text', text: `Echo: ${text}` }] })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
      res.end(payload)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const rest: RestSpec = { name: 'floor', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tools/echo`, field: 'data' }
  return {
    mode: 'floor',
    rest,
    call: restCall(poster, rest),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
