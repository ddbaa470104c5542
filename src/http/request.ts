/**
 * @module http/request
 * Request parsing shared by the routes: bodies read within the size limit (the REST routes and `/mcp`), JSON bodies
 * with clear 413/415/400 answers (too deep and non-finite numbers included), path segments decoded without
 * throwing, and the session selector (`X-Session-Id` header or `sessionId` query parameter; `new` opens a session).
 */
import { IncomingMessage } from 'node:http'
import type { HttpBindings } from '@hono/node-server'
import type { Context } from 'hono'
import { ApiError } from '../errors/api-error.js'
import type { SessionSelector } from '../runtime/server-runtime.js'

/** Default deepest nesting of a JSON body (config `maxJsonDepth`). */
export const DEFAULT_MAX_JSON_DEPTH = 64

/**
 * Reads a JSON object body. An empty body is `{}`.
 * @param maxDepth deepest nesting of arrays and objects accepted (checked on the text, before parsing)
 * @throws ApiError `payload_too_large`, `unsupported_media_type`, `invalid_json` (also for nesting past the
 *   limit) or `invalid_arguments` (not an object, or a number JSON cannot carry, such as `1e999`)
 */
export async function readJsonObject(c: Context, limitBytes: number, maxDepth = DEFAULT_MAX_JSON_DEPTH): Promise<Record<string, unknown>> {
  const raw = await readBodyText(c, limitBytes)
  const type = c.req.header('content-type')
  if (raw.trim() === '') return {}
  if (!type || !/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type))
    throw new ApiError('unsupported_media_type', { detail: 'Send the arguments as application/json.', headers: { 'Accept-Post': 'application/json' } })
  // Refused before parsing: validation, renaming and serialization all recurse, and a body nested thousands of
  // levels deep would overflow the stack in one of them.
  if (nestingDepth(raw, maxDepth) > maxDepth)
    throw new ApiError('invalid_json', { detail: `The body is nested deeper than ${maxDepth} levels.`, errors: [{ pointer: '', message: `is nested deeper than ${maxDepth} levels` }] })
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch (error) {
    throw new ApiError('invalid_json', { detail: (error as Error).message, errors: [{ pointer: '', message: 'is not valid JSON' }] })
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ApiError('invalid_arguments', { detail: 'The body must be a JSON object of tool arguments.', errors: [{ pointer: '', message: 'must be object' }] })
  // Pointers are built only when there is something to report: building one per node costs ~60 ms per MiB.
  if (hasNonFinite(parsed))
    throw new ApiError('invalid_arguments', {
      detail: 'A number is too large to be represented (it would reach the vendor as null).',
      errors: nonFinitePointers(parsed).map((pointer) => ({ pointer, message: 'must be a finite number' })),
    })
  return parsed as Record<string, unknown>
}

/**
 * Reads a request body as text within `limitBytes` (the REST tool routes and the MCP endpoint both read theirs so).
 * A declared `Content-Length` over the limit is refused before any byte is read; Node's parser then delivers exactly
 * that many bytes, so the check holds for the bytes read. A body without a length (chunked) is counted as it
 * arrives and refused as soon as it passes the limit. An absent body is `''`.
 * @throws ApiError `payload_too_large`
 */
export async function readBodyText(c: Context, limitBytes: number): Promise<string> {
  const declared = c.req.header('content-length')
  if (declared && Number(declared) > limitBytes)
    throw new ApiError('payload_too_large', { detail: `The body is ${declared} bytes; the limit is ${limitBytes}.` })
  // With a declared length (already checked against the limit) read directly: touching `c.req.raw.body` makes
  // @hono/node-server build a full web Request and stream, ~70% of the request handling for small bodies.
  if (declared !== undefined) return bufferedText(c, declared) ?? (await c.req.text())
  return c.req.raw.body ? readLimited(c.req.raw, limitBytes) : ''
}

const utf8 = new TextDecoder()

