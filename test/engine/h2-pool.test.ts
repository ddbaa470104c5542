/**
 * The pool's HTTP/2 side (upstream/h2-pool) against real loopback TLS servers: an origin that picks h2 by ALPN is
 * spoken to over h2 and many requests share one connection, more sessions open only past the vendor's
 * SETTINGS_MAX_CONCURRENT_STREAMS, streams in flight are bounded by maxConnections, an idle session closes after
 * keepAliveMs and never keeps the process alive, a per-request signal resets the stream with CANCEL (and a request
 * aborted while it waits is never sent), connection-specific headers are dropped, 429 keeps its Retry-After, a refused stream is sent again
 * (and counts as never sent once the resends are spent), a stream reset otherwise does not, and an HTTP/1.1-only
 * TLS origin keeps the Agent.
 */
import { constants, createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Stream } from 'node:http2'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamHttp } from '../../src/upstream/http-pool.js'
import { classifyUpstreamError, neverSent } from '../../src/upstream/errors.js'
import { abortOnceSeen, slowHandler } from '../support/slow-handler.js'
import { makeTestCert, type TestCert } from '../support/tls-cert.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
let tls: TestCert
beforeAll(() => {
  tls = makeTestCert()
})
afterAll(() => tls?.remove())
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

type Handler = (req: Http2ServerRequest | IncomingMessage, res: Http2ServerResponse | ServerResponse) => void

