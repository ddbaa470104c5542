/**
 * @module http/request-id
 * The id of every request (`X-Request-Id`): the caller's when it is short and plain, so it can follow a request
 * across systems, else a new UUID. Hono's own middleware writes it with `c.header()` before the route runs, which
 * gives every response a web `Headers` object and makes @hono/node-server copy it field by field; here the id is
 * only remembered, and each answer carries it either from the start ({@link answerWithId}, the tool calls' path)
 * or added at the end by the root app ({@link carriesRequestId}).
 */
import type { Context } from 'hono'

const HEADER = 'X-Request-Id'
const PLAIN = /^[\w\-=]+$/
/** Responses built with the id among their headers: the root app has nothing to add to them. */
const withId = new WeakSet<Response>()

/** Middleware: sets `requestId` on the context. */
export function assignRequestId(limitLength: number) {
  return async function requestId(c: Context, next: () => Promise<void>) {
    const sent = c.req.header(HEADER)
    c.set('requestId' as never, (sent && sent.length <= limitLength && PLAIN.test(sent) ? sent : crypto.randomUUID()) as never)
    await next()
  }
}

/** The id {@link assignRequestId} gave this request. */
export function requestIdOf(c: Context): string | undefined {
  return c.get('requestId' as never) as string | undefined
}

/**
 * A JSON answer with every header it carries named here, the request id among them: plain header fields that
 * @hono/node-server writes as they are (no `Headers` object on the way).
 */
export function answerWithId(c: Context, status: number, body: string, contentType: string, headers?: Record<string, string>): Response {
  const requestId = requestIdOf(c)
  const response = new Response(body, { status, headers: { 'content-type': contentType, ...(requestId ? { [HEADER]: requestId } : {}), ...headers } })
  withId.add(response)
  return response
}

/** True when `response` came from {@link answerWithId}. */
export const carriesRequestId = (response: Response) => withId.has(response)
