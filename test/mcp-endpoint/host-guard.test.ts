/**
 * The DNS-rebinding guard of `/mcp` over real HTTP with forged `Host` and `Origin` headers (node:http, since
 * fetch will not let a caller choose `Host`): a rebound request is refused before authentication and before the
 * vendor sees anything; loopback names, the `publicUrl` host and the configured names pass.
 */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHostGuard } from '../../src/mcp-endpoint/host-guard.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'

const KEY = 'guard-test-key-0123456789'
const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'guard-test', version: '1' } } }
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' }

/** One raw HTTP exchange with the headers exactly as given (Host included). */
function send(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; type: string; json: any }> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method,
        setHost: false,
        headers: {
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          ...(text !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8')
          let json: unknown
          try {
            json = JSON.parse(raw)
          } catch {
            json = raw
          }
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), json })
        })
      },
    )
    req.on('error', reject)
    req.end(text)
  })
}

describe('/mcp DNS-rebinding guard', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade
  let url: string
  let ownHost: string

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    facade = await startTestFacade(
      { default: { url: vendor.url, auth: { mode: 'apiKey', keys: [KEY] }, mcpEndpoint: { allowedHosts: ['mcp.internal.example'], allowedOrigins: ['https://portal.example.com'] } } },
      { publicUrl: 'https://facade.example.com/base' },
    )
    url = `${facade.url}/mcp`
    ownHost = new URL(facade.url).host
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('a rebound request (attacker Host and Origin) is 421 problem+json before auth, and the vendor sees nothing', async () => {
    const before = vendor.requests().length
    for (const method of ['POST', 'GET', 'DELETE']) {
      const res = await send(url, method, { host: 'evil.example.com', origin: 'http://evil.example.com', 'x-api-key': KEY }, method === 'POST' ? INITIALIZE : undefined)
      expect(res.status).toBe(421)
      expect(res.type).toContain('application/problem+json')
      expect(res.json.code).toBe('host_not_allowed')
    }
    // Without a credential it is still 421, not 401: the guard runs first and says nothing about auth.
    const anonymous = await send(url, 'POST', { host: `evil.example.com:${new URL(facade.url).port}` }, LIST)
    expect(anonymous.status).toBe(421)
    expect(vendor.requests().length).toBe(before)
  })

  it('a foreign Origin with an accepted Host is 403 origin_forbidden, opaque null included', async () => {
    for (const origin of ['http://evil.example.com', 'null', 'https://facade.example.com.evil.example', 'http://facade.example.com']) {
      const res = await send(url, 'POST', { host: ownHost, origin, 'x-api-key': KEY }, LIST)
      expect(res.status, origin).toBe(403)
      expect(res.json.code).toBe('origin_forbidden')
    }
  })

  it('accepts loopback, the publicUrl host and listed names, with their origins', async () => {
    const cases: Array<Record<string, string>> = [
      { host: ownHost },
      { host: ownHost, origin: `http://${ownHost}` },
      { host: `localhost:${new URL(facade.url).port}`, origin: 'http://localhost:6274' },
      { host: 'facade.example.com', origin: 'https://facade.example.com' },
      { host: 'FACADE.example.com:443' },
      { host: 'mcp.internal.example:8080', origin: 'https://mcp.internal.example' },
      { host: ownHost, origin: 'https://portal.example.com' },
    ]
    for (const headers of cases) {
      const res = await send(url, 'POST', { ...headers, 'x-api-key': KEY }, INITIALIZE)
      expect(res.status, JSON.stringify(headers)).toBe(200)
    }
  })

  it('a request with an accepted Host still needs its credential', async () => {
    const res = await send(url, 'POST', { host: 'facade.example.com' }, LIST)
    expect(res.status).toBe(401)
  })

  it('probes answer any Host (a kubelet probe sends the pod IP or its own name)', async () => {
    const res = await send(`${facade.url}/healthz`, 'GET', { host: 'evil.example.com' })
    expect(res.status).toBe(200)
  })
})

describe('host guard rules', () => {
  const headers = (h: Record<string, string>) => new Headers(h)
  const check = (guard: ReturnType<typeof createHostGuard>, h: Record<string, string>) => {
    try {
      guard(headers(h), `http://${h.host ?? 'x'}/mcp`)
      return 'ok'
    } catch (error) {
      return (error as { code: string }).code
    }
  }

  it('loopback names pass only when listening on loopback or all interfaces', () => {
    const base = { publicUrl: undefined, allowedHosts: [], allowedOrigins: [], corsOrigins: [] }
    for (const listenHost of ['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::']) {
      const guard = createHostGuard({ ...base, listenHost })
      expect(check(guard, { host: 'localhost:8080' }), listenHost).toBe('ok')
      expect(check(guard, { host: '[::1]:8080' }), listenHost).toBe('ok')
      expect(check(guard, { host: 'attacker.example' }), listenHost).toBe('host_not_allowed')
    }
    const onLan = createHostGuard({ ...base, listenHost: '10.0.0.5' })
    expect(check(onLan, { host: 'localhost:8080' })).toBe('host_not_allowed')
    expect(check(onLan, {})).toBe('host_not_allowed')
  })

  it('"*" opens the Host check or the Origin check; cors.origins count, a cors "*" does not', () => {
    const anyHost = createHostGuard({ listenHost: '10.0.0.5', allowedHosts: ['*'], allowedOrigins: [], corsOrigins: ['*', 'https://app.example.com'] })
    expect(check(anyHost, { host: 'pod-1234:8080' })).toBe('ok')
    expect(check(anyHost, { host: 'pod-1234:8080', origin: 'https://app.example.com' })).toBe('ok')
    expect(check(anyHost, { host: 'pod-1234:8080', origin: 'https://other.example.com' })).toBe('origin_forbidden')
    const anyOrigin = createHostGuard({ listenHost: '127.0.0.1', allowedHosts: [], allowedOrigins: ['*'], corsOrigins: [] })
    expect(check(anyOrigin, { host: 'localhost', origin: 'https://anything.example' })).toBe('ok')
    expect(check(anyOrigin, { host: 'evil.example', origin: 'https://anything.example' })).toBe('host_not_allowed')
  })

  it('a Host that is more than host[:port] is refused', () => {
    const guard = createHostGuard({ listenHost: '127.0.0.1', allowedHosts: [], allowedOrigins: [], corsOrigins: [] })
    for (const host of ['localhost/evil', 'user@localhost', 'localhost?x', 'local host'])
      expect(check(guard, { host }), host).toBe('host_not_allowed')
  })
})
