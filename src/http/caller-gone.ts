/**
 * @module http/caller-gone
 * Tells a synchronous tool call when its HTTP caller went away before the answer was written, so the call can be
 * cancelled at the vendor. Read from Node's response `close` event: `c.req.raw.signal` would make
 * @hono/node-server build a full web `Request` for every call (the c=1 benchmark measured +0.26 ms per call). A
 * subscription rather than an AbortSignal of its own: the invocation already holds the one controller the vendor
 * call listens to, and a second controller plus the EventTarget listener joining the two cost every call a few
 * microseconds for an event that almost never happens.
 */
import type { HttpBindings } from '@hono/node-server'
import type { Context } from 'hono'
import type { OnCallerGone } from '../runtime/tool-invocation.js'

/**
 * Subscribes to the connection closing before the response finished (`app.request()` in tests: the request's own
 * signal); the subscription returns its own removal.
 */
export function callerGone(c: Context): OnCallerGone {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing
  if (!outgoing) {
    const signal = c.req.raw.signal
    return (gone) => {
      signal.addEventListener('abort', gone, { once: true })
      return () => signal.removeEventListener('abort', gone)
    }
  }
  return (gone) => {
    const onClose = () => {
      if (!outgoing.writableFinished) gone()
    }
    outgoing.once('close', onClose)
    return () => outgoing.removeListener('close', onClose)
  }
}
