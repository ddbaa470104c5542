/**
 * @module upstream/socket-reuse
 * When a pooled keep-alive socket may be handed out again, and what a failure on a reused socket proves.
 *
 * A vendor (or a proxy in front of it) may close a keep-alive connection right after answering, announce a short
 * `Keep-Alive: timeout=`, or restart. Node's Agent hands a freed socket to the next queued request synchronously,
 * before the vendor's close (FIN) has been read, so the request is written onto a dying connection and fails with
 * ECONNRESET / "socket hang up" although the vendor never read it. Here:
 * - a freed socket is handed to a queued request one I/O turn later (`setImmediate`), so a close that arrived with
 *   the answer is seen first; a socket the vendor closed, or whose `Keep-Alive: timeout=` (minus 1 s, as Node counts it) has
 *   passed, or whose answer said `Connection: close`, is destroyed instead of reused;
 * - a request that still finds its (reused) socket dead when it is assigned is aborted before any byte is written:
 *   {@link staleAbort}, which the pool's fetch sends again at once on another connection, for any request. A socket
 *   that is only past the vendor's announced idle time (the Agent's timer for it was late: a busy event loop) is
 *   replaced the same way, but says nothing about the vendor, so it does not make the pool stop reusing sockets;
 * - a request that fails on a reused socket before any response byte arrived is marked {@link isStaleSocketFailure}:
 *   the vendor most likely never read it, but that is not proven, so only read-only/idempotent calls are replayed
 *   (see upstream/session);
 * - a vendor seen closing idle connections right after answering, or a failure on a reused socket, makes the agent
 *   stop reusing sockets for {@link DISTRUST_MS} (doubling when it happens again soon after, up to 10 min): each
 *   request gets a connection of its own meanwhile.
 */
import type { Agent } from 'node:http'
import type { Socket } from 'node:net'

/** What the pool knows about a socket between requests. */
interface SocketState {
  /** The vendor closed its side (FIN), or the socket is gone. */
  ended: boolean
  /** When the socket last became free (epoch ms). */
  idleSince: number
  /** How long the vendor keeps it idle, from its last `Keep-Alive: timeout=` (minus 1 s); undefined = no hint. */
  idleLimitMs?: number
  /** Answers it carried so far (more than 0: the socket is being reused). */
  served: number
}

const states = new WeakMap<Socket, SocketState>()
const ignore = () => {}

/**
 * How long an agent hands out no freed socket again after the vendor showed that it closes connections right after
 * answering (or a request failed on a reused socket): every request then opens a connection of its own. Reuse is
 * tried again afterwards, so a vendor restart costs keep-alive only for a while; a vendor that shows it again soon
 * after gets twice as long each time (up to {@link MAX_DISTRUST_MS}), so a vendor that always closes costs few
 * failed reuses.
 */
export const DISTRUST_MS = 30_000
const MAX_DISTRUST_MS = 600_000
/** A vendor close this soon after an answer, on an idle socket, counts as "closes after answering". */
const EAGER_CLOSE_MS = 2_000

/** Agents whose freed sockets are not handed out again until `until` (epoch ms), and the current period. */
const distrusted = new WeakMap<Agent, { until: number; periodMs: number }>()

/** Stops reusing this agent's sockets for {@link DISTRUST_MS}, or twice the last period when that ended lately. */
export function distrust(agent: Agent): void {
  const now = Date.now()
  const last = distrusted.get(agent)
  if (last && last.until > now) return
  const recent = last && now - last.until < last.periodMs
  const periodMs = recent ? Math.min(MAX_DISTRUST_MS, last.periodMs * 2) : DISTRUST_MS
  distrusted.set(agent, { until: now + periodMs, periodMs })
}

function isDistrusted(agent: Agent): boolean {
  return (distrusted.get(agent)?.until ?? 0) > Date.now()
}

/** Starts tracking a new pooled socket (called where the agent creates it). */
export function trackSocket(socket: Socket, agent: Agent): void {
  const state: SocketState = { ended: false, idleSince: Date.now(), served: 0 }
  states.set(socket, state)
  socket
    .once('end', () => {
      state.ended = true
      const idle = !(socket as { _httpMessage?: unknown })._httpMessage
      if (idle && state.served > 0 && Date.now() - state.idleSince < EAGER_CLOSE_MS) distrust(agent)
    })
    .once('close', () => (state.ended = true))
}

/**
 * Why a socket must not carry another request: `closed` when the vendor closed it (or it is gone), `expired` when
 * only the vendor's announced idle time passed (the Agent's own timer for it was late, e.g. a busy event loop);
 * undefined when it may.
 */
export function staleness(socket: Socket, now = Date.now()): 'closed' | 'expired' | undefined {
  if (socket.destroyed || !socket.writable) return 'closed'
  const state = states.get(socket)
  if (!state) return undefined
  if (state.ended) return 'closed'
  return state.idleLimitMs !== undefined && now - state.idleSince >= state.idleLimitMs ? 'expired' : undefined
}

/** True when a socket must not carry another request. */
export function isStale(socket: Socket, now = Date.now()): boolean {
  return staleness(socket, now) !== undefined
}

