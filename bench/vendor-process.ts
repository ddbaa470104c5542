/**
 * @module bench/vendor-process
 * The sessionful fixture vendor in a process of its own, so the facade's memory and sockets can be read apart
 * from it. Prints its URL as the first stdout line; answers `stats` on stdin with one JSON line. Closes on `close`
 * on stdin, and also when stdin ends, so a bench that dies cannot leave it running.
 */
import { createInterface } from 'node:readline'
import { startSessionfulVendor } from '../test/fixtures/sessionful-vendor.js'

const vendor = await startSessionfulVendor({ enableJsonResponse: true })
process.stdout.write(vendor.url + '\n')
let closing = false
const close = () => {
  if (closing) return
  closing = true
  void vendor.close().then(() => process.exit(0))
}
createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === 'stats') {
      const stats = { sessions: vendor.sessionCount(), initializes: vendor.initializeCount(), deletes: vendor.requests().filter((r) => r.method === 'DELETE').length, echoes: vendor.executions('echo') }
      process.stdout.write(JSON.stringify(stats) + '\n')
    } else if (line.trim() === 'close') close()
  })
  .on('close', close)
