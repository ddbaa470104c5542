/**
 * @module mcp-endpoint/conversations
 * Maps the `Mcp-Session-Id` an MCP caller presents to the facade caller session (one vendor session) its calls
 * run on. The id the endpoint issues at `initialize` IS a caller session id, so it works on every replica that
 * shares the session store. An id that is unknown, expired or belongs to another identity is never answered
 * with 404 (Copilot Studio would keep resending it and fail forever): it gets a NEW caller session for the
 * presenting identity, remembered under (identity, presented id) so the rest of that conversation keeps one
 * vendor session. Every such replacement is logged and counted ({@link mcpEndpointCounters}).
 */
import { randomBytes } from 'node:crypto'
import type { CallerContext, McpRuntimePort, SessionSelector } from './runtime-port.js'

/** Counters the metrics module can read. */
export interface McpEndpointCounters {
  /** Caller sessions opened by `initialize`. */
  sessionsOpened: number
  /** Unknown or expired `Mcp-Session-Id`s that were served with a new caller session instead of a 404. */
  sessionsReplaced: number
}

const counters: McpEndpointCounters = { sessionsOpened: 0, sessionsReplaced: 0 }
const perServer = new Map<string, McpEndpointCounters>()

function count(server: string, key: keyof McpEndpointCounters) {
  counters[key]++
  let entry = perServer.get(server)
  if (!entry) perServer.set(server, (entry = { sessionsOpened: 0, sessionsReplaced: 0 }))
  entry[key]++
}

/** A snapshot of the endpoint's counters: process totals, or one server's. */
export function mcpEndpointCounters(server?: string): McpEndpointCounters {
  const source = server === undefined ? counters : (perServer.get(server) ?? { sessionsOpened: 0, sessionsReplaced: 0 })
  return { ...source }
}

/** Most replacements remembered per server; the oldest is forgotten first (it then gets another new session). */
const MAX_REPLACEMENTS = 10_000

/** Session selection for one server's MCP endpoint. */
export class Conversations {
  /** `identity \0 presented id` → caller session id that replaced it. Insertion order = age. */
  readonly #replacements = new Map<string, string>()
  /** Replacements being opened, so concurrent requests with one stale id share one new session. */
  readonly #opening = new Map<string, Promise<string>>()

  constructor(private readonly port: McpRuntimePort) {}

  /**
   * Opens the caller session an `initialize` hands out as `Mcp-Session-Id`. When the vendor cannot be reached
   * right now, the handshake still succeeds (the lists come from the catalog) with a fresh id that maps to no
   * session yet: the first call that needs the vendor opens one through the replacement path.
   */
  async open(caller: CallerContext): Promise<string> {
    try {
      const id = await this.port.openSession(caller)
      count(this.port.server, 'sessionsOpened')
      return id
    } catch (error) {
      this.port.log.warn('mcp endpoint: vendor unreachable at initialize; the session opens on the first call', { server: this.port.server, code: (error as { code?: unknown }).code })
      return `mcp_${randomBytes(24).toString('base64url')}`
    }
  }

  /**
   * The vendor session for a request: no id → the identity's pooled session; a live id of this identity → that
   * caller session; anything else → the caller session that replaced it (opened now if needed).
   */
  async select(presented: string | undefined, caller: CallerContext): Promise<SessionSelector> {
    if (presented === undefined || presented === '') return { kind: 'pooled' }
    if (await this.port.hasSession(presented, caller)) return { kind: 'existing', id: presented }
    const key = `${caller.identity}\u0000${presented}`
    const known = this.#replacements.get(key)
    if (known !== undefined && (await this.port.hasSession(known, caller))) return { kind: 'existing', id: known }
    return { kind: 'existing', id: await this.#replace(key, caller) }
  }

  async #replace(key: string, caller: CallerContext): Promise<string> {
    const pending = this.#opening.get(key)
    if (pending) return pending
    const opening = (async () => {
      const id = await this.port.openSession(caller)
      this.#replacements.delete(key)
      this.#replacements.set(key, id)
      if (this.#replacements.size > MAX_REPLACEMENTS) this.#replacements.delete(this.#replacements.keys().next().value!)
      count(this.port.server, 'sessionsReplaced')
      // Neither id is logged: a session id is a bearer-like handle.
      this.port.log.info('mcp endpoint: unknown or expired Mcp-Session-Id served with a new caller session', { server: this.port.server })
      return id
    })()
    this.#opening.set(key, opening)
    try {
      return await opening
    } finally {
      this.#opening.delete(key)
    }
  }

  /** Ends the caller session behind an id (DELETE); unknown ids are ignored. */
  async end(presented: string, caller: CallerContext): Promise<void> {
    const key = `${caller.identity}\u0000${presented}`
    const replaced = this.#replacements.get(key)
    this.#replacements.delete(key)
    await this.port.endSession(replaced ?? presented, caller)
  }
}
