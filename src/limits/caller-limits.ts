/**
 * @module limits/caller-limits
 * The limits of one upstream server (config `limits`): caller sessions per identity and in all, and the rate and
 * concurrency of calls per identity and per server. Each is a {@link Quota}, shared by every replica when the
 * session store is Redis. Stdio child processes are counted by the session manager (they live in one replica).
 */
import type { Redis } from 'ioredis'
import type { Config } from '../config/schema.js'
import { Quota, type QuotaSpec } from './quota.js'

/** The limits one server's runtime applies. */
export interface ServerLimits {
  /**
   * Before a caller session is opened.
   * @throws ApiError 429 `too_many_sessions`
   */
  sessionOpening(identity: string): Promise<void>
  /** A session counted by {@link ServerLimits.sessionOpening} ended, or was never opened after all. */
  sessionClosed(identity: string): void
  /**
   * Before a call; gives (or resolves with) the function to call when it is over. With no call limit configured
   * (the default) that function comes back at once, not in a promise: every call passes here, and an await costs it
   * a microtask turn for nothing.
   * @throws ApiError 429 `rate_limited` or `too_many_requests` (as a rejection)
   */
  callStarting(identity: string): Promise<() => void> | (() => void)
}

/** What {@link ServerLimits.callStarting} gives when no call limit applies: nothing to give back. */
const NOTHING_TAKEN = () => {}

/** No limits at all (tests and embedders that build a runtime by hand). */
export const NO_LIMITS: ServerLimits = {
  sessionOpening: async () => {},
  sessionClosed: () => {},
  callStarting: () => NOTHING_TAKEN,
}

/**
 * Builds the limits of one server.
 * @param redis the shared store's connection, or undefined for limits of this process only
 * @param longestCallSeconds how long a call can last (the concurrency counters outlive it, so a replica that dies
 *   mid-call frees its places after that)
 */
export function serverLimits(server: string, config: Config, redis: Redis | undefined, longestCallSeconds: number): ServerLimits {
  const l = config.limits
  const quota = (spec: Omit<QuotaSpec, 'name'> & { name: string }) => (spec.points > 0 ? new Quota({ ...spec, name: `${server}-${spec.name}` }, redis) : undefined)
  const sessionWindow = config.sessions.idleTtlSeconds
  const busyWindow = longestCallSeconds + 60
  const perIdentitySessions = quota({ name: 'identity-sessions', points: l.sessionsPerIdentity, windowSeconds: sessionWindow, code: 'too_many_sessions', what: `sessions per caller within ${sessionWindow} s`, releasedRetryAfterSeconds: 60 })
  const allSessions = quota({ name: 'sessions', points: l.sessions, windowSeconds: sessionWindow, code: 'too_many_sessions', what: `sessions of all callers within ${sessionWindow} s`, releasedRetryAfterSeconds: 60 })
  const identityRate = quota({ name: 'identity-calls', points: l.callsPerIdentity, windowSeconds: l.windowSeconds, code: 'rate_limited', what: `calls per caller per ${l.windowSeconds} s` })
  const serverRate = quota({ name: 'calls', points: l.callsPerServer, windowSeconds: l.windowSeconds, code: 'rate_limited', what: `calls of all callers per ${l.windowSeconds} s` })
  const identityBusy = quota({ name: 'identity-concurrency', points: l.concurrentPerIdentity, windowSeconds: busyWindow, code: 'too_many_requests', what: 'calls at once per caller', releasedRetryAfterSeconds: 1 })
  const serverBusy = quota({ name: 'concurrency', points: l.concurrentPerServer, windowSeconds: busyWindow, code: 'too_many_requests', what: 'calls at once of all callers', releasedRetryAfterSeconds: 1 })
  const ALL = '*'
  const callLimited = !!(identityRate || serverRate || identityBusy || serverBusy)

  /** Takes from each quota in turn; a refusal gives back what was already taken. */
  async function takeAll(entries: Array<[Quota | undefined, string]>): Promise<() => void> {
    const taken: Array<[Quota, string]> = []
    try {
      for (const [q, key] of entries) {
        if (!q) continue
        await q.take(key)
        taken.push([q, key])
      }
    } catch (error) {
      for (const [q, key] of taken) void q.give(key)
      throw error
    }
    return () => {
      for (const [q, key] of taken) void q.give(key)
    }
  }

  return {
    async sessionOpening(identity) {
      await takeAll([
        [perIdentitySessions, identity],
        [allSessions, ALL],
      ])
    },
    sessionClosed(identity) {
      void perIdentitySessions?.give(identity)
      void allSessions?.give(ALL)
    },
    callStarting(identity) {
      if (!callLimited) return NOTHING_TAKEN
      return (async () => {
        // Rates are spent, not given back; places in flight are.
        await takeAll([
          [identityRate, identity],
          [serverRate, ALL],
        ])
        return takeAll([
          [identityBusy, identity],
          [serverBusy, ALL],
        ])
      })()
    },
  }
}
