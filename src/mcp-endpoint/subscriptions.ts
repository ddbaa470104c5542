/**
 * @module mcp-endpoint/subscriptions
 * Resource subscriptions on the facade's `/mcp` (2025 revisions): `resources/subscribe` and `unsubscribe` are
 * forwarded on the conversation's vendor session (which keeps its own GET stream to the vendor while it holds
 * subscriptions, and subscribes again after a renewal: see upstream/vendor-state), and every
 * `notifications/resources/updated` the vendor sends is written to the conversation's standalone GET stream here.
 *
 * Offered only when the vendor declares `resources.subscribe` on a 2025 connection: 2026-07-28 has no
 * `resources/subscribe` (its `subscriptions/listen` is not passed through yet). Streams are keyed by the caller
 * identity AND the `Mcp-Session-Id` the caller presents, so an update reaches only the conversation that
 * subscribed, never another identity's stream. A stream lives in the replica that serves its GET; an update that
 * arrives while the conversation has no stream open is dropped (the spec's notifications are best effort).
 */
import type { Server } from '@modelcontextprotocol/server'
import type { CallerContext, McpRuntimePort, SessionSelector } from './runtime-port.js'

/** A JSON-RPC notification written to a stream. */
type Notification = { jsonrpc: '2.0'; method: string; params: Record<string, unknown> }

/** Comment frames keep idle streams open through proxies that cut silent connections. */
const KEEP_ALIVE_MS = 15_000

/** The open standalone GET streams of one server's endpoint, by conversation. */
export class UpdateStreams {
  readonly #streams = new Map<string, Set<(frame: string) => void>>()
  readonly #closers = new Map<string, Set<() => void>>()

  /** The key of a conversation: the caller identity and the id it presents. */
  static key(caller: CallerContext, presented: string | undefined): string {
    return `${caller.identity}\u0000${presented ?? ''}`
  }

  /** Number of open streams (for tests and metrics). */
  get size(): number {
    let n = 0
    for (const set of this.#streams.values()) n += set.size
    return n
  }

  /** Opens a stream for a conversation: an SSE response that stays open until the caller goes or the conversation ends. */
  open(key: string): Response {
    const encoder = new TextEncoder()
    let cleanup = () => {}
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const write = (frame: string) => {
          try {
            controller.enqueue(encoder.encode(frame))
          } catch {
            cleanup()
          }
        }
        const close = () => {
          cleanup()
          try {
            controller.close()
          } catch {
            // already closed by the caller
          }
        }
        const timer = setInterval(() => write(': keep-alive\n\n'), KEEP_ALIVE_MS)
        timer.unref()
        cleanup = () => {
          clearInterval(timer)
          remove(this.#streams, key, write)
          remove(this.#closers, key, close)
        }
        add(this.#streams, key, write)
        add(this.#closers, key, close)
        // An empty comment first, so the caller's client sees the stream open at once.
        write(': open\n\n')
      },
      cancel: () => cleanup(),
    })
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive' } })
  }

  /** Writes a notification to every stream of a conversation; false when none is open. */
  deliver(key: string, notification: Notification): boolean {
    const streams = this.#streams.get(key)
    if (!streams?.size) return false
    const frame = `event: message\ndata: ${JSON.stringify(notification)}\n\n`
    for (const write of [...streams]) write(frame)
    return true
  }

  /** Ends the streams of a conversation (its DELETE). */
  end(key: string): void {
    for (const close of [...(this.#closers.get(key) ?? [])]) close()
  }
}

function add<T>(map: Map<string, Set<T>>, key: string, value: T) {
  let set = map.get(key)
  if (!set) map.set(key, (set = new Set()))
  set.add(value)
}

function remove<T>(map: Map<string, Set<T>>, key: string, value: T) {
  const set = map.get(key)
  if (!set) return
  set.delete(value)
  if (!set.size) map.delete(key)
}

/** Resource subscriptions are offered to 2025 callers when the vendor declared them on a 2025 connection. */
export function offersSubscriptions(supports: { subscribe?: boolean }, era: 'legacy' | 'modern'): boolean {
  return !!supports.subscribe && era === 'legacy'
}

/** What the handlers need from the request. */
export interface SubscriptionScope {
  port: McpRuntimePort
  streams: UpdateStreams
  caller: CallerContext
  sessionId?: string
}

/**
 * Registers `resources/subscribe` and `resources/unsubscribe` on a request's server (the caller decides whether
 * they are offered). `run` maps facade errors to JSON-RPC errors the way the other handlers do.
 */
export function registerSubscriptionHandlers(
  server: Server,
  scope: SubscriptionScope,
  selector: () => Promise<SessionSelector>,
  run: <T>(work: () => Promise<T>, data: Record<string, unknown>) => Promise<T>,
): void {
  const key = UpdateStreams.key(scope.caller, scope.sessionId)
  const sink = (uri: string) => void scope.streams.deliver(key, { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri } })
  for (const [method, subscribe] of [
    ['resources/subscribe', true],
    ['resources/unsubscribe', false],
  ] as const) {
    server.setRequestHandler(method, async (request) => {
      const { uri } = request.params
      await run(async () => scope.port.subscribeResource(uri, subscribe, scope.caller, await selector(), subscribe ? sink : undefined), { uri })
      return {}
    })
  }
}
