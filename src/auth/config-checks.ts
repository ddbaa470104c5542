/**
 * @module auth/config-checks
 * Credential checks that need more than the schema can express (parsing a private key), run by the CLI before
 * anything starts. Messages name the config path and never echo a secret.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto'
import { accessSync, constants } from 'node:fs'
import type { ServerConfig } from '../config/schema.js'
import { forwardRuleProblems } from './outbound.js'

/** Key types each JWS algorithm family signs with. */
const KEY_TYPE: Record<string, string[]> = { RS: ['rsa'], PS: ['rsa', 'rsa-pss'], ES: ['ec'] }

/**
 * Problems with one server's credential settings, each prefixed with its config path.
 * @example credentialConfigProblems('crm', server) // ['servers.crm.oauth.privateKey: not a valid PEM private key']
 */
export function credentialConfigProblems(name: string, server: ServerConfig): string[] {
  const problems = forwardRuleProblems(server).map((p) => `servers.${name}.${p}`)
  const key = server.oauth?.privateKey
  if (key !== undefined) problems.push(...privateKeyProblems(`servers.${name}.oauth.privateKey`, key, server.oauth!.algorithm))
  const certificate = server.oauth?.certificate
  if (certificate !== undefined && key !== undefined) problems.push(...certificateProblems(`servers.${name}.oauth.certificate`, certificate, key))
  const assertionFile = server.oauth?.clientAssertionFile
  // The platform mounts the file before the container starts: a missing one is a deployment mistake to name now,
  // not a token request failure to discover on the first call.
  if (assertionFile !== undefined && !readableFile(assertionFile))
    problems.push(`servers.${name}.oauth.clientAssertionFile: cannot read the workload identity token file (check the volume mount and AZURE_FEDERATED_TOKEN_FILE)`)
  return problems
}

function privateKeyProblems(path: string, key: string, algorithm: string): string[] {
  // The SDK's signer imports string keys with jose's importPKCS8, which refuses PKCS#1 ("BEGIN RSA PRIVATE KEY").
  if (!key.includes('-----BEGIN PRIVATE KEY-----'))
    return [`${path}: must be a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----); convert with openssl pkcs8 -topk8 -nocrypt`]
  try {
    const type = createPrivateKey(key).asymmetricKeyType ?? 'unknown'
    const expected = KEY_TYPE[algorithm.slice(0, 2)] ?? []
    return expected.includes(type) ? [] : [`${path}: a ${type} key cannot sign ${algorithm}`]
  } catch {
    // Node's parse errors hold no key material, but say nothing about the value anyway.
    return [`${path}: not a valid PEM private key`]
  }
}

function readableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK)
    return true
  } catch {
    return false
  }
}

/** The certificate must parse and certify `privateKey` (else Entra ID matches no credential and says only "invalid_client"). */
function certificateProblems(path: string, pem: string, key: string): string[] {
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(pem)
  } catch {
    return [`${path}: not a valid PEM certificate`]
  }
  try {
    const spki = (k: { export(o: { type: 'spki'; format: 'der' }): Buffer }) => k.export({ type: 'spki', format: 'der' })
    return spki(certificate.publicKey).equals(spki(createPublicKey(createPrivateKey(key)))) ? [] : [`${path}: does not certify the key in oauth.privateKey`]
  } catch {
    return []
  }
}
