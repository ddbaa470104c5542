/**
 * Delegation toward the vendor against a real issuer of our own and a vendor that admits only tokens issued for its
 * own audience (`api://vendor`): the shape of Entra's On-Behalf-Of and RFC 8693 requests, the cache (one exchange per
 * user and inbound token, single flight, re-exchange after expiry and after a vendor 401), each refusal kind as its
 * problem, a token endpoint that is down, client authentication by secret, private-key JWT and a workload-identity
 * file, and no secret or token in bodies or debug logs.
 */
import { execFileSync } from 'node:child_process'
import { X509Certificate, createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT, decodeProtectedHeader, exportJWK, exportPKCS8, generateKeyPair } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTokenIssuer, type TokenIssuer } from '../fixtures/token-issuer.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'
import { expectNoSecrets, recorder } from '../credentials/helpers.js'

const SECRET = 'facade-client-secret-0123456789'
const OBO = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

/** A vendor that admits only unexpired tokens the issuer issued for `api://vendor`, and can reject the next one. */
async function audienceVendor(issuer: TokenIssuer) {
  const control = { rejectNext: 0 }
  const vendor = await startSessionfulVendor({
    requireBearer: (token) => {
      if (control.rejectNext > 0) {
        control.rejectNext--
        return false
      }
      return issuer.issuedFor(token) === 'api://vendor'
    },
  })
  return { vendor, control }
}

const jwtAuth = (issuer: TokenIssuer) => ({ mode: 'jwt', issuer: issuer.issuer, audience: 'api://facade', identityClaims: ['tid', 'oid'] })

