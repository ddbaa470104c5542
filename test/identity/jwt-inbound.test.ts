/**
 * `auth.mode: "jwt"` against a real issuer of our own (JWKS, OpenID discovery) and a real vendor: every kind of bad
 * token is a 401 `invalid_token` naming the failed check, with `WWW-Authenticate: Bearer error="invalid_token"` and no
 * vendor request; the identity comes from `tid`+`oid`, so REST caller sessions, pooled vendor sessions and `/mcp`
 * conversations survive a refreshed token, while another user or the same `oid` in another tenant gets 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTokenIssuer, type TokenIssuer } from '../fixtures/token-issuer.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'
import { expectNoSecrets, recorder } from '../credentials/helpers.js'

describe('jwt inbound auth', () => {
  let issuer: TokenIssuer
  let vendor: SessionfulVendor
  let facade: TestFacade
  let rec: ReturnType<typeof recorder>
  const bearer = (token: string, extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${token}`, ...extra })

  beforeAll(async () => {
    issuer = await startTokenIssuer()
    vendor = await startSessionfulVendor()
    facade = await startTestFacade({
      default: {
        url: vendor.url,
        auth: {
          mode: 'jwt',
          // Entra ID v2 and v1 issuers of one tenant, and both audience forms (App ID URI and client id).
          issuer: [issuer.issuer, `${issuer.origin}/v1-tenant/`],
          audience: ['api://facade', '11111111-2222-3333-4444-555555555555'],
          algorithms: ['RS256'],
          identityClaims: ['tid', 'oid'],
          clockToleranceSeconds: 5,
        },
      },
    })
    rec = recorder(facade)
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
    await issuer?.close()
  })

  it('accepts a valid token and both audience forms, and discovers the keys from the issuer', async () => {
    const v2 = await rec.call('/tools/echo', { method: 'POST', json: { message: 'hi' }, headers: bearer(await issuer.sign()) })
    expect(v2.status).toBe(200)
    const guidAudience = await rec.call('/tools/echo', { method: 'POST', json: { message: 'hi' }, headers: bearer(await issuer.sign({ aud: '11111111-2222-3333-4444-555555555555' })) })
    expect(guidAudience.status).toBe(200)
    expect(issuer.jwksFetches()).toBe(1)
  })

  const badTokens: Array<[string, string, () => Promise<string>]> = [
    ['expired', 'expired', () => issuer.sign({}, { expiresInSeconds: -60 })],
    ['for another audience', 'audience', () => issuer.sign({ aud: 'api://someone-else' })],
    ['from another issuer', 'issuer', () => issuer.sign({}, { issuer: 'https://evil.example.com/v2.0' })],
    ['with a bad signature', 'signature', () => issuer.sign({}, { foreignKey: true })],
    ['with alg none', 'algorithm', () => issuer.sign({}, { alg: 'none' })],
    ['signed with HS256', 'algorithm', () => issuer.sign({}, { alg: 'HS256' })],
    ['signed with an algorithm not allowed (ES256)', 'algorithm', () => issuer.sign({}, { alg: 'ES256' })],
    ['not valid yet', 'not_yet_valid', () => issuer.sign({}, { notBeforeSeconds: 600 })],
    ['without the oid claim', 'claims', () => issuer.sign({ oid: undefined })],
    ['that is plain garbage', 'malformed', async () => 'not-a-jwt-at-all'],
  ]

  it.each(badTokens)('refuses a token %s with 401 invalid_token, names the check and never calls the vendor', async (_label, check, make) => {
    const token = await make()
    const before = vendor.requests().length
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: bearer(token) })
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(res.json).toMatchObject({ code: 'invalid_token', check })
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="mcp-rest-facade", error="invalid_token", error_description="[^"]+"$/)
    expect(vendor.requests().length).toBe(before)
    expectNoSecrets([res.text, ...facade.logs], [token], 'the answer and the logs')
  })

  it('asks for a token when none is sent (401 unauthorized, a bare Bearer challenge)', async () => {
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' } })
    expect(res.status).toBe(401)
    expect(res.json.code).toBe('unauthorized')
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mcp-rest-facade"')
  })

  it('accepts a token signed with a new key after a rotation (the key set is fetched again for an unknown kid)', async () => {
    await issuer.rotateKey()
    // Key-set fetches are at least a second apart (made-up kids cannot make the facade hammer the issuer).
    await new Promise((r) => setTimeout(r, 1100))
    const fetches = issuer.jwksFetches()
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'rotated' }, headers: bearer(await issuer.sign()) })
    expect(res.status).toBe(200)
    expect(issuer.jwksFetches()).toBe(fetches + 1)
  })

  it('keeps a caller session across a token refresh; another user and the same oid in another tenant get 404', async () => {
    const v1 = await issuer.sign({ oid: 'user-refresh' })
    const opened = await rec.call('/sessions', { method: 'POST', headers: bearer(v1) })
    expect(opened.status).toBe(201)
    const sessionId = opened.json.sessionId as string
    expect((await rec.call('/tools/counter_increment', { method: 'POST', json: {}, headers: bearer(v1, { 'X-Session-Id': sessionId }) })).status).toBe(200)
    // Power Platform refreshes the token: a new string, the same tid and oid.
    const v2 = await issuer.sign({ oid: 'user-refresh' })
    expect(v2).not.toBe(v1)
    const after = await rec.call('/tools/counter_increment', { method: 'POST', json: {}, headers: bearer(v2, { 'X-Session-Id': sessionId }) })
    expect(after.status).toBe(200)
    expect(after.json.data.value).toBe(2)
    const otherUser = await rec.call('/tools/counter_get', { method: 'POST', json: {}, headers: bearer(await issuer.sign({ oid: 'user-other' }), { 'X-Session-Id': sessionId }) })
    expect(otherUser.status).toBe(404)
    expect(otherUser.json.code).toBe('session_not_found')
    const otherTenant = await rec.call('/tools/counter_get', { method: 'POST', json: {}, headers: bearer(await issuer.sign({ oid: 'user-refresh', tid: 'tenant-2' }), { 'X-Session-Id': sessionId }) })
    expect(otherTenant.status).toBe(404)
  })

  it('keeps the pooled vendor session across a refresh (one initialize, state kept)', async () => {
    const first = await issuer.sign({ oid: 'user-pooled' })
    await rec.call('/tools/counter_increment', { method: 'POST', json: {}, headers: bearer(first) })
    const inits = vendor.initializeCount()
    const refreshed = await issuer.sign({ oid: 'user-pooled' })
    const res = await rec.call('/tools/counter_increment', { method: 'POST', json: {}, headers: bearer(refreshed) })
    expect(res.json.data.value).toBe(2)
    expect(vendor.initializeCount()).toBe(inits)
  })

  it('lets a job be polled with a refreshed token, and by nobody else', async () => {
    const started = await rec.call('/tools/slow', { method: 'POST', json: { ms: 300 }, headers: bearer(await issuer.sign({ oid: 'user-job' }), { Prefer: 'respond-async' }) })
    expect(started.status).toBe(202)
    const jobPath = new URL(started.headers.get('location')!).pathname
    const stranger = await rec.call(jobPath, { headers: bearer(await issuer.sign({ oid: 'user-stranger' })) })
    expect(stranger.status).toBe(404)
    let polled = await rec.call(jobPath, { headers: bearer(await issuer.sign({ oid: 'user-job' })) })
    for (let i = 0; polled.status === 202 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100))
      polled = await rec.call(jobPath, { headers: bearer(await issuer.sign({ oid: 'user-job' })) })
    }
    expect(polled.status).toBe(200)
    expect(polled.json.data).toEqual({ ms: 300 })
  })

  it('keeps an /mcp conversation across a refresh, and refuses it to another user', async () => {
    const mcp = (token: string, body: unknown, sessionId?: string) =>
      facade.call('/mcp', {
        method: 'POST',
        json: body,
        headers: { ...bearer(token), accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', ...(sessionId ? { 'mcp-session-id': sessionId } : {}) },
      })
    const v1 = await issuer.sign({ oid: 'user-mcp' })
    const init = await mcp(v1, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } })
    expect(init.status).toBe(200)
    const sessionId = init.headers.get('mcp-session-id')!
    await init.text()
    await (await mcp(v1, { jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)).text()
    const call = async (token: string, id: number) => {
      const res = await mcp(token, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'counter_increment', arguments: {} } }, sessionId)
      const text = await res.text()
      const json = JSON.parse(text.startsWith('{') ? text : /data: (.*)/.exec(text)![1]!)
      return json.result?.structuredContent?.value as number
    }
    expect(await call(v1, 2)).toBe(1)
    expect(await call(await issuer.sign({ oid: 'user-mcp' }), 3)).toBe(2)
    // Another user presenting the id gets a conversation of its own, never this one's vendor session.
    expect(await call(await issuer.sign({ oid: 'user-intruder' }), 4)).toBe(1)
  })

  it('answers 401 with resource_metadata on /mcp and serves the RFC 9728 metadata naming the issuers', async () => {
    const res = await facade.call('/mcp', { method: 'POST', json: { jsonrpc: '2.0', id: 1, method: 'tools/list' }, headers: bearer('garbage') })
    expect(res.status).toBe(401)
    const challenge = res.headers.get('www-authenticate')!
    expect(challenge).toContain('error="invalid_token"')
    const url = /resource_metadata="([^"]+)"/.exec(challenge)![1]!
    expect(url).toBe(`${facade.url}/.well-known/oauth-protected-resource/mcp`)
    const metadata = await (await fetch(url)).json()
    expect(metadata).toMatchObject({ resource: `${facade.url}/mcp`, authorization_servers: [issuer.issuer, `${issuer.origin}/v1-tenant/`], bearer_methods_supported: ['header'] })
  })
})

describe('jwt inbound auth forwarding the validated token', () => {
  it('sends the newest token on every later request of the same vendor session', async () => {
    const issuer = await startTokenIssuer()
    const vendor = await startSessionfulVendor({ requireBearer: (t) => t.split('.').length === 3 })
    const facade = await startTestFacade({
      default: { url: vendor.url, headers: { Authorization: 'Bearer catalog.static.token' }, forwardHeaders: { allow: ['Authorization'] }, auth: { mode: 'jwt', issuer: issuer.issuer, audience: 'api://facade', identityClaims: ['tid', 'oid'] } },
    })
    try {
      const v1 = await issuer.sign({ oid: 'user-forward' })
      const v2 = await issuer.sign({ oid: 'user-forward' })
      const call = (token: string) => facade.call('/tools/whoami', { method: 'POST', json: {}, headers: { Authorization: `Bearer ${token}` } })
      expect((await call(v1)).status).toBe(200)
      const second = await call(v2)
      expect(second.status).toBe(200)
      // Requests with a vendor session id (the initialize that opens one carries none yet).
      const sessions = vendor.seenAuthorizations().filter((s) => s.sessionId !== null && (s.authorization === `Bearer ${v1}` || s.authorization === `Bearer ${v2}`))
      const v1Sessions = new Set(sessions.filter((s) => s.authorization === `Bearer ${v1}`).map((s) => s.sessionId))
      const v2Sessions = new Set(sessions.filter((s) => s.authorization === `Bearer ${v2}`).map((s) => s.sessionId))
      // One vendor session: opened with v1, continued with v2.
      expect(v1Sessions.size).toBe(1)
      expect([...v2Sessions]).toEqual([...v1Sessions])
      expect(((await second.json()) as { data: { authorization: string } }).data.authorization).toBe(`Bearer ${v2}`)
    } finally {
      await facade.close()
      await vendor.close()
      await issuer.close()
    }
  })
})

describe('jwt inbound auth when the issuer is down', () => {
  it('answers 503 idp_unavailable with Retry-After (not invalid_token): the token is not at fault', async () => {
    const vendor = await startSessionfulVendor()
    const issuer = await startTokenIssuer()
    const facade = await startTestFacade({ default: { url: vendor.url, auth: { mode: 'jwt', issuer: 'http://127.0.0.1:9/tenant/v2.0', audience: 'api://facade' } } })
    try {
      const res = await facade.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { Authorization: `Bearer ${await issuer.sign({}, { issuer: 'http://127.0.0.1:9/tenant/v2.0' })}` } })
      expect(res.status).toBe(503)
      expect(((await res.json()) as { code: string }).code).toBe('idp_unavailable')
      expect(res.headers.get('retry-after')).toBe('5')
    } finally {
      await facade.close()
      await vendor.close()
      await issuer.close()
    }
  })
})
