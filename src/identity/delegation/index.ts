/**
 * @module identity/delegation
 * Builds a server's delegated-token cache from its `oauth` block (`oauth.delegation` set): which grant, which
 * client authentication, which endpoint. The facade's client authenticates with its secret (form body for Entra
 * ID's On-Behalf-Of, as Microsoft documents it; HTTP Basic otherwise), a private-key JWT, or a workload identity
 * assertion file.
 */
import type { ServerConfig } from '../../config/schema.js'
import type { Logger } from '../../log.js'
import { DelegatedTokens } from './delegated-tokens.js'
import type { VendorAuthorization } from './grants.js'
import type { ClientAuthentication } from './token-endpoint.js'

export { DelegatedTokens } from './delegated-tokens.js'

type OAuthConfig = NonNullable<ServerConfig['oauth']>

/** The facade's client authentication at the token endpoint. */
export function clientAuthenticationOf(oauth: OAuthConfig): ClientAuthentication {
  if (oauth.clientAssertionFile) return { method: 'client_assertion_file', clientId: oauth.clientId, assertionFile: oauth.clientAssertionFile }
  if (oauth.privateKey) return { method: 'private_key_jwt', clientId: oauth.clientId, privateKey: oauth.privateKey, algorithm: oauth.algorithm, certificate: oauth.certificate }
  const method = oauth.tokenEndpointAuthMethod ?? (oauth.delegation?.grant === 'on_behalf_of' ? 'client_secret_post' : 'client_secret_basic')
  return { method, clientId: oauth.clientId, clientSecret: oauth.clientSecret! }
}

/**
 * The delegated-token cache of a server, or undefined without `oauth.delegation`.
 * @param discover finds the vendor's authorization server (ID-JAG without a configured `tokenUrl`/`audience`)
 */
export function createDelegatedTokens(server: ServerConfig, name: string, log: Logger, discover: () => Promise<VendorAuthorization>): DelegatedTokens | undefined {
  const oauth = server.oauth
  if (!oauth?.delegation || !server.url) return undefined
  let discovered: Promise<VendorAuthorization> | undefined
  return new DelegatedTokens({
    grant: {
      delegation: oauth.delegation,
      client: clientAuthenticationOf(oauth),
      tokenUrl: oauth.tokenUrl,
      scope: oauth.scope,
      resource: oauth.resource,
      vendorUrl: server.url,
      // Discovered once; a failure is tried again on the next exchange.
      discover: () => (discovered ??= discover().catch((error: unknown) => ((discovered = undefined), Promise.reject(error)))),
      timeoutMs: server.timeouts.connectMs,
    },
    refreshSkewSeconds: oauth.refreshSkewSeconds,
    cacheSize: oauth.delegation.cacheSize,
    server: name,
    log,
  })
}
