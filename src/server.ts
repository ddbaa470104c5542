/**
 * @module server
 * Composition root: builds the runtimes, the store and the app from a validated config, serves it with
 * @hono/node-server, and shuts everything down in order (stop accepting, drain, end vendor sessions).
 */
// First: before any module below builds a zod schema (launch/zod-jitless).
import './launch/zod-jitless.js'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { isNonLoopback } from './auth/inbound.js'
import type { Config } from './config/schema.js'
import { createApp, createMetricsApp } from './http/app.js'
import { problemAnsweringServer, type ListenerLimits } from './http/client-error.js'
import type { Logger } from './log.js'
import { FacadeMetrics } from './metrics/gauges.js'
import { createRuntimes } from './runtime/create-runtimes.js'
import type { ServerRuntime } from './runtime/server-runtime.js'

/** A running facade. */
export interface RunningFacade {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string
  /** Base URL of the separate metrics listener, when `metrics.port` is set. */
  metricsUrl?: string
  /** Settles when every server's first catalog attempt is over (loaded or failed; retries go on in the background). */
  catalogsAttempted: Promise<void>
  runtimes: ServerRuntime[]
  app: ReturnType<typeof createApp>
  /** Graceful shutdown: stop accepting, let calls in flight finish (bounded), end vendor sessions. */
  close(): Promise<void>
}

/** Options of {@link startFacade}. */
export interface StartOptions {
  /**
   * Resolve only after each server's first catalog attempt (default true, what tests and embedders want). The CLI
   * passes false: the port opens at once, /healthz answers, /readyz says 503 until the catalog is loaded.
   */
  awaitCatalog?: boolean
}

/** Listens on `port`/`host`; a taken port becomes a plain message. */
async function listen(fetch: (request: Request) => Response | Promise<Response>, port: number, host: string, limits: ListenerLimits): Promise<ServerType> {
  try {
    return await new Promise<ServerType>((resolve, reject) => {
      // Node's parser-level rejections (bad framing, oversized headers, NUL, timeouts) get problem+json too
      // (http/client-error), and the listener's timeouts and connection cap apply.
      const s = serve({ fetch, port, hostname: host, createServer: problemAnsweringServer(fetch, host, limits) }, () => resolve(s))
      s.once('error', reject)
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new Error(code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use` : (error as Error).message)
  }
}

function urlOf(server: ServerType): string {
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}`
}

/**
 * Starts the facade: listens first, then loads every server's catalog.
 * @param config validated config with at least one server
 */
export async function startFacade(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningFacade> {
  const { runtimes, store } = await createRuntimes(config, log)
  let stopping = false
  const facadeMetrics = new FacadeMetrics(runtimes)
  const app = createApp(runtimes, { log, isStopping: () => stopping, cors: config.cors, metrics: config.metrics, facadeMetrics })
  for (const r of runtimes)
    if (r.config.auth.mode === 'none' && isNonLoopback(config.host))
      log.warn('inbound auth is "none" but the facade listens on a non-loopback address; anyone who can reach it can call the vendor', { server: r.name, host: config.host })

  let server: ServerType
  let metricsServer: ServerType | undefined
  try {
    server = await listen(app.fetch, config.port, config.host, config.listener)
    if (config.metrics.enabled && config.metrics.port !== undefined)
      metricsServer = await listen(createMetricsApp(facadeMetrics, config.metrics.key).fetch, config.metrics.port, config.host, config.listener).catch((error: Error) => {
        server.close()
        throw error
      })
  } catch (error) {
    await Promise.allSettled(runtimes.map((r) => r.shutdown(0)))
    await store.close()
    throw error
  }
  const url = urlOf(server)
  const catalogsAttempted = Promise.all(runtimes.map((r) => r.start())).then(() => undefined)
  if (options.awaitCatalog !== false) await catalogsAttempted

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      stopping = true
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.allSettled(runtimes.map((r) => r.shutdown(config.shutdownGraceMs)))
      ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      await closed
      if (metricsServer) await new Promise<void>((resolve) => metricsServer!.close(() => resolve()))
      await store.close()
    })())
  return { url, metricsUrl: metricsServer && urlOf(metricsServer), catalogsAttempted, runtimes, app, close }
}
