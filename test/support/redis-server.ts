/**
 * @module test/support/redis-server
 * A redis-server of the test's own on a free loopback port, for tests that kill (SIGKILL), stall (SIGSTOP /
 * SIGCONT) and restart the store. Append-only with fsync on every write, so a restart after SIGKILL comes back
 * with the records written before it (as a managed Redis with persistence would).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closedPort } from './ports.js'

/** A redis-server child process and its controls. */
export interface OwnRedis {
  url: string
  port: number
  /** SIGKILL: the connection drops at once, nothing answers. */
  kill(): Promise<void>
  /** SIGSTOP: the socket stays open, nothing answers (a stalled Redis). */
  stall(): void
  /** SIGCONT after {@link OwnRedis.stall}. */
  resume(): void
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>
  /** Stops it for good and removes its data. */
  close(): Promise<void>
}

/** Starts a redis-server on 127.0.0.1 and resolves once it accepts connections. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await closedPort()
  const dir = mkdtempSync(join(tmpdir(), 'mrf-redis-'))
  let child: ChildProcess | undefined

  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--loglevel', 'warning']
      const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      child = proc
      let out = ''
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000)
      proc.once('error', reject)
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)))
      // Ready when it accepts a TCP connection (its log at warning level says nothing).
      const probe = async () => {
        const { createConnection } = await import('node:net')
        for (;;) {
          const ok = await new Promise<boolean>((r) => {
            const s = createConnection({ port, host: '127.0.0.1' }, () => (s.end(), r(true)))
            s.once('error', () => r(false))
          })
          if (ok) break
          await new Promise((r) => setTimeout(r, 20))
        }
        clearTimeout(timer)
        resolve()
      }
      proc.stdout!.on('data', (d) => (out += d))
      proc.stderr!.on('data', (d) => (out += d))
      void probe()
    })

  const stop = async () => {
    const proc = child
    child = undefined
    if (!proc || proc.exitCode !== null) return
    proc.removeAllListeners('exit')
    const exited = new Promise((r) => proc.once('exit', r))
    proc.kill('SIGCONT')
    proc.kill('SIGKILL')
    await exited
  }

  await launch()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: stop,
    stall: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    restart: launch,
    async close() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
