/**
 * OAuth 2.0 client credentials toward the vendor, against a real local token endpoint: `client_secret_basic` and
 * `private_key_jwt` (pinned token URL and RFC 9728 discovery), one cached token per server shared by every
 * connection, refresh before expiry, and the vendor's 401 after a refresh attempt → 401 `vendor_unauthorized`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { credentialConfigProblems } from '../../src/auth/config-checks.js'
import { ServerConfigSchema } from '../../src/config/schema.js'
import { UpstreamError } from '../../src/upstream/errors.js'
import { OAuthTokenSource, type OAuthClientSettings } from '../../src/upstream/oauth.js'
import { generateClientKeyPair, startOAuthTokenServer, type OAuthTokenServer } from '../fixtures/oauth-server.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'
import { expectNoSecrets, recorder } from './helpers.js'
import { closedPort } from '../support/ports.js'

const SECRET = 'svc-client-secret-0f9e8d7c6b'
const rsa = generateClientKeyPair('RS256')
const ec = generateClientKeyPair('ES256')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A vendor that accepts only tokens the (current) token server issued and still considers valid, counting rejections. */
async function protectedVendor(current: () => OAuthTokenServer) {
  // A getter, so a token server restarted on the same port (same issuer) is honoured too.
  const oauth = { url: current().url, isValid: (t: string) => current().isValid(t) }
  const state = { rejectAll: false, rejected: 0 }
  const vendor = await startSessionfulVendor({
    authorizationServerUrl: oauth.url,
    requireBearer: (t) => {
      const ok = !state.rejectAll && oauth.isValid(t)
      if (!ok) state.rejected++
      return ok
    },
  })
  return { vendor, state }
}

describe('client_secret_basic with a pinned token URL', () => {
  let oauth: OAuthTokenServer
  let vendor: SessionfulVendor
  let state: { rejectAll: boolean; rejected: number }
  let facade: TestFacade
  let rec: ReturnType<typeof recorder>

  beforeAll(async () => {
    oauth = await startOAuthTokenServer({ clients: [{ clientId: 'svc-basic', clientSecret: SECRET }], tokenTtlSeconds: 3600 })
    ;({ vendor, state } = await protectedVendor(() => oauth))
    facade = await startTestFacade({ default: { url: vendor.url, oauth: { tokenUrl: oauth.tokenEndpoint, clientId: 'svc-basic', clientSecret: SECRET, scope: 'mcp:tools' } } })
    rec = recorder(facade)
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
    await oauth?.close()
  })

  it('fetches one token with client_secret_basic and sends it from the very first request (no 401 round trip)', async () => {
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'hi' } })
    expect(res.status).toBe(200)
    const issued = oauth.issuedTokens()
    expect(issued).toHaveLength(1)
    expect(issued[0]).toMatchObject({ clientId: 'svc-basic', authMethod: 'client_secret_basic', scope: 'mcp:tools' })
    expect(state.rejected).toBe(0)
    expect(vendor.seenAuthorizations().length).toBeGreaterThan(0)
    expect(vendor.seenAuthorizations().every((r) => r.authorization === `Bearer ${issued[0]!.token}`)).toBe(true)
  })

  it('shares that one token across every connection of the server (catalog, pooled, caller sessions)', async () => {
    const sessions = await Promise.all([1, 2, 3].map(() => rec.call('/sessions', { method: 'POST' })))
    await Promise.all(sessions.map((s) => rec.call('/tools/counter_increment', { method: 'POST', json: {}, headers: { 'X-Session-Id': s.json.sessionId } })))
    expect(oauth.issuedTokens()).toHaveLength(1)
    const vendorSessions = new Set(vendor.seenAuthorizations().map((r) => r.sessionId).filter(Boolean))
    expect(vendorSessions.size).toBeGreaterThanOrEqual(5)
  })

  it("the vendor's 401 triggers one refresh; a 401 again is 401 vendor_unauthorized, not 502", async () => {
    const before = oauth.issuedTokens().length
    state.rejectAll = true
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' } })
    state.rejectAll = false
    expect(res.status).toBe(401)
    expect(res.json).toMatchObject({ code: 'vendor_unauthorized', status: 401 })
    expect(res.json.detail).toBeUndefined()
    expect(oauth.issuedTokens().length).toBe(before + 1)
    // The refreshed token is used from now on.
    const ok = await rec.call('/tools/echo', { method: 'POST', json: { message: 'back' } })
    expect(ok.status).toBe(200)
    expect(oauth.issuedTokens().length).toBe(before + 1)
    const latest = oauth.issuedTokens().at(-1)!.token
    expect(vendor.seenAuthorizations().at(-1)!.authorization).toBe(`Bearer ${latest}`)
  })

  it('a revoked token is replaced transparently (the retry after the 401 succeeds)', async () => {
    const before = oauth.issuedTokens().length
    oauth.revokeAll()
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'after revoke' } })
    expect(res.status).toBe(200)
    expect(oauth.issuedTokens().length).toBe(before + 1)
  })

  it('never logs or returns the client secret or a token', () => {
    const secrets = [SECRET, ...oauth.issuedTokens().map((t) => t.token)]
    expectNoSecrets(facade.logs, secrets, 'logs')
    expectNoSecrets(rec.bodies, secrets, 'bodies')
  })
})

