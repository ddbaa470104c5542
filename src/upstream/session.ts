/**
 * @module upstream/session
 * A logical vendor session owned by the facade: a small record of facts (vendor session id, protocol version,
 * era, transport) with a live connection attached only while calls arrive.
 *
 * - **Connections on demand.** The first call attaches a connection; after `connectionIdleMs` without calls it is
 *   released (closed without a DELETE) and the next call re-attaches from the facts: the same vendor session, no
 *   new `initialize`. Idle sessions therefore hold no socket and no SDK client.
 * - **No lost call.** A call that failed before any byte reached the vendor (refused, DNS, TLS, connect timeout) is
 *   retried with backoff inside `retryBudgetMs`, for any tool: a vendor restart inside the budget loses nothing.
 * - **Back-pressure honoured.** A vendor's 429 or 503 (it refused, it did not run the request) is retried for any
 *   tool after its `Retry-After` (or the backoff) when that fits the retry budget; otherwise the refusal is answered
 *   with the vendor's delay.
 * - **No doubled call.** The vendor forgetting the session (404, or 400 naming it) proves the request never ran:
 *   we renew once (a fresh `initialize`) and retry. A call that may have run (connection cut mid-call, response
 *   stream ended without an answer) is replayed only when the tool is read-only or idempotent.
 * - **Renewal spares the neighbours.** The connection that lost its session is retired, not closed: calls still
 *   waiting on it keep their own outcome, and it closes when the last of them is done. Calls answered "session
 *   lost" join one shared renewal. The SDK never recovers a lost session by itself (typescript-sdk#1708).
 */
import { UpstreamConnection, type NegotiationCache } from './connection.js'
import { UpstreamError, isRefusal } from './errors.js'
import type { ConnectionFacts, ConnectionSettings } from './types.js'
import { VendorState } from './vendor-state.js'

/** The result of running an operation on a session. */
export interface SessionRun<T> {
  value: T
  /** True when the vendor session was lost and re-created during this run: vendor-side state is gone. */
  renewed: boolean
}

/** Options of {@link UpstreamSession.run}. */
export interface RunOptions {
  /**
   * May the operation be sent again after it may have run (connection cut mid-call, stream ended without an
   * answer)? Only for read-only or idempotent tools. Default false.
   */
  replayable?: boolean
  /** Overrides the policy's retry budget for this run (readiness probes must answer fast: 0). */
  retryBudgetMs?: number
}

/** How a session manages its connection. */
export interface SessionPolicy {
  /** Release the live connection after this long without calls; 0 keeps it (catalog session, stdio). */
  connectionIdleMs: number
  /** How long calls that never reached the vendor are retried, in total. */
  retryBudgetMs: number
}

