/**
 * @module identity/delegation/token-endpoint
 * One token request to an OAuth 2.0 token endpoint (form POST), with the client authenticated by secret (HTTP Basic
 * or form), by a private-key JWT (RFC 7523 §2.2, signed here with `jose`), by a platform-issued workload JWT read
 * from a file the platform rotates (`AZURE_FEDERATED_TOKEN_FILE` style), or not at all.
 *
 * Why not the MCP SDK's helpers or openid-client: delegation must branch on the identity provider's `error` code
 * (consent, step-up `claims`, refused client) and must never carry its `error_description` (free text that may echo
 * what it received) into a message; the SDK's helpers put both into one string, and oauth4webapi refuses the
 * `token_type: N_A` an ID-JAG answer carries. So this module parses the answer itself, and keeps only codes.
 */
import { readAssertionFile, signClientAssertion } from '../../upstream/client-assertion.js'
import { isLoopbackHost } from '../../config/schema.js'

/** How the client proves who it is to the token endpoint. */
export type ClientAuthentication =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string }
  | { method: 'private_key_jwt'; clientId: string; privateKey: string; algorithm: string; certificate?: string }
  | { method: 'client_assertion_file'; clientId: string; assertionFile: string }
  | { method: 'none'; clientId: string }

/** A successful token response (RFC 6749 §5.1, RFC 8693 §2.2.1). */
export interface TokenResponse {
  access_token: string
  token_type: string
  expires_in?: number
  issued_token_type?: string
  scope?: string
}

/** Why a token request failed. */
export type TokenFailureKind =
  /** The endpoint answered with an OAuth error (4xx): the grant, the client or the scope was refused. */
  | 'refused'
  /** The endpoint could not be reached, timed out, or failed on its side (5xx, 429). */
  | 'unavailable'
  /** It answered something that is not a usable token response. */
  | 'protocol'

/** A failed token request. The message holds codes and statuses only, never the provider's free text. */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError'
  constructor(
    readonly kind: TokenFailureKind,
    message: string,
    readonly details: {
      /** The OAuth `error` code (`invalid_grant`, `interaction_required` …). */
      error?: string
      /** Microsoft's `suberror` (`consent_required`, `basic_action` …): a code, safe to pass on. */
      suberror?: string
      /** The step-up `claims` challenge an `interaction_required` answer carries (base64 or JSON, not a secret). */
      claims?: string
      httpStatus?: number
      /** Seconds, from the endpoint's `Retry-After`. */
      retryAfter?: number
    } = {},
  ) {
    super(message)
  }
}

/** A token request: where, what, and who asks. */
export interface TokenRequest {
  tokenUrl: string
  params: Record<string, string | undefined>
  client: ClientAuthentication
  timeoutMs?: number
}

/**
 * Sends one token request.
 * @throws TokenRequestError
 */
export async function requestToken(request: TokenRequest): Promise<TokenResponse> {
  // Credentials and user tokens travel in this request: never in clear text, except to a loopback host (tests).
  const target = URL.canParse(request.tokenUrl) ? new URL(request.tokenUrl) : undefined
  if (!target || !(target.protocol === 'https:' || (target.protocol === 'http:' && isLoopbackHost(target.hostname))))
    throw new TokenRequestError('protocol', 'the token endpoint must use https (loopback hosts excepted)')
  const body = new URLSearchParams()
  for (const [k, v] of Object.entries(request.params)) if (v !== undefined) body.set(k, v)
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
  await authenticateClient(request.client, request.tokenUrl, body, headers)
  let res: Response
  try {
    res = await fetch(request.tokenUrl, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(request.timeoutMs ?? 10_000) })
  } catch (error) {
    const name = (error as Error)?.name === 'TimeoutError' ? 'timed out' : 'unreachable'
    throw new TokenRequestError('unavailable', `the token endpoint is ${name}`)
  }
  const retryAfter = Number(res.headers.get('retry-after'))
  const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined
  if (!res.ok) {
    const error = typeof json?.error === 'string' && /^[\x20-\x7e]{1,64}$/.test(json.error) ? json.error : undefined
    if (res.status >= 500 || res.status === 429 || (!error && res.status !== 400 && res.status !== 401))
      throw new TokenRequestError('unavailable', `the token endpoint answered HTTP ${res.status}`, { httpStatus: res.status, retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined })
    const suberror = typeof json?.suberror === 'string' && /^[\w.-]{1,64}$/.test(json.suberror) ? json.suberror : undefined
    const claims = typeof json?.claims === 'string' && json.claims.length <= 4096 ? json.claims : undefined
    throw new TokenRequestError('refused', `the token endpoint refused the request (${error ?? `HTTP ${res.status}`})`, { error: error ?? 'invalid_request', suberror, claims, httpStatus: res.status })
  }
  if (!json || typeof json.access_token !== 'string' || json.access_token === '') throw new TokenRequestError('protocol', 'the token endpoint answered without an access_token')
  if (typeof json.token_type !== 'string') throw new TokenRequestError('protocol', 'the token endpoint answered without a token_type')
  const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : typeof json.expires_in === 'string' ? Number(json.expires_in) : undefined
  return {
    access_token: json.access_token,
    token_type: json.token_type,
    expires_in: expiresIn !== undefined && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
    issued_token_type: typeof json.issued_token_type === 'string' ? json.issued_token_type : undefined,
    scope: typeof json.scope === 'string' ? json.scope : undefined,
  }
}

async function authenticateClient(client: ClientAuthentication, tokenUrl: string, body: URLSearchParams, headers: Record<string, string>): Promise<void> {
  switch (client.method) {
    case 'client_secret_basic':
      // RFC 6749 §2.3.1: both parts form-urlencoded before Base64.
      headers.authorization = 'Basic ' + Buffer.from(`${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`).toString('base64')
      return
    case 'client_secret_post':
      body.set('client_id', client.clientId)
      body.set('client_secret', client.clientSecret)
      return
    case 'private_key_jwt':
      body.set('client_id', client.clientId)
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      body.set('client_assertion', await signClientAssertion(client, tokenUrl))
      return
    case 'client_assertion_file':
      body.set('client_id', client.clientId)
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      body.set('client_assertion', await readAssertionFile(client.assertionFile))
      return
    case 'none':
      body.set('client_id', client.clientId)
  }
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+')
}