/** A TLS server on 127.0.0.1 (h2 by ALPN with HTTP/1.1 allowed, or HTTP/1.1 only) that counts its TCP connections. */
async function startTls(handler: Handler, options: { http2?: boolean; maxConcurrentStreams?: number; setup?: (s: Http2SecureServer) => void } = {}) {
  const { http2 = true } = options
  const server: Http2SecureServer | HttpsServer = http2
    ? createSecureServer({ key: tls.key, cert: tls.cert, allowHTTP1: true, settings: options.maxConcurrentStreams ? { maxConcurrentStreams: options.maxConcurrentStreams } : {} }, handler as never)
    : createHttpsServer({ key: tls.key, cert: tls.cert }, handler as never)
  if (http2) options.setup?.(server as Http2SecureServer)
  const sockets = new Set<Socket>()
  let opened = 0
  const versions: string[] = []
  server.on('request', (req: IncomingMessage) => versions.push(req.httpVersion))
  server.on('connection', (socket: Socket) => {
    opened++
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
  )
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}/mcp`, opened: () => opened, open: () => sockets.size, versions }
}

function pool(options: Partial<ConstructorParameters<typeof UpstreamHttp>[0]> = {}) {
  const http = new UpstreamHttp({ maxConnections: 64, idleConnections: 8, keepAliveMs: 30_000, ca: tls.cert, ...options })
  cleanups.push(() => http.close())
  return http
}

const json: Handler = (req, res) => {
  req.resume()
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'))
}

/** Answers after `ms`; `most()` is the most requests held at once. */
const slow = slowHandler

const post = async (fetcher: { fetch: typeof fetch }, url: string, body = '{}', headers: Record<string, string> = {}) => {
  const res = await fetcher.fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
  return { status: res.status, json: await res.json() }
}

describe('upstream pool over HTTP/2', () => {
  it('speaks h2 to an origin that offers it, and multiplexes 50 requests on one connection', async () => {
    const vendor = slow(200)
    const server = await startTls(vendor.handler)
    const http = pool()
    const fetcher = http.connectionFetch(() => ({}), false)
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(fetcher, server.url)))
    expect(answers.every((a) => a.status === 200)).toBe(true)
    expect(server.versions).toHaveLength(50)
    expect(new Set(server.versions)).toEqual(new Set(['2.0']))
    // All at once, on one TCP connection (the ALPN probe's connection became the session).
    expect(vendor.most()).toBe(50)
    expect(server.opened()).toBe(1)
    // A stream is released when it closes, a moment after its answer was read.
    await expect.poll(() => http.h2Stats()).toEqual({ sessions: 1, streams: 0 })
    expect(http.health.lastGoodAt).toBeGreaterThan(0)
  })

  it("opens another session only past the vendor's SETTINGS_MAX_CONCURRENT_STREAMS", async () => {
    const vendor = slow(200)
    const server = await startTls(vendor.handler, { maxConcurrentStreams: 4 })
    const fetcher = pool().connectionFetch(() => ({}), false)
    await post(fetcher, server.url)
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(fetcher, server.url)))
    expect(answers.every((a) => a.status === 200)).toBe(true)
    expect(vendor.most()).toBe(10)
    // 10 streams at 4 per session: 3 sessions, no more.
    expect(server.opened()).toBe(3)
  })

  it('bounds streams in flight per origin by maxConnections (the rest wait)', async () => {
    const vendor = slow(100)
    const server = await startTls(vendor.handler)
    const fetcher = pool({ maxConnections: 5 }).connectionFetch(() => ({}), false)
    const answers = await Promise.all(Array.from({ length: 12 }, () => post(fetcher, server.url)))
    expect(answers.every((a) => a.status === 200)).toBe(true)
    expect(vendor.most()).toBe(5)
    expect(server.opened()).toBe(1)
  })

  it('closes a session idle for keepAliveMs, and opens a new one for the next call', async () => {
    const server = await startTls(json)
    const http = pool({ keepAliveMs: 300 })
    const fetcher = http.connectionFetch(() => ({}), false)
    await post(fetcher, server.url)
    await post(fetcher, server.url)
    expect(server.open()).toBe(1)
    await expect.poll(() => server.open(), { timeout: 2_000, interval: 50 }).toBe(0)
    // The pool forgets the session on its 'close' event, which can come a moment after the server saw the socket end.
    await expect.poll(() => http.h2Stats().sessions, { timeout: 1_000, interval: 10 }).toBe(0)
    expect((await post(fetcher, server.url)).status).toBe(200)
    expect(server.opened()).toBe(2)
  })

  it('an idle session does not keep the process alive', async () => {
    const server = await startTls(json)
    // A process whose only work is one call through the pool (keepAliveMs 60 s): it must end once answered.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
    const pool = pathToFileURL(new URL('../../src/upstream/http-pool.ts', import.meta.url).pathname).href
    const script = `
      const { UpstreamHttp } = await import(${JSON.stringify(pool)})
      const http = new UpstreamHttp({ maxConnections: 8, idleConnections: 8, keepAliveMs: 60000, ca: process.env.CA })
      const res = await http.connectionFetch(() => ({}), false).fetch(${JSON.stringify(server.url)}, { method: 'POST', body: '{}' })
      await res.text()
      console.log(res.status, 'sessions', http.h2Stats().sessions)`
    const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', CA: tls.cert }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.stderr.on('data', (d: Buffer) => (out += d))
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill()
        resolve(null)
      }, 10_000)
      child.once('exit', (c) => {
        clearTimeout(timer)
        resolve(c)
      })
    })
    expect(out).toContain('200 sessions 1')
    expect(code, out).toBe(0)
    expect(server.versions).toEqual(['2.0'])
  })

  it('a per-request signal resets the stream with RST_STREAM(CANCEL)', async () => {
    let seen: ServerHttp2Stream | undefined
    const closed: number[] = []
    const server = await startTls((req) => {
      const stream = (req as Http2ServerRequest).stream
      seen = stream
      stream.once('close', () => closed.push(stream.rstCode))
      req.resume() // never answers
    })
    await abortOnceSeen(pool().connectionFetch(() => ({}), false), server.url, () => seen)
    await expect.poll(() => closed).toEqual([constants.NGHTTP2_CANCEL])
    // Only the stream: the session stays for the next call.
    expect(server.open()).toBe(1)
  })

  it('a request aborted while it waits for a free stream is never sent', async () => {
    const vendor = slow(300)
    let seen = 0
    const server = await startTls((req, res) => {
      seen++
      vendor.handler(req, res)
    })
    const fetcher = pool({ maxConnections: 1 }).connectionFetch(() => ({}), false)
    const first = post(fetcher, server.url)
    await expect.poll(() => seen).toBe(1)
    const controller = new AbortController()
    const waiting = fetcher.fetch(server.url, { method: 'POST', body: '{}', signal: controller.signal })
    controller.abort()
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' })
    expect((await first).status).toBe(200)
    await sleep(50)
    expect(seen).toBe(1)
  })

  it('drops connection-specific headers and sends the rest lower-case', async () => {
    let headers: Record<string, unknown> = {}
    const server = await startTls((req, res) => {
      headers = { ...req.headers }
      json(req, res)
    })
    const fetcher = pool().connectionFetch(() => ({ 'X-Api-Key': 'k1', Connection: 'keep-alive', 'Keep-Alive': 'timeout=5', Host: 'elsewhere', Upgrade: 'h2c', 'Transfer-Encoding': 'chunked' }), false)
    expect((await post(fetcher, server.url)).status).toBe(200)
    expect(headers).toMatchObject({ 'x-api-key': 'k1', ':authority': new URL(server.url).host })
    for (const name of ['connection', 'keep-alive', 'host', 'upgrade', 'transfer-encoding']) expect(headers, name).not.toHaveProperty(name)
  })

  it("turns 429 into a refusal with the vendor's Retry-After", async () => {
    const server = await startTls((req, res) => {
      req.resume()
      res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end('{}')
    })
    const fetcher = pool().connectionFetch(() => ({}), false)
    const error = await post(fetcher, server.url).catch((e: unknown) => e)
    expect(classifyUpstreamError(error, false)).toMatchObject({ code: 'RATE_LIMITED', details: { httpStatus: 429, retryAfterMs: 7_000 } })
  })

  it('sends a stream refused with REFUSED_STREAM again at once; spent resends count as never sent', async () => {
    let refuse = 2
    let handled = 0
    const server = await startTls((req, res) => {
      if (refuse > 0) {
        refuse--
        ;(req as Http2ServerRequest).stream.close(constants.NGHTTP2_REFUSED_STREAM)
        return
      }
      handled++
      json(req, res)
    })
    const fetcher = pool().connectionFetch(() => ({}), false)
    expect((await post(fetcher, server.url)).status).toBe(200)
    expect(handled).toBe(1)
    refuse = 100
    const error = await post(fetcher, server.url).catch((e: unknown) => e)
    expect(neverSent(error)).toBe(true)
    expect(classifyUpstreamError(error, false).code).toBe('UNAVAILABLE')
    expect(handled).toBe(1)
  })

  /**
   * A vendor that answers after `answerMs`, and sends a GOAWAY with `code` (its last stream the one before) instead of
   * answering the stream after `goawayNext()`.
   */
  async function goawayServer(code: number, answerMs: number) {
    let goaway = false
    let handled = 0
    const server = await startTls((req, res) => {
      const stream = (req as Http2ServerRequest).stream
      if (goaway) {
        goaway = false
        // The vendor takes the earlier stream (still answering) and not this one.
        stream.session!.goaway(code, stream.id! - 2)
        return
      }
      handled++
      req.resume()
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), answerMs)
    })
    return { server, handled: () => handled, goawayNext: () => void (goaway = true) }
  }

  it('a stream above the last id of a GOAWAY goes again on a new session; streams below it finish', async () => {
    const { server, handled, goawayNext } = await goawayServer(constants.NGHTTP2_NO_ERROR, 150)
    const fetcher = pool().connectionFetch(() => ({}), false)
    const first = post(fetcher, server.url)
    await expect.poll(handled).toBe(1)
    goawayNext()
    const second = await post(fetcher, server.url)
    expect(second.status).toBe(200)
    expect((await first).status).toBe(200)
    expect(handled()).toBe(2)
    expect(server.opened()).toBe(2)
  })

  it('a GOAWAY with an error ends the session: a stream below its last id may have run, one above goes again', async () => {
    const { server, handled, goawayNext } = await goawayServer(constants.NGHTTP2_INTERNAL_ERROR, 300)
    const fetcher = pool().connectionFetch(() => ({}), false)
    const first = post(fetcher, server.url).catch((e: unknown) => e)
    await expect.poll(handled).toBe(1)
    goawayNext()
    expect((await post(fetcher, server.url)).status).toBe(200)
    const error = await first
    expect(neverSent(error)).toBe(false)
    expect(classifyUpstreamError(error, false).code).toBe('INTERRUPTED')
    expect(handled()).toBe(2)
  })

  it('a stream reset otherwise may have run: not sent again, not never-sent', async () => {
    let handled = 0
    const server = await startTls((req) => {
      handled++
      req.resume()
      ;(req as Http2ServerRequest).stream.close(constants.NGHTTP2_INTERNAL_ERROR)
    })
    const fetcher = pool().connectionFetch(() => ({}), false)
    const error = await post(fetcher, server.url).catch((e: unknown) => e)
    expect(handled).toBe(1)
    expect(neverSent(error)).toBe(false)
    expect(classifyUpstreamError(error, false).code).toBe('INTERRUPTED')
  })

  it('an HTTP/1.1-only TLS origin keeps the Agent (after one ALPN probe)', async () => {
    const server = await startTls(json, { http2: false })
    const http = pool()
    const fetcher = http.connectionFetch(() => ({}), false)
    for (let i = 0; i < 3; i++) expect((await post(fetcher, server.url)).status).toBe(200)
    expect(server.versions).toEqual(['1.1', '1.1', '1.1'])
    // The probe and one keep-alive socket.
    expect(server.opened()).toBe(2)
    expect(http.h2Stats().sessions).toBe(0)
  })

  it('the connect timeout covers the SETTINGS exchange: a vendor that picks h2 and stays silent fails as never sent', async () => {
    const sockets: Socket[] = []
    const silent = createTlsServer({ key: tls.key, cert: tls.cert, ALPNProtocols: ['h2'] }, (socket) => void sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), silent.close(() => resolve()))))
    const fetcher = pool({ connectTimeoutMs: 300 }).connectionFetch(() => ({}), false)
    const started = Date.now()
    const error = await post(fetcher, `https://127.0.0.1:${(silent.address() as { port: number }).port}/mcp`).catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(sockets).toHaveLength(1)
    expect(neverSent(error)).toBe(true)
    expect(classifyUpstreamError(error, false).code).toBe('UNAVAILABLE')
  })

  it('an untrusted certificate fails as never sent (no CA given)', async () => {
    const server = await startTls(json)
    const fetcher = pool({ ca: undefined, connectTimeoutMs: 2_000 }).connectionFetch(() => ({}), false)
    const error = await post(fetcher, server.url).catch((e: unknown) => e)
    expect(neverSent(error)).toBe(true)
    await sleep(0)
  })
})
