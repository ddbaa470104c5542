/**
 * @module limits/quota
 * One limit (a quota of points per window, per key) on `rate-limiter-flexible`: in process memory for one replica,
 * in Redis (the session store's connection) when replicas share it, so a caller cannot multiply a limit by the
 * number of replicas. A store fault degrades the limit to per-replica (the library's insurance limiter) instead of
 * failing calls. Over the limit: 429 with `Retry-After` and the IETF `RateLimit-Policy` / `RateLimit` fields
 * (draft-ietf-httpapi-ratelimit-headers).
 */
import type { Redis } from 'ioredis'
import type { RateLimiterAbstract } from 'rate-limiter-flexible'
// One file each, not the package's index, which loads every limiter it has (limits/rate-limiter-modules).
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js'
import RateLimiterRedis from 'rate-limiter-flexible/lib/RateLimiterRedis.js'
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes.js'
import { ApiError } from '../errors/api-error.js'
import type { ProblemCode } from '../errors/codes.js'

/** How a quota is declared. */
export interface QuotaSpec {
  /** Policy name in the RateLimit fields, e.g. `identity-calls`. */
  name: string
  /** Points per window. */
  points: number
  /** Window length in seconds (a session quota: the idle TTL; a concurrency quota: longer than any call). */
  windowSeconds: number
  /** Problem code over the limit. */
  code: Extract<ProblemCode, 'too_many_sessions' | 'rate_limited' | 'too_many_requests'>
  /** What the limit is, for the problem detail (e.g. "calls per second for this caller"). */
  what: string
  /** Counts things that end (sessions, calls in flight): the wait is unknown, Retry-After is this many seconds. */
  releasedRetryAfterSeconds?: number
}

/** The RateLimit-Policy field value of a quota. */
function policyField(spec: QuotaSpec): string {
  return `"${spec.name}";q=${spec.points};w=${spec.windowSeconds}`
}

/** A quota: take a point before the work, give it back (things that end) after. */
export class Quota {
  readonly #limiter: RateLimiterAbstract

  constructor(
    readonly spec: QuotaSpec,
    redis: Redis | undefined,
  ) {
    const options = { points: spec.points, duration: spec.windowSeconds, keyPrefix: `mrf:limit:${spec.name}` }
    const memory = new RateLimiterMemory(options)
    this.#limiter = redis ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory }) : memory
  }

  /**
   * Takes one point for `key`.
   * @throws ApiError 429 (`spec.code`) with Retry-After and the RateLimit fields when none is left
   */
  async take(key: string): Promise<void> {
    try {
      await this.#limiter.consume(key, 1)
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) return // neither store answered: let the call through
      // The library counts the refused point too; a refusal costs nothing, so give it back (else a caller retrying
      // a full session quota would stay over it after ending a session).
      void this.give(key)
      const { spec } = this
      const resetSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))
      const retryAfter = spec.releasedRetryAfterSeconds ?? resetSeconds
      throw new ApiError(spec.code, {
        detail: `Limit reached: ${spec.points} ${spec.what}. Retry after ${retryAfter} s.`,
        headers: {
          'Retry-After': String(retryAfter),
          'RateLimit-Policy': policyField(spec),
          RateLimit: `"${spec.name}";r=0;t=${retryAfter}`,
        },
      })
    }
  }

  /** Gives a point back (the session ended, the call finished). Never throws. */
  async give(key: string): Promise<void> {
    await this.#limiter.reward(key, 1).catch(() => undefined)
  }
}
