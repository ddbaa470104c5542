/**
 * @module bench/rest-call
 * The REST side of a call, shared by the main thread and the caller worker: the payload for a sequence number,
 * the answer check, and `POST {url}` through a {@link JsonPoster}.
 */
import type { JsonPoster } from './http-client.js'
import type { Call } from './load.js'

/** Per-call timeout everywhere: no call may hang the bench. */
export const CALL_TIMEOUT_MS = 10_000

/** The message sent in call `seq`; unique, so a stale or crossed answer cannot pass the check. */
export const message = (seq: number) => `bench-${seq}`

/** Throws unless `got` is the message of call `seq`. */
export function expectEcho(got: unknown, seq: number, where: string) {
  if (got !== message(seq)) throw new Error(`${where}: wrong echo ${JSON.stringify(got)} for ${message(seq)}`)
}

/** A REST endpoint that echoes, and where its answer carries the echoed message. */
export interface RestSpec {
  /** Label for error messages. */
  name: string
  /** Full URL of the echo operation. */
  url: string
  /** `data` for the facade's envelope (and the floor), `structuredContent` for the naive proxy's raw MCP result. */
  field: 'data' | 'structuredContent'
}

/** A call that POSTs `{ message }` to `spec.url` and checks the echo. */
export function restCall(poster: JsonPoster, spec: RestSpec): Call {
  return async (seq) => {
    const { status, json } = await poster.post(spec.url, { message: message(seq) }, CALL_TIMEOUT_MS)
    if (status !== 200) throw new Error(`${spec.name}: HTTP ${status} ${JSON.stringify(json).slice(0, 200)}`)
    const body = json as Record<string, { message?: unknown } | undefined>
    expectEcho(body[spec.field]?.message, seq, spec.name)
  }
}