describe('private_key_jwt discovered through the vendor (RFC 9728) with short-lived tokens', () => {
  let oauth: OAuthTokenServer
  let vendor: SessionfulVendor
  let state: { rejectAll: boolean; rejected: number }
  let facade: TestFacade
  let rec: ReturnType<typeof recorder>

  beforeAll(async () => {
    oauth = await startOAuthTokenServer({ clients: [{ clientId: 'svc-jwt', publicKey: rsa.publicKeyPem }], tokenTtlSeconds: 1 })
    ;({ vendor, state } = await protectedVendor(() => oauth))
    // No tokenUrl, no issuer: the vendor's protected-resource metadata names the authorization server.
    facade = await startTestFacade({ default: { url: vendor.url, oauth: { clientId: 'svc-jwt', privateKey: rsa.privateKeyPem, algorithm: 'RS256' } } })
    rec = recorder(facade)
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
    await oauth?.close()
  })

  it('authenticates with a signed assertion and asks for the vendor as the resource', async () => {
    expect((await rec.call('/tools/echo', { method: 'POST', json: { message: 'jwt' } })).status).toBe(200)
    const [first] = oauth.issuedTokens()
    expect(first).toMatchObject({ clientId: 'svc-jwt', authMethod: 'private_key_jwt', resource: vendor.url })
    expect(oauth.rejectedRequests()).toEqual([])
  })

  it('refreshes before expiry, so the vendor never sees an expired token', async () => {
    const start = oauth.issuedTokens().length
    // Skew 30 s is capped at half the 1 s lifetime: a token is reused for 0.5 s, then refreshed.
    expect((await rec.call('/tools/echo', { method: 'POST', json: { message: 'a' } })).status).toBe(200)
    await sleep(600)
    expect((await rec.call('/tools/echo', { method: 'POST', json: { message: 'b' } })).status).toBe(200)
    expect(oauth.issuedTokens().length).toBeGreaterThan(start)
    // Idle past the whole lifetime: the next call waits for a fresh token instead of sending the dead one.
    await sleep(1100)
    const before = oauth.issuedTokens().length
    expect((await rec.call('/tools/echo', { method: 'POST', json: { message: 'c' } })).status).toBe(200)
    expect(oauth.issuedTokens().length).toBe(before + 1)
    expect(state.rejected).toBe(0)
    // Every assertion was fresh (the server refuses a reused jti).
    expect(oauth.rejectedRequests()).toEqual([])
  })

  it('when the token endpoint is gone and the token expired, a call is 502 vendor_unavailable (then recovers)', async () => {
    const port = Number(new URL(oauth.url).port)
    await oauth.close()
    await sleep(1100)
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'down' } })
    expect(res.status).toBe(502)
    expect(res.json.code).toBe('vendor_unavailable')
    expect(res.json.detail).toContain('authorization server unreachable')
    // Same issuer back on the same port (same key registration): the facade recovers on its own.
    oauth = await startOAuthTokenServer({ clients: [{ clientId: 'svc-jwt', publicKey: rsa.publicKeyPem }], tokenTtlSeconds: 1, port })
    const ok = await rec.call('/tools/echo', { method: 'POST', json: { message: 'up' } })
    expect(ok.status).toBe(200)
    expect(state.rejected).toBe(0)
  })

  it('never logs the private key or a token', () => {
    const secrets = [rsa.privateKeyPem.split('\n')[1]!, ...oauth.issuedTokens().map((t) => t.token)]
    expectNoSecrets(facade.logs, secrets, 'logs')
    expectNoSecrets(rec.bodies, secrets, 'bodies')
  })
})