/** Backoff between retries of a call that never reached the vendor: 100 ms doubling to 1 s, with jitter. */
function backoffMs(attempt: number): number {
  const base = Math.min(1_000, 100 * 2 ** attempt)
  return base / 2 + Math.random() * (base / 2)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A vendor session owned by the facade, with connections on demand and transparent renewal. */
export class UpstreamSession {
  #facts?: ConnectionFacts
  #connection?: UpstreamConnection
  #connecting?: Promise<UpstreamConnection>
  /** Connections that lost their vendor session but still carry calls; each closes when its last call ends. */
  #retired?: Set<UpstreamConnection>
  #closed = false
  #inFlight = 0
  #lastUsed = Date.now()
  #idleTimer?: NodeJS.Timeout
  /** The log level and resource subscriptions set on the vendor session, re-applied after a renewal. */
  readonly vendorState = new VendorState()

  /**
   * @param settings how to connect (`resume` is ignored: the facts decide)
   * @param cache    shared per vendor, so connects skip the era and transport probes
   * @param policy   connection idle release and retry budget
   * @param facts    a stored record to re-attach to (another replica or an earlier connection created it)
   */
  constructor(
    private readonly settings: ConnectionSettings,
    private readonly cache: NegotiationCache,
    private readonly policy: SessionPolicy,
    facts?: ConnectionFacts,
  ) {
    this.#facts = facts
  }

  /** Serializable facts of the vendor session (undefined before the first connect). */
  get facts(): ConnectionFacts | undefined {
    return this.#connection?.facts ?? this.#facts
  }
  get inFlight() {
    return this.#inFlight
  }
  get lastUsed() {
    return this.#lastUsed
  }
  get closed() {
    return this.#closed
  }
  /** True while a live connection is attached. */
  get attached() {
    return !!this.#connection && !this.#connection.closed
  }

  /** Connects now (used by `POST /sessions` so the vendor session exists when the id is handed out). */
  async open(): Promise<ConnectionFacts> {
    const conn = await this.#current()
    this.#scheduleRelease()
    return conn.facts
  }

  /** Can this session's connection be dropped and re-attached later without losing the vendor session? */
  #releasable(facts: ConnectionFacts | undefined): boolean {
    // A session holding subscriptions keeps its connection: the updates arrive on its GET stream.
    return this.policy.connectionIdleMs > 0 && !this.settings.onListChanged && !this.vendorState.listening && facts?.transport === 'streamable-http'
  }

  /** The resume part of the settings, from the recorded facts. */
  #resume(): ConnectionSettings['resume'] {
    const f = this.#facts
    return f && f.transport === 'streamable-http' && f.era === 'legacy' && f.vendorSessionId
      ? { vendorSessionId: f.vendorSessionId, protocolVersion: f.protocolVersion }
      : undefined
  }

  /** The open connection of an open session, if there is one now. */
  #live(): UpstreamConnection | undefined {
    const conn = this.#closed ? undefined : this.#connection
    return conn && !conn.closed ? conn : undefined
  }

  #current(): Promise<UpstreamConnection> {
    if (this.#closed) return Promise.reject(new UpstreamError('UNAVAILABLE', 'session is closed'))
    const live = this.#live()
    if (live) return Promise.resolve(live)
    // Single flight: concurrent callers share one connect.
    const resume = this.#resume()
    const state = this.vendorState
    this.#connecting ??= UpstreamConnection.open({ ...this.settings, resume, onResourceUpdated: (uri) => state.deliver(uri), keepStream: state.listening }, this.cache)
      .then(async (conn) => {
        // A fresh vendor session (a renewal): put back the level and subscriptions the old one had, first.
        if (!resume && !state.empty && !this.#closed) await state.restore(conn, this.settings.connectTimeoutMs)
        this.#connection = conn
        this.#facts = conn.facts
        if (this.#closed) void conn.terminate()
        return conn
      })
      .finally(() => {
        this.#connecting = undefined
      })
    return this.#connecting
  }

  /**
   * The vendor forgot the session behind `failed`: retire that connection and attach a fresh vendor session,
   * unless a concurrent call already did.
   */
  #renew(failed: UpstreamConnection): Promise<UpstreamConnection> {
    if (this.#connection === failed) {
      this.#connection = undefined
      // The recorded vendor session is gone: the next connect runs a fresh `initialize`.
      this.#facts = { ...failed.facts, vendorSessionId: undefined }
      this.#retire(failed)
    }
    return this.#current()
  }

  #retire(conn: UpstreamConnection) {
    if (conn.inFlight === 0) void conn.close()
    else (this.#retired ??= new Set()).add(conn)
  }

  #closeDrainedRetirees() {
    if (!this.#retired) return
    for (const conn of this.#retired) {
      if (conn.inFlight > 0) continue
      this.#retired.delete(conn)
      void conn.close()
    }
    if (!this.#retired.size) this.#retired = undefined
  }

  #closeRetirees() {
    for (const r of this.#retired ?? []) void r.close()
    this.#retired = undefined
  }

  /**
   * Runs an operation on the session's connection: retries calls that never reached the vendor within the retry
   * budget, renews a lost vendor session once, and replays only what `options.replayable` allows.
   * @throws UpstreamError
   */
  async run<T>(operation: (conn: UpstreamConnection) => Promise<T>, options: RunOptions = {}): Promise<SessionRun<T>> {
    this.#inFlight++
    this.#lastUsed = Date.now()
    const deadline = Date.now() + (options.retryBudgetMs ?? this.policy.retryBudgetMs)
    let renewed = false
    let replayed = false
    let attempt = 0
    /**
     * Waits before retrying a request the vendor never ran (never sent, or refused with 429/503); false when the
     * wait does not fit the budget. A refusal's Retry-After is the least wait.
     */
    const retryNeverRan = async (error?: UpstreamError) => {
      const asked = error?.details.retryAfterMs
      const wait = asked !== undefined ? Math.max(asked, 50) : backoffMs(attempt++)
      if (Date.now() + wait > deadline) return false
      await sleep(wait)
      return !this.#closed
    }
    try {
      for (;;) {
        let conn: UpstreamConnection
        try {
          // The live connection is taken as it is (almost every call): awaiting #current()'s resolved promise would
          // cost each call a microtask turn.
          conn = this.#live() ?? (await this.#current())
        } catch (error) {
          if (error instanceof UpstreamError && error.code === 'UNAVAILABLE' && (await retryNeverRan())) continue
          // The handshake failed on a keep-alive socket the vendor was closing: connect again after a short wait (a
          // repeated initialize costs at most one unused vendor session, never a tool run).
          if (error instanceof UpstreamError && error.details.staleSocket && (await retryNeverRan())) continue
          if (error instanceof UpstreamError && isRefusal(error) && (await retryNeverRan(error))) continue
          if (error instanceof UpstreamError && error.code === 'SESSION_LOST' && !renewed) {
            // A resumed vendor session that is already gone fails at connect time on some servers.
            this.#facts = this.#facts && { ...this.#facts, vendorSessionId: undefined }
            renewed = true
            continue
          }
          throw error
        }
        try {
          const value = await operation(conn)
          return { value, renewed }
        } catch (error) {
          if (!(error instanceof UpstreamError)) throw error
          if (error.code === 'UNAVAILABLE' && (await retryNeverRan())) continue
          // Refused (429/503): the vendor did not run it, so any tool may go again once the wait fits the budget.
          if (isRefusal(error) && (await retryNeverRan(error))) continue
          if (error.code === 'SESSION_LOST' && !renewed) {
            renewed = true
            await this.#renew(conn).catch(() => undefined)
            continue
          }
          if (error.code === 'INTERRUPTED' && error.details.staleSocket && options.replayable === true && (await retryNeverRan())) {
            // Cut on a reused keep-alive socket before any answer byte: a read-only or idempotent call goes again
            // after a short backoff (by then the pool has seen the vendor's close and opens a fresh connection), as
            // often as the retry budget allows.
            continue
          }
          if (error.code === 'INTERRUPTED' && options.replayable === true && (!replayed || (await retryNeverRan()))) {
            // The vendor may have run it; a read-only or idempotent tool may run again: once at once, then (a vendor
            // restarting) with backoff inside the retry budget. A cut connection is re-attached by the next
            // #current() (same vendor session, no initialize).
            replayed = true
            continue
          }
          throw error
        }
      }
    } finally {
      this.#inFlight--
      this.#lastUsed = Date.now()
      this.#closeDrainedRetirees()
      this.#scheduleRelease()
    }
  }

  /**
   * `logging/setLevel` on this session's vendor session through `conn` (from {@link run}), remembered so that a
   * renewal sets it again. @throws UpstreamError
   */
  async setLoggingLevel(conn: UpstreamConnection, level: string, timeoutMs: number): Promise<void> {
    await conn.setLoggingLevel(level, timeoutMs)
    this.vendorState.level = level
  }

  /**
   * `resources/subscribe` (or `unsubscribe`) through `conn` (from {@link run}), remembered for renewals; updates go
   * to `sink`. The first subscription moves the session onto a connection that keeps the standalone GET stream
   * (the same vendor session, re-attached), where a 2025 vendor sends them. @throws UpstreamError
   */
  async subscribe(conn: UpstreamConnection, uri: string, subscribe: boolean, timeoutMs: number, sink?: (uri: string) => void): Promise<void> {
    await conn.subscribeResource(uri, subscribe, timeoutMs)
    if (!subscribe) return void this.vendorState.subscriptions.delete(uri)
    this.vendorState.subscriptions.add(uri)
    if (sink) this.vendorState.onUpdated(sink)
    if (conn.listensForUpdates || this.#connection !== conn) return
    this.#connection = undefined
    this.#facts = conn.facts
    this.#retire(conn)
    await this.#current()
  }

  /** Arms the idle release of the live connection once no call is running. */
  #scheduleRelease() {
    if (this.#inFlight > 0 || this.#closed || !this.#releasable(this.facts)) return
    if (this.#idleTimer) return void this.#idleTimer.refresh()
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined
      this.release()
    }, this.policy.connectionIdleMs)
    this.#idleTimer.unref()
  }

  /**
   * Drops the live connection but keeps the vendor session: the next call re-attaches from the facts.
   * A no-op while calls run or when the vendor session cannot be re-attached (stdio, legacy SSE).
   */
  release(): void {
    const conn = this.#connection
    if (!conn || this.#inFlight > 0 || !this.#releasable(conn.facts)) return
    this.#facts = conn.facts
    this.#connection = undefined
    void conn.close()
  }

  async #drain(drainMs: number) {
    const deadline = Date.now() + drainMs
    while (this.#inFlight > 0 && Date.now() < deadline) await sleep(25)
  }

  /** Ends the vendor session (DELETE, with or without a live connection) and closes. Waits up to `drainMs` for calls in flight. */
  async terminate(drainMs = 0): Promise<void> {
    await this.#drain(drainMs)
    this.#closed = true
    clearTimeout(this.#idleTimer)
    const conn = this.#connection ?? (await this.#connecting?.catch(() => undefined))
    this.#connection = undefined
    this.#closeRetirees()
    if (conn && !conn.closed) await conn.terminate()
    else if (this.#facts) await UpstreamConnection.terminateRecorded(this.settings, this.#facts)
  }

  /** Closes without ending the vendor session (another replica may still use it). */
  async detach(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#idleTimer)
    const conn = this.#connection
    this.#connection = undefined
    this.#closeRetirees()
    await conn?.close()
  }
}
