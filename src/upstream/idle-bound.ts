/**
 * @module upstream/idle-bound
 * Keeps an agent's idle keep-alive sockets within a bound, without closing the sockets a busy pool frees and takes
 * again at once.
 *
 * Node's Agent has one knob for idle sockets, `maxFreeSockets`, and applies it the moment a socket is freed. Under
 * load that is wrong: with hundreds of calls in flight, dozens are between two calls at any instant (the answer
 * went out, the caller's next request is on its way), so a bound of 64 closes sockets that the next call opens
 * again, a connection churn that costs a TCP handshake per call and TIME_WAIT sockets. Here the Agent keeps every
 * freed socket (its `maxFreeSockets` is the busy ceiling), and a timer closes the sockets beyond `keep` that have
 * stayed idle for {@link IDLE_GRACE_MS}, longest idle first. When traffic drops the pool shrinks to `keep` within
 * about two grace periods; the Agent's `timeout` (`keepAliveMs`, or the vendor's `Keep-Alive: timeout=`) still
 * ends idle sockets under the bound.
 */
import type { Agent } from 'node:http'
import type { Socket } from 'node:net'
import { idleSince } from './socket-reuse.js'

/** How long a socket beyond the bound may stay idle before it is closed. */
export const IDLE_GRACE_MS = 1_000

/**
 * Starts trimming the agent's idle sockets (per origin) to `keep`.
 * @returns stops the trimming (at pool close)
 */
export function boundIdle(agent: Agent, keep: number): () => void {
  const timer = setInterval(() => trimIdle(agent, keep, Date.now() - IDLE_GRACE_MS), IDLE_GRACE_MS)
  timer.unref()
  return () => clearInterval(timer)
}

/** Closes the free sockets beyond `keep` per origin that have been idle since before `idleBefore`. Exported for tests. */
export function trimIdle(agent: Agent, keep: number, idleBefore: number): number {
  let closed = 0
  for (const free of Object.values(agent.freeSockets)) {
    const excess = (free?.length ?? 0) - keep
    if (!free || excess <= 0) continue
    // A socket without tracking state (none today) counts as idle the longest.
    const since = (socket: Socket) => idleSince(socket) ?? 0
    const candidates = free.filter((s) => since(s) < idleBefore).sort((a, b) => since(a) - since(b))
    for (const socket of candidates.slice(0, excess)) {
      socket.destroy()
      // The Agent's own way to take a socket out of its lists at once ('close' comes a few ticks later).
      socket.emit('agentRemove')
      closed++
    }
  }
  return closed
}
