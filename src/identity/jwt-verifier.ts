/**
 * @module identity/jwt-verifier
 * Validates callers' bearer tokens (`auth.mode: "jwt"`) with `jose`: signature through each issuer's remote key set
 * (cached; re-fetched on an unknown `kid`, with jose's cooldown), issuer(s), audience(s), an algorithm allowlist
 * (asymmetric only, so never `none` or an HMAC keyed with a public key), `exp`/`nbf` with tolerance, and the
 * presence of the identity claims. A failure names the check that failed, never the token.
 *
 * Verified tokens are remembered until they expire (bounded LRU), so a caller's second request costs a map lookup
 * instead of a signature check: Power Platform sends the same token for up to an hour.
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'

/** Which check a token failed (the problem body names it; stable values). */
export type TokenCheck = 'malformed' | 'algorithm' | 'issuer' | 'signature' | 'expired' | 'not_yet_valid' | 'audience' | 'claims'

/** A token that failed validation. `message` says why in words a caller can act on; it never holds the token. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError'
  constructor(
    readonly check: TokenCheck,
    message: string,
  ) {
    super(message)
  }
}

/** The issuer's keys could not be fetched: not the caller's fault, and not a reason to reject the token as invalid. */
export class KeysUnavailableError extends Error {
  override readonly name = 'KeysUnavailableError'
}

/** Settings of {@link JwtVerifier} (the `auth` block of `mode: "jwt"`). */
export interface JwtVerifierOptions {
  issuer: string | string[]
  jwksUri?: string
  audience: string | string[]
  algorithms: string[]
  identityClaims: string[]
  clockToleranceSeconds: number
  /** Most verified tokens remembered. Default 10,000. */
  cacheSize?: number
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number
}

/** What a valid token says about its caller. */
export interface VerifiedToken {
  /** The configured identity claims' values, in configuration order (strings, or JSON for other types). */
  identityValues: string[]
  /** `exp` in ms (Infinity without one). */
  expiresAt: number
  /** The whole payload, for delegation rules that need more (never logged). */
  payload: JWTPayload
}

/**
 * Least time between two key-set fetches: a token with an unknown `kid` (a key rotation) fetches the set again, but
 * tokens with made-up `kid`s cannot make the facade fetch more than once a second per issuer.
 */
const JWKS_COOLDOWN_MS = 1_000

/** Discovery and key-fetch timeout: a slow issuer must not hold callers for long. */
const FETCH_TIMEOUT_MS = 5_000

/** Validates caller tokens against one configuration. */
export class JwtVerifier {
  readonly #issuers: string[]
  readonly #audiences: string[]
  /** issuer → key set (created on first use: discovery costs a request). */
  readonly #keySets = new Map<string, Promise<JWTVerifyGetKey>>()
  readonly #verified = new Map<string, VerifiedToken>()
  readonly #cacheSize: number
  readonly #now: () => number

  constructor(private readonly options: JwtVerifierOptions) {
    this.#issuers = Array.isArray(options.issuer) ? options.issuer : [options.issuer]
    this.#audiences = Array.isArray(options.audience) ? options.audience : [options.audience]
    this.#cacheSize = options.cacheSize ?? 10_000
    this.#now = options.now ?? Date.now
  }

