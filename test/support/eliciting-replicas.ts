/**
 * @module test/support/eliciting-replicas
 * An eliciting fixture vendor of one era (test/fixtures/eliciting-vendor) and two facade replicas in front of it
 * sharing one real Redis (REDIS_URL from the environment, else redis://127.0.0.1:6379; keys under a random prefix),
 * both with their catalog loaded: what the interactive-call tests of REST and of `/mcp` run against.
 */
import { randomBytes } from 'node:crypto'
import { startElicitingVendor, type ElicitingVendor } from '../fixtures/eliciting-vendor.js'
import { startTestFacade, type TestFacade } from './facade.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** The vendor, the two replicas, a way to start a third one (loaded), and the stop of all. */
export interface ElicitingReplicas {
  vendor: ElicitingVendor
  a: TestFacade
  b: TestFacade
  start(): Promise<TestFacade>
  close(): Promise<void>
}

/**
 * Starts the vendor and two replicas that accept the API keys `keys` (the first one is used to wait for the catalog).
 * @param vendorRequestTimeoutMs the replicas' `interaction.vendorRequestTimeoutMs`
 */
export async function startElicitingReplicas(era: 'legacy' | 'modern', keys: string[], vendorRequestTimeoutMs: number): Promise<ElicitingReplicas> {
  const vendor = await startElicitingVendor({ era })
  const prefix = `mrf-test-${randomBytes(6).toString('hex')}:`
  const start = async () => {
    const facade = await startTestFacade(
      { default: { url: vendor.url, protocol: era, auth: { mode: 'apiKey', keys }, interaction: { ownerLeaseMs: 1_500, vendorRequestTimeoutMs } } },
      { identitySecret: 'shared-identity-secret-for-tests', sessions: { store: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: prefix } },
      'warn',
    )
    await catalogLoaded(facade, keys[0]!)
    return facade
  }
  const [a, b] = await Promise.all([start(), start()])
  return {
    vendor,
    a,
    b,
    start,
    close: async () => {
      await Promise.allSettled([a.close(), b.close()])
      await vendor.close()
    },
  }
}

async function catalogLoaded(f: TestFacade, key: string) {
  for (let i = 0; i < 200; i++) {
    if ((await f.call('/tools', { headers: { 'X-API-Key': key } })).ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('catalog not loaded')
}
