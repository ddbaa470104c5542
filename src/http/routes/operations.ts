/**
 * @module http/routes/operations
 * Operational routes: `GET /healthz` (process alive), `GET /readyz` (vendor reachable and catalog loaded),
 * `POST /catalog/refresh` (reload the vendor catalog now; a path no tool name can collide with).
 * Declared with `createRoute`, so the document and the answers come from one definition.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import { authenticated } from '../caller.js'
import { CALLER_CODES, headerRefs, problemContextOf, problemResponses, VENDOR_CODES } from '../openapi-components.js'

const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health')
const ReadySchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    catalogVersion: z.number().int().optional(),
    tools: z.number().int().optional(),
    reason: z.string().optional().openapi({ description: 'Why the server is not ready (never a credential).' }),
    store: z
      .enum(['ok', 'unavailable'])
      .optional()
      .openapi({ description: 'The shared state store (sessions, jobs). While `unavailable`, pooled calls keep working; session-bound calls and jobs answer 503 `store_unavailable`.' }),
  })
  .openapi('Ready')
const RefreshedSchema = z
  .object({ catalogVersion: z.number().int(), changed: z.boolean(), tools: z.number().int(), etag: z.string() })
  .openapi('CatalogRefreshed')

/** Registers the operational routes. */
export function registerOperationRoutes(app: OpenAPIHono, runtime: ServerRuntime) {
  const ctx = problemContextOf(runtime)
  const auth = authenticated(runtime)
  const shuttingDown = problemResponses(ctx, ['shutting_down'])
  const health = createRoute({
    method: 'get',
    path: '/healthz',
    operationId: 'Health',
    summary: 'Process liveness',
    tags: ['Operations'],
    security: [],
    responses: { 200: { description: 'Alive.', headers: headerRefs() as never, content: { 'application/json': { schema: HealthSchema } } }, ...shuttingDown },
  })
  app.openapi(health, (c) => c.json({ status: 'ok' as const }, 200))

  const ready = createRoute({
    method: 'get',
    path: '/readyz',
    operationId: 'Ready',
    summary: 'Vendor reachable, catalog loaded and state store reachable',
    tags: ['Operations'],
    security: [],
    responses: {
      200: { description: 'Ready.', headers: headerRefs() as never, content: { 'application/json': { schema: ReadySchema } } },
      503: {
        description: 'Not ready (`application/json`, status `not_ready`), or shutting down (a `shutting_down` problem).',
        headers: headerRefs() as never,
        content: { 'application/json': { schema: ReadySchema }, 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    },
  })
  app.openapi(ready, async (c) => {
    const { ready: isReady, reason, store } = await runtime.readiness()
    const catalog = runtime.catalog.state?.catalog
    const body = { status: isReady ? ('ready' as const) : ('not_ready' as const), catalogVersion: catalog?.version, tools: catalog?.tools.length, store, ...(reason ? { reason } : {}) }
    return isReady ? c.json(body, 200) : c.json(body, 503)
  })

  const refresh = createRoute({
    middleware: [auth],
    method: 'post',
    path: '/catalog/refresh',
    operationId: 'RefreshCatalog',
    summary: 'Reload the vendor catalog now',
    tags: ['Operations'],
    responses: {
      200: { description: 'Reloaded.', headers: headerRefs() as never, content: { 'application/json': { schema: RefreshedSchema } } },
      ...problemResponses(ctx, [...CALLER_CODES, ...VENDOR_CODES]),
    },
  })
  app.openapi(refresh, async (c) => {
    const before = runtime.catalog.state?.catalog.version
    const { catalog } = await runtime.catalog.refresh()
    return c.json({ catalogVersion: catalog.version, changed: catalog.version !== before, tools: catalog.tools.length, etag: catalog.etag }, 200)
  })
}
