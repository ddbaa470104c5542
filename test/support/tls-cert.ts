/**
 * @module test/support/tls-cert
 * A throw-away self-signed certificate for 127.0.0.1, made with the `openssl` CLI (as test/ops/start.test.ts
 * does), for TLS and HTTP/2 fixture vendors. The certificate is its own CA: a client trusts it through
 * `servers.<name>.tls.caFile` (or the pool's `ca`).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A key, its certificate (PEM), the certificate's file, and a cleanup that removes the files. */
export interface TestCert {
  key: string
  cert: string
  certFile: string
  remove(): void
}

/** Makes a P-256 certificate for `127.0.0.1` (CN and IP subjectAltName), valid for a day. */
export function makeTestCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'facade-tls-'))
  const keyFile = join(dir, 'key.pem')
  const certFile = join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
    { stdio: 'ignore' },
  )
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
