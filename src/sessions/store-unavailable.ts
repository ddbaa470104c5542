/**
 * @module sessions/store-unavailable
 * The one answer to a failing shared store (Redis down, stalled or refusing writes): 503 `store_unavailable` with
 * `Retry-After`, never a 500. Every table operation on Redis goes through {@link guardStore}, so no path that
 * reads or writes session or job records can leak a raw connection error.
 */
import { ApiError } from '../errors/api-error.js'

/**
 * Seconds a caller should wait before retrying. Redis reconnects within about a second of coming back (see
 * redis-table's retry strategy), so a short wait is enough and keeps Power Automate's own retries useful.
 */
export const STORE_RETRY_AFTER_SECONDS = 2

/** The problem for a store that failed; the cause stays attached for logs, never in the answer. */
export function storeUnavailable(cause: unknown, detail = 'The shared state store cannot be reached right now; retry shortly.'): ApiError {
  return new ApiError('store_unavailable', { detail, cause, headers: { 'Retry-After': String(STORE_RETRY_AFTER_SECONDS) } })
}

/** Runs a store operation, turning any failure into {@link storeUnavailable}. */
export async function guardStore<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    if (error instanceof ApiError) throw error
    throw storeUnavailable(error)
  }
}

/** True for the store's own failure answer (callers that must not turn it into anything else check this). */
export function isStoreUnavailable(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code === 'store_unavailable'
}
