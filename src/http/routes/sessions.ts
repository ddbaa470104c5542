/**
 * @module http/routes/sessions
 * `POST /sessions` opens a caller session (the vendor session is created now) and returns its id in the body,
 * because Power Platform cannot carry a response header into the next action. `DELETE /sessions/{sessionId}` ends it.
 * Declared with `createRoute`: the OpenAPI operation, the path validation and the response types are one definition.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import { authenticated, callerOf } from '../caller.js'
import { CALLER_CODES, headerRefs, problemContextOf, problemResponses, VENDOR_CODES } from '../openapi-components.js'

export const SessionCreatedSchema = z
  .object({ sessionId: z.string().openapi({ description: 'Pass it as X-Session-Id (or ?sessionId=) on later calls.' }), expiresAt: z.string().openapi({ description: 'When the session expires if it stays idle (ISO 8601).' }) })
  .openapi('SessionCreated')

/** Registers the session routes. */
export function registerSessionRoutes(app: OpenAPIHono, runtime: ServerRuntime) {
  const ctx = problemContextOf(runtime)
  const auth = authenticated(runtime)
  const createSession = createRoute({
    middleware: [auth],
    method: 'post',
    path: '/sessions',
    operationId: 'CreateSession',
    summary: 'Open a caller session',
    tags: ['Sessions'],
    responses: {
      201: { description: 'Created.', headers: headerRefs('SessionId') as never, content: { 'application/json': { schema: SessionCreatedSchema } } },
      ...problemResponses(ctx, [...CALLER_CODES, 'store_unavailable', 'too_many_sessions', ...VENDOR_CODES]),
    },
  })
  app.openapi(createSession, async (c) => {
    const caller = callerOf(c)
    const active = await runtime.openSession(caller)
    c.header('X-Session-Id', active.id)
    return c.json({ sessionId: active.id, expiresAt: new Date(active.record.expiresAt).toISOString() }, 201)
  })

  const endSession = createRoute({
    middleware: [auth],
    method: 'delete',
    path: '/sessions/{sessionId}',
    operationId: 'EndSession',
    summary: 'End a caller session and its vendor session',
    tags: ['Sessions'],
    request: { params: z.object({ sessionId: z.string().min(1).openapi({ description: 'The sessionId from CreateSession.' }) }) },
    responses: {
      204: { description: 'Ended.', headers: headerRefs() as never },
      ...problemResponses(ctx, [...CALLER_CODES, 'session_not_found', 'store_unavailable']),
    },
  })
  app.openapi(endSession, async (c) => {
    const caller = callerOf(c)
    await runtime.sessions.end(c.req.valid('param').sessionId, caller)
    return c.body(null, 204)
  })
}
