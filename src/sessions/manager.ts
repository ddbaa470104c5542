/**
 * @module sessions/manager
 * Owns the vendor sessions of one upstream server:
 * - a pool with one vendor session per caller identity (and per set of forwarded header values), used by calls
 *   that carry no session id, so there is no per-call `initialize` and two callers never share vendor state;
 * - caller sessions, handed out as opaque ids bound to the identity that created them.
 * Live connections stay in this process; the store holds only serializable records.
 */
import { ApiError } from '../errors/api-error.js'
import { NegotiationCache, UpstreamSession } from '../upstream/index.js'
import type { ConnectionSettings } from '../upstream/index.js'
import { newSessionId, storeKeyOf } from './identity.js'
import type { SessionRecord, SessionStore } from './types.js'

/** Who is calling and what they forward to the vendor. */
export interface CallerContext {
  /** Keyed hash of the credential AND the forwarded header values: one identity, one set of vendor headers. */
  identity: string
  /** Headers to send to the vendor for this caller (static + forwarded). */
  outboundHeaders: Record<string, string>
}

/** Options of {@link SessionManager}. */
export interface SessionManagerOptions {
  server: string
  store: SessionStore
  idleTtlSeconds: number
  maxPooled: number
  /** Connection settings for a caller; `headers` is a live getter. */
  settingsFor: (headers: () => Record<string, string>) => ConnectionSettings
  cache: NegotiationCache
  /** Sweep interval; defaults to a fraction of the idle TTL. */
  sweepIntervalMs?: number
}

/** A resolved caller session. */
export interface ActiveSession {
  id: string
  record: SessionRecord
  session: UpstreamSession
}

/** Manages the pooled and caller vendor sessions of one server. */
export class SessionManager {
  #pool = new Map<string, UpstreamSession>()
  #live = new Map<string, UpstreamSession>()
  #sweeper: NodeJS.Timeout
  #stopping = false

  constructor(private readonly options: SessionManagerOptions) {
    const every = options.sweepIntervalMs ?? Math.min(30_000, Math.max(1000, (options.idleTtlSeconds * 1000) / 4))
    this.#sweeper = setInterval(() => void this.sweep(), every)
    this.#sweeper.unref()
  }

  /** Number of live pooled vendor sessions (for metrics and tests). */
  get pooledCount() {
    return this.#pool.size
  }
  /** Number of live caller sessions in this process. */
  get liveCount() {
    return this.#live.size
  }

