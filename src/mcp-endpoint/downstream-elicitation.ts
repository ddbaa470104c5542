/**
 * @module mcp-endpoint/downstream-elicitation
 * What the endpoint keeps for questions it passes on to 2025-era MCP callers (`elicitation/create` pushed on the
 * stream of their `tools/call`), without the server SDK (the route imports it; the SDK loads on the first POST).
 *
 * - **Capabilities.** A 2025 caller declares `elicitation` once, at `initialize`; our endpoint serves each 2025
 *   request from a fresh SDK server (stateless legacy serving), so the `tools/call` that needs it cannot read it.
 *   The route remembers the declared modes per conversation (identity + `Mcp-Session-Id`) here. The memory is
 *   this replica's: a conversation continued on another replica counts as not declaring elicitation there (its
 *   calls behave as before: nothing is asked, the vendor's own fallback applies).
 * - **Answers.** The caller answers our `elicitation/create` with a POST carrying a JSON-RPC response, which the
 *   stateless serving would hand to a new SDK server that never asked. So the request's outgoing messages are
 *   watched ({@link DownstreamElicitation.watch}): each request we send gets an id unique in this process (the SDK
 *   numbers requests from 0 per server instance, so two calls of one conversation would both ask with id 0), and
 *   the answering POST is delivered back into the transport that asked, with the SDK's own id restored
 *   ({@link DownstreamElicitation.deliver}). Only the identity and conversation that were asked can answer.
 */
import { randomBytes } from 'node:crypto'

/** The elicitation modes a caller declared (`elicitation: {}` means form only, as in 2025-06-18). */
export interface ElicitationModes {
  form: boolean
  url: boolean
}

/** The modes of a declared `elicitation` capability; undefined when it was not declared. */
export function elicitationModes(capabilities: unknown): ElicitationModes | undefined {
  const declared = (capabilities as { elicitation?: unknown } | undefined)?.elicitation
  if (!declared || typeof declared !== 'object') return undefined
  const { form, url } = declared as { form?: unknown; url?: unknown }
  // A bare `{}` is form support (the pre-mode rule); naming only `url` declares url alone.
  return { form: form !== undefined || url === undefined, url: url !== undefined }
}

/** The transport side the SDK server gives us (`server.transport`): its public `send` and `onmessage`. */
export interface WatchedTransport {
  send(message: unknown, options?: unknown): Promise<void>
  onmessage?: (message: never, extra?: never) => void
}

type Message = { jsonrpc?: string; id?: unknown; method?: unknown; params?: { requestId?: unknown }; result?: unknown; error?: unknown }

interface Pending {
  conversation: string
  transport: WatchedTransport
  /** The id the SDK server gave the request. */
  original: unknown
}

/** Most conversations whose capabilities are remembered; the oldest is forgotten first. */
const MAX_CONVERSATIONS = 10_000

/** One server endpoint's downstream elicitation state. */
export class DownstreamElicitation {
  readonly #modes = new Map<string, ElicitationModes>()
  /** Our id → the request waiting for its answer. */
  readonly #pending = new Map<string, Pending>()
  readonly #prefix = `mrf-${randomBytes(6).toString('base64url')}-`
  #next = 0

  /** Remembers what a 2025 conversation declared at `initialize` (nothing is kept when it declared no elicitation). */
  remember(identity: string, sessionId: string, capabilities: unknown): void {
    const modes = elicitationModes(capabilities)
    if (!modes) return
    const key = conversationKey(identity, sessionId)
    this.#modes.delete(key)
    this.#modes.set(key, modes)
    if (this.#modes.size > MAX_CONVERSATIONS) this.#modes.delete(this.#modes.keys().next().value!)
  }

  /** The modes a 2025 conversation declared on this replica. */
  modes(identity: string, sessionId: string | undefined): ElicitationModes | undefined {
    return sessionId ? this.#modes.get(conversationKey(identity, sessionId)) : undefined
  }

  /** Forgets a conversation (DELETE). */
  forget(identity: string, sessionId: string): void {
    this.#modes.delete(conversationKey(identity, sessionId))
  }

  /**
   * Watches a transport's outgoing requests for the length of one call: each gets an id of ours, so the answer
   * can find its way back. Returns the function that stops watching (requests still unanswered are dropped).
   */
  watch(transport: WatchedTransport, identity: string, sessionId: string): () => void {
    const conversation = conversationKey(identity, sessionId)
    const send = transport.send
    const mine = new Map<unknown, string>()
    transport.send = (message: unknown, options?: unknown) => {
      const m = message as Message
      if (typeof m.method === 'string' && m.id !== undefined) {
        const id = `${this.#prefix}${this.#next++}`
        mine.set(m.id, id)
        this.#pending.set(id, { conversation, transport, original: m.id })
        return send.call(transport, { ...m, id }, options)
      }
      // A cancelled request (our timeout, or the call ended) names the id the caller saw.
      if (m.method === 'notifications/cancelled' && m.params && mine.has(m.params.requestId))
        return send.call(transport, { ...m, params: { ...m.params, requestId: mine.get(m.params.requestId) } }, options)
      return send.call(transport, message, options)
    }
    return () => {
      transport.send = send
      for (const id of mine.values()) this.#pending.delete(id)
    }
  }

  /**
   * Delivers a POSTed JSON-RPC response (or a batch of them) to the call that asked. True when every message was
   * an answer of ours for this conversation; false (nothing delivered) otherwise, and the POST goes its usual way.
   */
  deliver(identity: string, sessionId: string | undefined, body: unknown): boolean {
    if (!sessionId) return false
    const messages = (Array.isArray(body) ? body : [body]) as Message[]
    const conversation = conversationKey(identity, sessionId)
    const found: [Message, Pending, string][] = []
    for (const m of messages) {
      if (!m || typeof m !== 'object' || m.method !== undefined || (m.result === undefined && m.error === undefined) || typeof m.id !== 'string') return false
      const pending = this.#pending.get(m.id)
      // Another identity or conversation presenting our id learns nothing: the POST goes to the SDK, which drops it.
      if (!pending || pending.conversation !== conversation) return false
      found.push([m, pending, m.id])
    }
    if (!found.length) return false
    for (const [m, pending, id] of found) {
      this.#pending.delete(id)
      pending.transport.onmessage?.({ ...m, id: pending.original } as never)
    }
    return true
  }

  /** Requests waiting for an answer (tests and metrics). */
  get pendingCount(): number {
    return this.#pending.size
  }
}

function conversationKey(identity: string, sessionId: string) {
  return `${identity}\u0000${sessionId}`
}
