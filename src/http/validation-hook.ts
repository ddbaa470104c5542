/**
 * @module http/validation-hook
 * The `defaultHook` of every `createRoute` route: a request that fails its zod schema (path, query or header)
 * becomes our 400 `invalid_request` problem, with one JSON pointer per failing field, never zod's own JSON.
 */
import type { Hook } from '@hono/zod-openapi'
import { ApiError } from '../errors/api-error.js'

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1')

/** Throws the problem for a failed validation; the app's error handler renders it. */
export const problemHook: Hook<unknown, never, string, unknown> = (result, c) => {
  if (result.success) return
  const issues = (result.error as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? []
  const where = (result as { target?: string }).target ?? 'request'
  throw new ApiError('invalid_request', {
    detail: `The ${where} of ${c.req.method} ${c.req.path} is not valid.`,
    errors: issues.map((i) => ({ pointer: i.path.map((p) => `/${escapePointer(String(p))}`).join(''), message: i.message })),
  })
}
