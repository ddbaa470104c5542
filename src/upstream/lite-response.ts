/**
 * @module upstream/lite-response
 * The Response-shaped answers our fetch (upstream/http-pool) gives the SDK transport instead of WHATWG
 * `Response`s. The transport reads `ok`, `status`, `statusText`, `headers`, `text()` and `json()`, and an event
 * stream's `body`, which it pipes straight into its decoder: `body.pipeThrough(new TextDecoderStream())`.
 *
 * Why not `new Response(Readable.toWeb(res))`: in Node 20 every web stream is made transferable when it is built
 * (about 15 µs each), a pipe between two of them runs promises per chunk, and @hono/node-server's global
 * `Response` builds a second, real one when it is read. On loopback that came to about 65 µs of main-thread time
 * per call with an SSE-answering vendor (CPU profile of `bench/profile.ts facade 32`), a fifth of all the
 * facade added over a direct SDK client. The SDK's own decoder and parser streams are still built per call: that
 * is the SDK's cost, and a direct client pays it too.
 */
import { STATUS_CODES } from 'node:http'
import { Readable } from 'node:stream'
import type { StreamPipeOptions } from 'node:stream/web'

/**
 * An answer's body as it comes off the wire: an HTTP/1.1 `IncomingMessage` (which says `complete` once the whole
 * message arrived) or an HTTP/2 `ClientHttp2Stream` (complete once it ended).
 */
export type WireBody = Readable & { complete?: boolean }

/** True when the whole body arrived (a close before that is a cut). */
const whole = (res: WireBody) => res.complete ?? res.readableEnded

/**
 * The read side of `Headers` over Node's raw header pairs: `get` and `has` are all the SDK transport (and the
 * `eventsource` package) read. Building undici's `Headers` validated and sorted every pair, a few µs per answer
 * for names nobody asks for. As with `Headers`, names match case-insensitively and a repeated name's values are
 * joined with ", " (`set-cookie` apart, in {@link RawHeaders.getSetCookie}); iteration is in sorted name order.
 */
export class RawHeaders {
  readonly #values = new Map<string, string>()
  readonly #setCookies: string[] = []

  /** @param raw `IncomingMessage.rawHeaders`: name, value, name, value, … */
  constructor(raw: readonly string[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase()
      const value = raw[i + 1]!
      if (name === 'set-cookie') this.#setCookies.push(value)
      const seen = this.#values.get(name)
      this.#values.set(name, seen === undefined ? value : `${seen}, ${value}`)
    }
  }
  get(name: string): string | null {
    return this.#values.get(name.toLowerCase()) ?? null
  }
  has(name: string): boolean {
    return this.#values.has(name.toLowerCase())
  }
  getSetCookie(): string[] {
    return [...this.#setCookies]
  }
  forEach(callback: (value: string, name: string, headers: RawHeaders) => void, thisArg?: unknown): void {
    for (const [name, value] of this) callback.call(thisArg, value, name, this)
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of [...this.#values.keys()].sort()) yield [name, this.#values.get(name)!]
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries()
  }
}

/** What every answer shares. */
abstract class LiteResponseBase {
  readonly type = 'basic'
  readonly redirected = false
  constructor(
    readonly url: string,
    readonly status: number,
    readonly headers: RawHeaders,
  ) {}
  get ok() {
    return this.status >= 200 && this.status < 300
  }
  get statusText() {
    return STATUS_CODES[this.status] ?? ''
  }
  abstract text(): Promise<string>
  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }
}

/** An answer read whole (JSON, empty, errors): small, so buffered and handed over as bytes. */
export class BufferedResponse extends LiteResponseBase {
  readonly bodyUsed = false
  constructor(
    url: string,
    status: number,
    headers: RawHeaders,
    private readonly bytes: Buffer,
  ) {
    super(url, status, headers)
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
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytes.buffer.slice(this.bytes.byteOffset, this.bytes.byteOffset + this.bytes.byteLength) as ArrayBuffer
  }
  clone(): BufferedResponse {
    return new BufferedResponse(this.url, this.status, this.headers, this.bytes)
  }
}

/** An event stream, open while the vendor writes to it. */
export class EventStreamResponse extends LiteResponseBase {
  readonly body: EventStreamBody
  constructor(url: string, status: number, headers: RawHeaders, res: WireBody) {
    super(url, status, headers)
    this.body = new EventStreamBody(res)
  }
  get bodyUsed() {
    return this.body.locked
  }
  async text(): Promise<string> {
    return this.body.readAll()
  }
}

/**
 * An event stream's body over Node's response, shaped as the web `ReadableStream` the SDK reads. The one thing
 * the SDK's Streamable HTTP transport does with it, `pipeThrough(transform)`, writes the socket's chunks into the
 * transform's writable side, with the same backpressure, end and error propagation as a pipe. Anything else
 * (`getReader()`, which the `eventsource` package behind the legacy SSE transport calls; `cancel()`, `tee()`,
 * iteration, a pipe with options) is served by a real ReadableStream over the same response, made on first use.
 */
export class EventStreamBody {
  readonly #res: WireBody
  #web: ReadableStream<Uint8Array> | undefined
  #piped = false

