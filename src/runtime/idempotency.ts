/**
 * @module runtime/idempotency
 * `Idempotency-Key` on tool calls (IETF draft-ietf-httpapi-idempotency-key-header): the first request with a key
 * runs the call and its answer is kept for `idempotency.ttlSeconds`; a retry with the same key (same caller, same
 * server) gets that answer instead of running the tool again, or waits for it while the first still runs. The same
 * key with a different request (tool, session, arguments) is 422. Records live in the shared store, so a retry that
 * lands on another replica is answered the same way.
 *
 * An answer that proves the call did not run (bad arguments, a limit, the vendor refusing it, the store down …)
 * is not kept: the key is released so the retry can run it.
 */
import { createHash } from 'node:crypto'
import { stringify } from 'safe-stable-stringify'
import { ApiError } from '../errors/api-error.js'
import type { ProblemCode } from '../errors/codes.js'
import type { Logger } from '../log.js'
import { IdempotencyStore, type StoredResponse } from './idempotency-store.js'

/** Answers that prove the tool did not run: the key is released instead of kept. */
const DID_NOT_RUN = new Set<ProblemCode>([
  'invalid_json',
  'invalid_arguments',
  'invalid_request',
  'invalid_header',
  'payload_too_large',
  'unsupported_media_type',
  'unauthorized',
  'vendor_unauthorized',
  'vendor_forbidden',
  'tool_not_found',
  'session_not_found',
  'not_ready',
  'shutting_down',
  'store_unavailable',
  'rate_limited',
  'too_many_requests',
  'too_many_sessions',
  'vendor_rate_limited',
  'vendor_busy',
  'vendor_unavailable',
])

/** How a keyed call is run. */
export interface IdempotencyOptions {
  store: IdempotencyStore
  /** How long a finished call's answer is kept. */
  ttlSeconds: number
  /** How long a running call's claim is kept (longer than the call can last; a dead replica's claim lapses). */
  runningTtlSeconds: number
  /** How long a retry waits for the first request's answer before 409. */
  waitMs: number
  log: Logger
}

/** Who asked what, with which key. */
export interface KeyedRequest {
  server: string
  identity: string
  key: string
  /** The request's content: the same key with different content is refused. */
  content: unknown
}

/** The value of an `Idempotency-Key` header: the draft's sf-string (`"…"`) or a bare token, 1–255 printable characters. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const raw = header.trim()
  const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw
  if (!/^[\x21-\x7e]{1,255}$/.test(value))
    throw new ApiError('invalid_header', { detail: 'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces (optionally in double quotes).' })
  return value
}

function fingerprintOf(content: unknown): string {
  return createHash('sha256').update(stringify(content) ?? '', 'utf8').digest('base64url')
}

function didNotRun(response: StoredResponse): boolean {
  const code = (response.body as { code?: unknown } | undefined)?.code
  return response.status >= 400 && typeof code === 'string' && DID_NOT_RUN.has(code as ProblemCode)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Runs `run` at most once per key (within the TTL) and answers retries with its answer.
 * @returns the answer and whether it is a stored one (a retry)
 * @throws ApiError `idempotency_key_reused` (422), `idempotency_key_in_use` (409), `store_unavailable` (503, before
 *   anything ran)
 */
export async function runOnce(options: IdempotencyOptions, request: KeyedRequest, run: () => Promise<StoredResponse>): Promise<{ response: StoredResponse; replayed: boolean }> {
  const { store } = options
  const key = IdempotencyStore.keyOf(request.server, request.identity, request.key)
  const fingerprint = fingerprintOf(request.content)
  const deadline = Date.now() + options.waitMs
  for (;;) {
    if (await store.claim(key, { fingerprint, state: 'running', startedAt: Date.now() }, options.runningTtlSeconds)) {
      let response: StoredResponse
      try {
        response = await run()
      } catch (error) {
        await store.release(key).catch(() => undefined)
        throw error
      }
      try {
        if (didNotRun(response)) await store.release(key)
        else await store.put(key, { fingerprint, state: 'done', response, startedAt: Date.now() }, options.ttlSeconds)
      } catch (error) {
        // The call ran: its answer goes out even if it cannot be kept (a retry then waits for the claim to lapse).
        options.log.warn('idempotency record not stored; the call ran and is answered', { error: (error as Error).message })
      }
      return { response, replayed: false }
    }
    const record = await store.get(key)
    if (!record) continue // released or expired in between: claim again
    if (record.fingerprint !== fingerprint)
      throw new ApiError('idempotency_key_reused', { detail: 'This Idempotency-Key was already used for a different request (another tool, session or arguments). Use a new key for a new request.' })
    if (record.state === 'done' && record.response) return { response: record.response, replayed: true }
    if (Date.now() >= deadline)
      throw new ApiError('idempotency_key_in_use', { detail: 'The first request with this Idempotency-Key is still running; retry later for its answer.', headers: { 'Retry-After': '5' } })
    await sleep(200)
  }
}
