/**
 * The facade's listener against raw sockets: slowloris headers and a trickled body are cut (408 problem, then
 * closed) within the configured timeouts plus the one-second check; idle keep-alive connections close after
 * `keepAliveTimeoutMs` but are not mistaken for slow headers; connections past `maxConnections` are closed at once;
 * an empty session id is 400 `invalid_header`.
 */
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

let vendor: SessionfulVendor
let facade: TestFacade
const HEADERS_MS = 1_000
const REQUEST_MS = 2_000
const KEEP_ALIVE_MS = 2_500

beforeAll(async () => {
  vendor = await startSessionfulVendor()
  facade = await startTestFacade(
    { default: { url: vendor.url } },
    { listener: { headersTimeoutMs: HEADERS_MS, requestTimeoutMs: REQUEST_MS, keepAliveTimeoutMs: KEEP_ALIVE_MS, maxConnections: 40 } },
  )
})
afterAll(async () => {
  await facade?.close()
  await vendor?.close()
})

/** A raw client socket that records what it received and when it was closed. */
interface RawClient {
  socket: Socket
  received: () => string
  closedAfterMs: Promise<number>
}

async function rawClient(): Promise<RawClient> {
  const { port } = new URL(facade.url)
  const socket = connect(Number(port), '127.0.0.1')
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  const started = Date.now()
  let data = ''
  socket.on('data', (d) => (data += d))
  socket.on('error', () => {})
  const closedAfterMs = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)))
  return { socket, received: () => data, closedAfterMs }
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function trickle(client: RawClient, text: string, everyMs: number) {
  let i = 0
  const timer = setInterval(() => {
    if (client.socket.destroyed || i >= text.length) return clearInterval(timer)
    client.socket.write(text[i++]!)
  }, everyMs)
  void client.closedAfterMs.then(() => clearInterval(timer))
}

describe('slow clients are cut', () => {
  it('slowloris: 20 sockets trickling headers are answered 408 and closed within the headers timeout + 1 s', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, rawClient))
    for (const c of clients) trickle(c, 'POST /tools/echo HTTP/1.1\r\nHost: x\r\nX-Padding: ' + 'a'.repeat(500), 100)
    const closed = await Promise.all(clients.map((c) => c.closedAfterMs))
    console.info(`[measure] slowloris sockets cut after ${Math.min(...closed)}–${Math.max(...closed)} ms (headersTimeoutMs ${HEADERS_MS})`)
    expect(Math.max(...closed)).toBeLessThanOrEqual(HEADERS_MS + 1_500)
    for (const c of clients) expect(c.received()).toMatch(/^HTTP\/1\.1 408 [\s\S]*"code":"request_timeout"/)
  })

  it('a trickled body is answered 408 and closed within the request timeout + 1 s', async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, rawClient))
    for (const c of clients) {
      c.socket.write('POST /tools/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"message":"')
      trickle(c, 'x'.repeat(990), 100)
    }
    const closed = await Promise.all(clients.map((c) => c.closedAfterMs))
    console.info(`[measure] trickled bodies cut after ${Math.min(...closed)}–${Math.max(...closed)} ms (requestTimeoutMs ${REQUEST_MS})`)
    expect(Math.max(...closed)).toBeLessThanOrEqual(REQUEST_MS + 1_500)
    expect(Math.min(...closed)).toBeGreaterThanOrEqual(REQUEST_MS - 100)
    for (const c of clients) expect(c.received()).toContain('408')
  })
})

describe('keep-alive connections', () => {
  const request = 'POST /tools/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"message":"k"}'

  it('an idle keep-alive connection outlives the headers timeout (a next request works) and closes after keepAliveTimeoutMs', async () => {
    const c = await rawClient()
    c.socket.write(request)
    await new Promise((r) => setTimeout(r, HEADERS_MS + 1_200))
    expect(c.received()).toMatch(/^HTTP\/1\.1 200/)
    const before = c.received().length
    c.socket.write(request)
    await new Promise((r) => setTimeout(r, 300))
    expect(c.received().slice(before)).toMatch(/^HTTP\/1\.1 200/)
    const closed = await c.closedAfterMs
    expect(closed).toBeGreaterThanOrEqual(HEADERS_MS + 1_200 + KEEP_ALIVE_MS - 200)
    expect(closed).toBeLessThanOrEqual(HEADERS_MS + 1_500 + KEEP_ALIVE_MS + 1_500)
  })
})

describe('connection cap', () => {
  it('connections past maxConnections are closed at once; a freed slot is served again', async () => {
    const held = await Promise.all(Array.from({ length: 40 }, rawClient))
    // Let the server account for them all.
    await new Promise((r) => setTimeout(r, 100))
    const extra = await rawClient()
    const closed = await Promise.race([extra.closedAfterMs, new Promise<number>((r) => setTimeout(() => r(-1), 2_000))])
    expect(closed).toBeGreaterThanOrEqual(0)
    expect(extra.received()).toBe('')
    for (const c of held) c.socket.destroy()
    await new Promise((r) => setTimeout(r, 100))
    expect((await facade.call('/healthz')).status).toBe(200)
  })
})

describe('empty session id', () => {
  it.each([
    ['an empty X-Session-Id header', '/tools/echo', { 'X-Session-Id': '' }],
    ['an empty ?sessionId=', '/tools/echo?sessionId=', {}],
  ])('%s is 400 invalid_header, not the pooled session', async (_name, path, headers) => {
    const res = await facade.call(path, { method: 'POST', json: { message: 'x' }, headers })
    expect(res.status).toBe(400)
    expect(await jsonOf(res)).toMatchObject({ code: 'invalid_header' })
  })
})
