/**
 * @module http/client-error
 * Problem+json for the requests that never reach the app, which Node and @hono/node-server answer with an empty
 * body by default: Node's HTTP parser rejections (`clientError`: bad framing, NUL or CR in a header, headers too
 * large), Node's own 400 for an HTTP/1.1 request without Host and 417 for an unknown `Expect`, and
 * @hono/node-server's request rejections (a bad Host, a backslash in the path).
 */
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { getRequestListener, RequestError } from '@hono/node-server'
import { ApiError } from '../errors/api-error.js'
import type { ProblemCode } from '../errors/codes.js'
import { problemResponse, toProblem } from '../errors/problem.js'

type FetchCallback = Parameters<typeof getRequestListener>[0]

/** Parser error codes (llhttp `HPE_*` and Node's own) and the problem they are answered with. */
function problemCodeOf(error: NodeJS.ErrnoException): ProblemCode {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return 'headers_too_large'
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return 'request_timeout'
    default:
      return 'bad_request'
  }
}

/** The raw HTTP/1.1 bytes of a problem answer that closes the connection. */
function rawProblem(code: ProblemCode): string {
  const error = new ApiError(code)
  const body = JSON.stringify(toProblem(error))
  return (
    `HTTP/1.1 ${error.status} ${PHRASES[error.status] ?? 'Bad Request'}\r\n` +
    'Content-Type: application/problem+json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  )
}

const PHRASES: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }

/** Answers a request the app never sees with a problem document and closes the connection. */
function answer(res: ServerResponse, error: ApiError) {
  const body = JSON.stringify(toProblem(error))
  res.writeHead(error.status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), connection: 'close' })
  res.end(body)
}

/**
 * Answers parser-level rejections with a problem document, then closes the connection (after a framing error
 * the rest of the stream cannot be trusted). Nothing of the rejected request is echoed or logged.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset peer cannot read an answer, and a response whose head is already on the wire must not get a second
    // status line in its middle. A response the app has not started yet (a body that broke framing mid-read) is
    // replaced: the problem goes out first, then the socket is destroyed, so the app's late writes go nowhere.
    const busy = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent
    if (error.code === 'ECONNRESET' || !socket.writable || busy) {
      socket.destroy()
      return
    }
    socket.end(rawProblem(problemCodeOf(error)), () => socket.destroy())
  })
}

/** What @hono/node-server answers when it cannot build a request (instead of an empty 400 or 500). */
function requestErrorResponse(error: unknown): Response {
  return problemResponse(error instanceof RequestError ? new ApiError('bad_request', { detail: error.message }) : new ApiError('internal_error'))
}

/** Timeouts and caps of a listener (config `listener`). */
export interface ListenerLimits {
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  maxConnections: number
}

/**
 * Node's server options for the limits. Node checks the headers and request timeouts only every
 * `connectionsCheckingInterval` (30 s by default, which let a slowloris socket live 60 + 30 s): once a second here.
 */
function serverTimeouts(limits: ListenerLimits | undefined): ServerOptions {
  if (!limits) return {}
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  }
}

/**
 * A `createServer` for @hono/node-server's `serve` that answers every rejection with problem+json: the app's
 * listener gets an error handler, and the server answers parser errors ({@link answerClientErrors}).
 * @param hostname the listen address, used (as `serve` does) when a request has no Host header
 * @example serve({ fetch: app.fetch, port, hostname, createServer: problemAnsweringServer(app.fetch, hostname) })
 */
export function problemAnsweringServer(fetch: FetchCallback, hostname?: string, limits?: ListenerLimits): typeof createServer {
  const listener = getRequestListener(fetch, { hostname, errorHandler: requestErrorResponse })
  return ((options: ServerOptions = {}) => {
    // Node's own Host check answers an empty 400; the same rule is applied here with a problem body.
    const server = createServer({ ...options, ...serverTimeouts(limits), requireHostHeader: false }, (req: IncomingMessage, res: ServerResponse) => {
      if (req.httpVersion === '1.1' && !req.headers.host) return answer(res, new ApiError('bad_request', { detail: 'An HTTP/1.1 request needs a Host header.' }))
      return listener(req, res)
    })
    if (limits) {
      server.keepAliveTimeout = limits.keepAliveTimeoutMs
      server.maxConnections = limits.maxConnections
    }
    answerClientErrors(server)
    server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => answer(res, new ApiError('expectation_failed', { detail: 'Only Expect: 100-continue is supported.' })))
    return server
  }) as typeof createServer
}
