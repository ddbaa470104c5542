/**
 * @module upstream/http-pool
 * One HTTP connection pool per upstream server (a keep-alive `node:http` / `node:https` `Agent`), shared by every MCP
 * connection of that server, and the `fetch` each MCP transport is given on top of it. Sockets in use and idle
 * sockets are bounded separately (`maxConnections`, `idleConnections`): a call holds its socket for its whole answer,
 * so calls in flight need many sockets at once, idle sessions none.
 *
 * Node's own HTTP client, not the npm `undici`: loading undici compiles its llhttp WebAssembly (~135 ms and ~20 MB
 * RSS at start-up), while a keep-alive `http.Agent` costs the same per call and nothing to load.
 *
 * The `fetch` does the jobs the SDK transport leaves to us, cheaply (it is on every call's path):
 * - no WHATWG fetch machinery: answers come back as light Response-shaped objects (upstream/lite-response), JSON
 *   ones over the bytes, event streams over the socket's stream;
 * - merges the connection's static and forwarded headers into every request (transport-managed headers win);
 * - never passes on the SDK's transport-wide `AbortSignal`, which would add a listener to it per request (a cost per
 *   call and `MaxListenersExceededWarning` under load); closing the connection cuts its open event streams instead.
 *   Per-request signals (2026-07-28 cancellation) are honoured;
 * - answers the standalone GET stream locally with 405 unless the connection wants server notifications: the SDK
 *   opens that stream after every `initialize`, and one open stream per caller session costs a socket and ~90 KB
 *   for notifications nobody reads (`list_changed` comes from the catalog session);
 * - gives up on a connection not set up within `connectTimeoutMs` (the server's `timeouts.connectMs`; 10 s, undici's
 *   default, when not given; Node has none) with an error that {@link module:upstream/errors} classifies as never
 *   sent;
 * - records the last good exchange with the vendor, which readiness reads instead of sending `ping`;
 * - turns a vendor's 429 / 503 into a refusal error carrying its `Retry-After` (the call did not run);
 * - never writes a request onto a pooled socket the vendor already closed, and marks a failure on a reused socket
 *   before any answer byte (see upstream/socket-reuse);
 * - when tracing is on, wraps each request in a client span and sends its `traceparent`;
 * - sends the requests of an `https:` origin that picked `h2` by ALPN as streams of a few HTTP/2 sessions
 *   (upstream/h2-pool), with the same light answers and the same refusal, health and tracing rules; an origin that
 *   picked http/1.1 costs one Map lookup per call and takes the Agent path unchanged.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { Socket } from 'node:net'
import { startHttpSpan } from '../telemetry/spans.js'
import { boundIdle } from './idle-bound.js'
import { refusalError } from './errors.js'
import { distrust, guardReuse, isStaleAbort, isVendorClosedAbort, markStaleSocketFailure, staleAbort, staleness, trackSocket, wasUsed } from './socket-reuse.js'
import { BufferedResponse, EventStreamResponse, RawHeaders, readWhole, type WireBody } from './lite-response.js'
import { H2Pool, rawHeadersOf } from './h2-pool.js'

/** Sizing of a server's pool (config `servers.<name>.pool`). */
export interface HttpPoolOptions {
  /**
   * Most sockets to the vendor's origin at once, busy and idle: the ceiling of requests in flight (HTTP/1.1 carries
   * one per socket). Requests beyond it wait for a socket.
   */
  maxConnections: number
  /** Most idle keep-alive sockets kept past a short grace (see upstream/idle-bound). */
  idleConnections: number
  /** How long an idle keep-alive socket is kept open (shorter when the vendor's `Keep-Alive: timeout=` says so). */
  keepAliveMs: number
  /**
   * Longest wait for a new connection (TCP and TLS, and HTTP/2 SETTINGS) to be set up: the server's
   * `timeouts.connectMs`; 10 s when not given.
   */
  connectTimeoutMs?: number
  /**
   * PEM CA certificates trusted for this vendor's TLS certificate instead of Node's default set
   * (`servers.<name>.tls.caFile`); undefined = the defaults (with NODE_EXTRA_CA_CERTS).
   */
  ca?: string
}

