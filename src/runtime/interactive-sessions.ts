/**
 * @module runtime/interactive-sessions
 * The 2025 vendor sessions of interactive calls (`Prefer: input-required`): sessions that declared elicitation at
 * `initialize` and listen on their GET stream. A call has one to itself while it runs, so every question the vendor
 * sends on it (on the call's stream or on the GET stream) belongs to that call. Afterwards one idle session per
 * identity is kept for `idleMs` and lent to that identity's next interactive call, which then skips the
 * initialize, GET stream and DELETE a fresh session costs (~10 ms on loopback). A call that failed or was cancelled
 * leaves its session ended, not kept: a late question of the old call must never reach the next one.
 */
import type { SessionCredentials, CallerContext } from '../sessions/manager.js'
import type { ElicitationAsk, ElicitationReply, UpstreamSession } from '../upstream/index.js'

type Elicit = (ask: ElicitationAsk, signal: AbortSignal) => Promise<ElicitationReply>

/** A session lent to one call. */
export interface LentSession {
  session: UpstreamSession
  credentials: SessionCredentials
  /** The current call's handler; none while idle (a question then is answered `cancel`). */
  holder: { elicit?: Elicit }
}

/** Idle interactive sessions, one per identity at most. */
export class InteractiveSessions {
  readonly #idle = new Map<string, { lent: LentSession; timer: NodeJS.Timeout }>()
  #stopped = false

  /**
   * @param create  opens a session whose elicitation handler calls `handler` (the lent call's, through the holder)
   * @param idleMs  how long an idle session is kept (0 keeps none)
   * @param maxIdle most idle sessions kept at once
   */
  constructor(
    private readonly create: (credentials: SessionCredentials, handler: Elicit) => UpstreamSession,
    private readonly idleMs: number,
    private readonly maxIdle: number,
  ) {}

  /** A session for one call of this caller: the identity's idle one, or a new one. */
  lend(caller: CallerContext, elicit: Elicit): LentSession {
    const idle = this.#idle.get(caller.identity)
    if (idle) {
      this.#idle.delete(caller.identity)
      clearTimeout(idle.timer)
      if (!idle.lent.session.closed) {
        // The caller's newest credentials (a refreshed token keeps the identity).
        idle.lent.credentials.headers = caller.outboundHeaders
        idle.lent.credentials.token = caller.token
        idle.lent.holder.elicit = elicit
        return idle.lent
      }
    }
    const credentials: SessionCredentials = { identity: caller.identity, headers: caller.outboundHeaders, token: caller.token }
    const holder: LentSession['holder'] = { elicit }
    const session = this.create(credentials, (ask, signal) => (holder.elicit ? holder.elicit(ask, signal) : Promise.resolve({ action: 'cancel' })))
    return { session, credentials, holder }
  }

  /**
   * Takes a session back after its call. `clean`: the call ended with an answer of the vendor (not cancelled, not
   * failed), so the session may serve the identity's next call; otherwise it is ended.
   */
  giveBack(lent: LentSession, clean: boolean): void {
    lent.holder.elicit = undefined
    const identity = lent.credentials.identity
    const keep = clean && !this.#stopped && this.idleMs > 0 && !lent.session.closed && !this.#idle.has(identity) && this.#idle.size < this.maxIdle
    if (!keep) return void lent.session.terminate(0).catch(() => undefined)
    const timer = setTimeout(() => {
      if (this.#idle.get(identity)?.lent !== lent) return
      this.#idle.delete(identity)
      void lent.session.terminate(0).catch(() => undefined)
    }, this.idleMs)
    timer.unref()
    this.#idle.set(identity, { lent, timer })
  }

  /** Ends every idle session. */
  async shutdown(): Promise<void> {
    this.#stopped = true
    const idle = [...this.#idle.values()]
    this.#idle.clear()
    await Promise.allSettled(
      idle.map(({ lent, timer }) => {
        clearTimeout(timer)
        return lent.session.terminate(0)
      }),
    )
  }
}
