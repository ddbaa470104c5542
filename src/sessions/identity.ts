/**
 * @module sessions/identity
 * Caller identity: a keyed hash (HMAC-SHA256) of the credential the caller presented. The raw credential is
 * never stored; the key makes the hash useless to anyone who reads the store without the key.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto'

/** The identity of callers when the facade runs without inbound auth. */
export const ANONYMOUS = 'anonymous'

/** Hashes credentials into identities. */
export class IdentityHasher {
  readonly #key: Buffer
  /** @param secret shared by all replicas; random per process when absent */
  constructor(secret?: string) {
    this.#key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32)
  }
  /** Identity for a presented credential (`undefined` → anonymous). */
  identify(credential: string | undefined): string {
    if (credential === undefined) return ANONYMOUS
    return 'id_' + createHmac('sha256', this.#key).update(credential, 'utf8').digest('base64url')
  }
  /** A keyed digest of arbitrary values (used to key pools by forwarded header values). */
  digest(value: string): string {
    return createHmac('sha256', this.#key).update(value, 'utf8').digest('base64url').slice(0, 22)
  }
}

/** A new caller session id: 192 random bits, URL-safe. */
export function newSessionId(): string {
  return 'ses_' + randomBytes(24).toString('base64url')
}

/** Store key of a session id: a hash, so a store dump does not reveal usable ids. */
export function storeKeyOf(sessionId: string): string {
  return 'mrf:session:' + createHash('sha256').update(sessionId, 'utf8').digest('base64url')
}
