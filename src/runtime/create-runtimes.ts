/**
 * @module runtime/create-runtimes
 * Builds one {@link ServerRuntime} per configured server, with the shared stores, identity hasher, token sources,
 * delegation and limits they need. Used by the server (`startFacade`) and by the connector export, which needs the
 * runtimes without a listener; it lives here rather than in server.ts so that connector/ does not import the
 * composition root.
 */
import type { Config } from '../config/schema.js'
import { createDelegatedTokens } from '../identity/delegation/index.js'
import { serverLimits } from '../limits/caller-limits.js'
import { childLogger, type Logger } from '../log.js'
import { createStores } from '../sessions/create-store.js'
import { IdentityHasher } from '../sessions/identity.js'
import { OAuthTokenSource, discoverVendorAuthorization } from '../upstream/oauth.js'
import { ServerRuntime } from './server-runtime.js'

/** Builds runtimes for every configured server. */
export async function createRuntimes(config: Config, log: Logger) {
  const store = await createStores(config.sessions, log)
  const identities = new IdentityHasher(config.identitySecret)
  const names = Object.keys(config.servers)
  const runtimes = names.map((name) => {
    const server = config.servers[name]!
    // Every line a server's parts log names the server.
    const serverLog = childLogger(log, { server: name })
    const mountPath = names.length === 1 && config.mountServers === 'auto' ? '' : `/${name}`
    // One token source per server: every connection of that server (catalog, pooled, caller sessions) shares its token.
    const tokenSource = server.oauth && server.url ? new OAuthTokenSource({ oauth: server.oauth, vendorUrl: server.url, server: name, log: serverLog }) : undefined
    // With delegation, each caller gets a vendor token of its own; the shared source above serves the catalog.
    const delegation = createDelegatedTokens(server, name, serverLog, () => discoverVendorAuthorization(server.url!))
    // Limits share the store's Redis, so they hold across replicas. Concurrency counters outlive the longest call.
    const longestCallMs = Math.max(server.timeouts.callMs, ...Object.values(server.timeouts.tools))
    const limits = serverLimits(name, config, store.redis, Math.ceil(longestCallMs / 1000))
    return new ServerRuntime(name, mountPath, server, config, store.sessions, identities, serverLog, { tokenSource, jobStore: store.jobs, limits, idempotency: store.idempotency, delegation })
  })
  return { runtimes, store }
}
