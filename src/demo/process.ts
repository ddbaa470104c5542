/**
 * @module demo/process
 * Starts the demo vendor (`demo/main`) as a child process for `npm start` without an upstream, the way a real
 * vendor runs: in a process of its own. The facade process then holds only what it holds in production (the
 * server SDK, the demo's tools and sessions stay out of its memory and off its event loop), and both load their
 * code in parallel on a multi-core machine.
 *
 * The child exits with its parent: it watches its stdin, which closes when this process ends in any way
 * (SIGKILL included), so no demo vendor is ever left behind.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** A running demo vendor process. */
export interface DemoVendorProcess {
  /** Its MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  url: string
  /**
   * Settles when the process has ended, how it ended: by {@link close}, or on its own (it prints its URL before
   * its code loads, so a failure to load shows here, after the URL, with its message on stderr).
   */
  exited: Promise<string>
  /** Stops it (SIGTERM; SIGKILL after 5 s). */
  close(): Promise<void>
}

/**
 * Spawns the demo vendor on a free loopback port and resolves once it listens.
 * @param entry the vendor's entry file: `dist/demo-vendor.js`, or `src/demo/main.ts` under tsx (the child then
 *   gets this process's loader flags)
 */
export function startDemoVendorProcess(entry: URL, timeoutMs = 30_000): Promise<DemoVendorProcess> {
  const file = fileURLToPath(entry)
  const loader = file.endsWith('.ts') ? process.execArgv : []
  const child = spawn(process.execPath, [...loader, file, '--port', '0', '--host', '127.0.0.1', '--exit-with-parent'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`)))
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void close()
      reject(new Error(`the demo vendor did not start within ${timeoutMs} ms`))
    }, timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`the demo vendor could not be started: ${error.message}`))
    })
    const earlyExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      reject(new Error(`the demo vendor exited before listening (${signal ?? `exit code ${code}`})`))
    }
    child.once('exit', earlyExit)
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1]
      if (!url) return
      clearTimeout(timer)
      child.off('exit', earlyExit)
      resolve({ url, exited, close }) // later lines are read and dropped, so the pipe never fills
    })
  })
}