  /**
   * Validates a token.
   * @throws InvalidTokenError naming the failed check; KeysUnavailableError when the issuer's keys cannot be had
   */
  async verify(token: string): Promise<VerifiedToken> {
    const known = this.#verified.get(token)
    if (known) {
      if (this.#now() < known.expiresAt + this.options.clockToleranceSeconds * 1000) {
        // Re-insert: the map's order is the LRU order.
        this.#verified.delete(token)
        this.#verified.set(token, known)
        return known
      }
      this.#verified.delete(token)
    }
    const verified = await this.#verify(token)
    if (this.#verified.size >= this.#cacheSize) this.#verified.delete(this.#verified.keys().next().value!)
    this.#verified.set(token, verified)
    return verified
  }

  async #verify(token: string): Promise<VerifiedToken> {
    let issuer: unknown
    let alg: unknown
    try {
      alg = decodeProtectedHeader(token).alg
      issuer = decodeJwt(token).iss
    } catch {
      throw new InvalidTokenError('malformed', 'The bearer token is not a JSON Web Token.')
    }
    // Checked before any key is fetched: a token naming `none` or an HMAC algorithm never reaches jose's key lookup.
    if (typeof alg !== 'string' || !this.options.algorithms.includes(alg))
      throw new InvalidTokenError('algorithm', `The token is signed with an algorithm this service does not accept (accepted: ${this.options.algorithms.join(', ')}).`)
    // The issuer picks the key set, so it is checked first; jwtVerify checks it again after the signature.
    if (typeof issuer !== 'string' || !this.#issuers.includes(issuer)) throw new InvalidTokenError('issuer', 'The token was issued by an issuer this service does not trust.')
    const keys = await this.#keysOf(issuer)
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, keys, {
        issuer: this.#issuers,
        audience: this.#audiences,
        algorithms: this.options.algorithms,
        clockTolerance: this.options.clockToleranceSeconds,
        currentDate: new Date(this.#now()),
      }))
    } catch (error) {
      throw classify(error)
    }
    const identityValues: string[] = []
    for (const claim of this.options.identityClaims) {
      const value = payload[claim]
      if (value === undefined || value === null || value === '') throw new InvalidTokenError('claims', `The token lacks the ${claim} claim that identifies its caller.`)
      identityValues.push(typeof value === 'string' ? value : JSON.stringify(value))
    }
    return { identityValues, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : Infinity, payload }
  }

  /** The key set of an issuer: the configured `jwksUri`, else its OpenID configuration's `jwks_uri`. */
  #keysOf(issuer: string): Promise<JWTVerifyGetKey> {
    let keys = this.#keySets.get(issuer)
    if (!keys) {
      keys = this.#keySetUrl(issuer).then((url) => createRemoteJWKSet(new URL(url), { timeoutDuration: FETCH_TIMEOUT_MS, cooldownDuration: JWKS_COOLDOWN_MS, cacheMaxAge: 10 * 60_000 }))
      // A failed discovery is tried again by the next request (the issuer may come back).
      keys.catch(() => this.#keySets.delete(issuer))
      this.#keySets.set(issuer, keys)
    }
    return keys
  }

  async #keySetUrl(issuer: string): Promise<string> {
    if (this.options.jwksUri) return this.options.jwksUri
    const url = issuer.replace(/\/+$/, '') + '/.well-known/openid-configuration'
    let metadata: { issuer?: unknown; jwks_uri?: unknown }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } })
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      metadata = (await res.json()) as typeof metadata
    } catch (error) {
      throw new KeysUnavailableError(`the OpenID configuration of the token issuer could not be read (${(error as Error).message})`)
    }
    if (typeof metadata.jwks_uri !== 'string' || !URL.canParse(metadata.jwks_uri)) throw new KeysUnavailableError('the OpenID configuration of the token issuer names no jwks_uri')
    return metadata.jwks_uri
  }
}

/** Maps jose's errors to the check that failed. */
function classify(error: unknown): Error {
  if (error instanceof errors.JWTExpired) return new InvalidTokenError('expired', 'The token has expired.')
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat') return new InvalidTokenError('not_yet_valid', 'The token is not valid yet.')
    if (error.claim === 'aud') return new InvalidTokenError('audience', 'The token was issued for another audience.')
    if (error.claim === 'iss') return new InvalidTokenError('issuer', 'The token was issued by an issuer this service does not trust.')
    return new InvalidTokenError('claims', `The token's ${error.claim} claim is not acceptable.`)
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return new InvalidTokenError('signature', 'The token signature does not verify with the issuer\'s keys.')
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError('algorithm', 'The token is signed with an algorithm this service does not accept.')
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return new KeysUnavailableError('the token issuer\'s keys could not be fetched')
  // jose's generic error is what a key-set answer other than 200 gives.
  if (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC') return new KeysUnavailableError('the token issuer\'s keys could not be fetched')
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return new InvalidTokenError('malformed', 'The bearer token is not a valid JSON Web Token.')
  // A network failure of the key fetch (fetch's TypeError) is the issuer's problem, not the token's.
  if (error instanceof TypeError) return new KeysUnavailableError('the token issuer\'s keys could not be fetched')
  return new InvalidTokenError('malformed', 'The bearer token could not be validated.')
}
