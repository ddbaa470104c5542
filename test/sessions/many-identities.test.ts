/**
 * Many identities at once (issue 20, item 3): 200 distinct callers, each with its own bearer token forwarded to the
 * vendor (`auth.mode: "passthrough"`), 3 calls each, 32 callers at a time, some of them sending their first calls
 * concurrently: every identity gets exactly one pooled vendor session, so the vendor sees one `initialize` per
 * identity (no more for concurrent first calls, none again for later calls), and each call reaches the vendor
 * with its own caller's token.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const IDENTITIES = 200
const CALLS = 3
const AT_ONCE = 32

let vendor: SessionfulVendor
let facade: TestFacade
afterAll(async () => {
  await facade?.close()
  await vendor?.close()
})

describe('many identities at once', () => {
  it(`${IDENTITIES} callers: one initialize each, every answer right, every vendor request with its caller's token`, async () => {
    vendor = await startSessionfulVendor()
    facade = await startTestFacade({ default: { url: vendor.url, auth: { mode: 'passthrough' } } }, {}, 'warn')
    await facade.catalogsAttempted
    const before = vendor.initializeCount()
    const token = (i: number) => `Bearer many-identities-${i}-${'t'.repeat(16)}`
    const echo = async (i: number, n: number) => {
      const message = `id-${i}-call-${n}`
      const res = await facade.call('/tools/echo', { method: 'POST', json: { message }, headers: { authorization: token(i) } })
      expect(await jsonOf(res)).toMatchObject({ data: { message } })
    }
    let next = 0
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        while (next < IDENTITIES) {
          const i = next++
          // Every fourth caller sends its first two calls at once: they share one initialize.
          if (i % 4 === 0) await Promise.all([echo(i, 0), echo(i, 1)])
          else for (let n = 0; n < 2; n++) await echo(i, n)
          for (let n = 2; n < CALLS; n++) await echo(i, n)
        }
      }),
    )
    expect(vendor.initializeCount() - before).toBe(IDENTITIES)
    expect(vendor.executions('echo')).toBe(IDENTITIES * CALLS)
    expect(facade.runtimes[0]!.sessions.pooledCount).toBe(IDENTITIES)
    // Each vendor session only ever saw one caller's token.
    const tokensBySession = new Map<string, Set<string>>()
    for (const seen of vendor.seenAuthorizations()) {
      if (!seen.sessionId || !seen.authorization) continue
      let set = tokensBySession.get(seen.sessionId)
      if (!set) tokensBySession.set(seen.sessionId, (set = new Set()))
      set.add(seen.authorization)
    }
    const callerSessions = [...tokensBySession.values()].filter((set) => [...set].some((t) => t.startsWith('Bearer many-identities-')))
    expect(callerSessions).toHaveLength(IDENTITIES)
    for (const set of callerSessions) expect(set.size).toBe(1)
  })
})
