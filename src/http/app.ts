/**
 * @module http/app
 * The root app: request ids on every response, one access log line and metrics per request, an optional trace
 * span, CORS when configured, one error handler for everything (RFC 9457 problems, no stack traces, no secrets),
 * and the server apps mounted at the root (one upstream) or under `/{server}` (several).
 */
import { registerProtectedResourceMetadata } from '../mcp-endpoint/protected-resource.js'
import { Hono, type Context } from 'hono'
import { cors } from 'hono/cors'
import { matchedRoutes } from 'hono/route'
import type { Config } from '../config/schema.js'
import { ApiError } from '../errors/api-error.js'
import { fromUpstream } from '../errors/from-upstream.js'
import { problemResponse } from '../errors/problem.js'
import type { Logger } from '../log.js'
import { FacadeMetrics } from '../metrics/gauges.js'
import { recordHttpRequest } from '../metrics/instruments.js'
import type { ServerRuntime } from '../runtime/server-runtime.js'
import { withServerSpan } from '../telemetry/spans.js'
import { UpstreamError } from '../upstream/index.js'
import { registerMetricsRoute } from './metrics-route.js'
import { assignRequestId, carriesRequestId } from './request-id.js'
import { createServerApp } from './server-app.js'

/** Options of {@link createApp}. */
export interface AppOptions {
  log: Logger
  /** Set while shutting down: new requests get 503. */
  isStopping?: () => boolean
  /** CORS settings (`config.cors`); absent means no CORS headers at all. */
  cors?: Config['cors']
  /** Metrics settings (`config.metrics`). With `port` set, /metrics is not on this app (see {@link createMetricsApp}). */
  metrics?: Config['metrics']
  /** Shared metrics of these runtimes (created when absent). */
  facadeMetrics?: FacadeMetrics
}

/** Headers a browser script may read from our answers. */
const EXPOSED_HEADERS = ['X-Request-Id', 'X-Session-Id', 'Location', 'Retry-After', 'ETag', 'WWW-Authenticate', 'RateLimit-Policy', 'RateLimit', 'Idempotent-Replayed']

/** The route template that answered (e.g. `/crm/tools/:tool{.+}`), or `unmatched`: a label of bounded cardinality. */
function routeTemplate(c: Context): string {
  const routes = matchedRoutes(c)
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.method !== 'ALL') return routes[i]!.path
  return 'unmatched'
}

/** True for the liveness and readiness probes' routes (`/healthz`, `/readyz`, also under a server's mount path). */
/** Probes and metrics scrapes: logged at debug (an orchestrator and a Prometheus ask every few seconds). */
const isProbe = (route: string) => route.endsWith('/healthz') || route.endsWith('/readyz') || route === '/metrics'

/** The tool a request named, if its route has one (as the caller wrote it: slug or name). */
function toolOf(c: Context): string | undefined {
  try {
    return c.req.param('tool') || undefined
  } catch {
    return undefined
  }
}

