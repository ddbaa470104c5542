/**
 * @module upstream/oauth
 * OAuth 2.0 client credentials toward the vendor (`client_secret_basic` or `private_key_jwt`), as one
 * {@link TokenSource} per upstream server, shared by every connection of that server (catalog, pooled and caller
 * sessions): one token, one refresh, whatever the number of vendor sessions.
 *
 * Why not hand the SDK providers to the transports as `authProvider` directly: the SDK's adapter reads
 * `provider.tokens()` before each request without looking at expiry, and only acts after the vendor answered 401
 * (full discovery plus a token request, per transport, concurrently). That means every connection starts with a
 * 401 round trip, an expired token is always sent once, and N connections fetch N tokens at the same moment.
 * So the SDK's providers ({@link ClientCredentialsProvider}, {@link PrivateKeyJwtProvider}) still build and
 * authenticate the token request (grant parameters, HTTP Basic, the signed RFC 7523 assertion, the issuer stamp
 * that keeps the credentials on the pinned authorization server), and the SDK's `fetchToken` sends it; this
 * module only adds what the providers lack:
 * - a cache with expiry: a token is reused until `expires_in - refreshSkewSeconds` (at most half its lifetime
 *   ahead, so very short tokens are still reused), then refreshed before it expires, never after;
 * - single flight: concurrent callers share one token request;
 * - a vendor 401 invalidates only the token that was rejected (a stale 401 does not throw away a fresh token);
 * - a failed refresh keeps serving the current token while it is still valid, retrying at most every few seconds;
 * - a refusal (`invalid_client` …) is remembered for those few seconds too, so a misconfigured client does not turn
 *   every call into a token request the authorization server may rate-limit or lock.
 * The transport still retries once after a 401 (`onUnauthorized`); a second 401 is `UNAUTHORIZED`, not a 502.
 */
import {
  ClientCredentialsProvider,
  InsecureTokenEndpointError,
  OAuthError,
  PrivateKeyJwtProvider,
  discoverAuthorizationServerMetadata,
  discoverOAuthServerInfo,
  fetchToken,
  selectResourceURL,
} from '@modelcontextprotocol/client'
import type { AddClientAuthentication, AuthorizationServerMetadata, FetchLike, OAuthClientMetadata, OAuthClientProvider, OAuthTokens } from '@modelcontextprotocol/client'
import type { Logger } from '../log.js'
import { UpstreamError, networkCode } from './errors.js'
import { readAssertionFile, signClientAssertion } from './client-assertion.js'
import type { TokenSource } from './types.js'

/** OAuth client settings (the `oauth` block of a server's config, already validated). */
export interface OAuthClientSettings {
  /** Token endpoint; when absent it is discovered (see {@link OAuthTokenSourceOptions}). */
  tokenUrl?: string
  /** Authorization server issuer; pins where the client credentials may go. */
  issuer?: string
  clientId: string
  /** `client_secret_basic` when set. */
  clientSecret?: string
  /** `private_key_jwt` when set: PKCS#8 PEM. */
  privateKey?: string
  /** JWS algorithm of the assertion, e.g. `RS256`, `ES256`. */
  algorithm: string
  scope?: string
  /** RFC 8707 resource indicator. */
  resource?: string
  /** Refresh this long before expiry (capped at half the token lifetime). */
  refreshSkewSeconds: number
  /** PEM of the certificate of `privateKey`: assertions then carry `x5t` (Entra ID certificate credentials). */
  certificate?: string
  /** Workload identity: a platform-issued JWT, re-read from this file for every token request. */
  clientAssertionFile?: string
  /** `jwt_bearer` (SEP-1933): the workload JWT is the grant itself; else `client_credentials`. */
  grant?: 'client_credentials' | 'jwt_bearer'
}

/** Options of {@link OAuthTokenSource}. */
export interface OAuthTokenSourceOptions {
  oauth: OAuthClientSettings
  /** The vendor's MCP URL: used for RFC 9728 discovery when neither `tokenUrl` nor `issuer` is set. */
  vendorUrl: string
  /** Server name, for log lines. */
  server?: string
  log?: Logger
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number
  /** Minimum delay between two refresh attempts after a failure while a valid token remains. Default 5000. */
  retryDelayMs?: number
}

/**
 * `fetch` for discovery and token requests. @hono/node-server replaces the global `Response` class when it starts
 * serving, so responses from Node's own `fetch` are no longer `instanceof Response`; the SDK's OAuth error parser
 * tests exactly that and, failing it, reports every token-endpoint refusal as `server_error` with the body lost.
 * Re-wrapping in the current global class keeps `invalid_client` and friends intact.
 */
const oauthFetch: FetchLike = async (url, init) => {
  const res = await fetch(url, init)
  return isCurrentResponse(res) ? res : new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers })
}

