/**
 * @module http/metrics-route
 * `GET /metrics` in Prometheus text. Optionally guarded by a key (`Authorization: Bearer <key>`, compared in constant
 * time) and, when `metrics.port` is set, served on its own port instead of the API port.
 */
import type { Hono } from 'hono'
import { ApiError } from '../errors/api-error.js'
import type { FacadeMetrics } from '../metrics/gauges.js'
import { constantTimeEqual } from '../security/constant-time.js'

/** Constant-time check of the presented key (hashing first makes the lengths equal, so length leaks nothing). */
function keyMatches(presented: string | undefined, key: string): boolean {
  if (presented === undefined) return false
  return constantTimeEqual(presented, key)
}

/** Registers `GET /metrics`. */
export function registerMetricsRoute(app: Hono, metrics: FacadeMetrics, key: string | undefined) {
  app.get('/metrics', async (c) => {
    if (key) {
      const presented = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]
      if (!keyMatches(presented, key)) throw new ApiError('unauthorized', { detail: 'GET /metrics needs Authorization: Bearer <metrics key>.', headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } })
    }
    return c.body(await metrics.render(), 200, { 'content-type': metrics.contentType })
  })
}
