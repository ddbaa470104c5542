/**
 * @module upstream/http-pool
 * One HTTP connection pool per upstream server (an undici `Agent`: keep-alive, bounded sockets), shared by every
 * MCP connection of that server, and the `fetch` each MCP transport is given on top of it.
 *
 * The `fetch` does the jobs the SDK transport leaves to us, cheaply (it is on every call's path):
 * - it is built on undici's `request()`, not its `fetch()`: the WHATWG fetch machinery costs several times the
 *   CPU of a small JSON exchange. JSON answers come back as a light Response-shaped object over the bytes;
 *   event streams as a real `Response` over the socket stream;
 * - merges the connection's static and forwarded headers into every request (transport-managed headers win);
 * - never hands the SDK's transport-wide `AbortSignal` to undici, which would add a listener to it per request (a
 *   cost per call and `MaxListenersExceededWarning` under load); closing the connection cuts its open event
 *   streams instead. Per-request signals (2026-07-28 cancellation) are honoured;
 * - answers the standalone GET stream locally with 405 unless the connection wants server notifications: the SDK
 *   opens that stream after every `initialize`, and one open stream per caller session costs a socket and ~90 KB
 *   for notifications nobody reads (`list_changed` comes from the catalog session);
 * - records the last good exchange with the vendor, which readiness reads instead of sending `ping`.
 */
import { STATUS_CODES } from 'node:http'
import { Readable } from 'node:stream'
import { Agent, Headers as UndiciHeaders, Response } from 'undici'

/** Sizing of a server's pool. */
export interface HttpPoolOptions {
  /** Most sockets to the vendor's origin at once. */
  connections: number
  /** How long an idle keep-alive socket is kept open. */
  keepAliveMs: number
}

/** Liveness facts about one vendor, shared by all its connections. */
export class VendorHealth {
  /** When the vendor last answered a request with a 2xx status (epoch ms; 0 = never). */
  lastGoodAt = 0
}

/** The HTTP side of one upstream server: a shared socket pool and the vendor's health. */
export class UpstreamHttp {
  readonly #agent: Agent
  readonly health = new VendorHealth()

  constructor(options: HttpPoolOptions) {
    this.#agent = new Agent({
      connections: options.connections,
      keepAliveTimeout: options.keepAliveMs,
      keepAliveMaxTimeout: Math.max(options.keepAliveMs, 60_000),
      // A tool call may run longer than undici's 300 s defaults; the MCP request timeout governs instead.
      headersTimeout: 0,
      bodyTimeout: 0,
    })
  }

  /**
   * A fetch for one MCP connection.
   * @param headers re-read on every request (static + forwarded headers of the caller)
   * @param listen  true when the connection keeps the standalone GET stream for server notifications
   */
  connectionFetch(headers: () => Record<string, string>, listen: boolean): ConnectionFetch {
    return new ConnectionFetch(this.#agent, this.health, headers, listen)
  }

  /**
   * Sends the HTTP DELETE that ends a vendor session (2025 Streamable HTTP), straight on the pool: no SDK client,
   * no fetch machinery, since thousands of them may go out at shutdown. Resolves with the status; 0 when the
   * vendor could not be reached or did not answer within `timeoutMs`.
   */
  async deleteSession(url: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
    try {
      const res = await this.#agent.request({
        origin: new URL(url).origin,
        path: new URL(url).pathname + new URL(url).search,
        method: 'DELETE',
        headers,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      })
      await res.body.dump()
      if (res.statusCode >= 200 && res.statusCode < 300) this.health.lastGoodAt = Date.now()
      return res.statusCode
    } catch {
      return 0
    }
  }

  /** Closes every socket (at shutdown, after the last request). */
  async close(): Promise<void> {
    await this.#agent.close().catch(() => {})
  }
}

/** The fetch of one MCP connection, with its own set of in-flight requests. */
export class ConnectionFetch {
  /** Open event-stream bodies (SSE responses and the listening GET stream). */
  readonly #streams = new Set<Readable>()
  #closed = false

  constructor(
    private readonly agent: Agent,
    private readonly health: VendorHealth,
    private readonly headers: () => Record<string, string>,
    private readonly listen: boolean,
  ) {}

  #targets = new Map<string, { href: string; origin: string; path: string }>()