/** A plain boolean on purpose: as a type guard, TypeScript would narrow the other branch to `never`. */
function isCurrentResponse(value: unknown): boolean {
  return value instanceof Response
}

/** Where and how token requests go, resolved once (discovery can cost several requests). */
interface Endpoint {
  provider: OAuthClientProvider
  authorizationServerUrl: string
  metadata?: AuthorizationServerMetadata
  resource?: string
}

interface CachedToken {
  token: string
  /** Reuse it until then. */
  freshUntil: number
  /** Never send it after this. */
  expiresAt: number
}

/**
 * A shared, caching, refreshing token source for one vendor.
 * @example
 * const tokens = new OAuthTokenSource({ oauth: { tokenUrl, clientId, clientSecret, algorithm: 'RS256', refreshSkewSeconds: 30 }, vendorUrl })
 * const settings = { ...connectionSettings, tokenSource: tokens }
 */
export class OAuthTokenSource implements TokenSource {
  #endpoint?: Promise<Endpoint>
  #current?: CachedToken
  #inflight?: Promise<CachedToken>
  #nextAttemptAt = 0
  /** The authorization server refused our client: answer with that error for a while instead of asking again. */
  #refusal?: { error: UpstreamError; until: number }
  #requests = 0
  readonly #now: () => number

  constructor(private readonly options: OAuthTokenSourceOptions) {
    this.#now = options.now ?? Date.now
  }

  /** Token requests sent so far (successful or not), for tests and metrics. */
  get tokenRequests(): number {
    return this.#requests
  }

