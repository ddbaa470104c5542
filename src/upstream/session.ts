/**
 * @module upstream/session
 * A logical vendor session that survives the vendor forgetting it. The MCP SDK never recovers a lost session
 * by itself (typescript-sdk#1708): when the vendor answers 404 (or 400 naming the session), we open a new
 * connection (a fresh `initialize`) and retry the call once. That retry is safe because a lost-session answer
 * proves the vendor never ran the request. Calls that fail after reaching the vendor are never replayed here.
 */
import { UpstreamConnection, type NegotiationCache } from './connection.js'
import { UpstreamError } from './errors.js'
import type { ConnectionFacts, ConnectionSettings } from './types.js'

/** The result of running an operation on a session. */
export interface SessionRun<T> {
  value: T
  /** True when the vendor session was lost and re-created during this run: vendor-side state is gone. */
  renewed: boolean
}

/** Options of {@link UpstreamSession.run}. */
export interface RunOptions {
  /**
   * May the operation be sent again after the connection broke mid-call (the vendor may have run it)?
   * Only for read-only or idempotent tools. Default false.
   */
  replayable?: boolean
}

/** A vendor session owned by the facade, with transparent renewal. */
export class UpstreamSession {
  #connection?: UpstreamConnection
  #connecting?: Promise<UpstreamConnection>
  #closed = false
  /** Calls in flight, so shutdown can wait for them. */
  #inFlight = 0
  #lastUsed = Date.now()

  /**
   * @param settings how to connect; `settings.resume` is used for the first connection only
   * @param cache shared per vendor, so connects skip the era and transport probes
   */
  constructor(
    private settings: ConnectionSettings,
    private readonly cache: NegotiationCache,
  ) {}

  /** Serializable facts of the current connection (undefined before the first connect). */
  get facts(): ConnectionFacts | undefined {
    return this.#connection?.facts
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

  /** Connects now (used by `POST /sessions` so the vendor session exists when the id is handed out). */
  async open(): Promise<ConnectionFacts> {
    return (await this.#current()).facts
  }

  #current(): Promise<UpstreamConnection> {
    if (this.#closed) return Promise.reject(new UpstreamError('UNAVAILABLE', 'session is closed'))
    const live = this.#connection
    if (live && !live.closed) return Promise.resolve(live)
    // Single flight: concurrent callers share one connect.
    this.#connecting ??= UpstreamConnection.open(this.settings, this.cache)
      .then((conn) => {
        this.#connection = conn
        // After the first connection a resume id is stale: renewals always run a fresh initialize.
        this.settings = { ...this.settings, resume: undefined }
        if (this.#closed) void conn.terminate()
        return conn
      })
      .finally(() => {
        this.#connecting = undefined
      })
    return this.#connecting
  }

  /** Replaces `failed` by a fresh connection, unless a concurrent caller already did. */
  async #renew(failed: UpstreamConnection): Promise<UpstreamConnection> {
    if (this.#connection === failed) {
      this.#connection = undefined
      void failed.close()
    }
    return this.#current()
  }

  /**
   * Runs an operation on the session's connection, renewing the vendor session once if it was lost.
   * @throws UpstreamError
   */
  async run<T>(operation: (conn: UpstreamConnection) => Promise<T>, options: RunOptions = {}): Promise<SessionRun<T>> {
    this.#inFlight++
    this.#lastUsed = Date.now()
    try {
      let renewed = false
      let conn: UpstreamConnection
      try {
        conn = await this.#current()
      } catch (error) {
        // A resumed vendor session that is already gone fails at connect time on some servers.
        if (error instanceof UpstreamError && error.code === 'SESSION_LOST') {
          this.settings = { ...this.settings, resume: undefined }
          conn = await this.#current()
          renewed = true
        } else throw error
      }
      try {
        return { value: await operation(conn), renewed }
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error
        const lost = error.code === 'SESSION_LOST'
        const replay = error.code === 'INTERRUPTED' && options.replayable === true
        if (!lost && !replay) throw error
        const fresh = await this.#renew(conn)
        const value = await operation(fresh)
        return { value, renewed: renewed || lost || fresh.facts.vendorSessionId !== conn.facts.vendorSessionId }
      }
    } finally {
      this.#inFlight--
      this.#lastUsed = Date.now()
    }
  }

  /** Ends the vendor session (DELETE) and closes. Waits up to `drainMs` for calls in flight. */
  async terminate(drainMs = 0): Promise<void> {
    const deadline = Date.now() + drainMs
    while (this.#inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
    this.#closed = true
    const conn = this.#connection ?? (await this.#connecting?.catch(() => undefined))
    this.#connection = undefined
    await conn?.terminate()
  }

  /** Closes without ending the vendor session. */
  async detach(): Promise<void> {
    this.#closed = true
    const conn = this.#connection
    this.#connection = undefined
    await conn?.close()
  }
}
