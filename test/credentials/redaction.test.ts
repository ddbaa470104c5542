/**
 * Redaction: a vendor that echoes what it received (the Authorization header in a 500 page, a forwarded value in a
 * JSON-RPC error message, the facade's OAuth token, its static key during catalog loading) cannot leak it to the
 * caller or to the logs. Logs name headers, never values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REDACTED, redactSecrets, secretsOf } from '../../src/security/redact.js'
import { rpcErrorFor, startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.js'
import { startOAuthTokenServer, type OAuthTokenServer } from '../fixtures/oauth-server.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'
import { expectNoSecrets, recorder } from './helpers.js'

const STATIC = 'static-catalog-key-0a1b2c3d4e'
const TOKEN = 'forwarded-token-zz-998877'
const TENANT = 'tenant-secret-value-4455'
const FOREIGN = 'someone-elses-token-abcdef0123'

describe('vendor echoes during calls (forwarded credentials)', () => {
  let vendor: SessionfulVendor
  let proxy: FaultProxy
  let facade: TestFacade
  let rec: ReturnType<typeof recorder>

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    proxy = await startFaultProxy(vendor.url, ({ request, message }) => {
      const auth = request.headers.get('authorization') ?? ''
      const tenant = request.headers.get('x-tenant') ?? ''
      if (message?.method !== 'tools/call') return undefined
      const tool = message.params?.name
      // A backend that puts the request headers into its error message.
      if (tool === 'echo') return rpcErrorFor(message, -32603, `upstream call failed; headers: authorization=${auth}; x-tenant=${tenant}`)
      // A 500 page with a request dump, and a credential the facade never sent.
      if (tool === 'counter_get') return new Response(`<h1>500</h1><pre>Authorization: ${auth}\nX-Tenant: ${tenant}\nUpstream: Bearer ${FOREIGN}</pre>`, { status: 500 })
      // A JSON-RPC error that quotes the token without its scheme, far into a long message (past any truncation).
      if (tool === 'fail_tool') return rpcErrorFor(message, -32000, `${'x'.repeat(290)} token ${auth.replace(/^Bearer /, '')} rejected`)
      return undefined
    })
    facade = await startTestFacade({
      default: {
        url: proxy.url,
        headers: { 'X-Api-Key': STATIC },
        forwardHeaders: { allow: ['X-Vendor-Authorization', 'X-Tenant'], rename: { 'X-Vendor-Authorization': 'Authorization' } },
      },
    })
    rec = recorder(facade)
  })
  afterAll(async () => {
    await facade?.close()
    await proxy?.close()
    await vendor?.close()
  })

  const headers = { 'X-Vendor-Authorization': `Bearer ${TOKEN}`, 'X-Tenant': TENANT }

  it('a JSON-RPC error message quoting the headers is redacted in the problem', async () => {
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers })
    expect(res.status).toBe(502)
    expect(res.json.detail).toContain(`authorization=${REDACTED}`)
    expect(res.json.detail).toContain(`x-tenant=${REDACTED}`)
  })

  it('a 500 page dumping headers is redacted, unknown bearer tokens included', async () => {
    const res = await rec.call('/tools/counter_get', { method: 'POST', json: {}, headers })
    expect(res.status).toBe(502)
    expect(res.json.detail).toContain('HTTP 500')
    expect(res.text).not.toContain(FOREIGN)
  })

  it('a secret past the truncation point is removed before truncation, not cut in half', async () => {
    const res = await rec.call('/tools/fail_tool', { method: 'POST', json: {}, headers })
    expect(res.status).toBe(502)
    expect(res.text).not.toContain(TOKEN.slice(0, 8))
  })

  it('no value reaches a problem body or a log line; log lines name headers at most', () => {
    const secrets = [STATIC, TOKEN, TENANT, FOREIGN]
    expectNoSecrets(facade.logs, secrets, 'logs')
    expectNoSecrets(rec.bodies, secrets, 'bodies')
  })
})

describe('vendor echoes while the catalog loads (static credential)', () => {
  let vendor: SessionfulVendor
  let proxy: FaultProxy
  let facade: TestFacade

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    proxy = await startFaultProxy(vendor.url, ({ request }) =>
      new Response(JSON.stringify({ error: 'bad key', received: request.headers.get('x-api-key') }), { status: 500, headers: { 'content-type': 'application/json' } }),
    )
    facade = await startTestFacade({ default: { url: proxy.url, headers: { 'X-Api-Key': STATIC } } })
  })
  afterAll(async () => {
    await facade?.close()
    await proxy?.close()
    await vendor?.close()
  })

  it('the not-ready reason, the 503 problem and the log line are redacted', async () => {
    const rec = recorder(facade)
    const ready = await rec.call('/readyz')
    expect(ready.status).toBe(503)
    const tools = await rec.call('/tools')
    expect(tools.json.code).toBe('not_ready')
    expect(tools.json.detail).toContain(REDACTED)
    expect(facade.logs.some((l) => l.includes('catalog load failed'))).toBe(true)
    expectNoSecrets(facade.logs, [STATIC], 'logs')
    expectNoSecrets(rec.bodies, [STATIC], 'bodies')
  })
})

describe('vendor echoes the facade OAuth token', () => {
  let oauth: OAuthTokenServer
  let vendor: SessionfulVendor
  let proxy: FaultProxy
  let facade: TestFacade

  beforeAll(async () => {
    oauth = await startOAuthTokenServer({ clients: [{ clientId: 'svc', clientSecret: 'svc-secret-1234567890' }] })
    vendor = await startSessionfulVendor({ requireBearer: (t) => oauth.isValid(t) })
    proxy = await startFaultProxy(vendor.url, ({ request, message }) =>
      message?.method === 'tools/call' ? new Response(`denied for ${request.headers.get('authorization')}`, { status: 500 }) : undefined,
    )
    facade = await startTestFacade({ default: { url: proxy.url, oauth: { tokenUrl: oauth.tokenEndpoint, clientId: 'svc', clientSecret: 'svc-secret-1234567890' } } })
  })
  afterAll(async () => {
    await facade?.close()
    await proxy?.close()
    await vendor?.close()
    await oauth?.close()
  })

  it('the token in the vendor body is redacted in the problem and logs', async () => {
    const rec = recorder(facade)
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' } })
    expect(res.status).toBe(502)
    const tokens = oauth.issuedTokens().map((t) => t.token)
    expect(tokens.length).toBe(1)
    expectNoSecrets(rec.bodies, [...tokens, 'svc-secret-1234567890'], 'bodies')
    expectNoSecrets(facade.logs, [...tokens, 'svc-secret-1234567890'], 'logs')
  })
})

describe('redactSecrets', () => {
  it('removes known values, their credential part, JSON-escaped forms and credential-looking fragments', () => {
    const secrets = secretsOf(['Bearer abc.DEF-123_xyz', 'pa"ss\\word-value', 'x'])
    const text = [
      'got Bearer abc.DEF-123_xyz',
      'token abc.DEF-123_xyz alone',
      '{"h":"pa\\"ss\\\\word-value"}',
      'Authorization: Basic dXNlcjpwYXNzd29yZA==',
      'access_token=eyJhbGciOiJIUzI1NiJ9.x.y&x=1',
      'lang x stays',
    ].join('\n')
    const out = redactSecrets(text, secrets)
    expect(out).not.toContain('abc.DEF-123_xyz')
    expect(out).not.toContain('word-value')
    expect(out).not.toContain('dXNlcjpwYXNzd29yZA')
    expect(out).not.toContain('eyJhbGciOiJIUzI1NiJ9')
    expect(out).toContain('lang x stays')
  })
})