  /**
   * A valid access token, fetching or refreshing it when needed.
   * @throws UpstreamError `UNAUTHORIZED` when the authorization server refuses the client, `UNAVAILABLE` when it
   *   cannot be reached, `PROTOCOL` for anything else; messages never hold secrets
   */
  async token(): Promise<string> {
    const now = this.#now()
    const current = this.#current
    if (current && now < current.freshUntil) return current.token
    // After a failed refresh, keep using a still-valid token for a moment instead of hammering the server.
    if (current && now < current.expiresAt && now < this.#nextAttemptAt) return current.token
    // A refused client is a configuration problem: repeating the request on every call would only get the client
    // rate-limited or locked by the authorization server.
    if (this.#refusal && now < this.#refusal.until && !(current && now < current.expiresAt)) throw this.#refusal.error
    const retryDelayMs = this.options.retryDelayMs ?? 5000
    try {
      return (await this.#refresh()).token
    } catch (error) {
      if (error instanceof UpstreamError && error.code === 'UNAUTHORIZED') this.#refusal = { error, until: this.#now() + retryDelayMs }
      if (current && this.#current === current && this.#now() < current.expiresAt) {
        this.#nextAttemptAt = this.#now() + retryDelayMs
        return current.token
      }
      throw error
    }
  }

  /**
   * The vendor answered 401: forget the token so the next {@link token} fetches a new one.
   * @param rejected the token the failing request carried; a different (newer) cached token is kept
   */
  invalidate(rejected?: string): void {
    if (rejected === undefined || this.#current?.token === rejected) this.#current = undefined
  }

  #refresh(): Promise<CachedToken> {
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined
    })
    return this.#inflight
  }

  async #fetch(): Promise<CachedToken> {
    const log = this.options.log
    const fields = { server: this.options.server }
    let endpoint: Endpoint
    try {
      endpoint = await (this.#endpoint ??= this.#resolveEndpoint())
    } catch (error) {
      // Discovery is retried on the next attempt (the vendor or the authorization server may come back).
      this.#endpoint = undefined
      const e = classifyOAuthError(error, 'discovery')
      log?.warn('oauth discovery failed', { ...fields, code: e.code, error: e.message })
      throw e
    }
    const sentAt = this.#now()
    this.#requests++
    let tokens
    try {
      tokens = await fetchToken(endpoint.provider, endpoint.authorizationServerUrl, {
        metadata: endpoint.metadata,
        resource: endpoint.resource,
        fetchFn: oauthFetch,
      })
    } catch (error) {
      const e = classifyOAuthError(error, 'token')
      log?.warn('oauth token request failed', { ...fields, code: e.code, error: e.message })
      throw e
    }
    // Keep the provider's own view coherent (it is what the SDK would read), though the cache below is what we use.
    await endpoint.provider.saveTokens(tokens)
    if (tokens.token_type && tokens.token_type.toLowerCase() !== 'bearer')
      log?.warn('oauth token type is not Bearer; sending it as Bearer anyway', { ...fields, tokenType: tokens.token_type })
    const cached = cacheEntry(tokens.access_token, tokens.expires_in, this.options.oauth.refreshSkewSeconds, sentAt)
    this.#current = cached
    this.#nextAttemptAt = 0
    this.#refusal = undefined
    // Lifetimes only: the token itself never reaches a log line.
    log?.debug('oauth token obtained', { ...fields, expiresInSeconds: tokens.expires_in })
    return cached
  }

  async #resolveEndpoint(): Promise<Endpoint> {
    const { oauth, vendorUrl } = this.options
    if (oauth.tokenUrl) {
      // No discovery: the issuer stamp is the configured issuer, else the token endpoint itself. The SDK signs the
      // private_key_jwt audience with `metadata.issuer`, so with only a tokenUrl the audience is the token endpoint,
      // which is what RFC 7523 §3 recommends and what most servers (Entra ID, Keycloak, Okta) accept.
      const issuer = oauth.issuer ?? oauth.tokenUrl
      const metadata = { issuer, token_endpoint: oauth.tokenUrl } as AuthorizationServerMetadata
      return { provider: this.#provider(issuer), authorizationServerUrl: issuer, metadata, resource: oauth.resource }
    }
    if (oauth.issuer) {
      const metadata = await discoverAuthorizationServerMetadata(oauth.issuer, { fetchFn: oauthFetch })
      if (!metadata) throw new UpstreamError('PROTOCOL', 'authorization server metadata not found for the configured issuer')
      return { provider: this.#provider(metadata.issuer), authorizationServerUrl: oauth.issuer, metadata, resource: oauth.resource }
    }
    // The vendor names its authorization server (RFC 9728); the MCP spec makes resource indicators mandatory then.
    const info = await discoverOAuthServerInfo(vendorUrl, { fetchFn: oauthFetch })
    const issuer = info.authorizationServerMetadata?.issuer ?? info.authorizationServerUrl
    const provider = this.#provider(issuer)
    let resource = oauth.resource
    if (!resource && info.resourceMetadata?.resource) {
      const allowed = await selectResourceURL(vendorUrl, provider, info.resourceMetadata)
      // Sent verbatim, as the SDK's own auth() does (a URL object would add a trailing slash).
      if (allowed) resource = info.resourceMetadata.resource
    }
    return { provider, authorizationServerUrl: info.authorizationServerUrl, metadata: info.authorizationServerMetadata, resource }
  }

  #provider(expectedIssuer: string): OAuthClientProvider {
    const { oauth } = this.options
    const common = { clientId: oauth.clientId, scope: oauth.scope, clientName: 'mcp-rest-facade', expectedIssuer }
    if (oauth.clientAssertionFile !== undefined) {
      const file = oauth.clientAssertionFile
      return new AssertionClientProvider({ ...common, assertion: () => readAssertionFile(file), asGrant: oauth.grant === 'jwt_bearer' })
    }
    // With the key's certificate, assertions carry x5t (Entra ID certificate credentials); the SDK's signer cannot.
    if (oauth.privateKey !== undefined && oauth.certificate !== undefined) {
      const key = { clientId: oauth.clientId, privateKey: oauth.privateKey, algorithm: oauth.algorithm, certificate: oauth.certificate }
      return new AssertionClientProvider({ ...common, assertion: (tokenUrl) => signClientAssertion(key, tokenUrl), asGrant: false })
    }
    if (oauth.clientSecret !== undefined) return new ClientCredentialsProvider({ ...common, clientSecret: oauth.clientSecret })
    if (oauth.privateKey !== undefined) return new PrivateKeyJwtProvider({ ...common, privateKey: oauth.privateKey, algorithm: oauth.algorithm })
    throw new UpstreamError('PROTOCOL', 'oauth needs clientSecret, privateKey or clientAssertionFile')
  }
}

/** When to refresh and when to stop using a token obtained with a request sent at `sentAt`. */
function cacheEntry(token: string, expiresIn: number | undefined, skewSeconds: number, sentAt: number): CachedToken {
  // Without expires_in the token is used until the vendor rejects it (then invalidate() drops it).
  if (expiresIn === undefined || !Number.isFinite(expiresIn) || expiresIn <= 0) return { token, freshUntil: Infinity, expiresAt: Infinity }
  const lifetimeMs = expiresIn * 1000
  // Counted from when the request was sent, so time spent on the wire only makes us refresh earlier.
  const ahead = Math.min(skewSeconds * 1000, lifetimeMs / 2)
  return { token, freshUntil: sentAt + lifetimeMs - ahead, expiresAt: sentAt + lifetimeMs }
}

/**
 * Maps a discovery or token-request failure to an {@link UpstreamError}. Only the OAuth error code goes into the
 * message: an authorization server's `error_description` is free text and may echo what it received.
 */
function classifyOAuthError(error: unknown, stage: 'discovery' | 'token'): UpstreamError {
  if (error instanceof UpstreamError) return error
  if (error instanceof OAuthError) {
    // An unparseable error body arrives as server_error with the status in the message; 400/401 still mean "refused".
    const status = /^HTTP (\d{3}):/.exec(error.message)?.[1]
    const refused =
      ['invalid_client', 'unauthorized_client', 'invalid_grant', 'invalid_scope', 'access_denied'].includes(error.code) ||
      (error.code === 'server_error' && (status === '400' || status === '401'))
    return refused
      ? new UpstreamError('UNAUTHORIZED', `authorization server refused the facade's client credentials (${error.code})`, { httpStatus: 401 })
      : new UpstreamError('PROTOCOL', `authorization server answered ${error.code} to the ${stage} request`)
  }
  if (error instanceof InsecureTokenEndpointError) return new UpstreamError('PROTOCOL', 'the token endpoint must use https (loopback excepted)')
  const code = networkCode(error)
  if (code) return new UpstreamError('UNAVAILABLE', `authorization server unreachable during ${stage} (${code})`)
  // undici's "fetch failed" without a system code (blocked port, bad address): the request never completed.
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) return new UpstreamError('UNAVAILABLE', `authorization server unreachable during ${stage}`)
  const name = error instanceof Error ? error.name : typeof error
  return new UpstreamError('PROTOCOL', `oauth ${stage} failed (${name})`)
}