describe('on-behalf-of delegation', () => {
  let issuer: TokenIssuer
  let vendor: SessionfulVendor
  let control: { rejectNext: number }
  let facade: TestFacade
  let rec: ReturnType<typeof recorder>
  const as = (token: string, extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${token}`, ...extra })
  const obo = () => issuer.requests().filter((r) => r.grantType === OBO)

  beforeAll(async () => {
    issuer = await startTokenIssuer({ client: { clientId: 'facade-app', clientSecret: SECRET } })
    ;({ vendor, control } = await audienceVendor(issuer))
    facade = await startTestFacade({
      default: {
        url: vendor.url,
        auth: jwtAuth(issuer),
        oauth: { tokenUrl: issuer.tokenUrl, clientId: 'facade-app', clientSecret: SECRET, scope: 'api://vendor/.default', delegation: { grant: 'on_behalf_of' } },
      },
    })
    rec = recorder(facade)
  })
  afterEach(() => {
    issuer.delayMs = 0
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
    await issuer?.close()
  })

  it('loads the catalog with the facade\'s own client credentials and calls the vendor with an OBO token', async () => {
    expect(issuer.requests().filter((r) => r.grantType === 'client_credentials').length).toBeGreaterThanOrEqual(1)
    const user = await issuer.sign({ oid: 'user-obo' })
    const res = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(user) })
    expect(res.status).toBe(200)
    const exchange = obo().at(-1)!
    expect(exchange.fields).toMatchObject({ grant_type: OBO, requested_token_use: 'on_behalf_of', assertion: user, scope: 'api://vendor/.default', client_id: 'facade-app', client_secret: SECRET })
    expect(exchange.clientAuth).toBe('post')
    // The vendor received the token issued for it, never the caller's own.
    const seen = vendor.seenAuthorizations().map((s) => s.authorization)
    expect(seen).not.toContain(`Bearer ${user}`)
    expect(issuer.issuedFor(res.json.data.authorization.replace(/^Bearer /, ''))).toBe('api://vendor')
  })

  it('exchanges once per user and inbound token, and once for ten concurrent first calls', async () => {
    const user = await issuer.sign({ oid: 'user-cache' })
    const before = obo().length
    for (let i = 0; i < 5; i++) expect((await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: as(user) })).status).toBe(200)
    expect(obo().length).toBe(before + 1)
    issuer.delayMs = 150
    const other = await issuer.sign({ oid: 'user-burst' })
    const burst = await Promise.all(Array.from({ length: 10 }, () => rec.call('/tools/echo', { method: 'POST', json: { message: 'y' }, headers: as(other) })))
    expect(burst.map((r) => r.status)).toEqual(Array(10).fill(200))
    expect(obo().length).toBe(before + 2)
  })

  it('exchanges the refreshed token once and keeps the caller session', async () => {
    const v1 = await issuer.sign({ oid: 'user-refresh' })
    const opened = await rec.call('/sessions', { method: 'POST', headers: as(v1) })
    expect(opened.status).toBe(201)
    const id = opened.json.sessionId as string
    await rec.call('/tools/counter_increment', { method: 'POST', json: {}, headers: as(v1, { 'X-Session-Id': id }) })
    const before = obo().length
    const v2 = await issuer.sign({ oid: 'user-refresh' })
    const res = await rec.call('/tools/counter_increment', { method: 'POST', json: {}, headers: as(v2, { 'X-Session-Id': id }) })
    expect(res.json.data.value).toBe(2)
    expect(obo().length).toBe(before + 1)
    expect(obo().at(-1)!.fields.assertion).toBe(v2)
  })

  it('exchanges again once when the vendor answers 401 to a cached token', async () => {
    const user = await issuer.sign({ oid: 'user-401' })
    await rec.call('/tools/echo', { method: 'POST', json: { message: 'a' }, headers: as(user) })
    const before = obo().length
    control.rejectNext = 1
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'b' }, headers: as(user) })
    expect(res.status).toBe(200)
    expect(obo().length).toBe(before + 1)
  })

  const refusals: Array<[string, Parameters<TokenIssuer['refuse']>[0], number, string, Record<string, unknown>]> = [
    ['invalid_grant (the assertion failed)', { error: 'invalid_grant', error_description: 'AADSTS50013: secret-looking text' }, 401, 'delegation_failed', { idpError: 'invalid_grant' }],
    ['consent missing', { error: 'invalid_grant', error_description: 'AADSTS65001', suberror: 'consent_required' }, 401, 'delegation_failed', { idpError: 'invalid_grant', idpSuberror: 'consent_required' }],
    ['a refused client', { error: 'unauthorized_client' }, 403, 'delegation_failed', { idpError: 'unauthorized_client' }],
    ['interaction_required with a claims challenge', { error: 'interaction_required', claims: '{"access_token":{"polids":{"essential":true}}}' }, 401, 'insufficient_claims', { idpError: 'interaction_required' }],
  ]

  it.each(refusals)('answers a refusal: %s', async (_label, refusal, status, code, extensions) => {
    issuer.refuse(refusal)
    const user = await issuer.sign({ oid: `user-refused-${code}-${status}-${refusal.suberror ?? ''}` })
    const before = vendor.requests().length
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: as(user) })
    expect(res.status).toBe(status)
    expect(res.json).toMatchObject({ code, ...extensions })
    // The provider's description may echo what it received: never passed on.
    expect(res.text).not.toContain('AADSTS')
    expect(vendor.requests().length).toBe(before)
    if (code === 'insufficient_claims') expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="mcp-rest-facade", error="insufficient_claims", claims="{\\"access_token\\":{\\"polids\\":{\\"essential\\":true}}}"`)
  })

  it('answers 503 idp_unavailable with Retry-After when the token endpoint is down, and recovers', async () => {
    issuer.failUnavailable(1)
    const user = await issuer.sign({ oid: 'user-idp-down' })
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: as(user) })
    expect(res.status).toBe(503)
    expect(res.json.code).toBe('idp_unavailable')
    expect(res.headers.get('retry-after')).toBeTruthy()
    expect((await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: as(user) })).status).toBe(200)
  })

  it('counts exchanges by grant and outcome in /metrics (cache hits are not exchanges)', async () => {
    const metrics = await (await facade.call('/metrics')).text()
    const ok = Number(/mcp_facade_token_exchanges_total\{server="default",grant="on_behalf_of",outcome="ok"\} (\d+)/.exec(metrics)?.[1])
    // Four refusals and one 503 were not "ok".
    expect(ok).toBe(obo().length - 5)
    expect(metrics).toMatch(/mcp_facade_token_exchanges_total\{server="default",grant="on_behalf_of",outcome="insufficient_claims"\} 1/)
  })

  it('never writes the client secret, a caller token or an issued token into a body or a debug log', async () => {
    const tokens = issuer.requests().flatMap((r) => [r.fields.assertion, r.fields.subject_token]).filter((t): t is string => !!t)
    const issued = vendor.seenAuthorizations().map((s) => s.authorization?.replace(/^Bearer /, '')).filter((t): t is string => !!t)
    expect(tokens.length).toBeGreaterThan(3)
    expect(issued.length).toBeGreaterThan(3)
    expectNoSecrets(facade.logs, [SECRET, ...tokens, ...issued], 'debug logs')
    // whoami's body is the vendor echoing what it received (the delegated token): bodies are checked for the rest.
    expectNoSecrets(rec.bodies, [SECRET, ...tokens], 'bodies')
  })
})