describe('a facade whose own client credentials are refused', () => {
  it('stays not ready, says why without the secret, and its 503s hold no credential', async () => {
    const oauth = await startOAuthTokenServer({ clients: [{ clientId: 'svc-basic', clientSecret: SECRET }] })
    const { vendor } = await protectedVendor(() => oauth)
    const wrong = 'wrong-client-secret-abcdef12'
    const facade = await startTestFacade({ default: { url: vendor.url, oauth: { tokenUrl: oauth.tokenEndpoint, clientId: 'svc-basic', clientSecret: wrong } } })
    try {
      const rec = recorder(facade)
      const ready = await rec.call('/readyz')
      expect(ready.status).toBe(503)
      expect(ready.text).toContain('invalid_client')
      const tools = await rec.call('/tools')
      expect(tools.status).toBe(503)
      expect(tools.json.code).toBe('not_ready')
      expect(tools.json.detail).toContain("authorization server refused the facade's client credentials (invalid_client)")
      // The vendor was never called at all (no token, no request), so it never saw a credential it could log.
      // Listing the Authorization values makes a failure show what reached it.
      expect(vendor.requests().map((r) => r.authorization)).toEqual([])
      expectNoSecrets(facade.logs, [wrong, SECRET], 'logs')
      expectNoSecrets(rec.bodies, [wrong, SECRET], 'bodies')
    } finally {
      await facade.close()
      await vendor.close()
      await oauth.close()
    }
  })
})