/** Liveness facts about one vendor, shared by all its connections. */
export class VendorHealth {
  /** When the vendor last answered a request with a 2xx status (epoch ms; 0 = never). */
  lastGoodAt = 0
}

/** Where one request URL goes, parsed once per connection and URL. */
interface Target {
  href: string
  secure: boolean
  /** `https://host:port` (the key of the ALPN verdict and of the HTTP/2 sessions). */
  origin: string
  hostname: string
  port: string
  path: string
  agent: HttpAgent
}

/** The HTTP side of one upstream server: a shared socket pool and the vendor's health. */
export class UpstreamHttp {
  readonly health = new VendorHealth()
  readonly #options: HttpPoolOptions
  /** One agent per scheme, made on first use (a server normally speaks only one). */
  #http?: HttpAgent
  #https?: HttpsAgent
  #h2?: H2Pool

  constructor(options: HttpPoolOptions) {
    this.#options = options
  }

  /** @internal The agent for `http:` or `https:` URLs. */
  agent(secure: boolean): HttpAgent {
    if (secure) {
      const ca = this.#options.ca
      return (this.#https ??= this.#bounded(guardReuse(pooled(new HttpsAgent({ ...this.#agentOptions(), ...(ca ? { ca } : {}) }), 'secureConnect', this.#connectTimeout))))
    }
    return (this.#http ??= this.#bounded(guardReuse(pooled(new HttpAgent(this.#agentOptions()), 'connect', this.#connectTimeout))))
  }

  /** @internal The HTTP/2 sessions of `https:` origins that speak h2 (made on first use). */
  h2(): H2Pool {
    const { maxConnections, keepAliveMs, ca } = this.#options
    return (this.#h2 ??= new H2Pool({ maxStreams: maxConnections, keepAliveMs, connectTimeoutMs: this.#connectTimeout, ca }))
  }

  /** HTTP/2 sessions open and streams in flight (0 and 0 while no origin spoke h2). */
  h2Stats(): { sessions: number; streams: number } {
    return this.#h2?.stats() ?? { sessions: 0, streams: 0 }
  }

  /** Stops of the idle bounds of the agents made so far. */
  readonly #stops: Array<() => void> = []

  #bounded<A extends HttpAgent>(agent: A): A {
    this.#stops.push(boundIdle(agent, this.#options.idleConnections))
    return agent
  }

  get #connectTimeout() {
    return this.#options.connectTimeoutMs ?? 10_000
  }

  #agentOptions() {
    const { maxConnections, keepAliveMs } = this.#options
    return {
      keepAlive: true,
      maxSockets: maxConnections,
      // Not the idle bound: the Agent would apply it the moment a socket is freed, and under load (many calls in
      // flight, a few between two calls at any instant) close sockets the next call opens again. upstream/idle-bound
      // trims to `idleConnections` what stays idle for a while.
      maxFreeSockets: maxConnections,
      // `timeout` is what ends an idle (free) socket; the Agent lowers it to the vendor's `Keep-Alive: timeout=`
      // hint minus 1 s. On a busy socket the same timer only emits 'timeout', which nothing here acts on: no
      // header or body timeout, the MCP request timeout governs. (`keepAliveMsecs` is the TCP probe delay.)
      timeout: keepAliveMs,
      // 'lifo' (Node's default) reuses the warmest socket and lets the others expire when traffic drops.
      scheduling: 'lifo' as const,
    }
  }

  /**
   * A fetch for one MCP connection.
   * @param headers re-read on every request (static + forwarded headers of the caller)
   * @param listen  true when the connection keeps the standalone GET stream for server notifications
   */
  connectionFetch(headers: () => Record<string, string>, listen: boolean): ConnectionFetch {
    return new ConnectionFetch(this, headers, listen)
  }

