/**
 * @module identity/delegation/delegated-tokens
 * Vendor tokens obtained on callers' behalf, one per (caller identity, inbound token) for one server (so one scope):
 * - cached until the issued token's expiry minus the skew (at most half its lifetime ahead); with hourly inbound
 *   refreshes that is one exchange per user per hour, as MSAL keys its own OBO cache by the assertion's hash;
 * - single flight: concurrent first calls of one caller share one exchange;
 * - bounded (least recently used first out), keyed by a SHA-256 of the inbound token, never the token itself;
 * - a vendor 401 drops the token it rejected, so the transport's one retry exchanges again.
 * A failed exchange becomes an {@link UpstreamError} `CREDENTIAL` whose details say which problem to answer;
 * messages carry the provider's error code, never its description or a token.
 */
import { createHash } from 'node:crypto'
import { decodeJwt } from 'jose'
import type { Logger } from '../../log.js'
import { recordTokenExchange } from '../../metrics/instruments.js'
import type { SessionCredentials } from '../../sessions/manager.js'
import { UpstreamError } from '../../upstream/errors.js'
import type { TokenSource } from '../../upstream/types.js'
import { exchangeToken, type GrantSettings } from './grants.js'
import { TokenRequestError } from './token-endpoint.js'

/** Options of {@link DelegatedTokens}. */
export interface DelegatedTokensOptions {
  grant: GrantSettings
  /** Refresh this long before expiry (capped at half the token lifetime). */
  refreshSkewSeconds: number
  cacheSize: number
  server?: string
  log?: Logger
  /** Clock, for tests. */
  now?: () => number
}

interface Entry {
  token: string
  freshUntil: number
}

/** Lifetime assumed for a token issued without `expires_in` and without a readable `exp`. */
const UNKNOWN_LIFETIME_MS = 60_000

/** The delegated-token cache of one upstream server. */
export class DelegatedTokens {
  readonly #entries = new Map<string, Entry>()
  readonly #inflight = new Map<string, Promise<Entry>>()
  /**
   * The last inbound token seen per identity and its cache key: a caller sends the same token for up to an hour,
   * and hashing it again on every call cost ~4 µs of the ~5 µs a cache hit took.
   */
  readonly #lastKey = new Map<string, { subjectToken: string; key: string }>()
  readonly #now: () => number
  #exchanges = 0

  constructor(private readonly options: DelegatedTokensOptions) {
    this.#now = options.now ?? Date.now
  }

  /** Exchanges sent so far (successful or not): for tests and the closing figures. */
  get exchanges(): number {
    return this.#exchanges
  }

  /** Cached tokens right now. */
  get size(): number {
    return this.#entries.size
  }

  /**
   * The vendor token for a caller's inbound token.
   * @throws UpstreamError `CREDENTIAL` when the exchange is refused or the token endpoint cannot be reached
   */
  async tokenFor(identity: string, subjectToken: string | undefined): Promise<string> {
    if (!subjectToken) throw credentialError('delegation_failed', 401, 'the caller presented no bearer token to exchange', { error: 'invalid_request' })
    const key = this.#keyOf(identity, subjectToken)
    const entry = this.#entries.get(key)
    if (entry && this.#now() < entry.freshUntil) {
      this.#entries.delete(key)
      this.#entries.set(key, entry)
      return entry.token
    }
    let pending = this.#inflight.get(key)
    if (!pending) {
      pending = this.#exchange(key, subjectToken).finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, pending)
    }
    return (await pending).token
  }

