/**
 * A sessionful fixture vendor fronted twice for a whole test file: by a single-server facade (routes at the root)
 * and by a two-server one (`/crm/…`, `/billing/…`). Registers its own beforeAll/afterAll.
 */
import { afterAll, beforeAll } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { startTestFacade, type TestFacade } from './facade.js'

/** The running pieces, readable once beforeAll has run. */
export interface SingleAndSeveral {
  vendor: SessionfulVendor
  single: TestFacade
  several: TestFacade
}

/** Starts the vendor and both facades before the file's tests and closes them after. */
export function singleAndSeveral(): SingleAndSeveral {
  const running = {} as SingleAndSeveral
  beforeAll(async () => {
    running.vendor = await startSessionfulVendor()
    running.single = await startTestFacade({ default: { url: running.vendor.url } })
    running.several = await startTestFacade({ crm: { url: running.vendor.url }, billing: { url: running.vendor.url } })
  })
  afterAll(async () => {
    await running.single?.close()
    await running.several?.close()
    await running.vendor?.close()
  })
  return running
}
