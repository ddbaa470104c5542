/**
 * @module test/support/vendor-facade
 * A fixture vendor and a facade in front of it for one `describe` block: started before its tests, closed after.
 */
import { afterAll, beforeAll } from 'vitest'
import { startTestFacade, type TestFacade } from './facade.js'

/** Registers the hooks; the getters give the running vendor and facade inside the tests. */
export function vendorAndFacade<V extends { url: string; close(): Promise<void> }>(
  start: () => Promise<V>,
  server: Record<string, unknown> = {},
): { vendor: () => V; facade: () => TestFacade } {
  let vendor: V | undefined
  let facade: TestFacade | undefined
  beforeAll(async () => {
    vendor = await start()
    facade = await startTestFacade({ default: { url: vendor.url, ...server } })
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })
  return { vendor: () => vendor!, facade: () => facade! }
}
