/**
 * Who may call the facade: `apiKey` (plain header and `Authorization: Bearer`, several keys, keys from the
 * environment), `passthrough` (the vendor decides; its 401/403 become problems without vendor secrets), and `none`
 * (a warning when listening beyond loopback).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isNonLoopback } from '../../src/auth/inbound.js'
import { ConfigSchema } from '../../src/config/schema.js'
import { loadConfig } from '../../src/config/load.js'
import { createLogger } from '../../src/log.js'
import { startFacade } from '../../src/server.js'
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'
import { expectNoSecrets, recorder, tempConfig } from './helpers.js'

const KEY_1 = 'facade-key-one-0123456789'
const KEY_2 = 'facade-key-two-9876543210'
const WRONG = 'facade-key-wrong-000000000'

describe('inbound apiKey in X-API-Key', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade
  let rec: ReturnType<typeof recorder>

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    // Keys come from the environment through `${ENV}` interpolation, like a real deployment.
    const file = tempConfig({ servers: { default: { url: vendor.url, auth: { mode: 'apiKey', keys: ['${FACADE_KEY_1}', '${FACADE_KEY_2}'] } } } })
    const config = loadConfig({ config: file.path }, { FACADE_KEY_1: KEY_1, FACADE_KEY_2: KEY_2 })
    file.cleanup()
    facade = await startTestFacade(config.servers as Record<string, Record<string, unknown>>)
    rec = recorder(facade)
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('answers 401 with a problem and WWW-Authenticate when the key is missing', async () => {
    const before = vendor.requests().length
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' } })
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(res.headers.get('www-authenticate')).toBe('ApiKey realm="mcp-rest-facade", header="X-API-Key"')
    expect(res.json).toMatchObject({ code: 'unauthorized', status: 401, detail: 'Send the API key in the X-API-Key header.' })
    expect(vendor.requests().length).toBe(before)
  })

  it('answers 401 for a wrong key, without echoing it', async () => {
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { 'X-API-Key': WRONG } })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('ApiKey')
    expect(res.json.code).toBe('unauthorized')
    expect(res.text).not.toContain(WRONG)
  })

  it('accepts every configured key', async () => {
    for (const key of [KEY_1, KEY_2]) {
      const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'ok' }, headers: { 'X-API-Key': key } })
      expect(res.status).toBe(200)
    }
  })

  it('guards every route that reaches the vendor or reveals the catalog', async () => {
    for (const [method, path] of [['GET', '/tools'], ['POST', '/sessions'], ['GET', '/prompts'], ['POST', '/catalog/refresh']] as const) {
      const res = await rec.call(path, { method })
      expect(res.status, `${method} ${path}`).toBe(401)
    }
  })

  it('does not send the facade key to the vendor', () => {
    expect(vendor.requests().every((r) => r.xApiKey === null)).toBe(true)
  })

  it('keys must be long, printable and set (a missing variable is a config error)', () => {
    const parsed = ConfigSchema.safeParse({ servers: { default: { url: vendor.url, auth: { mode: 'apiKey', keys: ['short', 'has a space in it 123'] } } } })
    expect(parsed.success).toBe(false)
    const messages = parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(messages).toEqual([
      'servers.default.auth.keys.0: API keys must be at least 16 characters',
      'servers.default.auth.keys.1: API keys must be printable ASCII without spaces',
    ])
    const file = tempConfig({ servers: { default: { url: vendor.url, auth: { mode: 'apiKey', keys: ['${NOT_SET_KEY}'] } } } })
    try {
      expect(() => loadConfig({ config: file.path }, {})).toThrow(/servers\.default\.auth\.keys\[0\]: environment variable NOT_SET_KEY is not set/)
    } finally {
      file.cleanup()
    }
  })

  it('leaks no key into logs or problem bodies', () => {
    expectNoSecrets(facade.logs, [KEY_1, KEY_2, WRONG], 'logs')
    expectNoSecrets(rec.bodies, [KEY_1, KEY_2, WRONG], 'bodies')
  })
})

describe('inbound apiKey as Authorization: Bearer', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade
  let rec: ReturnType<typeof recorder>

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    facade = await startTestFacade({ default: { url: vendor.url, auth: { mode: 'apiKey', keys: [KEY_1], header: 'Authorization' } } })
    rec = recorder(facade)
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('401 with a Bearer challenge when missing, invalid_token when wrong or not Bearer', async () => {
    const missing = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' } })
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="mcp-rest-facade"')

    const wrong = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { Authorization: `Bearer ${WRONG}` } })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="mcp-rest-facade", error="invalid_token"')

    const basic = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { Authorization: `Basic ${Buffer.from(`u:${KEY_1}`).toString('base64')}` } })
    expect(basic.status).toBe(401)
    expect(basic.json.detail).toBe('Send the API key as Authorization: Bearer <key>.')

    const raw = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { Authorization: KEY_1 } })
    expect(raw.status).toBe(401)
  })

  it('accepts the key as a Bearer token (scheme case-insensitive), and never forwards it', async () => {
    expect((await rec.call('/tools/echo', { method: 'POST', json: { message: 'ok' }, headers: { Authorization: `Bearer ${KEY_1}` } })).status).toBe(200)
    const who = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: { Authorization: `bearer ${KEY_1}` } })
    expect(who.status).toBe(200)
    expect(who.json.data.authorization).toBeNull()
    expect(vendor.requests().every((r) => r.authorization === null)).toBe(true)
  })

  it('leaks no key into logs or problem bodies', () => {
    expectNoSecrets(facade.logs, [KEY_1, WRONG], 'logs')
    expectNoSecrets(rec.bodies.filter((b) => b.includes('problem+json')), [KEY_1, WRONG], 'problem bodies')
  })
})

describe('inbound passthrough: the vendor decides', () => {
  const CATALOG = 'catalog-service-token-55aa'
  const GOOD = 'caller-good-token-1234abcd'
  const BAD = 'caller-rejected-token-9999'
  const BANNED = 'caller-banned-token-403403'
  const ECHO_500 = 'caller-echo500-token-5005'
  let vendor: SessionfulVendor
  let proxy: FaultProxy
  let facade: TestFacade
  let rec: ReturnType<typeof recorder>

  beforeAll(async () => {
    // The vendor accepts the catalog token and GOOD; it answers 401 (its own body) for anything else.
    vendor = await startSessionfulVendor({ requireBearer: (t) => t === CATALOG || t === GOOD || t === BANNED || t === ECHO_500 })
    // In front of it: 403 for BANNED and a 500 page that dumps the request headers for ECHO_500.
    proxy = await startFaultProxy(vendor.url, ({ request }) => {
      const auth = request.headers.get('authorization') ?? ''
      if (auth.endsWith(BANNED))
        return Response.json({ error: 'forbidden', detail: `principal with ${auth} may not use this server` }, { status: 403 })
      if (auth.endsWith(ECHO_500)) return new Response(`Internal Server Error\nrequest dump:\nAuthorization: ${auth}\n`, { status: 500 })
      return undefined
    })
    facade = await startTestFacade({ default: { url: proxy.url, headers: { Authorization: `Bearer ${CATALOG}` }, auth: { mode: 'passthrough' } } })
    rec = recorder(facade)
  })
  afterAll(async () => {
    await facade?.close()
    await proxy?.close()
    await vendor?.close()
  })

  it('requires a credential (the facade does not fall back to its own catalog credential)', async () => {
    const before = vendor.requests().length
    const res = await rec.call('/tools/whoami', { method: 'POST', json: {} })
    expect(res.status).toBe(401)
    expect(res.json.code).toBe('unauthorized')
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mcp-rest-facade"')
    expect(vendor.requests().length).toBe(before)
  })

  it('forwards the credential as is and the vendor accepts it', async () => {
    const res = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: { Authorization: `Bearer ${GOOD}` } })
    expect(res.status).toBe(200)
    expect(res.json.data.authorization).toBe(`Bearer ${GOOD}`)
  })

  it("the vendor's 401 becomes 401 vendor_unauthorized, with no vendor text", async () => {
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { Authorization: `Bearer ${BAD}` } })
    expect(res.status).toBe(401)
    expect(res.json).toMatchObject({ code: 'vendor_unauthorized', status: 401 })
    expect(res.json.detail).toBeUndefined()
    expect(res.text).not.toContain('invalid_token')
  })

  it("the vendor's 403 becomes 403 vendor_forbidden, without the vendor body that quoted the token", async () => {
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { Authorization: `Bearer ${BANNED}` } })
    expect(res.status).toBe(403)
    expect(res.json).toMatchObject({ code: 'vendor_forbidden', status: 403 })
    expect(proxy.faulted().some((f) => f.authorization === `Bearer ${BANNED}`)).toBe(true)
  })

  it('a vendor 500 page that dumps the Authorization header reaches the caller redacted', async () => {
    const res = await rec.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { Authorization: `Bearer ${ECHO_500}` } })
    expect(res.status).toBe(502)
    expect(res.json.code).toBe('vendor_bad_response')
    expect(res.json.detail).toContain('HTTP 500')
    expect(res.json.detail).toContain('[redacted]')
    expect(res.text).not.toContain(ECHO_500)
  })

  it('leaks no credential into logs or bodies', () => {
    const secrets = [CATALOG, BAD, BANNED, ECHO_500]
    expectNoSecrets(facade.logs, [...secrets, GOOD], 'logs')
    // GOOD legitimately comes back in whoami's own tool output; problem bodies must not hold any.
    expectNoSecrets(rec.bodies, secrets, 'bodies')
    expectNoSecrets(rec.bodies.filter((b) => b.includes('problem+json')), [GOOD], 'problem bodies')
  })
})

describe('inbound none', () => {
  it('isNonLoopback: loopback names and addresses are local, everything else is not', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isNonLoopback(h), h).toBe(false)
    for (const h of ['0.0.0.0', '::', '10.0.0.5', 'facade.example.com']) expect(isNonLoopback(h), h).toBe(true)
  })

  it('warns at start when listening beyond loopback without inbound auth, and not on loopback', async () => {
    const vendor = await startSessionfulVendor()
    try {
      for (const [host, warned] of [['0.0.0.0', true], ['127.0.0.1', false]] as const) {
        const logs: string[] = []
        const config = ConfigSchema.parse({ host, port: 0, shutdownGraceMs: 500, servers: { default: { url: vendor.url } } })
        const facade = await startFacade(config, createLogger('warn', (l) => logs.push(l)))
        await facade.close()
        const warning = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).includes('inbound auth is "none"'))
        expect(Boolean(warning), host).toBe(warned)
        if (warning) expect(warning).toMatchObject({ level: 'warn', server: 'default', host })
      }
    } finally {
      await vendor.close()
    }
  })
})