  /**
   * Sends the HTTP DELETE that ends a vendor session (2025 Streamable HTTP), straight on the pool: no SDK client,
   * no fetch machinery, since thousands of them may go out at shutdown. Resolves with the status; 0 when the
   * vendor could not be reached or did not answer within `timeoutMs`.
   */
  deleteSession(url: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
    let target: Target
    try {
      target = targetOf(this, url)
    } catch {
      return Promise.resolve(0)
    }
    return new Promise<number>((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const done = (status: number) => {
        clearTimeout(timer)
        resolve(status)
      }
      const attempt = (left: number) => {
        try {
          const req = send(target, 'DELETE', headers, undefined, undefined, (res) => {
            res.once('end', () => {
              if (res.statusCode! >= 200 && res.statusCode! < 300) this.health.lastGoodAt = Date.now()
              done(res.statusCode!)
            })
            res.once('error', () => done(0))
            res.resume()
          })
          // Aborted before it was written (the pooled socket was dead): send it on another connection.
          req.on('error', (error) => (isStaleAbort(error) && left > 0 ? attempt(left - 1) : done(0)))
          clearTimeout(timer)
          timer = setTimeout(() => req.destroy(), timeoutMs)
        } catch {
          done(0) // e.g. a header value Node refuses
        }
      }
      if (!target.secure || this.verdict(target) === 'http/1.1') return attempt(STALE_RESENDS)
      const signal = AbortSignal.timeout(timeoutMs)
      this.h2()
        .request(target, 'DELETE', plainHeaders(headers), undefined, signal)
        .then((answer) => {
          if (answer === 'http/1.1') return attempt(STALE_RESENDS)
          readWhole(answer.stream).then(() => {
            if (answer.status >= 200 && answer.status < 300) this.health.lastGoodAt = Date.now()
            done(answer.status)
          }, () => done(0))
        }, () => done(0))
    })
  }

  /** What an `https:` target's origin speaks by ALPN (undefined until its first connection). */
  verdict(target: Target) {
    return this.#h2?.verdict(target.origin)
  }

  /** Closes every socket (at shutdown, after the last request). */
  async close(): Promise<void> {
    for (const stop of this.#stops.splice(0)) stop()
    this.#h2?.close()
    this.#http?.destroy()
    this.#https?.destroy()
  }
}

/**
 * Wraps an agent's socket factory: Nagle off, and a connect timeout (TCP, and the TLS handshake for https, as
 * undici counts it). The timeout's error carries `syscall: 'connect'`: no byte of any request was written.
 */
function pooled<A extends HttpAgent>(agent: A, ready: 'connect' | 'secureConnect', timeoutMs: number): A {
  const create = (agent as unknown as { createConnection: (...args: unknown[]) => Socket }).createConnection
  ;(agent as unknown as { createConnection: (...args: unknown[]) => Socket }).createConnection = function (this: A, ...args: unknown[]) {
    const socket = create.apply(this, args)
    socket.setNoDelay(true)
    trackSocket(socket, this)
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error(`connect timeout (${timeoutMs} ms)`), { code: 'ETIMEDOUT', syscall: 'connect' })),
      timeoutMs,
    )
    const clear = () => clearTimeout(timer)
    socket.once(ready, clear).once('close', clear)
    // The vendor closed an idle socket: out of the pool at once. The Agent would drop it only on 'close', a few
    // ticks later, and a request written there in between fails as "may have run" although the vendor was gone.
    // ('agentRemove' is the Agent's own way to take a socket out; it drops a free one once it is not writable.)
    socket.once('end', () => {
      if ((socket as { _httpMessage?: unknown })._httpMessage) return
      socket.destroy()
      socket.emit('agentRemove')
    })
    return socket
  }
  return agent
}

