/**
 * @module bench/vendor-worker
 * Runs the sessionful fixture vendor on its own thread. The vendor stands in for a remote service, so it must
 * not share an event loop with the client or the facade: otherwise every mode would pay for the vendor's CPU on
 * the thread being measured, and the facade would look like it competes with its own upstream.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { startSessionfulVendor } from '../test/fixtures/sessionful-vendor.js'
import type { FixtureTls } from '../test/fixtures/http.js'

/** Data the main thread passes to the worker. */
export interface VendorWorkerData {
  enableJsonResponse: boolean
  /** `echo` answers after this many ms (bench/concurrency); 0 = at once. */
  echoDelayMs?: number
  /** Serve over TLS, with HTTP/2 by ALPN when `tls.http2` (bench/concurrency `--vendor-h2`). */
  tls?: FixtureTls
}

/** Messages the worker posts to the main thread. */
export type VendorWorkerMessage =
  | { kind: 'ready'; url: string }
  | { kind: 'closed' }
  | { kind: 'stats'; sessions: number; initializes: number; echoes: number; connections: { opened: number; open: number; peak: number } }

const port = parentPort
if (!port) throw new Error('bench/vendor-worker.ts must run as a worker thread')

const { enableJsonResponse, echoDelayMs, tls } = workerData as VendorWorkerData
const vendor = await startSessionfulVendor({ enableJsonResponse, echoDelayMs, tls })

port.on('message', (message: { kind: 'close' | 'stats' | 'resetPeak' }) => {
  if (message.kind === 'stats' || message.kind === 'resetPeak') {
    // The stats as they were, then (resetPeak) a new peak of open connections from now.
    const stats: VendorWorkerMessage = { kind: 'stats', sessions: vendor.sessionCount(), initializes: vendor.initializeCount(), echoes: vendor.executions('echo'), connections: vendor.connections() }
    if (message.kind === 'resetPeak') vendor.resetPeak()
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
