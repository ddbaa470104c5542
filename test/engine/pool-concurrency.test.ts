/**
 * Calls in flight are not capped by the socket pool: with the default configuration, 200 concurrent tool calls
 * through the facade to a vendor that answers in 1 s all run at once (wall time about one vendor latency; the
 * former bound of 64 sockets took four), on no more sockets than calls, and once idle the vendor's connections
 * shrink back to the idle bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const LATENCY_MS = 1000
const CALLS = 200
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let vendor: SessionfulVendor
let facade: TestFacade
beforeAll(async () => {
  vendor = await startSessionfulVendor({ echoDelayMs: LATENCY_MS })
  facade = await startTestFacade({ default: { url: vendor.url } }, {}, 'warn')
})
afterAll(async () => {
  await facade?.close()
  await vendor?.close()
})

describe('the socket pool under many calls in flight (default configuration)', () => {
  it(`${CALLS} concurrent calls to a ${LATENCY_MS} ms vendor run in parallel, then idle sockets are trimmed`, async () => {
    // Warm: catalog loaded and the caller's pooled vendor session initialized, so only the calls are timed.
    expect((await facade.call('/tools/echo', { method: 'POST', json: { message: 'warm' } })).status).toBe(200)
    const before = vendor.connections()
    vendor.resetPeak()
    const started = Date.now()
    const answers = await Promise.all(
      Array.from({ length: CALLS }, async (_, i) => {
        const res = await facade.call('/tools/echo', { method: 'POST', json: { message: `m${i}` } })
        return { status: res.status, body: await jsonOf(res) }
      }),
    )
    const wall = Date.now() - started
    const after = vendor.connections()
    console.info(`[measure] ${CALLS} calls, ${LATENCY_MS} ms vendor: ${wall} ms; vendor connections opened ${after.opened - before.opened}, peak open ${after.peak}`)
    answers.forEach((a, i) => expect(a, `call ${i}`).toMatchObject({ status: 200, body: { data: { message: `m${i}` } } }))
    // All at once: one vendor latency and the facade's own time, well under two latencies.
    expect(wall).toBeLessThan(2 * LATENCY_MS)
    expect(after.peak).toBeGreaterThanOrEqual(CALLS)
    // No more sockets than calls in flight, plus the few the warm-up left (catalog stream, idle sockets).
    expect(after.opened - before.opened).toBeLessThanOrEqual(CALLS)
    expect(after.peak).toBeLessThanOrEqual(CALLS * 1.1)
    // Idle: the pool trims to its idle bound (64) within about two grace periods of 1 s; the catalog's
    // notification stream stays open (a busy socket).
    let open = after.open
    for (let i = 0; i < 50 && open > 65; i++) {
      await sleep(100)
      open = vendor.connections().open
    }
    console.info(`[measure] vendor connections open once idle: ${open}`)
    expect(open).toBeLessThanOrEqual(65)
  })
})