  constructor(res: WireBody) {
    this.#res = res
  }

  get locked(): boolean {
    return this.#piped || (this.#web?.locked ?? false)
  }

  pipeThrough<T>(transform: { writable: WritableStream<Uint8Array>; readable: ReadableStream<T> }, options?: StreamPipeOptions): ReadableStream<T> {
    if (options || this.#web) return this.#stream().pipeThrough(transform, options)
    this.#lock()
    pump(this.#res, transform.writable.getWriter())
    return transform.readable
  }

  getReader(): ReadableStreamDefaultReader<Uint8Array> {
    return this.#stream().getReader()
  }
  pipeTo(destination: WritableStream<Uint8Array>, options?: StreamPipeOptions): Promise<void> {
    return this.#stream().pipeTo(destination, options)
  }
  tee(): [ReadableStream<Uint8Array>, ReadableStream<Uint8Array>] {
    return this.#stream().tee()
  }
  cancel(reason?: unknown): Promise<void> {
    return this.#stream().cancel(reason)
  }
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.#stream()[Symbol.asyncIterator]()
  }

  /** The whole body as text (what `Response.text()` does with a stream). */
  async readAll(): Promise<string> {
    this.#lock()
    return (await readWhole(this.#res)).toString('utf8')
  }

  #lock() {
    if (this.locked) throw new TypeError('ReadableStream is locked')
    this.#piped = true
  }

  #stream(): ReadableStream<Uint8Array> {
    if (this.#piped) throw new TypeError('ReadableStream is locked')
    return (this.#web ??= Readable.toWeb(this.#res) as ReadableStream<Uint8Array>)
  }
}

/** The error a stream cut before its end becomes (the network-error classification reads its message and code). */
const prematureClose = () => Object.assign(new Error('aborted'), { code: 'ECONNRESET' })

const EMPTY_BODY = Buffer.alloc(0)

/**
 * Reads a whole response body. Rejects with its error, or as {@link prematureClose} when it is destroyed without
 * one (should not happen, but a call must never hang on it).
 *
 * An HTTP/1.1 answer is usually complete before any of this runs: a small answer arrives in one read with its head,
 * and Node's parser has pushed all of it (and marked the message `complete`) by the first microtask after the
 * `response` event. It is then taken with one `read()` instead of switching the stream to flowing mode (a tick to
 * resume, one per `data` event). It still resolves at `end`: the Agent frees the socket in the tick after that,
 * before the caller goes on, so a request sent right after this answer reuses the socket as before. Anything else
 * (a body still arriving, an HTTP/2 stream) is read as it flows.
 */
export function readWhole(res: WireBody): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    res.once('error', reject)
    res.once('close', () => whole(res) || reject(prematureClose()))
    if (res.complete === undefined) return flow(res, resolve)
    queueMicrotask(() => {
      if (!res.complete || res.readableDidRead || res.destroyed || res.readableFlowing) return flow(res, resolve)
      const body = (res.read() as Buffer | null) ?? EMPTY_BODY
      res.once('end', () => resolve(body))
    })
  })
}

/** Collects a body as it flows, until its end. */
function flow(res: WireBody, resolve: (body: Buffer) => void) {
  const chunks: Buffer[] = []
  res.on('data', (chunk: Buffer) => chunks.push(chunk))
  res.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
}

/** Writes `res` into `writer` as a pipe would: waits while the reader lags, closes at the end, aborts on a cut. */
function pump(res: WireBody, writer: WritableStreamDefaultWriter<Uint8Array>) {
  let settled = false
  const ignore = () => {}
  const abort = (error: unknown) => {
    if (settled) return
    settled = true
    writer.abort(error).catch(ignore)
  }
  res.on('data', (chunk: Buffer) => {
    // Errors surface through `writer.closed` below, once.
    writer.write(chunk).catch(ignore)
    if ((writer.desiredSize ?? 1) <= 0) {
      res.pause()
      writer.ready.then(() => res.resume(), ignore)
    }
  })
  res.once('end', () => {
    if (settled) return
    settled = true
    writer.close().catch(ignore)
  })
  res.once('error', abort)
  res.once('close', () => whole(res) || abort(prematureClose()))
  // The reader gave up (cancelled, or the transform failed): stop reading the socket.
  writer.closed.catch(() => {
    settled = true
    res.destroy()
  })
}