/**
 * The body as text when Node has already received all of its bytes, else undefined (then `c.req.text()` waits for
 * them). A small body arrives in the same read as its head, and by the first await of a handler Node's parser has
 * pushed it into the request stream (the message is marked `complete` a moment later). Taken with one `read()`,
 * it skips what `c.req.text()` does to wait for it: the stream switched to flowing mode, a tick to resume, one per
 * `data` event, the wait for the message's end, then three promise hops (about 30 µs per call at c=1,
 * `bench/trace.ts`). `resume()` then lets the stream end by itself, as reading it did (@hono/node-server drains a
 * request that has not ended when its response closes). Decoded as @hono/node-server decodes it (`TextDecoder`: a
 * leading BOM dropped, bad bytes replaced) and left in hono's body cache, so a later `c.req.text()` or
 * `c.req.json()` gets it as before.
 */
function bufferedText(c: Context, declared: string): string | undefined {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming
  if (!(incoming instanceof IncomingMessage) || incoming.readableDidRead || incoming.destroyed || incoming.readableFlowing) return undefined
  if (incoming.readableLength !== Number(declared)) return undefined
  const bytes = incoming.read() as Buffer | null
  incoming.resume()
  const text = bytes === null ? '' : utf8.decode(bytes)
  // Hono keeps promises there (its type says string).
  ;(c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text)
  return text
}

/**
 * Deepest nesting of arrays and objects in a JSON text, counted without parsing (brackets inside strings are
 * skipped). Linear and iterative, so it cannot overflow whatever the input; ~6 ms per MiB, against ~370 ms for
 * `JSON.parse` of a MiB of nested brackets, which is why it runs first.
 * @param stopAbove returns as soon as the depth passes this (the exact depth of a hostile body does not matter)
 */
export function nestingDepth(text: string, stopAbove = Infinity): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c) i++ // backslash: skip the escaped character
      else if (ch === 0x22) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > max) max = depth
      if (max > stopAbove) return max
    } else if (ch === 0x7d || ch === 0x5d) depth--
  }
  return max
}

/** True when a parsed value holds a non-finite number anywhere (`1e999` parses to Infinity). ~2 ms per MiB. */
function hasNonFinite(value: unknown): boolean {
  const stack: unknown[] = [value]
  while (stack.length) {
    const v = stack.pop()
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return true
    } else if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) stack.push(v[i])
      else for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k])
    }
  }
  return false
}

/** JSON pointers (RFC 6901) of every non-finite number in a parsed value. */
function nonFinitePointers(value: unknown): string[] {
  const found: string[] = []
  const stack: Array<[unknown, string]> = [[value, '']]
  while (stack.length) {
    const [v, pointer] = stack.pop()!
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) found.push(pointer)
    } else if (v && typeof v === 'object')
      for (const [k, child] of Object.entries(v)) stack.push([child, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`])
  }
  return found.sort()
}

/**
 * Decodes a percent-encoded path segment; `undefined` for a malformed escape (`%`, `%ff`), which callers treat
 * as "no such name" rather than letting `URIError` become a 500.
 */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
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
  const header = c.req.header('x-session-id')
  const value = header ?? c.req.query('sessionId')
  if (value === undefined) return { kind: 'pooled' }
  // Present but empty is a mistake (an unset flow variable), not a wish for the pooled session: saying so beats
  // silently running the call outside the caller's session.
  if (value.trim() === '')
    throw new ApiError('invalid_header', {
      detail: `${header !== undefined ? 'X-Session-Id' : 'sessionId'} is empty. Pass a session id, "new", or leave it out for the pooled session.`,
    })
  if (value.toLowerCase() === 'new') return { kind: 'new' }
  return { kind: 'existing', id: value }
}

/** True when the caller asked for an asynchronous answer (`Prefer: respond-async`, RFC 7240). */
export function prefersAsync(c: Context): boolean {
  return /(^|,)\s*respond-async\s*(,|;|$)/i.test(c.req.header('prefer') ?? '')
}

/** True when the caller can answer a vendor's questions (`Prefer: input-required`; other preferences may share the header). */
export function prefersInput(c: Context): boolean {
  return /(^|,)\s*input-required\s*(,|;|$)/i.test(c.req.header('prefer') ?? '')
}
