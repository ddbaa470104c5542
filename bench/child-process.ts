/**
 * @module bench/child-process
 * The parts of a bench that run in processes of their own (facades, the fixture vendor): started with
 * `node --import tsx <script>`, their first stdout line (a URL) awaited within a bound, stopped with `close` on
 * stdin (SIGKILL if they do not exit in time), and their CPU time read from /proc from outside.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** A started child: its process and the first line it printed. */
export interface BenchChild {
  child: ChildProcess
  pid: number
  firstLine: string
  /** Writes `close`, waits up to `ms` for the exit, then kills. */
  stop(ms?: number): Promise<void>
}

const root = fileURLToPath(new URL('..', import.meta.url))

/** Spawns `node --import tsx <script> ...args` in the repo root and waits (at most `startMs`) for its first stdout line. */
export async function startTsChild(script: string, args: string[], startMs = 30_000): Promise<BenchChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let timer: NodeJS.Timeout | undefined
  try {
    const first = createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()
    const failed = exited.then(() => Promise.reject(new Error(`${script} exited before printing its URL`)))
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${script} printed nothing within ${startMs} ms`)), startMs)))
    const line = (await Promise.race([first, failed, late])) as IteratorResult<string>
    if (line.done) throw new Error(`${script} closed its stdout before printing its URL`)
    return {
      child,
      pid: child.pid!,
      firstLine: line.value,
      async stop(ms = 15_000) {
        if (child.exitCode !== null || child.signalCode !== null) return
        child.stdin!.write('close\n')
        let killTimer: NodeJS.Timeout | undefined
        await Promise.race([exited, new Promise<void>((resolve) => (killTimer = setTimeout(resolve, ms)))])
        clearTimeout(killTimer)
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL')
          await exited
        }
      },
    }
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  } finally {
    clearTimeout(timer)
  }
}

/**
 * CPU time of a process, ns: the sum over its threads (main, libuv pool, V8 platform) of Linux schedstat's
 * on-CPU time, which is exact (/proc/PID/stat's utime+stime move in 10 ms ticks, too coarse for a slice of a few
 * hundred ms). A thread that ends between two reads takes its time with it; a facade's threads live as long as it
 * does. NaN where there is no /proc.
 */
export function processCpuNs(pid: number): number {
  try {
    let ns = 0
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return ns
  } catch {
    return Number.NaN
  }
}
