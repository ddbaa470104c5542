/**
 * @module security/constant-time
 * Comparison of secrets (API keys, metrics keys) whose running time does not depend on where the strings differ.
 * Dependency-free so that auth, sessions and the HTTP routes can all use it without importing each other.
 */
import { createHash, timingSafeEqual } from 'node:crypto'

/** Constant-time string comparison (hashes first so lengths never leak through timing). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest()
  const hb = createHash('sha256').update(b, 'utf8').digest()
  return timingSafeEqual(ha, hb)
}
