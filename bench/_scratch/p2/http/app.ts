/**
 * @module http/app
 * The root app: request ids, one error handler for everything (RFC 9457 problems, no stack traces, no
 * secrets), and the server apps mounted at the root (one upstream) or under `/{server}` (several).
 */
import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import { ApiError } from '../errors/api-error.js'
import { fromUpstream } from '../errors/from-upstream.js'
import { problemResponse } from '../errors/problem.js'
import type { Logger } from '../log.js'
import type { ServerRuntime } from '../runtime/server-runtime.js'
import { UpstreamError } from '../upstream/index.js'
import { createServerApp } from './server-app.js'

/** Options of {@link createApp}. */
export interface AppOptions {
  log: Logger
  /** Set while shutting down: new requests get 503. */
  isStopping?: () => boolean
}

/** Builds the root app for the given runtimes. */
export function createApp(runtimes: ServerRuntime[], options: AppOptions): Hono {
  const app = new Hono()
  const { log } = options

  app.use(async (c, next) => {
    const requestId = c.req.header('x-request-id')?.match(/^[\w.-]{1,64}$/)?.[0] ?? randomUUID()
    c.set('requestId' as never, requestId as never)
    c.header('X-Request-Id', requestId)
    if (options.isStopping?.()) throw new ApiError('shutting_down', { headers: { Connection: 'close' } })
    const started = performance.now()
    await next()
    // Log method, path and status only: never headers, bodies or query strings (they may carry secrets).
    log.debug('request', { requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) })
  })

  app.onError((error, c) => {
    const requestId = (c.get('requestId' as never) as string | undefined) ?? undefined
    let apiError: ApiError
    if (error instanceof ApiError) apiError = error
    else if (error instanceof UpstreamError) apiError = fromUpstream(error)
    else {
      log.error('unhandled error', { requestId, path: c.req.path, error: error instanceof Error ? error.message : String(error) })
      apiError = new ApiError('internal_error')
    }
    if (apiError.status >= 500) log.warn('request failed', { requestId, path: c.req.path, code: apiError.code })
    return problemResponse(apiError, c.req.path, requestId)
  })

  app.notFound((c) => problemResponse(new ApiError('not_found', { detail: `No route ${c.req.method} ${c.req.path}.` }), c.req.path))

  if (runtimes.length === 1) app.route('/', createServerApp(runtimes[0]!))
  else {
    for (const runtime of runtimes) app.route(runtime.mountPath, createServerApp(runtime))
    app.get('/', (c) =>
      c.json({ servers: runtimes.map((r) => ({ name: r.name, base: r.mountPath, docs: `${r.mountPath}/docs`, openapi: `${r.mountPath}/openapi.json`, swagger: `${r.mountPath}/swagger.json` })) }),
    )
    app.get('/healthz', (c) => c.json({ status: 'ok' }))
  }
  return app
}
