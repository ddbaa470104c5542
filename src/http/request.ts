/**
 * @module http/request
 * Request parsing shared by the routes: JSON bodies with clear 413/415/400 answers, and the session selector
 * (`X-Session-Id` header or `sessionId` query parameter; `new` opens a session).
 */
import type { Context } from 'hono'
import { ApiError } from '../errors/api-error.js'
import type { SessionSelector } from '../runtime/server-runtime.js'

/** Reads a JSON object body. An empty body is `{}`. */
export async function readJsonObject(c: Context, limitBytes: number): Promise<Record<string, unknown>> {
  const declared = c.req.header('content-length')
  if (declared && Number(declared) > limitBytes)
    throw new ApiError('payload_too_large', { detail: `The body is ${declared} bytes; the limit is ${limitBytes}.` })
  const type = c.req.header('content-type')
  // With a declared length (already checked against the limit) read directly: touching `c.req.raw.body` makes
  // @hono/node-server build a full web Request and stream, ~70% of the request handling for small bodies.
  const raw = declared !== undefined ? await c.req.text() : c.req.raw.body ? await readLimited(c.req.raw, limitBytes) : ''
  if (raw.trim() === '') return {}
  if (!type || !/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type))
    throw new ApiError('unsupported_media_type', { detail: 'Send the arguments as application/json.', headers: { 'Accept-Post': 'application/json' } })
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch (error) {
    throw new ApiError('invalid_json', { detail: (error as Error).message, errors: [{ pointer: '', message: 'is not valid JSON' }] })
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ApiError('invalid_arguments', { detail: 'The body must be a JSON object of tool arguments.', errors: [{ pointer: '', message: 'must be object' }] })
  return parsed as Record<string, unknown>
}

/** Reads a body as text, failing with 413 as soon as it passes the limit (chunked bodies have no length). */
export async function readLimited(req: Request, limitBytes: number): Promise<string> {
  const reader = req.body!.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limitBytes) {
      await reader.cancel().catch(() => {})
      throw new ApiError('payload_too_large', { detail: `The body is larger than ${limitBytes} bytes.` })
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Which session the caller asked for. */
export function sessionSelector(c: Context): SessionSelector {
  const value = c.req.header('x-session-id') ?? c.req.query('sessionId')
  if (value === undefined || value === '') return { kind: 'pooled' }
  if (value.toLowerCase() === 'new') return { kind: 'new' }
  return { kind: 'existing', id: value }
}

/** True when the caller asked for an asynchronous answer (`Prefer: respond-async`, RFC 7240). */
export function prefersAsync(c: Context): boolean {
  return /(^|,)\s*respond-async\s*(,|;|$)/i.test(c.req.header('prefer') ?? '')
}