/** When a pooled socket last became free (epoch ms), or undefined for a socket the pool does not track. */
export function idleSince(socket: Socket): number | undefined {
  return states.get(socket)?.idleSince
}

/** The answer a socket just carried (Node keeps it on the socket until the socket is handed out again). */
function lastAnswerHeaders(socket: Socket): Record<string, string | string[] | undefined> | undefined {
  return (socket as { _httpMessage?: { res?: { headers?: Record<string, string | string[] | undefined> } } })._httpMessage?.res?.headers
}

/** True when the socket already carried an answer (a request on it reuses a keep-alive connection). */
export function wasUsed(socket: Socket): boolean {
  return (states.get(socket)?.served ?? 0) > 0
}

/** Records the vendor's keep-alive terms from the answer a socket just carried. */
function noteAnswer(socket: Socket): void {
  const state = states.get(socket)
  if (!state) return
  state.idleSince = Date.now()
  state.served++
  const headers = lastAnswerHeaders(socket)
  const connection = String(headers?.connection ?? '').toLowerCase()
  if (connection.split(',').some((t) => t.trim() === 'close')) state.ended = true
  const hint = /(?:^|[\s,])timeout=(\d+)/i.exec(String(headers?.['keep-alive'] ?? ''))?.[1]
  // As Node's Agent counts it: stop reusing 1 s before the vendor's announced idle timeout.
  state.idleLimitMs = hint === undefined ? undefined : Number(hint) * 1000 - 1000
  if (state.idleLimitMs !== undefined && state.idleLimitMs <= 0) state.ended = true
}

/**
 * Makes an agent hand out a freed socket one I/O turn later, and never a stale one. The Agent's own 'free'
 * handler still does the handing out (queued request or free list); it runs after the check.
 */
export function guardReuse<A extends Agent>(agent: A): A {
  const builtIn = agent.listeners('free') as Array<(socket: Socket, options: unknown) => void>
  agent.removeAllListeners('free')
  const handOut = (socket: Socket, options: unknown) => {
    for (const handler of builtIn) handler.call(agent, socket, options)
  }
  agent.on('free', (socket: Socket, options: unknown) => {
    // A socket the Agent just created for a queued request carries no answer yet: nothing to wait for.
    if (!lastAnswerHeaders(socket)) return handOut(socket, options)
    noteAnswer(socket)
    // The vendor closes connections after answering: a socket of its would only race its close.
    if (isDistrusted(agent)) {
      socket.destroy()
      return handOut(socket, options)
    }
    // Going to the free list: a later request checks it when it takes it (see the pool's `send`). Only the direct
    // hand-off to a queued request happens in the same turn as the answer, before a close could be read.
    const queued = (agent as unknown as { requests: Record<string, unknown[]> }).requests[agent.getName(options as never)]?.length
    if (!queued) return handOut(socket, options)
    // Between requests nobody listens for the socket's errors; a reset in this turn must not become an
    // uncaught 'error' (it only makes the socket stale).
    socket.on('error', ignore)
    setImmediate(() => {
      socket.off('error', ignore)
      // Destroyed, it is not writable: the built-in handler drops it and a queued request gets a new socket.
      if (isStale(socket)) socket.destroy()
      handOut(socket, options)
    })
  })
  return agent
}

/** Marker of the abort {@link staleAbort} makes. */
const STALE_ABORT = 'mcp-rest-facade/stale-socket-abort'

/**
 * The error that aborts a request on a stale socket before any byte of it is written.
 * @param closed true when the vendor closed the socket, false when only its announced idle time passed
 */
export function staleAbort(closed = true): Error {
  const message = closed ? 'pooled connection was closed by the vendor; request not sent' : "pooled connection outlived the vendor's keep-alive timeout; request not sent"
  return Object.assign(new Error(message), { code: 'ECONNABORTED', mark: STALE_ABORT, closedByVendor: closed })
}

/**
 * True for a {@link staleAbort} on a socket the vendor closed: a sign that it closes connections after answering
 * (the pool then stops reusing sockets for a while). An expired socket says nothing of the kind: the pool's own
 * timer was late.
 */
export function isVendorClosedAbort(error: unknown): boolean {
  return isStaleAbort(error) && (error as { closedByVendor?: unknown }).closedByVendor === true
}

/** True for {@link staleAbort}'s error: the request never left, it may be sent again for any method. */
export function isStaleAbort(error: unknown): boolean {
  return (error as { mark?: unknown } | undefined)?.mark === STALE_ABORT
}

/**
 * Marks a failure of a request on a reused socket before any response byte (the vendor most likely never read it;
 * not proven). upstream/errors classifies it as INTERRUPTED with `staleSocket`.
 */
export function markStaleSocketFailure(error: unknown): unknown {
  if (error && typeof error === 'object') (error as { staleSocket?: boolean }).staleSocket = true
  return error
}

/** True when {@link markStaleSocketFailure} marked this error. */
export function isStaleSocketFailure(error: unknown): boolean {
  return (error as { staleSocket?: unknown } | undefined)?.staleSocket === true
}
