/**
 * @module upstream/stream-guard
 * Turns "the vendor's response stream ended without a response" into an immediate answer.
 *
 * The SDK transport reports that moment through `onRequestStreamEnd` (after any SSE resumption attempts are
 * spent), but the SDK's request layer never passes that callback for ordinary requests, so such a call would wait
 * for its whole timeout and end 504. We wrap the transport's `send` to pass the callback, and when it fires for a
 * request that has no response yet we hand the client a synthetic JSON-RPC error for that id. The error is
 * classified as INTERRUPTED with `streamEnded` (the vendor may have run the call), so the no-replay rule decides.
 */
import type { Transport } from '@modelcontextprotocol/client'
import { STREAM_ENDED_CODE, STREAM_ENDED_MARK } from './errors.js'

type Message = { jsonrpc?: string; id?: string | number; method?: string; result?: unknown; error?: unknown }

/**
 * Installs the guard on a connected transport (after `Client.connect`, which sets `onmessage`).
 * Only requests sent after this call are guarded; the handshake has its own connect timeout.
 */
export function guardStreamEnds(transport: Transport): void {
  const pending = new Set<string | number>()
  const send = transport.send.bind(transport)
  const deliver = transport.onmessage?.bind(transport)
  if (!deliver) return
  transport.onmessage = ((message: Message, extra?: unknown) => {
    if (message.id !== undefined && (message.result !== undefined || message.error !== undefined)) pending.delete(message.id)
    return (deliver as (m: unknown, e?: unknown) => void)(message, extra)
  }) as Transport['onmessage']
  transport.send = (async (message: Message, options?: Record<string, unknown>) => {
    const id = message.id
    if (id === undefined || message.method === undefined) return send(message as never, options as never)
    pending.add(id)
    const onRequestStreamEnd = () => {
      // The transport calls this after a normal end too; by then the response was delivered and `pending` cleared.
      queueMicrotask(() => {
        if (!pending.delete(id)) return
        transport.onmessage?.({
          jsonrpc: '2.0',
          id,
          error: { code: STREAM_ENDED_CODE, message: 'the vendor closed the response stream without an answer', data: { mark: STREAM_ENDED_MARK } },
        } as never)
      })
    }
    try {
      return await send(message as never, { ...options, onRequestStreamEnd } as never)
    } catch (error) {
      pending.delete(id)
      throw error
    }
  }) as Transport['send']
}