/** Builds the root app for the given runtimes. */
export function createApp(runtimes: ServerRuntime[], options: AppOptions): Hono {
  const app = new Hono()
  const { log } = options
  const serverOf = (path: string) =>
    runtimes.length === 1 ? runtimes[0]!.name : runtimes.find((r) => path === r.mountPath || path.startsWith(r.mountPath + '/'))?.name

  // Our own ids are UUIDs; a caller's id is kept when it is short and plain, so it can follow a request across systems.
  app.use(assignRequestId(64))
  app.use(async (c, next) => {
    const started = performance.now()
    await withServerSpan(c.req.method, c.req.raw.headers, next, () => ({ route: routeTemplate(c), status: c.res.status }))
    const route = routeTemplate(c)
    const requestId = c.get('requestId' as never) as string
    // Every other answer gets the id here.
    // Answers built with it already have it (http/request-id); reading their headers here would undo that saving.
    if (!carriesRequestId(c.res) && !c.res.headers.has('X-Request-Id')) c.res.headers.set('X-Request-Id', requestId)
    const durationMs = Math.round((performance.now() - started) * 10) / 10
    recordHttpRequest(route, c.req.method, c.res.status, durationMs)
    // Route template and names only: never headers, bodies or query strings (they may carry secrets). Probes go at
    // debug: an orchestrator sends one every few seconds to every replica, and they would be most of the log.
    const fields = { requestId, method: c.req.method, route, status: c.res.status, durationMs, server: serverOf(c.req.path), tool: toolOf(c) }
    if (isProbe(route)) log.debug('request', fields)
    else log.info('request', fields)
  })
  if (options.cors)
    app.use(
      cors({
        origin: options.cors.origins.includes('*') ? '*' : options.cors.origins,
        allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
        exposeHeaders: EXPOSED_HEADERS,
        maxAge: options.cors.maxAgeSeconds,
      }),
    )
  app.use(async (c, next) => {
    if (options.isStopping?.()) return problemResponse(new ApiError('shutting_down', { headers: { Connection: 'close' } }), c.req.path, c.get('requestId' as never) as string | undefined)
    await next()
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

  app.notFound((c) => problemResponse(new ApiError('not_found', { detail: `No route ${c.req.method} ${c.req.path}.` }), c.req.path, c.get('requestId' as never) as string | undefined))

  const metrics = options.metrics ?? { enabled: true }
  if (metrics.enabled && metrics.port === undefined) registerMetricsRoute(app, options.facadeMetrics ?? new FacadeMetrics(runtimes), metrics.key)

  // `GET /`: where things are. A browser goes on to the docs page when there is one server; a client gets the list.
  app.get('/', (c) => {
    const single = runtimes.length === 1 ? runtimes[0]! : undefined
    // Relative, so that it also holds behind a proxy that adds a path prefix.
    if (single && /\btext\/html\b/.test(c.req.header('accept') ?? '')) return c.redirect(`${single.mountPath.slice(1) || '.'}/docs`, 302)
    return c.json({ servers: runtimes.map((r) => ({ name: r.name, base: r.mountPath, docs: `${r.mountPath}/docs`, openapi: `${r.mountPath}/openapi.json`, swagger: `${r.mountPath}/swagger.json` })) })
  })
  registerProtectedResourceMetadata(app, runtimes)
  if (runtimes.length === 1 && runtimes[0]!.mountPath === '') app.route('/', createServerApp(runtimes[0]!))
  else {
    for (const runtime of runtimes) app.route(runtime.mountPath, createServerApp(runtime))
    app.get('/healthz', (c) => c.json({ status: 'ok' }))
    // One probe for the whole process: ready when every server is (a Deployment's readiness probe takes one path).
    app.get('/readyz', async (c) => {
      const states = await Promise.all(runtimes.map(async (r) => ({ name: r.name, ...(await r.readiness()) })))
      const ready = states.every((s) => s.ready)
      // One store serves every server: the first answer is the store's state.
      const store = states[0]?.store
      return c.json({ status: ready ? 'ready' : 'not_ready', store, servers: Object.fromEntries(states.map((s) => [s.name, { status: s.ready ? 'ready' : 'not_ready', ...(s.reason && !s.ready ? { reason: s.reason } : {}) }])) }, ready ? 200 : 503)
    })
  }
  // Hono's router compiles its matcher on the first request it routes (several ms in a cold process). Done now,
  // at start-up, it does not hold up the first probes while the first catalog loads, nor a first call. Every route
  // is registered above: the compiled router takes no more.
  app.router.match('GET', '/healthz')
  return app
}

/** A separate app that serves only `GET /metrics` (for `metrics.port`). */
export function createMetricsApp(metrics: FacadeMetrics, key: string | undefined): Hono {
  const app = new Hono()
  registerMetricsRoute(app, metrics, key)
  app.onError((error, c) => problemResponse(error instanceof ApiError ? error : new ApiError('internal_error'), c.req.path))
  app.notFound((c) => problemResponse(new ApiError('not_found', { detail: `No route ${c.req.method} ${c.req.path}.` }), c.req.path))
  return app
}
