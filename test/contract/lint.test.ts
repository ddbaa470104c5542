/**
 * `/openapi.json` through a real linter: Redocly CLI with its `recommended` ruleset, at 0 errors, for the demo
 * vendor in apiKey mode, the awkward fixture without inbound auth (where root `security` is the empty
 * requirement), and behind validated tokens: with Entra ID sign-in and on-behalf-of delegation, and without a
 * described sign-in (OpenID Connect discovery).
 * The CLI runs as a child process on the served bytes written to a temporary file.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoVendor } from '../../src/demo/vendor.js'
import { startAwkwardVendor } from '../fixtures/awkward-vendor.js'
import { startTokenIssuer, type TokenIssuer } from '../fixtures/token-issuer.js'
import { startTestFacade } from '../support/facade.js'

const run = promisify(execFile)
const REDOCLY = join(import.meta.dirname, '../../node_modules/.bin/redocly')
const KEY = 'lint-test-key-0123456789'

interface Problem {
  ruleId: string
  severity: 'error' | 'warn'
  message: string
  location: { pointer: string }[]
}

/** Lints a document with `redocly lint --extends=recommended`; returns its findings. */
async function lint(file: string): Promise<Problem[]> {
  // redocly exits 1 when it finds errors; the JSON report is on stdout either way
  const out = await run(REDOCLY, ['lint', '--extends=recommended', '--format=json', file], { timeout: 60_000 }).catch((e: { stdout: string }) => e)
  return (JSON.parse(out.stdout) as { problems: Problem[] }).problems
}

describe('Redocly lint of /openapi.json (recommended ruleset)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mrf-lint-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  let issuer: TokenIssuer
  beforeAll(async () => {
    issuer = await startTokenIssuer({ client: { clientId: 'facade-app', clientSecret: 'lint-client-secret' } })
  })
  afterAll(() => issuer?.close())

  it.each([
    { name: 'demo (apiKey)', start: startDemoVendor, server: (): Record<string, unknown> => ({ auth: { mode: 'apiKey', keys: [KEY] } }) },
    { name: 'awkward (no auth)', start: startAwkwardVendor, server: (): Record<string, unknown> => ({}) },
    {
      // Two alternative schemes (bearer, oauth2) and the identity problem codes (invalid_token, delegation_failed, …).
      name: 'demo (jwt, Entra ID sign-in, on-behalf-of)',
      start: startDemoVendor,
      server: (): Record<string, unknown> => ({
        auth: { mode: 'jwt', issuer: issuer.issuer, audience: 'api://facade', oauth: { identityProvider: 'aad', clientId: 'connector-app', tenantId: 'contoso', scopes: { 'api://facade/access_as_user': 'Call the tools' } } },
        oauth: { tokenUrl: issuer.tokenUrl, clientId: 'facade-app', clientSecret: 'lint-client-secret', delegation: { grant: 'on_behalf_of' } },
      }),
    },
    {
      // Bearer or OpenID Connect discovery of the issuer.
      name: 'awkward (jwt, no described sign-in)',
      start: startAwkwardVendor,
      server: (): Record<string, unknown> => ({ auth: { mode: 'jwt', issuer: issuer.issuer, audience: 'api://facade' } }),
    },
  ])('$name: 0 errors', async ({ name, start, server }) => {
    const vendor = await start()
    const facade = await startTestFacade({ default: { url: vendor.url, ...server() } }, {}, 'warn')
    try {
      const file = join(dir, `${name.split(' ')[0]}.json`)
      writeFileSync(file, await (await facade.call('/openapi.json', { headers: { 'X-API-Key': KEY } })).text())
      const problems = await lint(file)
      const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)
      expect(errors).toEqual([])
      // the same document without its root security requirement fails: the linter really checks these bytes
      const served = JSON.parse(await (await facade.call('/openapi.json', { headers: { 'X-API-Key': KEY } })).text())
      delete served.security
      writeFileSync(file, JSON.stringify(served))
      expect((await lint(file)).filter((p) => p.severity === 'error').map((p) => p.ruleId)).toContain('security-defined')
    } finally {
      await facade.close()
      await vendor.close()
    }
  }, 90_000)
})
