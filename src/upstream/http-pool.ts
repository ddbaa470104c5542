/**
 * @module upstream/http-pool
 * One HTTP connection pool per upstream server (an undici `Agent`: keep-alive, bounded sockets), shared by every
 * MCP connection of that server, and the `fetch` each MCP transport is given on top of it.
 *
 * The `fetch` does four jobs the SDK transport leaves to us:
 * - merges the connection's static and forwarded headers into every request (transport-managed headers win);
 * - gives every request its own abort signal. The SDK passes one transport-wide `AbortSignal` to every fetch, and
 *   undici adds a listener to it per request: a cost per call and `MaxListenersExceededWarning` under load. Ours
 *   are aborted together when the connection closes;
 * - answers the standalone GET stream locally with 405 unless the connection wants server notifications: the SDK
 *   opens that stream after every `initialize`, and one open stream per caller session costs a socket and ~90 KB
 *   for notifications nobody reads (`list_changed` comes from the catalog session);
 * - records the last good exchange with the vendor, which readiness reads instead of sending `ping`.
 */
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
  readonly #inFlight = new Set<AbortController>()
  #closed = false

  constructor(
    private readonly agent: Agent,
    private readonly health: VendorHealth,
    private readonly headers: () => Record<string, string>,
    private readonly listen: boolean,
  ) {}

  #targets = new Map<string, { origin: string; path: string }>()

  /** Origin and path of a request URL (a connection talks to one or two URLs: parse each once). */
  #target(input: string | URL | Request): { origin: string; path: string } {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    let t = this.#targets.get(href)
    if (!t) {
      const u = new URL(href)
      t = { origin: u.origin, path: u.pathname + u.search }
      this.#targets.set(href, t)
    }
    return t
  }

  /**
   * The function handed to the SDK transport. Built on undici's `request()` rather than its `fetch()`: the
   * WHATWG fetch machinery costs several times the CPU per call, and the SDK needs only a Response-shaped result.
   */
  readonly fetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const h = new Headers(init?.headers)
    for (const [k, v] of Object.entries(this.headers())) if (!h.has(k)) h.set(k, v)
    const method = (init?.method ?? 'GET').toUpperCase()
    if (method === 'GET' && !this.listen && !h.has('last-event-id')) return new Response(null, { status: 405, headers: { allow: 'POST' } })
    if (this.#closed) throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connection closed'), { code: 'ECONNABORTED' }) })
    const controller = new AbortController()
    this.#inFlight.add(controller)
    // A per-request signal from the SDK (2026-07-28 cancellation) is honoured; the transport-wide one is replaced.
    const own = init?.signal
    const onAbort = () => controller.abort(own?.reason)
    const linked = own && !isTransportSignal(own) ? own : undefined
    linked?.addEventListener('abort', onAbort, { once: true })
    const done = () => {
      this.#inFlight.delete(controller)
      linked?.removeEventListener('abort', onAbort)
    }
    try {
      const target = this.#target(input)
      const { statusCode, headers, body } = await this.agent.request({
        origin: target.origin,
        path: target.path,
        method: method as 'POST',
        headers: Object.fromEntries(h),
        body: (init?.body ?? undefined) as string | undefined,
        signal: controller.signal,
      })
      if (statusCode >= 200 && statusCode < 300) this.health.lastGoodAt = Date.now()
      const responseHeaders = toHeaders(headers)
      const init2 = { status: statusCode, headers: responseHeaders }
      if (statusCode === 204 || statusCode === 304 || method === 'HEAD') {
        await body.dump()
        done()
        return new Response(null, init2)
      }
      if (!(responseHeaders.get('content-type') ?? '').startsWith('text/event-stream')) {
        // JSON and error answers are small and read at once: buffer them, nothing is left to abort on close.
        const bytes = await body.arrayBuffer()
        done()
        return new Response(bytes, init2)
      }
      // An event stream stays open: keep its controller until the stream ends, so close() can cut it.
      body.once('close', done)
      return new Response(Readable.toWeb(body) as never, init2)
    } catch (error) {
      done()
      throw error
    }
  }) as unknown as typeof fetch

  /** Aborts every request still open on this connection (event streams included). */
  close() {
    this.#closed = true
    for (const c of this.#inFlight) c.abort()
    this.#inFlight.clear()
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
