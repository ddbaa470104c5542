/**
 * What reaches the vendor: static headers (with `${ENV_VAR}`), forwarded headers through the allowlist and rename
 * map, headers that are never forwarded whatever the config says, rejected values (raw CR/LF on the socket, the
 * size cap), and the values on every request of a vendor session, re-initialize included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigSchema } from '../../src/config/schema.js'
import { ConfigError, loadConfig } from '../../src/config/load.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'
import { expectNoSecrets, rawHttp, recorder, tempConfig } from './helpers.js'

const STATIC_KEY = 'static-vendor-key-7f3a9c21'
const USER_TOKEN = 'user-token-A-9b8c7d6e5f'
const OTHER_TOKEN = 'user-token-B-1a2b3c4d5e'

describe('outbound headers: static, allowlist, rename, never-forwarded', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade
  let rec: ReturnType<typeof recorder>

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    // Interpolated like a real config file, so the test also proves `${ENV_VAR}` reaches the vendor.
    const file = tempConfig({
      servers: {
        default: {
          url: vendor.url,
          headers: { 'X-Api-Key': '${VENDOR_STATIC_KEY}' },
          forwardHeaders: { allow: ['X-Vendor-Authorization', 'X-Tenant', 'Cookie'], rename: { 'X-Vendor-Authorization': 'Authorization' }, maxValueBytes: 256 },
        },
      },
    })
    const config = loadConfig({ config: file.path }, { VENDOR_STATIC_KEY: STATIC_KEY })
    file.cleanup()
    facade = await startTestFacade(config.servers as Record<string, Record<string, unknown>>)
    rec = recorder(facade)
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('a missing ${ENV_VAR} is a config error that names the path, not a value', () => {
    const file = tempConfig({ servers: { default: { url: 'http://127.0.0.1:1/mcp', headers: { 'X-Api-Key': 'k-${MISSING_VENDOR_KEY}' } } } })
    try {
      loadConfig({ config: file.path }, {})
      expect.unreachable('loadConfig should throw')
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).problems).toEqual(['servers.default.headers.X-Api-Key: environment variable MISSING_VENDOR_KEY is not set'])
    } finally {
      file.cleanup()
    }
  })

  it('forwards allowlisted headers, renames X-Vendor-Authorization to Authorization, and adds static headers', async () => {
    const res = await rec.call('/tools/whoami', {
      method: 'POST',
      json: {},
      headers: {
        'X-Vendor-Authorization': `Bearer ${USER_TOKEN}`,
        'X-Tenant': 'tenant-1',
        Cookie: 'sid=cookie-value-123456',
        // Not in the allowlist, or never forwarded:
        Authorization: `Bearer ${OTHER_TOKEN}`,
        'X-Forwarded-For': '203.0.113.9',
      },
    })
    expect(res.status).toBe(200)
    const vendorHost = new URL(vendor.url).host
    expect(res.json.data).toMatchObject({
      authorization: `Bearer ${USER_TOKEN}`,
      'x-tenant': 'tenant-1',
      cookie: 'sid=cookie-value-123456',
      'x-api-key': STATIC_KEY,
      'x-forwarded-for': null,
      host: vendorHost,
    })
  })

  it('never sends what is not allowlisted (a caller Authorization, X-Forwarded-For, Mcp-Session-Id, Host)', async () => {
    const before = vendor.requests().length
    const res = await rec.call('/tools/whoami', {
      method: 'POST',
      json: {},
      headers: { Authorization: `Bearer ${OTHER_TOKEN}`, 'X-Forwarded-For': '203.0.113.9', 'Mcp-Session-Id': 'forged-session', 'X-Tenant': 'tenant-2' },
    })
    expect(res.status).toBe(200)
    expect(res.json.data).toMatchObject({ authorization: null, 'x-forwarded-for': null, 'x-tenant': 'tenant-2', host: new URL(vendor.url).host })
    const seen = vendor.requests().slice(before)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.every((r) => r.authorization === null && r.sessionId !== 'forged-session')).toBe(true)
  })

  it('drops an allowlisted header the caller nominated as hop-by-hop in Connection', async () => {
    const port = Number(new URL(facade.url).port)
    const raw = await rawHttp(
      port,
      'POST /tools/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close, X-Tenant\r\nX-Tenant: hop-by-hop-tenant\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    )
    expect(raw).toMatch(/^HTTP\/1\.1 200/)
    expect(raw).toContain('"x-tenant":null')
  })

  it('rejects a value over the size cap with 400 invalid_header naming the header, before reaching the vendor', async () => {
    const before = vendor.requests().length
    const big = 'v'.repeat(257)
    const res = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: { 'X-Tenant': big } })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(res.json.code).toBe('invalid_header')
    expect(res.json.detail).toContain('x-tenant')
    expect(res.text).not.toContain(big)
    expect(vendor.requests().length).toBe(before)
    // At the cap exactly is fine.
    expect((await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: { 'X-Tenant': 'v'.repeat(256) } })).status).toBe(200)
  })

  it('a raw CR, LF or NUL in a header value is refused with 400 by the HTTP parser and never reaches the vendor', async () => {
    const port = Number(new URL(facade.url).port)
    const before = vendor.requests().length
    for (const evil of ['evil\rInjected: yes', 'evil\nInjected: yes', 'evil\0nul', 'evil\r\n folded']) {
      const raw = await rawHttp(
        port,
        `POST /tools/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Tenant: ${evil}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      )
      expect(raw, JSON.stringify(evil)).toMatch(/^HTTP\/1\.1 400/)
    }
    expect(vendor.requests().length).toBe(before)
    expect(vendor.requests().some((r) => r.xTenant?.includes('evil'))).toBe(false)
  })

  it('sends the forwarded and static values on every request of the vendor session, re-initialize included', async () => {
    const headers = { 'X-Vendor-Authorization': `Bearer ${USER_TOKEN}`, 'X-Tenant': 'tenant-every' }
    const opened = await rec.call('/sessions', { method: 'POST', headers })
    expect(opened.status).toBe(201)
    const sessionId = opened.json.sessionId as string
    const first = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: { ...headers, 'X-Session-Id': sessionId } })
    const vendorSession1 = first.json.data.sessionId as string

    const mark = vendor.requests().length
    await vendor.expireAllSessions()
    const renewed = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: { ...headers, 'X-Session-Id': sessionId } })
    expect(renewed.status).toBe(200)
    expect(renewed.json.sessionRenewed).toBe(true)
    const vendorSession2 = renewed.json.data.sessionId as string
    expect(vendorSession2).not.toBe(vendorSession1)
    expect(renewed.json.data).toMatchObject({ authorization: `Bearer ${USER_TOKEN}`, 'x-tenant': 'tenant-every', 'x-api-key': STATIC_KEY })

    const after = vendor.requests().slice(mark)
    const reinit = after.filter((r) => r.rpcMethod === 'initialize' && r.xTenant === 'tenant-every')
    expect(reinit.length).toBe(1)
    // Every request of both vendor sessions (the caller session's old and new one) carried the caller's values.
    const ofSession = vendor.requests().filter((r) => r.sessionId === vendorSession1 || r.sessionId === vendorSession2)
    expect(ofSession.length).toBeGreaterThan(3)
    for (const r of [...ofSession, ...reinit]) {
      expect(r.authorization).toBe(`Bearer ${USER_TOKEN}`)
      expect(r.xTenant).toBe('tenant-every')
      expect(r.xApiKey).toBe(STATIC_KEY)
    }
  })

  it('never logs or echoes a forwarded or static value', () => {
    expectNoSecrets(facade.logs, [STATIC_KEY, USER_TOKEN, OTHER_TOKEN, 'cookie-value-123456'], 'logs')
    const problems = rec.bodies.filter((b) => b.includes('application/problem+json'))
    expectNoSecrets(problems, [STATIC_KEY, USER_TOKEN, OTHER_TOKEN, 'cookie-value-123456'], 'problem bodies')
  })
})

describe('forwarding config errors', () => {
  const base = { url: 'http://127.0.0.1:1/mcp' }
  const issuesOf = (server: Record<string, unknown>) => {
    const parsed = ConfigSchema.safeParse({ servers: { default: { ...base, ...server } } })
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
  }

  it('refuses to allowlist Host, X-Forwarded-*, Mcp-*, hop-by-hop and Content-Length', () => {
    const issues = issuesOf({ forwardHeaders: { allow: ['Host', 'X-Forwarded-For', 'Mcp-Session-Id', 'Connection', 'Content-Length', 'X-Tenant'] } })
    expect(issues).toHaveLength(5)
    expect(issues[0]).toMatch(/^servers\.default\.forwardHeaders\.allow\.0: Host is never forwarded/)
    expect(issues.join('\n')).toContain('allow.2: Mcp-Session-Id is never forwarded')
    expect(issues.join('\n')).not.toContain('X-Tenant')
  })

  it('refuses a rename onto a never-forwarded name, a rename without allow, and two headers onto one', () => {
    expect(issuesOf({ forwardHeaders: { allow: ['X-Target'], rename: { 'X-Target': 'Host' } } })).toEqual([
      'servers.default.forwardHeaders.rename.X-Target: cannot rename to Host',
    ])
    expect(issuesOf({ forwardHeaders: { allow: [], rename: { 'X-A': 'Authorization' } } })[0]).toContain('renamed header must also be in allow')
    expect(issuesOf({ forwardHeaders: { allow: ['X-A', 'Authorization'], rename: { 'X-A': 'Authorization' } } })[0]).toContain('two forwarded headers would both be sent as Authorization')
  })

  it('refuses to forward the facade API key header, and Authorization together with oauth', () => {
    expect(issuesOf({ auth: { mode: 'apiKey', keys: ['k'.repeat(20)] }, forwardHeaders: { allow: ['x-api-key'] } })[0]).toContain("carries the facade's own API key")
    const oauth = { tokenUrl: 'http://127.0.0.1:1/token', clientId: 'c', clientSecret: 's' }
    expect(issuesOf({ oauth, auth: { mode: 'passthrough' } })[0]).toContain('cannot forward a caller Authorization and use oauth')
    expect(issuesOf({ oauth, headers: { Authorization: 'Bearer x' } })[0]).toContain('static Authorization header conflicts')
  })

  it('refuses static headers the transport owns and static values with control characters', () => {
    const issues = issuesOf({ headers: { 'Mcp-Session-Id': 'x', Host: 'h', 'X-Ok': 'line\r\nbreak' } })
    expect(issues).toEqual([
      'servers.default.headers.Mcp-Session-Id: Mcp-Session-Id is managed by the MCP transport and cannot be set statically',
      'servers.default.headers.Host: Host is managed by the MCP transport and cannot be set statically',
      'servers.default.headers.X-Ok: value contains a line break or control character',
    ])
  })

  it('refuses passthrough and headers for a stdio upstream (nobody would receive or judge them)', () => {
    const parsed = ConfigSchema.safeParse({
      servers: { default: { command: 'node', auth: { mode: 'passthrough' }, forwardHeaders: { allow: ['X-Tenant'] } } },
    })
    expect(parsed.success).toBe(false)
    expect(parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'servers.default.auth.mode: passthrough needs an HTTP upstream (url): a stdio server cannot check the credential',
      'servers.default.forwardHeaders: headers apply to HTTP upstreams only (use env for a stdio server)',
    ])
  })

  it('reports them through loadConfig as path-prefixed problems', () => {
    const file = tempConfig({ servers: { default: { ...base, forwardHeaders: { allow: ['X-Forwarded-Host'] } } } })
    try {
      expect(() => loadConfig({ config: file.path }, {})).toThrow(/servers\.default\.forwardHeaders\.allow\.0: X-Forwarded-Host is never forwarded/)
    } finally {
      file.cleanup()
    }
  })
})
