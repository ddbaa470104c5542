/**
 * @module sessions/manager
 * Owns the vendor sessions of one upstream server:
 * - a pool with one vendor session per caller identity (and per set of forwarded header values), used by calls
 *   that carry no session id, so there is no per-call `initialize` and two callers never share vendor state;
 * - caller sessions, handed out as opaque ids bound to the identity that created them.
 * A session is its record; a live connection is attached only while calls arrive (see upstream/session). The
 * store holds only serializable records. Vendor sessions are ended (HTTP DELETE) on expiry and at shutdown with
 * bounded concurrency, so ten thousand of them neither exhaust sockets nor outlast the shutdown grace.
 */
import pLimit from 'p-limit'
import { ApiError } from '../errors/api-error.js'
import type { ServerLimits } from '../limits/caller-limits.js'
import { NegotiationCache, UpstreamSession } from '../upstream/index.js'
import type { ConnectionFacts, ConnectionSettings, SessionPolicy } from '../upstream/index.js'
import { newSessionId, storeKeyOf } from './identity.js'
import type { SessionCredentials, SessionRecord, SessionStore } from './types.js'

// The type lives in sessions/types (identity/ uses it without the manager); re-exported for the manager's users.
export type { SessionCredentials } from './types.js'

/** Who is calling and what they forward to the vendor. */
export interface CallerContext {
  /** Keyed hash of the credential AND the forwarded header values: one identity, one set of vendor headers. */
  identity: string
  /** Headers to send to the vendor for this caller (static + forwarded). */
  outboundHeaders: Record<string, string>
  /** The caller's bearer token (in memory only), exchanged for a vendor token when delegation is on. */
  token?: string
}

/** Options of {@link SessionManager}. */
export interface SessionManagerOptions {
  server: string
  store: SessionStore
  idleTtlSeconds: number
  maxPooled: number
  /** Connection settings for a session's caller; they read the credentials on every request. */
  settingsFor: (credentials: SessionCredentials) => ConnectionSettings
  cache: NegotiationCache
  /** Connection idle release and retry budget of every session. */
  policy: SessionPolicy
  /** Sweep interval; defaults to a fraction of the idle TTL. */
  sweepIntervalMs?: number
  /** Most vendor-session terminations (DELETEs) running at once. */
  terminateConcurrency?: number
  /** Caller-session limits (per identity and in all); none when absent. */
  limits?: Pick<ServerLimits, 'sessionOpening' | 'sessionClosed'>
  /**
   * Most vendor sessions alive at once in this process (pooled and caller), for stdio servers where each one is a
   * child process. Undefined: no cap.
   */
  maxProcesses?: number
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
  readonly #credentials = new WeakMap<UpstreamSession, SessionCredentials>()
  #sweeper: NodeJS.Timeout
  #stopping = false
  /** Caller sessions being opened right now (their process exists before their record does). */
  #opening = 0
  /** Bounds the DELETEs in flight: a burst of expiries or a shutdown must not open a socket per session. */
  readonly #terminations: ReturnType<typeof pLimit>

  constructor(private readonly options: SessionManagerOptions) {
    this.#terminations = pLimit(options.terminateConcurrency ?? 32)
    const every = options.sweepIntervalMs ?? Math.min(30_000, Math.max(1000, (options.idleTtlSeconds * 1000) / 4))
    this.#sweeper = setInterval(() => void this.sweep().catch(() => undefined), every)
    this.#sweeper.unref()
  }

  /** Number of live pooled vendor sessions (for metrics and tests). */
  get pooledCount() {
    return this.#pool.size
  }
  /** Number of caller sessions this process knows (attached or not). */
  get liveCount() {
    return this.#live.size
  }
  /** Number of sessions with a live vendor connection attached right now. */
  get connectionCount() {
    let n = 0
    for (const s of this.#pool.values()) if (s.attached) n++
    for (const s of this.#live.values()) if (s.attached) n++
    return n
  }

  #newSession(caller: CallerContext, facts?: ConnectionFacts): UpstreamSession {
    const credentials: SessionCredentials = { identity: caller.identity, headers: caller.outboundHeaders, token: caller.token }
    const session = new UpstreamSession(this.options.settingsFor(credentials), this.options.cache, this.options.policy, facts)
    this.#credentials.set(session, credentials)
    return session
  }

  /** Hands a session its caller's current headers and token (a refreshed token replaces the one it was opened with). */
  #refreshCredentials(session: UpstreamSession, caller: CallerContext): void {
    const credentials = this.#credentials.get(session)
    if (!credentials) return
    credentials.headers = caller.outboundHeaders
    credentials.token = caller.token
  }

