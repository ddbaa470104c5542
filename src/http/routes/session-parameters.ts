/**
 * @module http/routes/session-parameters
 * The session selector as zod request parameters (`X-Session-Id` header, `sessionId` query), for the routes
 * declared with `createRoute` that run on a caller session. The runtime reads them with `sessionSelector`.
 */
import { z } from '@hono/zod-openapi'

/** Description shared by the header and the query parameter. */
export const SESSION_DESCRIPTION =
  'A sessionId from POST /sessions or an earlier response keeps vendor-side state across calls; `new` opens a session. Without it the call runs on your pooled session.'

/** `X-Session-Id` request header (lower case: Hono hands zod the headers lower-cased). */
export const SessionHeaders = z.object({ 'x-session-id': z.string().optional().openapi({ description: SESSION_DESCRIPTION }) })

/** `sessionId` query parameter, for clients that cannot set headers. */
export const SessionQuery = z.object({ sessionId: z.string().optional().openapi({ description: 'Same as the X-Session-Id header, for clients that cannot set headers.' }) })
