/**
 * `servers.<name>.timeouts.connectMs` is the socket's own connect timeout too (TCP, TLS and the vendor's HTTP/2
 * SETTINGS), not only the MCP handshake's: a TLS vendor reached through a loopback TCP relay that accepts new
 * connections and holds them (no byte through, so the TLS handshake never completes) fails a call with 502
 * `vendor_unavailable` after about connectMs, not after the pool's former 10 s; a relay that lets a new connection
 * through only after 10.3 s still serves a call when connectMs allows 11 s.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'
import { makeTestCert, type TestCert } from '../support/tls-cert.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A TCP relay to `port`: new connections pass through after `delayMs` ('never': held open, nothing relayed). */
interface Relay {
  url: string
  delayMs: number | 'never'
  /** Connections accepted so far. */
  accepted: number
  /** Cuts every connection open now (the facade has to connect again). */
  cut(): void
  close(): Promise<void>
}

async function startRelay(port: number): Promise<Relay> {
  const open = new Set<Socket>()
  const track = (s: Socket) => {
    open.add(s)
    s.on('error', () => {}).once('close', () => open.delete(s))
    return s
  }
  const server: Server = createServer((client) => {
    relay.accepted++
    track(client).pause()
    const delay = relay.delayMs
    if (delay === 'never') return
    setTimeout(() => {
      if (client.destroyed) return
      const upstream = track(connect(port, '127.0.0.1'))
      upstream.once('close', () => client.destroy())
      client.once('close', () => upstream.destroy())
      client.pipe(upstream).pipe(client)
      client.resume()
    }, delay)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const relay: Relay = {
    url: `https://127.0.0.1:${(server.address() as { port: number }).port}/mcp`,
    delayMs: 0,
    accepted: 0,
    cut: () => {
      for (const s of open) s.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        relay.cut()
        server.close(() => resolve())
      }),
  }
  return relay
}

let cert: TestCert
let vendor: SessionfulVendor
let relay: Relay
beforeAll(async () => {
  cert = makeTestCert()
  vendor = await startSessionfulVendor({ tls: { key: cert.key, cert: cert.cert, http2: true } })
  relay = await startRelay(Number(new URL(vendor.url).port))
})
afterAll(async () => {
  await relay?.close()
  await vendor?.close()
  cert?.remove()
})

/** A facade through the relay, warmed (catalog and the caller's pooled vendor session) while the relay lets all through. */
async function warmFacade(connectMs: number): Promise<TestFacade> {
  relay.delayMs = 0
  // retry.budgetMs 0: the first failure is the answer (a never-sent failure is otherwise retried within the budget).
  const f = await startTestFacade({ default: { url: relay.url, tls: { caFile: cert.certFile }, timeouts: { connectMs }, retry: { budgetMs: 0 } } }, {}, 'warn')
  expect((await f.call('/tools/echo', { method: 'POST', json: { message: 'warm' } })).status).toBe(200)
  return f
}

/** Cuts the facade's connections; the next call has to open one through the relay as it is now. */
async function cutAndWait() {
  relay.cut()
  // The pool forgets a closed HTTP/2 session on its 'close' event, a moment after the socket went.
  await sleep(100)
}

describe('timeouts.connectMs bounds the socket connect', () => {
  it('a vendor that never completes the TLS handshake: 502 vendor_unavailable after about connectMs', async () => {
    const f = await warmFacade(500)
    try {
      relay.delayMs = 'never'
      await cutAndWait()
      const accepted = relay.accepted
      const started = Date.now()
      const res = await f.call('/tools/echo', { method: 'POST', json: { message: 'stalled' } })
      const took = Date.now() - started
      const body = await jsonOf(res)
      expect(res.status, JSON.stringify(body)).toBe(502)
      expect(body.code).toBe('vendor_unavailable')
      expect(body.detail).toMatch(/ETIMEDOUT|connect timeout/)
      expect(relay.accepted).toBeGreaterThan(accepted)
      expect(took).toBeGreaterThanOrEqual(450)
      // The pool's own 10 s default no longer decides.
      expect(took).toBeLessThan(3_000)
      // A new vendor session (its handshake needs a connection too): the same, with the operator's hint.
      const again = Date.now()
      const fresh = await f.call('/tools/echo', { method: 'POST', json: { message: 'stalled' }, headers: { 'x-session-id': 'new' } })
      const freshBody = await jsonOf(fresh)
      expect(fresh.status, JSON.stringify(freshBody)).toBe(502)
      expect(freshBody).toMatchObject({ code: 'vendor_unavailable', detail: expect.stringMatching(/ETIMEDOUT.*no connection could be set up in time/) })
      expect(Date.now() - again).toBeLessThan(3_000)
    } finally {
      await f.close()
    }
  })

  it('a vendor slower to connect than 10 s but within connectMs is served', async () => {
    const f = await warmFacade(11_000)
    try {
      relay.delayMs = 10_300
      await cutAndWait()
      const started = Date.now()
      const res = await f.call('/tools/echo', { method: 'POST', json: { message: 'slow connect' } })
      expect(res.status, JSON.stringify(await res.clone().text())).toBe(200)
      expect(await jsonOf(res)).toMatchObject({ data: { message: 'slow connect' } })
      expect(Date.now() - started).toBeGreaterThanOrEqual(10_000)
    } finally {
      await f.close()
    }
  }, 40_000)
})
