/**
 * No call lost to keep-alive reuse: a real vendor behind a proxy that closes every client connection right after
 * answering (without `Connection: close`), and a proxy that goes away and comes back on the same port ("a vendor
 * restart") while calls run. Read-only/idempotent calls must all succeed; non-idempotent calls must never reach the
 * vendor twice (counted at the proxy, which forwards each request it receives exactly once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

let vendor: SessionfulVendor
const cleanups: Array<() => Promise<void>> = []

beforeAll(async () => {
  vendor = await startSessionfulVendor()
})
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
  await vendor?.close()
})

/** Runs `count` calls, at most `concurrency` at once; returns the answers' codes ('200' or the problem code). */
async function load(facade: TestFacade, count: number, concurrency: number, call: (i: number) => { tool: string; json: unknown }, failed: number[] = []): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>()
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      const { tool, json } = call(i)
      const res = await facade.call(`/tools/${tool}`, { method: 'POST', json })
      const key = res.status === 200 ? '200' : String((await jsonOf(res)).code)
      if (res.status === 200) await res.arrayBuffer()
      else failed.push(i)
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return outcomes
}

/** How many distinct `by` values the proxy forwarded more than once (a duplicate run at the vendor). */
function duplicates(proxy: FaultProxy, base: number): number {
  const seen = new Map<number, number>()
  for (const f of proxy.forwarded())
    if (f.rpcMethod === 'tools/call' && f.params?.name === 'counter_increment') {
      const by = Number((f.params.arguments as { by: number }).by)
      if (by > base) seen.set(by, (seen.get(by) ?? 0) + 1)
    }
  return [...seen.values()].filter((n) => n > 1).length
}

const summary = (m: Map<string, number>) => JSON.stringify(Object.fromEntries(m))

describe('a vendor that closes every keep-alive connection after answering', () => {
  let proxy: FaultProxy
  let facade: TestFacade
  beforeAll(async () => {
    proxy = await startFaultProxy(vendor.url, () => undefined, { closeAfterAnswer: true })
    facade = await startTestFacade({ default: { url: proxy.url, pool: { connections: 16 } } })
    cleanups.push(() => proxy.close(), () => facade.close())
    // The catalog's own first load may lose the race too; its background retry gets it.
    for (let i = 0; i < 100 && !facade.runtimes[0]!.catalog.state; i++) await new Promise((r) => setTimeout(r, 100))
  })

  it('loses no read-only call', async () => {
    const outcomes = await load(facade, 300, 32, (i) => ({ tool: 'echo', json: { message: `m${i}` } }))
    console.info(`[measure] keep-alive closes, 300 read-only calls: ${summary(outcomes)}`)
    expect(outcomes.get('200')).toBe(300)
  })

  it('never runs a non-idempotent call twice, and answers almost all of them', async () => {
    const outcomes = await load(facade, 200, 32, (i) => ({ tool: 'counter_increment', json: { by: i + 1 } }))
    console.info(`[measure] keep-alive closes, 200 non-idempotent calls: ${summary(outcomes)}`)
    expect(duplicates(proxy, 0)).toBe(0)
    // Lost only where the pool tried reuse again after its distrust period (at most one burst, one per socket).
    expect(outcomes.get('200') ?? 0).toBeGreaterThanOrEqual(200 - 16)
  })
})

describe('a vendor that restarts within the retry budget', () => {
  it('loses no read-only call and runs no non-idempotent call twice', async () => {
    let proxy = await startFaultProxy(vendor.url, () => undefined)
    const port = proxy.port
    const facade = await startTestFacade({ default: { url: proxy.url, pool: { connections: 16 } } })
    cleanups.push(() => proxy.close(), () => facade.close())
    const forwardedBefore: FaultProxy['forwarded'] extends () => infer R ? R : never = []
    const restart = (async () => {
      for (const downMs of [300, 600]) {
        await new Promise((r) => setTimeout(r, 250))
        forwardedBefore.push(...proxy.forwarded())
        await proxy.close()
        await new Promise((r) => setTimeout(r, downMs))
        proxy = await startFaultProxy(vendor.url, () => undefined, { port })
      }
    })()
    const failedWrites: number[] = []
    const [reads, writes] = await Promise.all([
      load(facade, 200, 16, (i) => ({ tool: 'echo', json: { message: `r${i}` } })),
      load(facade, 200, 16, (i) => ({ tool: 'counter_increment', json: { by: 500 + i } }), failedWrites),
    ])
    await restart
    const all = { forwarded: () => [...forwardedBefore, ...proxy.forwarded()] } as FaultProxy
    const reached = new Set(all.forwarded().map((f) => Number((f.params?.arguments as { by?: number } | undefined)?.by)))
    const failedButRan = failedWrites.filter((i) => reached.has(500 + i)).length
    console.info(
      `[measure] vendor restarts, 200 read-only calls: ${summary(reads)}; 200 non-idempotent calls: ${summary(writes)} (${failedButRan} of the ${failedWrites.length} failed ones had reached the vendor)`,
    )
    expect(reads.get('200')).toBe(200)
    expect(duplicates(all, 499)).toBe(0)
  })
})
