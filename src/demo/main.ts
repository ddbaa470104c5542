/**
 * @module demo/main
 * The demo vendor as a process of its own, to try the facade against a vendor elsewhere or another client against
 * the demo: `node dist/demo-vendor.js [--port N] [--host H]` after a build, or `tsx src/demo/main.ts` (also
 * `DEMO_VENDOR_PORT` / `DEMO_VENDOR_HOST`). Prints its URL and runs until SIGINT or SIGTERM, or (with
 * `--exit-with-parent`) until its stdin closes. A separate entry, not a "this file is main" check inside the vendor
 * module, because the build puts the vendor module into a bundle of its own (`dist/demo-app.cjs`, run with V8's
 * code cache: launch/code-cache) where no such check can tell. (`npm start` does not use it: the facade serves the
 * demo in its own process.)
 */
import { loadEntryModule } from '../launch/code-cache.js'

/** Set by scripts/build.mjs to the CommonJS bundle of ./vendor.js (beside the built entry); undefined under tsx. */
declare const FACADE_DEMO_BUNDLE: string | undefined

const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

/** ./vendor.js: from its bundle with the code cache once built, as a module under tsx. */
function loadVendor() {
  // A specifier the bundler does not follow: vendor.js must not join this entry (built, the bundle is loaded instead).
  const source = './vendor.js'
  return loadEntryModule<typeof import('./vendor.js')>(typeof FACADE_DEMO_BUNDLE === 'string' ? FACADE_DEMO_BUNDLE : undefined, import.meta.url, () => import(source))
}

const HELP = `demo MCP vendor of mcp-rest-facade: a small MCP server (Streamable HTTP and legacy HTTP+SSE) to try the facade

Usage: node dist/demo-vendor.js [--port N] [--host H] [--exit-with-parent]

  --port N              listen port (default 0: a free one)                  env DEMO_VENDOR_PORT
  --host H              listen address (default 127.0.0.1)                   env DEMO_VENDOR_HOST
  --exit-with-parent    stop when stdin closes (for a parent process that starts it)
  -h, --help            show this help

Prints "Demo MCP vendor listening on <url>" and serves until SIGINT or SIGTERM.`

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(HELP + '\n')
  process.exit(0)
}

/** Starts the vendor; an async function, as the build makes this entry a CommonJS file (no top-level await). */
async function main(): Promise<void> {
  try {
    const portText = flag('port') ?? process.env.DEMO_VENDOR_PORT ?? '0'
    const port = Number(portText)
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${portText}`)
    const host = flag('host') ?? process.env.DEMO_VENDOR_HOST ?? '127.0.0.1'
    const bundle = await loadVendor()
    const vendor = await bundle.exports.startDemoVendor({ host, port })
    process.stdout.write(`Demo MCP vendor listening on ${vendor.url}\n`)
    // The cache is written once the first sessions ran (their code is then compiled too), or at the latest on stop.
    setTimeout(() => bundle.save(), 3000).unref()
    const stop = () => {
      bundle.save()
      void vendor.close().then(() => process.exit(0))
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    // The parent holds the other end of stdin: it closes when the parent ends, however it ends.
    if (process.argv.includes('--exit-with-parent')) process.stdin.once('end', stop).once('error', stop).resume()
  } catch (error) {
    process.stderr.write(`demo vendor failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
}

void main()
