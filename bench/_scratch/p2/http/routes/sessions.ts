/**
 * @module http/routes/sessions
 * `POST /sessions` opens a caller session (the vendor session is created now) and returns its id in the body,
 * because Power Platform cannot carry a response header into the next action. `DELETE /sessions/{id}` ends it.
 */
import type { Hono } from 'hono'
import type { ServerRuntime } from '../../runtime/server-runtime.js'

/** Registers the session routes. */
export function registerSessionRoutes(app: Hono, runtime: ServerRuntime) {
  app.post('/sessions', async (c) => {
    const caller = runtime.callerFrom(c.req.raw.headers)
    const active = await runtime.openSession(caller)
    c.header('X-Session-Id', active.id)
    return c.json({ sessionId: active.id, expiresAt: new Date(active.record.expiresAt).toISOString() }, 201)
  })

  app.delete('/sessions/:id', async (c) => {
    const caller = runtime.callerFrom(c.req.raw.headers)
    await runtime.sessions.end(c.req.param('id'), caller)
    return c.body(null, 204)
  })
}
