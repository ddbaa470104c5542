/**
 * @module http/caller-gone
 * A signal that fires when the HTTP caller goes away before its answer was written, so a synchronous tool call can
 * be cancelled at the vendor. Read from Node's response `close` event: `c.req.raw.signal` would make
 * @hono/node-server build a full web `Request` for every call (the c=1 benchmark measured +0.26 ms per call).
 */
import type { HttpBindings } from '@hono/node-server'
import type { Context } from 'hono'

/** Aborts when the connection closes before the response finished (`app.request()` in tests: the request's own signal). */
export function callerGoneSignal(c: Context): AbortSignal {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing
  if (!outgoing) return c.req.raw.signal
  const controller = new AbortController()
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) controller.abort()
  })
  return controller.signal
}