/** Parses a request URL into what `http.request` takes (credentials in the URL are not sent, as with undici). */
function targetOf(pool: UpstreamHttp, href: string): Target {
  const u = new URL(href)
  const secure = u.protocol === 'https:'
  if (!secure && u.protocol !== 'http:') throw new TypeError(`unsupported protocol ${u.protocol}`)
  // An IPv6 literal comes bracketed in a URL, bare in `http.request`.
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname
  return { href, secure, origin: u.origin, hostname, port: u.port, path: u.pathname + u.search, agent: pool.agent(secure) }
}

/**
 * Starts one request on the pool; errors before the response arrive on the returned request.
 * @param onSocket told which socket the request got (after the staleness check), from the same one-time listener
 */
function send(
  t: Target,
  method: string,
  headers: OutgoingHttpHeaders,
  body: string | Uint8Array | undefined,
  signal: AbortSignal | undefined,
  onResponse: (res: IncomingMessage) => void,
  onSocket?: (socket: Socket) => void,
) {
  const req = (t.secure ? httpsRequest : httpRequest)({ agent: t.agent, hostname: t.hostname, port: t.port, path: t.path, method, headers, signal }, onResponse)
  // 'socket' comes before Node writes anything: a dead pooled socket is refused here, so the request provably
  // never left (see upstream/socket-reuse).
  req.once('socket', (socket: Socket) => {
    const stale = staleness(socket)
    if (stale) req.destroy(staleAbort(stale === 'closed'))
    onSocket?.(socket)
  })
  // With a single `end(body)` Node sends Content-Length, not chunked encoding.
  req.end(body)
  return req
}

/** How many times a request aborted on a dead pooled socket is sent again at once, on another connection. */
const STALE_RESENDS = 3

/** The fetch of one MCP connection, with its own set of in-flight requests. */
export class ConnectionFetch {
  /** Open event-stream bodies (SSE responses and the listening GET stream). */
  readonly #streams = new Set<WireBody>()
  readonly #targets = new Map<string, Target>()
  #closed = false

  constructor(
    private readonly pool: UpstreamHttp,
    private readonly headers: () => Record<string, string>,
    private readonly listen: boolean,
  ) {}