  /** Origin and path of a request URL (a connection talks to one or two URLs: parse each once). */
  #target(input: string | URL | Request): { href: string; origin: string; path: string } {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    let t = this.#targets.get(href)
    if (!t) {
      const u = new URL(href)
      t = { href, origin: u.origin, path: u.pathname + u.search }
      this.#targets.set(href, t)
    }
    return t
  }

  /**
   * The function handed to the SDK transport. Built on undici's `request()` rather than its `fetch()`: the
   * WHATWG fetch machinery costs several times the CPU per call, and the SDK needs only a Response-shaped result.
   */
  readonly fetch = (async (input: string | URL | Request, init?: RequestInit): Promise<unknown> => {
    const headers = plainHeaders(init?.headers)
    for (const [k, v] of Object.entries(this.headers())) {
      const name = k.toLowerCase()
      // Transport-managed headers (session id, protocol version, Authorization from a token source) win.
      if (!(name in headers)) headers[name] = v
    }
    const method = (init?.method ?? 'GET').toUpperCase()
    const target = this.#target(input)
    if (method === 'GET' && !this.listen && !('last-event-id' in headers)) return new LiteResponse(target.href, 405, toHeaders({ allow: 'POST' }), Buffer.alloc(0))
    if (this.#closed) throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connection closed'), { code: 'ECONNABORTED' }) })
    // A per-request signal from the SDK (2026-07-28 cancellation) is honoured; the transport-wide one is not
    // passed on (close() ends what is still open instead), so no listener piles up on it.
    const own = init?.signal ?? undefined
    const signal = own && !isTransportSignal(own) ? own : undefined
    const { statusCode, headers: raw, body } = await this.agent.request({
      origin: target.origin,
      path: target.path,
      method: method as 'POST',
      headers,
      body: (init?.body ?? undefined) as string | undefined,
      signal,
    })
    if (statusCode >= 200 && statusCode < 300) this.health.lastGoodAt = Date.now()
    const responseHeaders = toHeaders(raw)
    if (!(responseHeaders.get('content-type') ?? '').startsWith('text/event-stream') || statusCode === 204 || method === 'HEAD') {
      // JSON, empty and error answers are small and read at once: buffer them into a light Response.
      return new LiteResponse(target.href, statusCode, responseHeaders, Buffer.from(await body.arrayBuffer()))
    }
    // An event stream stays open: keep it until it ends, so close() can cut it.
    this.#streams.add(body)
    body.once('close', () => this.#streams.delete(body))
    return new Response(Readable.toWeb(body) as never, { status: statusCode, headers: responseHeaders })
  }) as unknown as typeof fetch

  /** Cuts every event stream still open on this connection. */
  close() {
    this.#closed = true
    for (const stream of this.#streams) stream.destroy()
    this.#streams.clear()
  }
}

/** The SDK hands us `Headers`, an array of pairs, or a record: lower-cased names, plain values. */
function plainHeaders(input: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  if (!input) return out
  if (typeof (input as Headers).forEach === 'function' && !Array.isArray(input)) (input as Headers).forEach((v, k) => (out[k.toLowerCase()] = v))
  else for (const [k, v] of Array.isArray(input) ? input : Object.entries(input)) out[k.toLowerCase()] = v
  return out
}

/**
 * The part of a fetch `Response` the SDK transport reads, over a body already in memory. A real `Response`
 * builds web streams around the bytes, which costs more than the rest of a small JSON exchange.
 */
class LiteResponse {
  readonly type = 'basic'
  readonly redirected = false
  readonly bodyUsed = false
  constructor(
    readonly url: string,
    readonly status: number,
    readonly headers: UndiciHeaders,
    private readonly bytes: Buffer,
  ) {}
  get ok() {
    return this.status >= 200 && this.status < 300
  }
  get statusText() {
    return STATUS_CODES[this.status] ?? ''
  }
  get body(): ReadableStream<Uint8Array> | null {
    if (!this.bytes.length) return null
    const bytes = this.bytes
    return new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array(bytes))
        controller.close()
      },
    })
  }
  async text(): Promise<string> {
    return this.bytes.toString('utf8')
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.bytes.toString('utf8'))
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytes.buffer.slice(this.bytes.byteOffset, this.bytes.byteOffset + this.bytes.byteLength) as ArrayBuffer
  }
  clone(): LiteResponse {
    return new LiteResponse(this.url, this.status, this.headers, this.bytes)
  }
}

/**
 * The SDK's transport-wide signal is created by `new AbortController()` in `transport.start()` and passed as is;
 * per-request signals are combined with it (`AbortSignal.any`). We cannot see which is which, so we mark the
 * transport signal when the connection adopts it.
 */
const transportSignals = new WeakSet<AbortSignal>()
function isTransportSignal(signal: AbortSignal): boolean {
  return transportSignals.has(signal)
}
/** Marks the transport-wide signal of a started SDK transport so {@link ConnectionFetch} replaces it. */
export function markTransportSignal(signal: AbortSignal | undefined) {
  if (signal) transportSignals.add(signal)
}

/** undici's raw response headers as web `Headers`. */
function toHeaders(raw: Record<string, string | string[] | undefined>): UndiciHeaders {
  const h = new UndiciHeaders()
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) for (const x of v) h.append(k, x)
    else if (v !== undefined) h.set(k, v)
  }
  return h
}
