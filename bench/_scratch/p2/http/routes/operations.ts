/**
 * @module http/routes/operations
 * Operational routes: `GET /healthz` (process alive), `GET /readyz` (vendor reachable and catalog loaded),
 * `POST /catalog/refresh` (reload the vendor catalog now; a path no tool name can collide with).
 */
import type { Hono } from 'hono'
import type { ServerRuntime } from '../../runtime/server-runtime.js'

/** Registers the operational routes. */
export function registerOperationRoutes(app: Hono, runtime: ServerRuntime) {
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const ready = await runtime.ready()
    const catalog = runtime.catalog.state?.catalog
    return c.json(
      { status: ready ? 'ready' : 'not_ready', catalogVersion: catalog?.version, tools: catalog?.tools.length, ...(ready ? {} : { reason: runtime.catalog.lastError ?? 'vendor not reachable' }) },
      ready ? 200 : 503,
    )
  })
  app.post('/catalog/refresh', async (c) => {
    runtime.callerFrom(c.req.raw.headers)
    const before = runtime.catalog.state?.catalog.version
    const { catalog } = await runtime.catalog.refresh()
    return c.json({ catalogVersion: catalog.version, changed: catalog.version !== before, tools: catalog.tools.length, etag: catalog.etag })
  })
}