describe('other delegations and client authentications', () => {
  let issuer: TokenIssuer
  let vendor: SessionfulVendor
  let dir: string
  const federation = generateKeyPair('RS256', { extractable: true })

  beforeAll(async () => {
    const { publicKey } = await federation
    issuer = await startTokenIssuer({ client: { clientId: 'facade-app', clientSecret: SECRET, publicJwk: { ...(await exportJWK(publicKey)), alg: 'RS256' }, assertionIssuer: 'https://federation.example' } })
    ;({ vendor } = await audienceVendor(issuer))
    dir = mkdtempSync(join(tmpdir(), 'mrf-wif-'))
  })
  afterAll(async () => {
    await vendor?.close()
    await issuer?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const callAs = async (facade: TestFacade, oid: string) =>
    facade.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { Authorization: `Bearer ${await issuer.sign({ oid })}` } })

  it('RFC 8693: sends subject_token, its type and the audience; checks issued_token_type', async () => {
    const facade = await startTestFacade({
      default: {
        url: vendor.url,
        auth: jwtAuth(issuer),
        oauth: { tokenUrl: issuer.tokenUrl, clientId: 'facade-app', clientSecret: SECRET, scope: 'api://vendor/.default', delegation: { grant: 'token_exchange', audience: 'api://vendor' } },
      },
    })
    try {
      const res = await callAs(facade, 'user-8693')
      expect(res.status).toBe(200)
      const exchange = issuer.requests().filter((r) => r.grantType === 'urn:ietf:params:oauth:grant-type:token-exchange').at(-1)!
      expect(exchange.fields).toMatchObject({ subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', audience: 'api://vendor' })
      expect(exchange.clientAuth).toBe('basic')
    } finally {
      await facade.close()
    }
    // Asking for a JWT while the endpoint issues an access token: the issued type is checked, the answer refused.
    const strict = await startTestFacade({
      default: {
        url: vendor.url,
        auth: jwtAuth(issuer),
        oauth: {
          tokenUrl: issuer.tokenUrl,
          clientId: 'facade-app',
          clientSecret: SECRET,
          scope: 'api://vendor/.default',
          delegation: { grant: 'token_exchange', audience: 'api://vendor', requestedTokenType: 'urn:ietf:params:oauth:token-type:jwt' },
        },
      },
    })
    try {
      const res = await callAs(strict, 'user-8693-strict')
      expect(res.status).toBe(502)
      expect(((await res.json()) as { code: string }).code).toBe('idp_unavailable')
    } finally {
      await strict.close()
    }
  })

  it('authenticates with a workload identity file the platform rotates (re-read at each exchange)', async () => {
    const { privateKey } = await federation
    const file = join(dir, 'azure-identity-token')
    const writeAssertion = async () =>
      writeFileSync(
        file,
        await new SignJWT({ jti: crypto.randomUUID() }).setProtectedHeader({ alg: 'RS256' }).setIssuer('https://federation.example').setSubject('system:serviceaccount:facade').setAudience(issuer.tokenUrl).setExpirationTime('10m').sign(privateKey),
      )
    await writeAssertion()
    const facade = await startTestFacade({
      default: {
        url: vendor.url,
        auth: jwtAuth(issuer),
        oauth: { tokenUrl: issuer.tokenUrl, clientId: 'facade-app', clientAssertionFile: file, scope: 'api://vendor/.default', delegation: { grant: 'on_behalf_of' } },
      },
    })
    try {
      expect((await callAs(facade, 'user-wif-1')).status).toBe(200)
      const first = issuer.requests().at(-1)!
      expect(first.clientAuth).toBe('private_key_jwt')
      await writeAssertion()
      expect((await callAs(facade, 'user-wif-2')).status).toBe(200)
      expect(issuer.requests().at(-1)!.fields.client_assertion).not.toBe(first.fields.client_assertion)
    } finally {
      await facade.close()
    }
  })

  it('authenticates with a private-key JWT (RFC 7523) whose audience is the token endpoint', async () => {
    const { privateKey } = await federation
    const facade = await startTestFacade({
      default: {
        url: vendor.url,
        auth: jwtAuth(issuer),
        oauth: { tokenUrl: issuer.tokenUrl, clientId: 'https://federation.example', privateKey: await exportPKCS8(privateKey), scope: 'api://vendor/.default', delegation: { grant: 'on_behalf_of' } },
      },
    })
    try {
      // The issuer knows this key under client id facade-app with issuer https://federation.example: the assertion
      // is signed with iss = sub = the configured client id.
      expect((await callAs(facade, 'user-pkjwt')).status).toBe(200)
      expect(issuer.requests().at(-1)!.clientAuth).toBe('private_key_jwt')
    } finally {
      await facade.close()
    }
  })

  it('names its certificate (x5t, x5t#S256) in private-key JWT assertions, as Entra ID requires for certificate credentials', async () => {
    const { privateKey } = await federation
    const pem = await exportPKCS8(privateKey)
    writeFileSync(join(dir, 'key.pem'), pem)
    execFileSync('openssl', ['req', '-x509', '-key', join(dir, 'key.pem'), '-subj', '/CN=mcp-rest-facade', '-days', '1', '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
    const certificate = readFileSync(join(dir, 'cert.pem'), 'utf8')
    const der = new X509Certificate(certificate).raw
    const facade = await startTestFacade({
      default: {
        url: vendor.url,
        auth: jwtAuth(issuer),
        oauth: { tokenUrl: issuer.tokenUrl, clientId: 'https://federation.example', privateKey: pem, certificate, scope: 'api://vendor/.default', delegation: { grant: 'on_behalf_of' } },
      },
    })
    try {
      expect((await callAs(facade, 'user-certificate')).status).toBe(200)
      // The catalog's client credentials and the user's on-behalf-of exchange: both assertions name the certificate.
      const assertions = issuer.requests().slice(-2).map((r) => decodeProtectedHeader(r.fields.client_assertion!))
      expect(issuer.requests().slice(-2).map((r) => r.grantType)).toEqual(['client_credentials', OBO])
      for (const header of assertions) {
        expect(header.x5t).toBe(createHash('sha1').update(der).digest('base64url'))
        expect(header['x5t#S256']).toBe(createHash('sha256').update(der).digest('base64url'))
      }
    } finally {
      await facade.close()
    }
  })

  it('re-exchanges after the delegated token expires (minus the skew)', async () => {
    const short = await startTokenIssuer({ client: { clientId: 'facade-app', clientSecret: SECRET }, issuedTtlSeconds: 2 })
    const { vendor: v } = await audienceVendor(short)
    const facade = await startTestFacade({
      default: {
        url: v.url,
        auth: jwtAuth(short),
        oauth: { tokenUrl: short.tokenUrl, clientId: 'facade-app', clientSecret: SECRET, scope: 'api://vendor/.default', refreshSkewSeconds: 0, delegation: { grant: 'on_behalf_of' } },
      },
    })
    try {
      const user = await short.sign({ oid: 'user-expiry' })
      const call = () => facade.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { Authorization: `Bearer ${user}` } })
      const count = () => short.requests().filter((r) => r.grantType === OBO).length
      expect((await call()).status).toBe(200)
      expect((await call()).status).toBe(200)
      expect(count()).toBe(1)
      await new Promise((r) => setTimeout(r, 2100))
      expect((await call()).status).toBe(200)
      expect(count()).toBe(2)
    } finally {
      await facade.close()
      await v.close()
      await short.close()
    }
  })

  it('answers 503 idp_unavailable when the token endpoint cannot be reached', async () => {
    const facade = await startTestFacade({
      default: {
        url: vendor.url,
        auth: jwtAuth(issuer),
        oauth: { tokenUrl: 'http://127.0.0.1:9/token', clientId: 'facade-app', clientSecret: SECRET, scope: 'api://vendor/.default', delegation: { grant: 'on_behalf_of', catalog: 'caller' } },
      },
    })
    try {
      const res = await callAs(facade, 'user-unreachable')
      expect(res.status).toBe(503)
      expect(((await res.json()) as { code: string }).code).toBe('idp_unavailable')
    } finally {
      await facade.close()
    }
  })
})
