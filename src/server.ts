/**
 * @module server
 * Composition root: builds the runtimes, the store and the app from a validated config, serves it with
 * @hono/node-server, and shuts everything down in order (stop accepting, drain, end vendor sessions).
 */
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { isNonLoopback } from './auth/inbound.js'
import type { Config } from './config/schema.js'
import { createApp } from './http/app.js'
import { problemAnsweringServer } from './http/client-error.js'
import type { Logger } from './log.js'
import { ServerRuntime } from './runtime/server-runtime.js'
import { IdentityHasher } from './sessions/identity.js'
import { createStores } from './sessions/create-store.js'
import { OAuthTokenSource } from './upstream/oauth.js'

/** A running facade. */
export interface RunningFacade {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string
  runtimes: ServerRuntime[]
  app: ReturnType<typeof createApp>
  /** Graceful shutdown: stop accepting, let calls in flight finish (bounded), end vendor sessions. */
  close(): Promise<void>
}

/** Builds runtimes for every configured server. */
export async function createRuntimes(config: Config, log: Logger) {
  const store = await createStores(config.sessions, log)
  const identities = new IdentityHasher(config.identitySecret)
  const names = Object.keys(config.servers)
  const runtimes = names.map((name) => {
    const server = config.servers[name]!
    const mountPath = names.length === 1 ? '' : `/${name}`
    // One token source per server: every connection of that server (catalog, pooled, caller sessions) shares its token.
    const tokenSource = server.oauth && server.url ? new OAuthTokenSource({ oauth: server.oauth, vendorUrl: server.url, server: name, log }) : undefined
    return new ServerRuntime(name, mountPath, server, config, store.sessions, identities, log, { tokenSource, jobStore: store.jobs })
  })
  return { runtimes, store }
}

/**
 * Starts the facade.
 * @param config validated config with at least one server
 */
export async function startFacade(config: Config, log: Logger): Promise<RunningFacade> {
  const { runtimes, store } = await createRuntimes(config, log)
  let stopping = false
  const app = createApp(runtimes, { log, isStopping: () => stopping })
  for (const r of runtimes)
    if (r.config.auth.mode === 'none' && isNonLoopback(config.host))
      log.warn('inbound auth is "none" but the facade listens on a non-loopback address; anyone who can reach it can call the vendor', { server: r.name, host: config.host })

  await Promise.all(runtimes.map((r) => r.start()))
  let server: ServerType
  try {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host, createServer: problemAnsweringServer(app.fetch, config.host) }, () => resolve(s))
      s.once('error', reject)
    })
  } catch (error) {
    await Promise.allSettled(runtimes.map((r) => r.shutdown(0)))
    await store.close()
    const code = (error as NodeJS.ErrnoException).code
    throw new Error(code === 'EADDRINUSE' ? `port ${config.port} on ${config.host} is already in use` : (error as Error).message)
  }
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      stopping = true
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.allSettled(runtimes.map((r) => r.shutdown(config.shutdownGraceMs)))
      ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      await closed
      await store.close()
    })())
  return { url, runtimes, app, close }
}
