/**
 * @module upstream/h2-pool
 * HTTP/2 toward vendors that offer it: calls multiplexed as streams on a few `node:http2` sessions per origin,
 * beside the HTTP/1.1 Agent of upstream/http-pool, which asks this module which protocol an `https:` origin speaks.
 *
 * - **Chosen by ALPN.** The first TLS connection to an origin offers `h2` and `http/1.1`; the vendor's pick is
 *   remembered per origin. An origin that picks http/1.1 goes to the Agent from then on (the probe connection is
 *   closed: one extra TLS handshake, once). Never h2 over plain `http:` (no h2c). A failed connection forgets the
 *   verdict, so the next call asks again.
 * - **Few connections.** One session per origin; another opens only when every open session carries as many
 *   streams as the vendor's `SETTINGS_MAX_CONCURRENT_STREAMS` allows. Streams in flight per origin are bounded by
 *   `pool.maxConnections` (on HTTP/1.1 one socket is one call in flight, so the bound means the same thing);
 *   calls beyond it wait for a stream to end. A session without streams is closed after `pool.keepAliveMs`, and
 *   is `unref`'d meanwhile: an idle session never keeps the process alive.
 * - **The connect timeout** (`timeouts.connectMs`, as on the Agent) covers TCP, the TLS handshake and the vendor's
 *   SETTINGS; its error carries `syscall: 'connect'` (never sent, upstream/errors).
 * - **What a failed stream proves.** A stream the vendor refused (`REFUSED_STREAM`), or above the last stream id
 *   of its `GOAWAY`, did not run (RFC 9113 §8.7): it is sent again at once on another session, for any method,
 *   and after {@link REFUSED_RESENDS} such refusals fails with `ERR_HTTP2_REFUSED_STREAM`, which upstream/errors
 *   counts as never sent (the session layer retries it within its budget, for any tool). Any other reset, or a
 *   session cut after the stream left, means the vendor may have run it: the error goes up as is (INTERRUPTED,
 *   replayed only for read-only or idempotent tools). After a `GOAWAY` a session takes no new streams; the streams
 *   it still carries finish on it.
 * - **Cancellation.** A per-request signal resets the stream with `RST_STREAM(CANCEL)`.
 * - **Headers.** h2 forbids the connection-specific ones (`Connection`, `Keep-Alive`, `Transfer-Encoding`,
 *   `Upgrade`, `Proxy-Connection`; `Host` becomes `:authority`): they are dropped; names are lower-case already.
 */
import {
  connect as h2Connect,
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2'
import { isIP } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'

/** What an `https:` origin speaks, as its ALPN answer said. */
export type AlpnVerdict = 'h2' | 'http/1.1'

/** Sizing of the HTTP/2 side of a server's pool (from `servers.<name>.pool`). */
export interface H2PoolOptions {
  /** Most streams in flight per origin (`pool.maxConnections`). */
  maxStreams: number
  /** How long a session without streams stays open. */
  keepAliveMs: number
  /** Longest wait for TCP, TLS and the vendor's SETTINGS. */
  connectTimeoutMs: number
  /** CA certificates trusted for this vendor instead of Node's defaults (`servers.<name>.tls.caFile`). */
  ca?: string
}

/** Where a request goes: what the pool's `Target` holds. */
export interface H2Target {
  /** `https://host:port`, the key of the session set and the ALPN verdict. */
  origin: string
  hostname: string
  port: string
  path: string
}

/** An answer's head, with its body still streaming. */
export interface H2Answer {
  status: number
  headers: IncomingHttpHeaders
  stream: ClientHttp2Stream
}

/** How many times a stream the vendor refused is sent again at once, on another session if it has one. */
export const REFUSED_RESENDS = 3

/**
 * The receive window of a whole session (RFC 9113 §6.9). The protocol's default, 64 KiB, is shared by every stream
 * on the connection: with a remote vendor (say 50 ms away) all calls together could not receive more than about
 * 1.3 MB/s. Each stream keeps the default 64 KiB window, as on a connection of its own.
 */
const SESSION_WINDOW = 16 * 1024 * 1024

/** Connection-specific headers that HTTP/2 forbids (RFC 9113 §8.2.2); `host` is replaced by `:authority`. */
const FORBIDDEN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'te'])

/** One HTTP/2 connection to an origin and its streams. */
interface Session {
  readonly h2: ClientHttp2Session
  /** Streams in flight on it. */
  active: number
  /** Streams it may carry at once (the vendor's SETTINGS_MAX_CONCURRENT_STREAMS, at most the pool's bound). */
  limit: number
  /** No new streams: GOAWAY received, closed, or closing. */
  closing: boolean
  /** The last stream id of a GOAWAY (streams above it were never processed). */
  goawayLastId?: number
  idleTimer?: NodeJS.Timeout
}

/** The sessions of one origin. */
interface Origin {
  sessions: Session[]
  /** The connection being set up, shared by the calls that wait for it. */
  opening?: Promise<Session | 'http/1.1'>
  /** Streams in flight over all sessions. */
  inFlight: number
  /** Calls waiting for the stream bound. */
  waiters: Array<() => void>
}