describe('OAuthTokenSource (the SDK providers behind a shared cache)', () => {
  let oauth: OAuthTokenServer
  const base: OAuthClientSettings = { tokenUrl: '', clientId: 'svc-basic', clientSecret: SECRET, algorithm: 'RS256', refreshSkewSeconds: 30 }

  beforeAll(async () => {
    oauth = await startOAuthTokenServer({
      clients: [{ clientId: 'svc-basic', clientSecret: SECRET }, { clientId: 'svc-ec', publicKey: ec.publicKeyPem }],
      tokenTtlSeconds: 100,
    })
    base.tokenUrl = oauth.tokenEndpoint
  })
  afterAll(async () => {
    await oauth?.close()
  })

  it('caches until expires_in minus the skew, single-flights concurrent refreshes', async () => {
    let now = 1_000_000
    const source = new OAuthTokenSource({ oauth: base, vendorUrl: 'http://127.0.0.1:1/mcp', now: () => now })
    const tokens = await Promise.all(Array.from({ length: 10 }, () => source.token()))
    expect(new Set(tokens).size).toBe(1)
    expect(source.tokenRequests).toBe(1)
    now += 69_000
    expect(await source.token()).toBe(tokens[0])
    now += 2_000 // 71 s of 100: inside the 30 s skew window
    const refreshed = await source.token()
    expect(refreshed).not.toBe(tokens[0])
    expect(source.tokenRequests).toBe(2)
  })

  it('a 401 invalidates only the token that was rejected', async () => {
    const source = new OAuthTokenSource({ oauth: base, vendorUrl: 'http://127.0.0.1:1/mcp' })
    const first = await source.token()
    source.invalidate('some-older-token')
    expect(await source.token()).toBe(first)
    source.invalidate(first)
    const second = await source.token()
    expect(second).not.toBe(first)
    expect(source.tokenRequests).toBe(2)
  })

  it('private_key_jwt with ES256 and a pinned token URL (the assertion audience is the token endpoint)', async () => {
    const source = new OAuthTokenSource({
      oauth: { tokenUrl: oauth.tokenEndpoint, clientId: 'svc-ec', privateKey: ec.privateKeyPem, algorithm: 'ES256', refreshSkewSeconds: 30 },
      vendorUrl: 'http://127.0.0.1:1/mcp',
    })
    const token = await source.token()
    expect(oauth.isValid(token)).toBe(true)
    expect(oauth.issuedTokens().at(-1)).toMatchObject({ clientId: 'svc-ec', authMethod: 'private_key_jwt' })
  })

  it('a refused client is UNAUTHORIZED with the OAuth error code only; an unreachable server is UNAVAILABLE', async () => {
    const logs: string[] = []
    const log = { debug() {}, info() {}, warn: (m: string, f?: Record<string, unknown>) => logs.push(JSON.stringify({ m, ...f })), error() {} }
    const wrong = new OAuthTokenSource({ oauth: { ...base, clientSecret: 'not-the-secret-1234567' }, vendorUrl: 'http://127.0.0.1:1/mcp', log, server: 's' })
    const refused = await wrong.token().catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(UpstreamError)
    expect(refused).toMatchObject({ code: 'UNAUTHORIZED', message: "authorization server refused the facade's client credentials (invalid_client)" })
    // Refusals are remembered for a while: no request storm against the authorization server.
    await expect(wrong.token()).rejects.toBe(refused)
    expect(wrong.tokenRequests).toBe(1)
    const down = new OAuthTokenSource({ oauth: { ...base, tokenUrl: `http://127.0.0.1:${await closedPort()}/token` }, vendorUrl: 'http://127.0.0.1:1/mcp' })
    await expect(down.token()).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expectNoSecrets(logs, ['not-the-secret-1234567', SECRET], 'token source logs')
    expect(logs.join('\n')).toContain('invalid_client')
  })

  it('keeps serving a still-valid token when a refresh fails, and stops at expiry', async () => {
    const flaky = await startOAuthTokenServer({ clients: [{ clientId: 'svc-basic', clientSecret: SECRET }], tokenTtlSeconds: 100 })
    let now = 5_000_000
    const source = new OAuthTokenSource({ oauth: { ...base, tokenUrl: flaky.tokenEndpoint }, vendorUrl: 'http://127.0.0.1:1/mcp', now: () => now })
    const token = await source.token()
    await flaky.close()
    now += 80_000 // refresh due, server gone
    expect(await source.token()).toBe(token)
    const attempts = source.tokenRequests
    expect(await source.token()).toBe(token) // within the retry delay: no new attempt
    expect(source.tokenRequests).toBe(attempts)
    now += 21_000 // past expiry
    await expect(source.token()).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })
})

describe('outbound oauth config', () => {
  const server = (oauth: Record<string, unknown>) => ServerConfigSchema.safeParse({ url: 'http://127.0.0.1:1/mcp', oauth })

  it('needs exactly one of clientSecret or privateKey, a known algorithm, and a parseable PKCS#8 key', () => {
    expect(server({ clientId: 'c' }).success).toBe(false)
    expect(server({ clientId: 'c', clientSecret: 's', privateKey: rsa.privateKeyPem }).success).toBe(false)
    expect(server({ clientId: 'c', privateKey: rsa.privateKeyPem, algorithm: 'HS256' }).success).toBe(false)
    const escaped = server({ clientId: 'c', privateKey: ec.privateKeyPem.replace(/\n/g, '\\n'), algorithm: 'ES256' })
    expect(escaped.success).toBe(true)
    expect(credentialConfigProblems('x', escaped.data!)).toEqual([])
    const mismatch = server({ clientId: 'c', privateKey: ec.privateKeyPem, algorithm: 'RS256' })
    expect(credentialConfigProblems('x', mismatch.data!)).toEqual(['servers.x.oauth.privateKey: a ec key cannot sign RS256'])
    const garbage = server({ clientId: 'c', privateKey: '-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----' })
    expect(credentialConfigProblems('x', garbage.data!)).toEqual(['servers.x.oauth.privateKey: not a valid PEM private key'])
  })
})