  /** A connection talks to one or two URLs: parse each once. */
  #target(input: string | URL | Request): Target {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    let t = this.#targets.get(href)
    if (!t) this.#targets.set(href, (t = targetOf(this.pool, href)))
    return t
  }

  /** The function handed to the SDK transport; it needs only a Response-shaped result. */
  readonly fetch = (async (input: string | URL | Request, init?: RequestInit): Promise<unknown> => {
    const headers = plainHeaders(init?.headers)
    const extra = this.headers()
    for (const k in extra) {
      const name = k.toLowerCase()
      // Transport-managed headers (session id, protocol version, Authorization from a token source) win.
      if (!(name in headers)) headers[name] = extra[k]!
    }
    const method = (init?.method ?? 'GET').toUpperCase()
    const target = this.#target(input)
    if (method === 'GET' && !this.listen && !('last-event-id' in headers)) return new BufferedResponse(target.href, 405, new RawHeaders(['Allow', 'POST']), EMPTY)
    if (this.#closed) throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connection closed'), { code: 'ECONNABORTED' }) })
    // A per-request signal from the SDK (2026-07-28 cancellation) is honoured; the transport-wide one is not
    // passed on (close() ends what is still open instead), so no listener piles up on it.
    const own = init?.signal ?? undefined
    const signal = own && !transportSignals.has(own) ? own : undefined
    const span = startHttpSpan(method, target.href, headers)
    const health = this.pool.health
    return new Promise((resolve, reject) => {
      const fail = (error: unknown) => {
        span?.(undefined, error)
        reject(error)
      }
      /** Turns an answer (HTTP/1.1 or HTTP/2) into a light Response, or a refusal error. */
      const answer = (status: number, contentType: string | undefined, retryAfter: string | undefined, rawHeaders: string[], res: WireBody) => {
        if (status >= 200 && status < 300) health.lastGoodAt = Date.now()
        if (status === 429 || status === 503) {
          // A refusal: the vendor did not run the request. Raised here, with its Retry-After, which the SDK's HTTP
          // errors would drop (see upstream/errors `refusalError`).
          readWhole(res).then(() => fail(refusalError(status, retryAfter)), fail)
          return
        }
        if (!(contentType ?? '').startsWith('text/event-stream') || status === 204 || method === 'HEAD') {
          // JSON, empty and error answers are small and read at once: buffer them into a light Response.
          readWhole(res).then((bytes) => {
            span?.(status)
            resolve(new BufferedResponse(target.href, status, new RawHeaders(rawHeaders), bytes))
          }, fail)
          return
        }
        // An event stream stays open: keep it until it ends, so close() can cut it (at once if it came too late).
        span?.(status)
        if (this.#closed) res.destroy()
        else {
          this.#streams.add(res)
          res.once('close', () => this.#streams.delete(res))
        }
        resolve(new EventStreamResponse(target.href, status, new RawHeaders(rawHeaders), res))
      }
      const onResponse = (res: IncomingMessage) => answer(res.statusCode!, res.headers['content-type'], res.headers['retry-after'], res.rawHeaders, res)
      const attempt = (left: number) => {
        let responded = false
        let reused = false
        let bytesAtStart = 0
        try {
          const req = send(
            target,
            method,
            headers,
            init?.body as string | undefined,
            signal,
            (res) => {
              responded = true
              onResponse(res)
            },
            (socket) => {
              reused = wasUsed(socket)
              bytesAtStart = socket.bytesRead
            },
          )
          // Kept for the request's life: a socket error after the response also lands here (a no-op once settled).
          req.on('error', (error) => {
            // Never written (dead pooled socket): send it again at once on another connection, whatever it is.
            if (isStaleAbort(error) && left > 0) {
              if (isVendorClosedAbort(error)) distrust(target.agent)
              return attempt(left - 1)
            }
            // Failed on a reused socket before any byte of an answer: most likely never read (see socket-reuse).
            const quiet = !responded && reused && req.socket?.bytesRead === bytesAtStart
            if (quiet) distrust(target.agent)
            fail(quiet ? markStaleSocketFailure(error) : error)
          })
        } catch (error) {
          fail(error) // e.g. a header value Node refuses
        }
      }
      // HTTP/2 unless the origin is known to speak HTTP/1.1 (its first call asks by ALPN).
      if (!target.secure || this.pool.verdict(target) === 'http/1.1') return attempt(STALE_RESENDS)
      this.pool
        .h2()
        .request(target, method, headers, init?.body as string | undefined, signal)
        .then((a) => {
          if (a === 'http/1.1') return attempt(STALE_RESENDS)
          const h = a.headers
          answer(a.status, h['content-type'], h['retry-after'] as string | undefined, rawHeadersOf(h), a.stream)
        }, fail)
    })
  }) as unknown as typeof fetch

  /** Cuts every event stream still open on this connection. */
  close() {
    this.#closed = true
    for (const stream of this.#streams) stream.destroy()
    this.#streams.clear()
  }
}

const EMPTY = Buffer.alloc(0)

/** The SDK hands us `Headers`, an array of pairs, or a record: lower-cased names, plain values. */
function plainHeaders(input: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  if (!input) return out
  if (typeof (input as Headers).forEach === 'function' && !Array.isArray(input)) (input as Headers).forEach((v, k) => (out[k.toLowerCase()] = v))
  else for (const [k, v] of Array.isArray(input) ? input : Object.entries(input)) out[k.toLowerCase()] = v
  return out
}

/**
 * The SDK's transport-wide signal is created by `new AbortController()` in `transport.start()` and passed as is;
 * per-request signals are combined with it (`AbortSignal.any`). We cannot see which is which, so we mark the
 * transport signal when the connection adopts it.
 */
const transportSignals = new WeakSet<AbortSignal>()
/** Marks the transport-wide signal of a started SDK transport so {@link ConnectionFetch} replaces it. */
export function markTransportSignal(signal: AbortSignal | undefined) {
  if (signal) transportSignals.add(signal)
}