  /** Drops a token the vendor rejected (a newer one for the same key is kept). */
  invalidate(identity: string, subjectToken: string | undefined, rejected: string | undefined): void {
    if (!subjectToken) return
    const key = this.#keyOf(identity, subjectToken)
    if (rejected === undefined || this.#entries.get(key)?.token === rejected) this.#entries.delete(key)
  }

  /** A token source for one vendor session: it reads the session's current caller token on every request. */
  sourceFor(credentials: SessionCredentials): TokenSource {
    return {
      token: () => this.tokenFor(credentials.identity, credentials.token),
      invalidate: (rejected) => this.invalidate(credentials.identity, credentials.token, rejected),
    }
  }

  #keyOf(identity: string, subjectToken: string): string {
    const last = this.#lastKey.get(identity)
    if (last?.subjectToken === subjectToken) return last.key
    const key = keyOf(identity, subjectToken)
    // Bounded like the cache: one remembered token per identity, the oldest identity out first.
    if (!last && this.#lastKey.size >= this.options.cacheSize) this.#lastKey.delete(this.#lastKey.keys().next().value!)
    this.#lastKey.set(identity, { subjectToken, key })
    return key
  }

  async #exchange(key: string, subjectToken: string): Promise<Entry> {
    const sentAt = this.#now()
    this.#exchanges++
    const fields = { server: this.options.server, grant: this.options.grant.delegation.grant }
    let answer
    try {
      answer = await exchangeToken(this.options.grant, subjectToken)
    } catch (error) {
      const mapped = fromTokenFailure(error)
      recordTokenExchange(fields.server ?? 'default', fields.grant, mapped.details.credential?.problem ?? 'idp_unavailable')
      // Codes only: the provider's description and the tokens never reach a log line.
      this.options.log?.warn('token delegation failed', { ...fields, code: mapped.code, error: mapped.message })
      throw mapped
    }
    recordTokenExchange(fields.server ?? 'default', fields.grant, 'ok')
    const entry = { token: answer.access_token, freshUntil: sentAt + freshFor(answer.access_token, answer.expires_in, this.options.refreshSkewSeconds, sentAt) }
    if (this.#entries.size >= this.options.cacheSize) this.#entries.delete(this.#entries.keys().next().value!)
    this.#entries.set(key, entry)
    this.options.log?.debug('token delegated', { ...fields, expiresInSeconds: answer.expires_in })
    return entry
  }
}

/** Cache key: the identity plus a digest of the inbound token (the token itself is never kept as a key). */
function keyOf(identity: string, subjectToken: string): string {
  return identity + '\n' + createHash('sha256').update(subjectToken, 'utf8').digest('base64url')
}

/** How long a token may be reused, counted from when its request was sent. */
function freshFor(token: string, expiresIn: number | undefined, skewSeconds: number, sentAt: number): number {
  let lifetimeMs = expiresIn !== undefined ? expiresIn * 1000 : undefined
  if (lifetimeMs === undefined) {
    try {
      const exp = decodeJwt(token).exp
      if (typeof exp === 'number') lifetimeMs = exp * 1000 - sentAt
    } catch {
      // An opaque token without expires_in: reuse it briefly, a vendor 401 drops it sooner.
    }
  }
  lifetimeMs ??= UNKNOWN_LIFETIME_MS
  return Math.max(0, lifetimeMs - Math.min(skewSeconds * 1000, lifetimeMs / 2))
}

/** The problem a failed delegation answers with, carried to the HTTP layer inside an {@link UpstreamError}. */
type CredentialProblem = NonNullable<UpstreamError['details']['credential']>

/** IdP errors a new sign-in by the user can fix: 401, so the client signs in again. The others are 403. */
const SIGN_IN_AGAIN = new Set(['invalid_grant', 'interaction_required', 'login_required', 'consent_required', 'invalid_request'])

function credentialError(problem: CredentialProblem['problem'], status: CredentialProblem['status'], message: string, extra: Partial<CredentialProblem> = {}): UpstreamError {
  return new UpstreamError('CREDENTIAL', message, { credential: { problem, status, ...extra } })
}

/** Maps a token-request failure to the problem the caller gets. */
function fromTokenFailure(error: unknown): UpstreamError {
  // Discovery of the vendor's authorization server (ID-JAG) fails as an UpstreamError.
  if (error instanceof UpstreamError) return credentialError('idp_unavailable', error.code === 'UNAVAILABLE' ? 503 : 502, error.message, { retryAfter: 5 })
  if (!(error instanceof TokenRequestError)) return credentialError('idp_unavailable', 502, 'token delegation failed on the facade side')
  const { kind, details } = error
  // Unreachable, busy (503) or rate-limited (429): try later (503). Another server error: a bad gateway (502).
  if (kind === 'unavailable') {
    const status = details.httpStatus
    return credentialError('idp_unavailable', status && status >= 500 && status !== 503 ? 502 : 503, error.message, { retryAfter: details.retryAfter ?? 5 })
  }
  if (kind === 'protocol') return credentialError('idp_unavailable', 502, error.message)
  const code = details.error ?? 'invalid_request'
  if (code === 'interaction_required' && details.claims)
    return credentialError('insufficient_claims', 401, `the identity provider requires the user to sign in again (${code})`, { error: code, suberror: details.suberror, claims: details.claims })
  return credentialError('delegation_failed', SIGN_IN_AGAIN.has(code) ? 401 : 403, error.message, { error: code, suberror: details.suberror })
}
