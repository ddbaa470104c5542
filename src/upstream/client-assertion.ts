/**
 * @module upstream/client-assertion
 * RFC 7523 §2.2 client assertions signed with the facade's private key: `iss` = `sub` = the client id, `aud` = the
 * token endpoint, a unique `jti`, five minutes of life. With the key's X.509 certificate configured, the header also
 * names it (`x5t`, `x5t#S256`), which Microsoft Entra ID requires for certificate credentials. Shared by the
 * facade's own token requests (catalog) and delegated ones.
 */
import { X509Certificate, createHash, randomUUID } from 'node:crypto'
import { readFile } from 'node:fs'
import { promisify } from 'node:util'
import { SignJWT, importPKCS8, type CryptoKey } from 'jose'
import { UpstreamError } from './errors.js'

/** What signs a client assertion. */
export interface AssertionKey {
  clientId: string
  /** PKCS#8 PEM. */
  privateKey: string
  algorithm: string
  /** PEM of the certificate whose key `privateKey` is: its thumbprints go into the header. */
  certificate?: string
}

const importedKeys = new Map<string, Promise<CryptoKey>>()
const thumbprints = new Map<string, { x5t: string; 'x5t#S256': string }>()

/** Signs an assertion for one token request to `tokenUrl`. */
export async function signClientAssertion(key: AssertionKey, tokenUrl: string): Promise<string> {
  const cacheKey = `${key.algorithm}\n${key.privateKey}`
  let imported = importedKeys.get(cacheKey)
  if (!imported) importedKeys.set(cacheKey, (imported = importPKCS8(key.privateKey, key.algorithm)))
  return new SignJWT({})
    .setProtectedHeader({ alg: key.algorithm, typ: 'JWT', ...(key.certificate ? thumbprintsOf(key.certificate) : {}) })
    .setIssuer(key.clientId)
    .setSubject(key.clientId)
    .setAudience(tokenUrl)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(await imported)
}

/** The certificate's SHA-1 and SHA-256 thumbprints of its DER form, base64url (RFC 7515 §4.1.7–8). */
export function thumbprintsOf(pem: string): { x5t: string; 'x5t#S256': string } {
  let known = thumbprints.get(pem)
  if (!known) {
    const der = new X509Certificate(pem).raw
    known = { x5t: createHash('sha1').update(der).digest('base64url'), 'x5t#S256': createHash('sha256').update(der).digest('base64url') }
    thumbprints.set(pem, known)
  }
  return known
}

/** `node:fs/promises` would load its own modules (readline's among them) at every start for a rarely used path. */
const readFileAsync = promisify(readFile)

/**
 * A platform-issued JWT from its file, read on every token request: the platform rewrites the file before the old
 * assertion expires, and token requests are rare (their results are cached).
 * @throws UpstreamError `UNAVAILABLE` when the file cannot be read (a mount not ready yet is not a refusal)
 */
export async function readAssertionFile(path: string): Promise<string> {
  let text: string
  try {
    text = (await readFileAsync(path, 'utf8')).trim()
  } catch (error) {
    throw new UpstreamError('UNAVAILABLE', `the workload identity token file cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  if (!text) throw new UpstreamError('UNAVAILABLE', 'the workload identity token file is empty')
  return text
}
