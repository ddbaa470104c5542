/**
 * @module mcp-endpoint/call-cancellation
 * `notifications/cancelled` from 2025-era MCP callers, for the `tools/call` requests they cancel. Our endpoint
 * serves each 2025 request from a fresh SDK server (stateless legacy serving), so the POST that carries the
 * notification reaches a server that never saw the request it names, and the SDK there drops it. The calls in
 * flight are therefore registered here per conversation (identity + `Mcp-Session-Id` + the caller's request id),
 * and the route aborts the one a notification names before the SDK sees it. Only the identity and conversation
 * that sent a request can cancel it.
 *
 * (2026-07-28 callers cancel by closing the request's own stream, which aborts the request where it runs.)
 */

type Message = { jsonrpc?: unknown; method?: unknown; id?: unknown; params?: { requestId?: unknown } }

/** A call registered while it runs. */
export interface TrackedCall {
  /** Aborts when the caller cancels the request. */
  signal: AbortSignal
  /** Forgets the call (it ended). */
  done(): void
}

/** The 2025 `tools/call` requests in flight at one server endpoint of this replica. */
export class InFlightCalls {
  readonly #calls = new Map<string, AbortController>()

  /** Registers a request of a conversation while it runs. */
  track(identity: string, sessionId: string, requestId: string | number): TrackedCall {
    const key = InFlightCalls.#key(identity, sessionId, requestId)
    const controller = new AbortController()
    this.#calls.set(key, controller)
    return {
      signal: controller.signal,
      done: () => {
        if (this.#calls.get(key) === controller) this.#calls.delete(key)
      },
    }
  }

  /**
   * Aborts the call a `notifications/cancelled` names, when it is one of this conversation's.
   * @returns whether the message was such a notification for a call in flight here (it is then taken)
   */
  cancel(identity: string, sessionId: string | undefined, message: unknown): boolean {
    const m = message as Message | undefined
    if (!sessionId || !m || typeof m !== 'object' || m.method !== 'notifications/cancelled' || m.id !== undefined) return false
    const requestId = m.params?.requestId
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return false
    const key = InFlightCalls.#key(identity, sessionId, requestId)
    const controller = this.#calls.get(key)
    if (!controller) return false
    this.#calls.delete(key)
    controller.abort()
    return true
  }

  static #key(identity: string, sessionId: string, requestId: string | number) {
    // The id's type is part of it: JSON-RPC tells 1 and "1" apart.
    return `${identity}\n${sessionId}\n${typeof requestId}:${requestId}`
  }
}
