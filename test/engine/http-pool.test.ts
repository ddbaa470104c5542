/**
 * The upstream HTTP pool (node:http keep-alive Agent) against real loopback servers: idle sockets are reused and
 * expire (after keepAliveMs, or sooner when the server's `Keep-Alive: timeout=` says so), the socket bound holds,
 * 200 requests run at once with the default sizing and idle sockets shrink to the idle bound afterwards,
 * a connection that cannot be set up in time fails as "never sent", event streams are cut by close() and piped
 * into the SDK's decoder as a web stream would be (order, end, cuts, cancel), per-request
 * signals are honoured, and a DELETE that gets no answer resolves 0 in time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { UpstreamHttp } from '../../src/upstream/http-pool.js'
import { classifyUpstreamError, neverSent } from '../../src/upstream/errors.js'
import { trimIdle } from '../../src/upstream/idle-bound.js'
import { ConfigSchema, POOL_DEFAULTS } from '../../src/config/schema.js'
import { abortOnceSeen, slowHandler } from '../support/slow-handler.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

/** A loopback HTTP server that records its connections (open and closed) and how many requests each carried. */
/** A server answering `{}` after `latencyMs`; `most()` is the most requests it held at once. */
async function startSlowServer(latencyMs: number) {
  const { handler, most } = slowHandler(latencyMs)
  return { server: await startServer(handler), most }
}