const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/**
 * A client that proves itself with a JWT assertion instead of a secret:
 * - a platform-issued workload JWT read from a file the platform rotates (Kubernetes projected tokens,
 *   `AZURE_FEDERATED_TOKEN_FILE`), either as the grant itself (SEP-1933, `grant_type=urn:ietf:params:oauth:grant-
 *   type:jwt-bearer`, no other client authentication) or as the client assertion of a `client_credentials` grant
 *   (RFC 7523 §2.2, Entra ID federated credentials); the file is read on every token request, never cached;
 * - an assertion the facade signs with its key and names its certificate in (`x5t`).
 */
class AssertionClientProvider implements OAuthClientProvider {
  #tokens?: OAuthTokens
  readonly #info: { client_id: string; issuer: string }
  readonly clientMetadata: OAuthClientMetadata
  /** Client authentication when the JWT is a client assertion; absent for the grant form (the SDK sends client_id only). */
  readonly addClientAuthentication?: AddClientAuthentication

  constructor(
    private readonly options: { clientId: string; scope?: string; clientName: string; expectedIssuer: string; assertion: (tokenUrl: string) => Promise<string>; asGrant: boolean },
  ) {
    this.#info = { client_id: options.clientId, issuer: options.expectedIssuer }
    this.clientMetadata = {
      client_name: options.clientName,
      redirect_uris: [],
      grant_types: [options.asGrant ? 'urn:ietf:params:oauth:grant-type:jwt-bearer' : 'client_credentials'],
      token_endpoint_auth_method: options.asGrant ? 'none' : 'private_key_jwt',
      scope: options.scope,
    }
    if (!options.asGrant)
      this.addClientAuthentication = async (_headers, params, url) => {
        params.set('client_id', options.clientId)
        params.set('client_assertion_type', JWT_BEARER_ASSERTION)
        params.set('client_assertion', await options.assertion(String(url)))
      }
  }

  get redirectUrl(): undefined {
    return undefined
  }
  clientInformation() {
    return this.#info
  }
  tokens() {
    return this.#tokens
  }
  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens
  }
  redirectToAuthorization(): never {
    throw new Error('assertion clients have no authorization redirect')
  }
  saveCodeVerifier() {}
  codeVerifier(): never {
    throw new Error('assertion clients have no code verifier')
  }

  async prepareTokenRequest(scope?: string): Promise<URLSearchParams> {
    // The grant form's assertion has no token endpoint audience of ours to sign: the platform issued it.
    const params = this.options.asGrant
      ? new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await this.options.assertion('') })
      : new URLSearchParams({ grant_type: 'client_credentials' })
    if (scope) params.set('scope', scope)
    return params
  }
}

/** The vendor's authorization server, found from its protected-resource metadata (RFC 9728, then RFC 8414). */
export async function discoverVendorAuthorization(vendorUrl: string): Promise<{ issuer: string; tokenUrl: string; resource?: string }> {
  let info
  try {
    info = await discoverOAuthServerInfo(vendorUrl, { fetchFn: oauthFetch })
  } catch (error) {
    throw classifyOAuthError(error, 'discovery')
  }
  const issuer = info.authorizationServerMetadata?.issuer ?? info.authorizationServerUrl
  const tokenUrl = info.authorizationServerMetadata?.token_endpoint ?? new URL('/token', info.authorizationServerUrl).href
  return { issuer, tokenUrl, resource: info.resourceMetadata?.resource }
}
