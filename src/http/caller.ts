/**
 * @module http/caller
 * Authentication before validation: the `createRoute` routes validate path, query and headers before their
 * handler runs, so a caller without credentials would learn about a malformed parameter (400) before being told to
 * authenticate (401). This middleware, given as the route's `middleware`, authenticates first and keeps the caller.
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { ServerRuntime } from '../runtime/server-runtime.js'
import type { CallerContext } from '../sessions/manager.js'

const KEY = 'caller' as never

/** Authenticates the request (401 `unauthorized` otherwise) and keeps the caller for {@link callerOf}. */
export function authenticated(runtime: ServerRuntime): MiddlewareHandler {
  return async (c, next) => {
    c.set(KEY, (await runtime.callerFrom(c.req.raw.headers)) as never)
    await next()
  }
}

/** The caller {@link authenticated} kept. */
export function callerOf(c: Context): CallerContext {
  return c.get(KEY) as CallerContext
}