  #newSession(caller: CallerContext, resume?: ConnectionSettings['resume']): UpstreamSession {
    const headers = caller.outboundHeaders
    return new UpstreamSession({ ...this.options.settingsFor(() => headers), resume }, this.options.cache)
  }

  /** The pooled vendor session of a caller (created lazily). */
  pooled(caller: CallerContext): UpstreamSession {
    if (this.#stopping) throw new ApiError('shutting_down')
    const key = caller.identity
    let session = this.#pool.get(key)
    if (!session || session.closed) {
      if (this.#pool.size >= this.options.maxPooled) this.#evictOldestPooled()
      session = this.#newSession(caller)
      this.#pool.set(key, session)
    }
    return session
  }

  #evictOldestPooled() {
    let oldest: [string, UpstreamSession] | undefined
    for (const entry of this.#pool) if (entry[1].inFlight === 0 && (!oldest || entry[1].lastUsed < oldest[1].lastUsed)) oldest = entry
    if (oldest) {
      this.#pool.delete(oldest[0])
      void oldest[1].terminate()
    }
  }

  /**
   * Opens a caller session: connects to the vendor now (so the vendor session exists) and stores the record.
   * @throws UpstreamError when the vendor cannot be reached
   */
  async create(caller: CallerContext): Promise<ActiveSession> {
    if (this.#stopping) throw new ApiError('shutting_down')
    const session = this.#newSession(caller)
    let facts
    try {
      facts = await session.open()
    } catch (error) {
      await session.terminate()
      throw error
    }
    const id = newSessionId()
    const now = Date.now()
    const record: SessionRecord = {
      server: this.options.server,
      identity: caller.identity,
      vendorSessionId: facts.vendorSessionId,
      protocolVersion: facts.protocolVersion,
      era: facts.era,
      transport: facts.transport,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.options.idleTtlSeconds * 1000,
    }
    await this.options.store.set(storeKeyOf(id), record, this.options.idleTtlSeconds)
    this.#live.set(id, session)
    return { id, record, session }
  }

  /**
   * Finds a caller session. Unknown, expired, and foreign (another identity, another server) ids all give the
   * same 404, so a guessed id reveals nothing.
   */
  async resolve(id: string, caller: CallerContext): Promise<ActiveSession> {
    if (this.#stopping) throw new ApiError('shutting_down')
    const notFound = () => new ApiError('session_not_found', { detail: 'The session does not exist, has expired, or belongs to another caller. Open a new one with POST /sessions or X-Session-Id: new.' })
    if (!/^ses_[A-Za-z0-9_-]{20,64}$/.test(id)) throw notFound()
    const record = await this.options.store.get(storeKeyOf(id))
    if (!record || record.server !== this.options.server || record.identity !== caller.identity) throw notFound()
    let session = this.#live.get(id)
    if (!session || session.closed) {
      // Created by another replica (or before a restart): re-attach to the same vendor session.
      const canResume = record.transport === 'streamable-http' && record.era === 'legacy' && record.vendorSessionId
      session = this.#newSession(
        caller,
        canResume ? { vendorSessionId: record.vendorSessionId!, protocolVersion: record.protocolVersion } : undefined,
      )
      this.#live.set(id, session)
    }
    return { id, record, session }
  }

  /** Records activity on a session (slides the idle expiry) and stores renewed vendor facts. */
  async touch(active: ActiveSession): Promise<SessionRecord> {
    const facts = active.session.facts
    const now = Date.now()
    const record: SessionRecord = {
      ...active.record,
      vendorSessionId: facts?.vendorSessionId ?? active.record.vendorSessionId,
      protocolVersion: facts?.protocolVersion ?? active.record.protocolVersion,
      era: facts?.era ?? active.record.era,
      transport: facts?.transport ?? active.record.transport,
      lastUsedAt: now,
      expiresAt: now + this.options.idleTtlSeconds * 1000,
    }
    await this.options.store.set(storeKeyOf(active.id), record, this.options.idleTtlSeconds)
    return record
  }

  /** Ends a caller session and its vendor session. */
  async end(id: string, caller: CallerContext): Promise<void> {
    const active = await this.resolve(id, caller)
    await this.options.store.delete(storeKeyOf(id))
    this.#live.delete(id)
    await active.session.terminate()
  }

  /** Terminates idle pooled sessions and caller sessions whose record expired. */
  async sweep(): Promise<void> {
    const idleMs = this.options.idleTtlSeconds * 1000
    const now = Date.now()
    for (const [key, session] of this.#pool) {
      if (session.closed || (session.inFlight === 0 && now - session.lastUsed > idleMs)) {
        this.#pool.delete(key)
        void session.terminate()
      }
    }
    for (const [id, session] of this.#live) {
      if (session.inFlight > 0) continue
      const record = await this.options.store.get(storeKeyOf(id))
      if (!record) {
        this.#live.delete(id)
        // Expired: end the vendor session too, unless another replica may still use it.
        void (this.options.store.shared && now - session.lastUsed <= idleMs ? session.detach() : session.terminate())
      } else if (this.options.store.shared && now - session.lastUsed > idleMs) {
        // Another replica keeps it alive; drop only our connection.
        this.#live.delete(id)
        void session.detach()
      }
    }
  }

  /**
   * Stops: refuses new work, waits up to `drainMs` for calls in flight, then ends every vendor session this
   * process holds. With a shared store, caller sessions are only detached (other replicas may serve them).
   */
  async shutdown(drainMs: number): Promise<void> {
    this.#stopping = true
    clearInterval(this.#sweeper)
    const pooled = [...this.#pool.values()].map((s) => s.terminate(drainMs))
    const live = [...this.#live.entries()].map(async ([id, s]) => {
      if (this.options.store.shared) return s.detach()
      await this.options.store.delete(storeKeyOf(id))
      return s.terminate(drainMs)
    })
    this.#pool.clear()
    this.#live.clear()
    await Promise.allSettled([...pooled, ...live])
  }
}
