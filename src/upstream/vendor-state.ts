/**
 * @module upstream/vendor-state
 * What the facade set on a vendor session that lives on the vendor's side and dies with it: the 2025 log level
 * (`logging/setLevel`) and resource subscriptions (`resources/subscribe`). The owning {@link ./session} keeps it
 * so that a renewal (the vendor forgot the session; a fresh `initialize`) re-applies it before any other request
 * runs on the new vendor session. Without it a renewed conversation would silently lose its level and stop
 * receiving the updates it subscribed to.
 *
 * In memory only: a session re-attached on another replica starts with no recorded state (its vendor session is
 * the same, so nothing is lost unless that session is then renewed there).
 */
import type { UpstreamConnection } from './connection.js'

/** Vendor-side state of one vendor session, re-applied after a renewal. */
export class VendorState {
  /** The level last set with `logging/setLevel`. */
  level?: string
  /** URIs subscribed with `resources/subscribe` and not unsubscribed since. */
  readonly subscriptions = new Set<string>()
  #sink?: (uri: string) => void

  /** True when nothing needs re-applying. */
  get empty(): boolean {
    return this.level === undefined && this.subscriptions.size === 0
  }

  /** True while updates must be listened for (the session keeps its GET stream). */
  get listening(): boolean {
    return this.subscriptions.size > 0
  }

  /** Where `notifications/resources/updated` go: the conversation that subscribed last (one per session). */
  onUpdated(sink: (uri: string) => void): void {
    this.#sink = sink
  }

  /** Passes a vendor's update on; dropped when nobody subscribed (a vendor may notify without a subscription). */
  deliver(uri: string): void {
    if (this.subscriptions.size > 0) this.#sink?.(uri)
  }

  /**
   * Re-applies the level and the subscriptions on a connection to a fresh vendor session. Best effort and in
   * order: a request that fails here leaves the rest to the caller's own request, which reports the vendor's
   * problem itself; failing that request because of a side effect it did not ask for would be worse.
   */
  async restore(conn: UpstreamConnection, timeoutMs: number): Promise<void> {
    if (this.level !== undefined) await conn.setLoggingLevel(this.level, timeoutMs).catch(() => undefined)
    for (const uri of this.subscriptions) await conn.subscribeResource(uri, true, timeoutMs).catch(() => undefined)
  }
}