async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void, setup: (s: Server) => void = () => {}) {
  const server = createServer(handler)
  setup(server)
  const sockets: Array<{ socket: Socket; closed: boolean; closedByPeer: boolean }> = []
  server.on('connection', (socket) => {
    const entry = { socket, closed: false, closedByPeer: false }
    sockets.push(entry)
    socket.on('end', () => (entry.closedByPeer = true))
    socket.on('close', () => (entry.closed = true))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  )
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`, sockets, server }
}

function pool(options: Partial<ConstructorParameters<typeof UpstreamHttp>[0]> = {}) {
  const http = new UpstreamHttp({ maxConnections: 8, idleConnections: 8, keepAliveMs: 30_000, ...options })
  cleanups.push(() => http.close())
  return http
}

const json = (_req: IncomingMessage, res: ServerResponse) => {
  _req.resume()
  _req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'))
}

const post = async (fetcher: { fetch: typeof fetch }, url: string, body = '{}') => {
  const res = await fetcher.fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
  return { status: res.status, json: await res.json() }
}

describe('upstream http pool', () => {
  it('reuses an idle socket, and closes it after keepAliveMs', async () => {
    const server = await startServer(json, (s) => (s.keepAliveTimeout = 60_000))
    const http = pool({ keepAliveMs: 300 })
    const fetcher = http.connectionFetch(() => ({}), false)
    for (let i = 0; i < 3; i++) expect(await post(fetcher, server.url)).toEqual({ status: 200, json: { ok: true } })
    expect(server.sockets.length).toBe(1)
    expect(http.health.lastGoodAt).toBeGreaterThan(0)
    await sleep(700)
    // The pool closed it (the server would have kept it for 60 s).
    expect(server.sockets[0]).toMatchObject({ closed: true, closedByPeer: true })
    await post(fetcher, server.url)
    expect(server.sockets.length).toBe(2)
  })

  it("honours the server's shorter Keep-Alive: timeout= hint (minus 1 s)", async () => {
    const server = await startServer(json, (s) => (s.keepAliveTimeout = 2_000))
    const http = pool({ keepAliveMs: 30_000 })
    const fetcher = http.connectionFetch(() => ({}), false)
    await post(fetcher, server.url)
    await sleep(1_500)
    // Closed by the pool after ~1 s, before the server's own 2 s timeout.
    expect(server.sockets[0]).toMatchObject({ closed: true, closedByPeer: true })
  })

  it('never hands a socket out again after `Connection: close` or `Keep-Alive: timeout=1`, even to queued requests', async () => {
    for (const headers of [{ connection: 'close' }, { 'keep-alive': 'timeout=1' }]) {
      let requests = 0
      const server = await startServer((req, res) => {
        requests++
        req.resume()
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', ...headers }).end('{"ok":true}'))
      })
      // One socket allowed: the other requests queue for it, so each answer's socket would be handed straight on.
      const fetcher = pool({ maxConnections: 1 }).connectionFetch(() => ({}), false)
      const answers = await Promise.all(Array.from({ length: 4 }, () => post(fetcher, server.url)))
      expect(answers.every((a) => a.status === 200)).toBe(true)
      expect(requests).toBe(4)
      expect(server.sockets.length, JSON.stringify(headers)).toBe(4)
    }
  })

  it("a socket found past the vendor's keep-alive time (the pool's timer was late) is replaced, and reuse goes on", async () => {
    const server = await startServer(
      (req, res) => {
        req.resume()
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'keep-alive': 'timeout=2' }).end('{}'))
      },
      (s) => (s.keepAliveTimeout = 60_000),
    )
    const fetcher = pool().connectionFetch(() => ({}), false)
    await post(fetcher, server.url)
    // A blocked event loop: the Agent's 1 s idle timer (2 s announced, minus 1 s) cannot run before the next request.
    const until = Date.now() + 1_200
    while (Date.now() < until);
    expect((await post(fetcher, server.url)).status).toBe(200)
    for (let i = 0; i < 3; i++) expect((await post(fetcher, server.url)).status).toBe(200)
    // One replacement connection, then reused: a pool that took this for a vendor closing its connections would have
    // opened one per request (5).
    expect(server.sockets.length).toBe(2)
  })

  it('a server that closes each connection after answering: a failure on the reused socket is marked, then no socket is reused', async () => {
    const server = await startServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.once('finish', () => req.socket.end())
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
      })
    })
    const fetcher = pool({ maxConnections: 2 }).connectionFetch(() => ({}), false)
    const failures: unknown[] = []
    for (let round = 0; round < 5; round++) {
      const settled = await Promise.allSettled(Array.from({ length: 6 }, () => post(fetcher, server.url)))
      for (const s of settled) if (s.status === 'rejected') failures.push(s.reason)
      if (round > 0) expect(settled.every((s) => s.status === 'fulfilled'), `round ${round}`).toBe(true)
    }
    // At most one per socket before the pool stops reusing; each says "reused socket, no answer byte".
    expect(failures.length).toBeLessThanOrEqual(2)
    for (const f of failures) expect(classifyUpstreamError(f, false).details).toMatchObject({ staleSocket: true })
  })

  it('a busy socket is not cut by keepAliveMs: a slow answer and a quiet event stream outlast it', async () => {
    const server = await startServer((req, res) => {
      req.resume()
      if (req.method === 'POST') setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"late":true}'), 600)
      else {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.write('data: 1\n\n')
        setTimeout(() => res.end('data: 2\n\n'), 600)
      }
    })
    const fetcher = pool({ keepAliveMs: 150 }).connectionFetch(() => ({}), true)
    expect(await post(fetcher, server.url)).toEqual({ status: 200, json: { late: true } })
    const stream = await fetcher.fetch(server.url, { method: 'GET', headers: { accept: 'text/event-stream' } })
    expect(await stream.text()).toBe('data: 1\n\ndata: 2\n\n')
  })

  it('opens at most `maxConnections` sockets to the origin', async () => {
    const { server, most } = await startSlowServer(50)
    const fetcher = pool({ maxConnections: 2 }).connectionFetch(() => ({}), false)
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(fetcher, server.url)))
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200])
    expect(most()).toBe(2)
    expect(server.sockets.length).toBe(2)
  })

  it('with the default sizing, 200 requests to a slow origin run at once; afterwards idle sockets shrink to idleConnections', async () => {
    const LATENCY_MS = 400
    const { server, most } = await startSlowServer(LATENCY_MS)
    const defaults = ConfigSchema.parse({ servers: { s: { url: server.url } } }).servers.s!.pool
    expect(defaults).toEqual(POOL_DEFAULTS)
    const http = new UpstreamHttp(defaults)
    cleanups.push(() => http.close())
    const fetcher = http.connectionFetch(() => ({}), false)
    const started = Date.now()
    const answers = await Promise.all(Array.from({ length: 200 }, () => post(fetcher, server.url)))
    const wall = Date.now() - started
    console.info(`[measure] 200 requests, ${LATENCY_MS} ms origin, default pool: ${wall} ms, ${most()} at once, ${server.sockets.length} sockets`)
    expect(answers.every((a) => a.status === 200)).toBe(true)
    expect(most()).toBe(200)
    // One latency plus set-up, not two (the former bound of 64 needed four rounds).
    expect(wall).toBeLessThan(2 * LATENCY_MS)
    expect(server.sockets.length).toBe(200)
    // A second burst right away reuses them: no new connection.
    await Promise.all(Array.from({ length: 200 }, () => post(fetcher, server.url)))
    expect(server.sockets.length).toBe(200)
    // Idle: trimmed to the idle bound after the grace (checked once per grace period).
    const open = () => server.sockets.filter((s) => !s.closed).length
    for (let i = 0; i < 40 && open() > defaults.idleConnections; i++) await sleep(100)
    expect(open()).toBe(defaults.idleConnections)
    expect(server.sockets.filter((s) => s.closedByPeer).length).toBe(200 - defaults.idleConnections)
  })

  it('trims only sockets idle past the grace, longest idle first, and only beyond the bound', async () => {
    const server = await startServer(json)
    const http = pool({ maxConnections: 10, idleConnections: 2 })
    const fetcher = http.connectionFetch(() => ({}), false)
    await Promise.all(Array.from({ length: 6 }, () => post(fetcher, server.url)))
    await sleep(20)
    const agent = http.agent(false)
    const free = () => Object.values(agent.freeSockets).flat().length
    expect(free()).toBe(6)
    // None idle since before the cut-off: nothing closed, whatever the excess.
    expect(trimIdle(agent, 2, Date.now() - 10_000)).toBe(0)
    // Two are used again (the warmest under lifo): the four others are the longest idle, and go.
    await sleep(20)
    const cutoff = Date.now()
    await Promise.all(Array.from({ length: 2 }, () => post(fetcher, server.url)))
    await sleep(20)
    expect(trimIdle(agent, 2, cutoff)).toBe(4)
    expect(free()).toBe(2)
    expect(trimIdle(agent, 2, Date.now())).toBe(0)
    await sleep(50)
    expect(server.sockets.filter((s) => !s.closed).length).toBe(2)
  })

  it('a connection not set up within the connect timeout fails as never sent (vendor unavailable)', async () => {
    // A TCP listener that never answers the TLS ClientHello: TCP connects, the TLS handshake never completes.
    const silent = createTcpServer((socket) => socket.on('error', () => {}).resume())
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => silent.close(() => resolve())))
    const url = `https://127.0.0.1:${(silent.address() as { port: number }).port}/mcp`
    const fetcher = pool({ connectTimeoutMs: 300 }).connectionFetch(() => ({}), false)
    const started = Date.now()
    const error = await fetcher.fetch(url, { method: 'POST', body: '{}' }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(error).toMatchObject({ code: 'ETIMEDOUT', syscall: 'connect' })
    expect(neverSent(error)).toBe(true)
    expect(classifyUpstreamError(error, false).code).toBe('UNAVAILABLE')
  })

  it('reads a JSON answer whose body comes after its head, and fails one cut before its end as interrupted', async () => {
    const server = await startServer((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' })
      res.flushHeaders()
      if (req.url?.endsWith('cut')) setTimeout(() => res.write('{"ok"', () => res.socket?.destroy()), 30)
      else setTimeout(() => res.write('{"ok"', () => setTimeout(() => res.end(':true}'), 30)), 30)
    })
    const fetcher = pool().connectionFetch(() => ({}), false)
    expect(await post(fetcher, server.url)).toEqual({ status: 200, json: { ok: true } })
    const error = await post(fetcher, server.url + '?cut').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(classifyUpstreamError(error, false).code).toBe('INTERRUPTED')
  })

  it('a reset after the request was written stays "may have run" (interrupted)', async () => {
    const server = await startServer((req) => req.on('data', () => req.socket.destroy()))
    const fetcher = pool().connectionFetch(() => ({}), false)
    const error = await fetcher.fetch(server.url, { method: 'POST', body: '{}' }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(neverSent(error)).toBe(false)
    expect(classifyUpstreamError(error, false).code).toBe('INTERRUPTED')
  })

  it('close() cuts an open event stream; a web Response body reads it until then', async () => {
    let serverSaw: IncomingMessage | undefined
    const server = await startServer((req, res) => {
      serverSaw = req
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('event: message\ndata: {"hello":1}\n\n')
    })
    const fetcher = pool().connectionFetch(() => ({}), true)
    const res = await fetcher.fetch(server.url, { method: 'GET', headers: { accept: 'text/event-stream' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const reader = res.body!.getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toContain('"hello":1')
    fetcher.close()
    await expect(reader.read()).rejects.toThrow()
    await expect.poll(() => serverSaw?.socket?.destroyed).toBe(true)
    // A closed connection sends nothing more, and says so as "never sent".
    const error = await fetcher.fetch(server.url, { method: 'POST', body: '{}' }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(neverSent(error)).toBe(true)
  })

  describe('event stream bodies piped as the SDK transport pipes them (body.pipeThrough(decoder))', () => {
    /** A vendor that answers every request with an event stream and hands the response to `write`. */
    const eventStreamVendor = (write: (res: ServerResponse, req: IncomingMessage) => void) =>
      startServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        write(res, req)
      })
    /** A POST through a connection's fetch, as the SDK sends a JSON-RPC request. */
    const post = (url: string) => pool().connectionFetch(() => ({}), false).fetch(url, { method: 'POST', body: '{}' })

    /** Reads everything the decoder gives until the end, or the error that ended it. */
    async function readDecoded(body: ReadableStream<Uint8Array>) {
      const reader = body.pipeThrough(new TextDecoderStream()).getReader()
      let text = ''
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) return { text }
          text += value
        }
      } catch (error) {
        return { text, error: error as Error }
      }
    }

    it('deliver every chunk in order and end with the stream; the body is locked once piped', async () => {
      const server = await eventStreamVendor((res) => {
        void (async () => {
          for (let i = 0; i < 50; i++) {
            res.write(`id: ${i}\ndata: ${'x'.repeat(2000)}\n\n`)
            await sleep(1)
          }
          res.end()
        })()
      })
      const res = await post(server.url)
      expect(res.body!.locked).toBe(false)
      const { text, error } = await readDecoded(res.body!)
      expect(error).toBeUndefined()
      expect(text.match(/^id: \d+$/gm)).toEqual(Array.from({ length: 50 }, (_, i) => `id: ${i}`))
      expect(res.body!.locked).toBe(true)
      expect(() => res.body!.getReader()).toThrow(/locked/)
    })

    it('end with an error the network classification reads as interrupted when the vendor cuts the stream', async () => {
      const server = await eventStreamVendor((res) => {
        res.write('id: 1\ndata: {}\n\n')
        setTimeout(() => res.socket!.destroy(), 20)
      })
      const res = await post(server.url)
      const { text, error } = await readDecoded(res.body!)
      expect(text).toContain('id: 1')
      expect(error?.message).toMatch(/aborted/)
      expect(classifyUpstreamError(new Error(`SSE stream disconnected: ${error}`), false).code).toBe('INTERRUPTED')
    })

    it('stop reading the socket when the reader cancels', async () => {
      let serverSaw: IncomingMessage | undefined
      const server = await eventStreamVendor((res, req) => {
        serverSaw = req
        res.write('data: first\n\n')
      })
      const res = await post(server.url)
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
      expect((await reader.read()).value).toContain('first')
      await reader.cancel()
      await expect.poll(() => serverSaw?.socket?.destroyed).toBe(true)
    })

    it('read whole with text(), as the transport does for an answer it does not stream', async () => {
      const server = await eventStreamVendor((res) => res.end('data: one\n\ndata: two\n\n'))
      const res = await post(server.url)
      expect(await res.text()).toBe('data: one\n\ndata: two\n\n')
    })
  })

  it('answers the standalone GET locally with 405 unless the connection listens', async () => {
    const server = await startServer(json)
    const res = await pool().connectionFetch(() => ({}), false).fetch(server.url, { method: 'GET', headers: { accept: 'text/event-stream' } })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('POST')
    expect(server.sockets.length).toBe(0)
  })

  it('honours a per-request signal', async () => {
    let seen: IncomingMessage | undefined
    const server = await startServer((req) => {
      seen = req
      req.resume() // never answers
    })
    await abortOnceSeen(pool().connectionFetch(() => ({}), false), server.url, () => seen)
  })

  it('merges connection headers under the transport-managed ones, and sends Content-Length', async () => {
    let headers: IncomingMessage['headers'] = {}
    const server = await startServer((req, res) => {
      headers = req.headers
      json(req, res)
    })
    const fetcher = pool().connectionFetch(() => ({ 'X-Api-Key': 'k1', Authorization: 'Bearer static' }), false)
    await fetcher.fetch(server.url, { method: 'POST', body: '{"a":1}', headers: new Headers({ authorization: 'Bearer fresh', 'content-type': 'application/json' }) })
    expect(headers).toMatchObject({ 'x-api-key': 'k1', authorization: 'Bearer fresh', 'content-length': '7' })
    expect(headers['transfer-encoding']).toBeUndefined()
  })

  it('deleteSession resolves with the status, and with 0 when no answer comes in time', async () => {
    const answering = await startServer((req, res) => {
      req.resume()
      res.writeHead(req.headers['mcp-session-id'] === 's1' ? 200 : 404).end()
    })
    const http = pool()
    expect(await http.deleteSession(answering.url, { 'mcp-session-id': 's1' }, 2_000)).toBe(200)
    expect(await http.deleteSession(answering.url, { 'mcp-session-id': 's2' }, 2_000)).toBe(404)
    // A header value Node refuses to send: 0, never a rejection.
    expect(await http.deleteSession(answering.url, { 'mcp-session-id': 'bad\nvalue' }, 2_000)).toBe(0)
    const mute = await startServer((req) => req.resume())
    const started = Date.now()
    expect(await http.deleteSession(mute.url, { 'mcp-session-id': 's1' }, 200)).toBe(0)
    expect(Date.now() - started).toBeLessThan(2_000)
  })
})
