/**
 * @module bench/vendor-worker
 * Runs the sessionful fixture vendor on its own thread. The vendor stands in for a remote service, so it must
 * not share an event loop with the client or the facade: otherwise every mode would pay for the vendor's CPU on
 * the thread being measured, and the facade would look like it competes with its own upstream.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { startSessionfulVendor } from '../test/fixtures/sessionful-vendor.js'

/** Data the main thread passes to the worker. */
export interface VendorWorkerData {
  enableJsonResponse: boolean
}

/** Messages the worker posts to the main thread. */
export type VendorWorkerMessage = { kind: 'ready'; url: string } | { kind: 'closed' } | { kind: 'stats'; sessions: number; initializes: number; echoes: number }

const port = parentPort
if (!port) throw new Error('bench/vendor-worker.ts must run as a worker thread')

const { enableJsonResponse } = workerData as VendorWorkerData
const vendor = await startSessionfulVendor({ enableJsonResponse })

port.on('message', (message: { kind: 'close' | 'stats' }) => {
  if (message.kind === 'stats') {
    const stats: VendorWorkerMessage = { kind: 'stats', sessions: vendor.sessionCount(), initializes: vendor.initializeCount(), echoes: vendor.executions('echo') }
    port.postMessage(stats)
    return
  }
  void vendor.close().finally(() => {
    const closed: VendorWorkerMessage = { kind: 'closed' }
    port.postMessage(closed)
  })
})

const ready: VendorWorkerMessage = { kind: 'ready', url: vendor.url }
port.postMessage(ready)