/** The error a refused stream ends with once its resends are spent: never processed by the vendor. */
function refusedError(cause: unknown): Error {
  return Object.assign(new Error('the vendor refused the HTTP/2 stream before processing it (REFUSED_STREAM or above its GOAWAY)'), { code: 'ERR_HTTP2_REFUSED_STREAM', cause })
}

/** A setup failure: no request byte was written (`syscall: 'connect'`, as upstream/errors reads it). */
function setupError(message: string, code: string, cause?: unknown): Error {
  return Object.assign(new Error(message), { code, syscall: 'connect', cause })
}

/** The HTTP/2 sessions of one upstream server, per origin, and the ALPN verdicts. */
export class H2Pool {
  readonly #options: H2PoolOptions
  readonly #verdicts = new Map<string, AlpnVerdict>()
  readonly #origins = new Map<string, Origin>()
  #closed = false

  constructor(options: H2PoolOptions) {
    this.#options = options
  }

  /** What the origin speaks, when known (one Map lookup: on every `https:` call's path). */
  verdict(origin: string): AlpnVerdict | undefined {
    return this.#verdicts.get(origin)
  }

  /** Sessions open now and streams in flight, over all origins (for tests and gauges). */
  stats(): { sessions: number; streams: number } {
    let sessions = 0
    let streams = 0
    for (const o of this.#origins.values()) {
      sessions += o.sessions.length
      streams += o.inFlight
    }
    return { sessions, streams }
  }