  /** Ends a vendor session in the bounded termination queue. */
  #terminate(session: UpstreamSession, drainMs = 0): Promise<void> {
    return this.#terminations(() => session.terminate(drainMs))
  }

  /** Vendor sessions alive in this process (each a child process on a stdio server). */
  #processCount(): number {
    let n = this.#opening
    for (const s of this.#pool.values()) if (!s.closed) n++
    for (const s of this.#live.values()) if (!s.closed) n++
    return n
  }

  /**
   * Makes room for one more process on a stdio server: evicts the longest-idle pooled session if needed.
   * @throws ApiError 429 `too_many_sessions` when every process is busy
   */
  #roomForProcess() {
    const max = this.options.maxProcesses
    if (max === undefined || max <= 0 || this.#processCount() < max) return
    this.#evictOldestPooled()
    if (this.#processCount() >= max)
      throw new ApiError('too_many_sessions', {
        detail: `This server runs at most ${max} processes at once and all are in use; end unused sessions (DELETE /sessions/{id}) or retry later.`,
        headers: { 'Retry-After': '5', 'RateLimit-Policy': `"${this.options.server}-processes";q=${max}`, RateLimit: `"${this.options.server}-processes";r=0;t=5` },
      })
  }

  /** The pooled vendor session of a caller (created lazily). */
  pooled(caller: CallerContext): UpstreamSession {
    if (this.#stopping) throw new ApiError('shutting_down')
    const key = caller.identity
    let session = this.#pool.get(key)
    if (!session || session.closed) {
      if (this.#pool.size >= this.options.maxPooled) this.#evictOldestPooled()
      this.#roomForProcess()
      session = this.#newSession(caller)
    } else this.#refreshCredentials(session, caller)
    // The map's order is the order of last use (re-inserted on every use): the least recently used comes first,
    // so making room for a new identity looks at the first idle entry, not at every pooled session.
    this.#pool.delete(key)
    this.#pool.set(key, session)
    return session
  }

  #evictOldestPooled() {
    for (const [key, session] of this.#pool) {
      if (session.inFlight > 0) continue
      this.#pool.delete(key)
      void this.#terminate(session)
      return
    }
  }

  /**
   * Opens a caller session: connects to the vendor now (so the vendor session exists) and stores the record.
   * When the record cannot be stored the vendor session is ended at once.
   * @throws UpstreamError when the vendor cannot be reached; ApiError `store_unavailable` when the store fails
   */
  async create(caller: CallerContext): Promise<ActiveSession> {
    if (this.#stopping) throw new ApiError('shutting_down')
    this.#roomForProcess()
    const limits = this.options.limits
    await limits?.sessionOpening(caller.identity)
    const session = this.#newSession(caller)
    this.#opening++
    try {
      let facts
      try {
        facts = await session.open()
      } catch (error) {
        limits?.sessionClosed(caller.identity)
        await session.detach()
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
      try {
        await this.options.store.set(storeKeyOf(id), record, this.options.idleTtlSeconds)
      } catch (error) {
        // Nobody will ever hold this id and the sweeper never sees it: end the vendor session now, not never.
        limits?.sessionClosed(caller.identity)
        void this.#terminate(session).catch(() => undefined)
        throw error
      }
      this.#live.set(id, session)
      return { id, record, session }
    } finally {
      this.#opening--
    }
  }

  /**
   * Finds a caller session. Unknown, expired, and foreign (another identity, another server) ids all give the
   * same 404, so a guessed id reveals nothing.
   * @throws ApiError `session_not_found`, or `store_unavailable` when the store fails
   */
  async resolve(id: string, caller: CallerContext): Promise<ActiveSession> {
    if (this.#stopping) throw new ApiError('shutting_down')
    const notFound = () => new ApiError('session_not_found', { detail: 'The session does not exist, has expired, or belongs to another caller. Open a new one with POST /sessions or X-Session-Id: new.' })
    if (!/^ses_[A-Za-z0-9_-]{20,64}$/.test(id)) throw notFound()
    const record = await this.options.store.get(storeKeyOf(id))
    if (!record || record.server !== this.options.server || record.identity !== caller.identity) throw notFound()
    let session = this.#live.get(id)
    if (!session || session.closed) {
      // Created by another replica (or before a restart): the record's facts re-attach the same vendor session.
      session = this.#newSession(caller, record.transport && record.era ? factsOf(record) : undefined)
      this.#live.set(id, session)
    } else this.#refreshCredentials(session, caller)
    return { id, record, session }
  }

  /**
   * Records activity on a session (slides the idle expiry) and stores renewed vendor facts.
   * @throws ApiError `store_unavailable`; callers whose call already ran log it and answer the result anyway
   */
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
    await this.options.store.slide(storeKeyOf(active.id), record, this.options.idleTtlSeconds)
    return record
  }

  /** Ends a caller session and its vendor session. */
  async end(id: string, caller: CallerContext): Promise<void> {
    const active = await this.resolve(id, caller)
    await this.options.store.delete(storeKeyOf(id))
    // Only an explicit end gives the place back; a session that expires idle stops counting when the limit's
    // window (the idle TTL) ends (see limits/caller-limits).
    this.options.limits?.sessionClosed(caller.identity)
    this.#live.delete(id)
    await this.#terminate(active.session)
  }

  /** Terminates idle pooled sessions and caller sessions whose record expired. */
  async sweep(): Promise<void> {
    const idleMs = this.options.idleTtlSeconds * 1000
    const now = Date.now()
    for (const [key, session] of this.#pool) {
      if (session.closed || (session.inFlight === 0 && now - session.lastUsed > idleMs)) {
        this.#pool.delete(key)
        void this.#terminate(session)
      }
    }
    for (const [id, session] of this.#live) {
      // Used here within the TTL: this process slid the record's expiry itself, so it cannot have expired yet.
      // Only idle ones cost a store read (ten thousand live sessions must not mean ten thousand reads per sweep).
      if (session.inFlight > 0 || now - session.lastUsed <= idleMs) continue
      let record: SessionRecord | undefined
      try {
        record = await this.options.store.get(storeKeyOf(id))
      } catch {
        // The store is down: nothing can be decided now; the next sweep asks again.
        continue
      }
      if (!record) {
        // Expired: end the vendor session too.
        this.#live.delete(id)
        void this.#terminate(session)
      } else if (this.options.store.shared) {
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
    const all = [...this.#pool.values(), ...this.#live.values()]
    // Drain first (calls in flight finish), then end the vendor sessions through the bounded queue.
    const deadline = Date.now() + drainMs
    while (all.some((s) => s.inFlight > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
    const pooled = [...this.#pool.values()].map((s) => this.#terminate(s))
    const live = [...this.#live.entries()].map(async ([id, s]) => {
      if (this.options.store.shared) return s.detach()
      await this.options.store.delete(storeKeyOf(id))
      return this.#terminate(s)
    })
    this.#pool.clear()
    this.#live.clear()
    // The DELETEs share what is left of the grace (at least 2 s): a hung vendor cannot hold the exit hostage.
    const left = Math.max(2_000, deadline - Date.now())
    let timer: NodeJS.Timeout | undefined
    await Promise.race([Promise.allSettled([...pooled, ...live]), new Promise((r) => (timer = setTimeout(r, left)))])
    clearTimeout(timer)
    this.#terminations.clearQueue()
  }
}

/** The connection facts a stored record carries. */
function factsOf(record: SessionRecord): ConnectionFacts {
  return { era: record.era!, transport: record.transport!, vendorSessionId: record.vendorSessionId, protocolVersion: record.protocolVersion }
}
