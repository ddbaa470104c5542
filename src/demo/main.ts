/**
 * @module demo/main
 * The demo vendor as a process of its own: `node dist/demo-vendor.js [--port N] [--host H]` after a build, or
 * `tsx src/demo/main.ts` (also `DEMO_VENDOR_PORT` / `DEMO_VENDOR_HOST`). Prints its URL and runs until SIGINT or
 * SIGTERM, or (with `--exit-with-parent`, as the facade starts it) until its stdin closes. A separate entry, not
 * a "this file is main" check inside the vendor module, because a bundle puts the vendor module into a chunk
 * where no such check can tell.
 */
import { startDemoVendor } from './vendor.js'

const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

try {
  const portText = flag('port') ?? process.env.DEMO_VENDOR_PORT ?? '0'
  const port = Number(portText)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${portText}`)
  const vendor = await startDemoVendor({ port, host: flag('host') ?? process.env.DEMO_VENDOR_HOST })
  process.stdout.write(`Demo MCP vendor listening on ${vendor.url}\n`)
  const stop = () => void vendor.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  // The parent holds the other end of stdin: it closes when the parent ends, however it ends.
  if (process.argv.includes('--exit-with-parent')) process.stdin.once('end', stop).once('error', stop).resume()
} catch (error) {
  process.stderr.write(`demo vendor failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
}
