/**
 * @module bench/store-facade-process
 * One facade of the store bench (bench/store.ts) in a process of its own, as in production: `node --import tsx
 * bench/store-facade-process.ts '<config JSON>'`. Built with src/server.ts `startFacade` from the config given
 * (validated by the real schema), so every facade of a run starts the same way and differs only in what the bench
 * put in its `sessions`. Prints its URL as the first stdout line. Closes gracefully (the Redis store flushes) on
 * `close` on stdin, and also when stdin ends, so a bench that dies cannot leave it running.
 */
import { createInterface } from 'node:readline'
import { ConfigSchema } from '../src/config/schema.js'
import { createLogger } from '../src/log.js'
import { startFacade } from '../src/server.js'

const raw = process.argv[2]
if (!raw) throw new Error('usage: bench/store-facade-process.ts <config JSON>')
const facade = await startFacade(ConfigSchema.parse(JSON.parse(raw)), createLogger('silent'))
process.stdout.write(facade.url + '\n')

let closing = false
const close = () => {
  if (closing) return
  closing = true
  // Bounded: a close that hangs must not keep the process (and the bench waiting for it) alive.
  setTimeout(() => process.exit(1), 10_000).unref()
  void facade.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === 'close') close()
  })
  .on('close', close)