  /**
   * Sends one request as a stream. Resolves with the answer's head (the body streams on), or `'http/1.1'` when
   * the origin turned out to speak HTTP/1.1 (nothing was sent: the caller uses the Agent).
   */
  request(target: H2Target, method: string, headers: Record<string, string>, body: string | Uint8Array | undefined, signal: AbortSignal | undefined): Promise<H2Answer | 'http/1.1'> {
    const head: OutgoingHttpHeaders = { ':method': method, ':path': target.path }
    for (const name in headers) if (!FORBIDDEN.has(name)) head[name] = headers[name]
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal))
      const attempt = (left: number) => {
        this.#acquire(target).then((session) => {
          if (session === 'http/1.1') return resolve(session)
          this.#send(session, target, head, body, signal, left, resolve, reject, attempt)
        }, reject)
      }
      attempt(REFUSED_RESENDS)
    })
  }

  #send(
    session: Session,
    target: H2Target,
    head: OutgoingHttpHeaders,
    body: string | Uint8Array | undefined,
    signal: AbortSignal | undefined,
    left: number,
    resolve: (answer: H2Answer) => void,
    reject: (error: unknown) => void,
    again: (left: number) => void,
  ) {
    const origin = this.#origins.get(target.origin)!
    // Aborted while waiting for a session or a free stream: nothing to send.
    if (signal?.aborted) {
      this.#release(origin, session)
      return reject(abortError(signal))
    }
    let stream: ClientHttp2Stream
    try {
      stream = session.h2.request(head, { endStream: body === undefined })
    } catch (error) {
      // The session went away (GOAWAY or closed) since it was picked: nothing was sent.
      session.closing = true
      this.#release(origin, session)
      return left > 0 ? again(left - 1) : reject(refusedError(error))
    }
    let settled = false
    let released = false
    const release = () => {
      if (released) return
      released = true
      signal?.removeEventListener('abort', onAbort)
      this.#release(origin, session)
    }
    const onAbort = () => {
      // RST_STREAM(CANCEL): the vendor stops the work; the answer, if it already came, ends early.
      if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL)
      if (!settled) {
        settled = true
        reject(abortError(signal!))
      }
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    /** Fails the request before its answer: sent again when the vendor provably did not process it. */
    const failBefore = (error: unknown) => {
      if (settled) return
      settled = true
      release()
      const last = session.goawayLastId
      const refused = stream.rstCode === constants.NGHTTP2_REFUSED_STREAM || (last !== undefined && (stream.id === undefined || stream.id > last))
      if (refused) return left > 0 ? again(left - 1) : reject(refusedError(error))
      // Reset otherwise, or the session cut: the vendor may have processed it. (No "stale socket" guess as on
      // HTTP/1.1: a vendor closing an idle session says so with GOAWAY, which the refused rule covers.)
      reject(error)
    }
    stream.once('response', (headers) => {
      if (settled) return
      settled = true
      resolve({ status: Number(headers[':status']), headers, stream })
    })
    // Kept for the stream's life: an error after the answer reaches the body's reader (a no-op here then).
    stream.on('error', failBefore)
    stream.once('close', () => {
      release()
      failBefore(Object.assign(new Error('HTTP/2 stream closed before an answer'), { code: 'ECONNRESET' }))
    })
    if (body !== undefined) stream.end(body)
  }

  /** A session with a free stream for the origin, opening one when all are full (within the stream bound). */
  async #acquire(target: H2Target): Promise<Session | 'http/1.1'> {
    let origin = this.#origins.get(target.origin)
    if (!origin) this.#origins.set(target.origin, (origin = { sessions: [], inFlight: 0, waiters: [] }))
    for (;;) {
      if (this.#closed) throw setupError('connection pool closed', 'ECONNABORTED')
      for (const s of origin.sessions) {
        if (s.closing || s.active >= s.limit) continue
        if (s.active++ === 0) {
          clearTimeout(s.idleTimer)
          s.h2.ref()
        }
        origin.inFlight++
        return s
      }
      if (origin.inFlight >= this.#options.maxStreams) {
        await new Promise<void>((resolve) => origin.waiters.push(resolve))
        continue
      }
      const o = origin
      o.opening ??= this.#connect(target, o).finally(() => (o.opening = undefined))
      if ((await o.opening) === 'http/1.1') return 'http/1.1'
    }
  }

  #release(origin: Origin, s: Session) {
    origin.inFlight--
    origin.waiters.shift()?.()
    if (--s.active > 0) return
    s.h2.unref()
    if (s.closing) return void s.h2.close()
    s.idleTimer = setTimeout(() => {
      s.closing = true
      s.h2.close()
    }, this.#options.keepAliveMs)
    s.idleTimer.unref()
  }

  /** Opens a TLS connection offering h2, and an HTTP/2 session on it when the vendor picks h2. */
  #connect(target: H2Target, origin: Origin): Promise<Session | 'http/1.1'> {
    const { connectTimeoutMs, maxStreams, ca } = this.#options
    return new Promise((resolve, reject) => {
      let h2: ClientHttp2Session | undefined
      const socket: TLSSocket = tlsConnect({
        host: target.hostname,
        port: Number(target.port || 443),
        // SNI takes host names only.
        servername: isIP(target.hostname) ? undefined : target.hostname,
        ALPNProtocols: ['h2', 'http/1.1'],
        ca,
      })
      socket.setNoDelay(true)
      const fail = (error: unknown) => {
        clearTimeout(timer)
        // Ask again next time: the vendor may come back as something else.
        this.#verdicts.delete(target.origin)
        h2?.destroy()
        socket.destroy()
        reject(error)
      }
      const timer = setTimeout(() => fail(setupError(`connect timeout (${connectTimeoutMs} ms)`, 'ETIMEDOUT')), connectTimeoutMs)
      socket.once('error', fail)
      socket.once('secureConnect', () => {
        if (socket.alpnProtocol !== 'h2') {
          clearTimeout(timer)
          this.#verdicts.set(target.origin, 'http/1.1')
          socket.off('error', fail)
          socket.destroy()
          return resolve('http/1.1')
        }
        this.#verdicts.set(target.origin, 'h2')
        h2 = h2Connect(target.origin, { createConnection: () => socket, settings: { enablePush: false } })
        h2.once('connect', () => h2!.setLocalWindowSize(SESSION_WINDOW))
        const early = (error?: unknown) => fail(setupError('HTTP/2 session ended before its settings arrived', 'ECONNRESET', error))
        h2.once('error', early).once('close', early)
        h2.once('remoteSettings', (settings) => {
          clearTimeout(timer)
          socket.off('error', fail)
          h2!.off('error', early).off('close', early)
          resolve(this.#adopt(origin, h2!, settings.maxConcurrentStreams))
        })
      })
    })
  }

  /** Takes a set-up session into the origin's set. */
  #adopt(origin: Origin, h2: ClientHttp2Session, maxConcurrent: number | undefined): Session {
    const bound = this.#options.maxStreams
    const s: Session = { h2, active: 0, limit: Math.min(maxConcurrent ?? 100, bound), closing: false }
    h2.on('remoteSettings', (settings) => (s.limit = Math.min(settings.maxConcurrentStreams ?? s.limit, bound)))
    h2.on('goaway', (_code: number, lastStreamId: number) => {
      s.closing = true
      s.goawayLastId = lastStreamId
    })
    // Errors reach the streams; the session's own only ends it.
    h2.on('error', () => {})
    h2.once('close', () => {
      s.closing = true
      clearTimeout(s.idleTimer)
      const i = origin.sessions.indexOf(s)
      if (i >= 0) origin.sessions.splice(i, 1)
    })
    h2.unref()
    origin.sessions.push(s)
    if (this.#closed) h2.destroy()
    return s
  }

  /** Closes every session (at shutdown, after the last request). */
  close(): void {
    this.#closed = true
    for (const o of this.#origins.values()) {
      for (const s of o.sessions) {
        clearTimeout(s.idleTimer)
        s.h2.destroy()
      }
      for (const wake of o.waiters.splice(0)) wake()
    }
  }
}

/** The error an aborted request rejects with (as `http.request` with a signal does). */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason })
}

/** An answer's headers as raw name/value pairs, pseudo-headers left out (for upstream/lite-response). */
export function rawHeadersOf(headers: IncomingHttpHeaders): string[] {
  const raw: string[] = []
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* ':' */) continue
    const value = headers[name]
    if (Array.isArray(value)) for (const v of value) raw.push(name, v)
    else if (value !== undefined) raw.push(name, String(value))
  }
  return raw
}
