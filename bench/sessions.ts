/**
 * @module bench/sessions
 * `npm run bench:sessions`: what idle caller sessions cost the facade, and whether shutdown ends them all.
 *
 * For each count (default 1,000 and 10,000): starts the vendor (bench/vendor-process.ts) and the built facade
 * (`node dist/cli.js`) as separate processes on 127.0.0.1, opens N caller sessions (`POST /sessions`, each a real
 * vendor `initialize`) and calls `echo` once in each, waits until the facade released the idle connections,
 * then reads the facade's RSS (/proc/PID/status) and its V8 heap (used after the last GC, and committed, from its
 * own /metrics: RSS follows the committed heap, whose slack depends on when V8 last collected and chose to grow,
 * so the used figure is the one that tells what sessions hold), and counts its TCP sockets to the vendor
 * (/proc/PID/fd against /proc/net/tcp). Then SIGTERM: time to exit, exit code, and how many DELETEs the vendor received.
 * Bounded: at most 10,000 sessions per count, 32 callers at once, a watchdog per phase. Loopback only.
 * Options (environment): BENCH_SESSIONS=1000,10000 · BENCH_IDLE_MS (facade connectionIdleMs, default 2000).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, readdirSync, readlinkSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Agent, request } from 'undici'
import { rssMb } from './proc-stats.js'

const counts = (process.env.BENCH_SESSIONS ?? '1000,10000').split(',').map((n) => Math.min(10_000, Math.max(1, Number(n))))
const idleMs = Number(process.env.BENCH_IDLE_MS ?? 2000)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function lines(child: ChildProcess): AsyncIterator<string> {
  return createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
}

async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

/** TCP sockets the process holds whose remote port is the vendor's (established or closing). */
function socketsTo(pid: number, port: number): number {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1]!)
    } catch {
      // fd closed meanwhile
    }
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  let n = 0
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const row of text.split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/)
      if (cols.length > 9 && cols[2]!.endsWith(':' + hexPort) && inodes.has(cols[9]!)) n++
    }
  }
  return n
}

/** The facade's V8 heap from its own /metrics (prom-client's default metrics): used and committed, in MB. */
async function heapFigures(base: string): Promise<{ usedMb: number; totalMb: number }> {
  const text = await (await fetch(`${base}/metrics`)).text()
  const mb = (name: string) => +(Number(new RegExp(`^mcp_facade_nodejs_heap_size_${name}_bytes (\\S+)$`, 'm').exec(text)?.[1]) / 1048576).toFixed(1)
  return { usedMb: mb('used'), totalMb: mb('total') }
}

async function runOne(count: number) {
  const vendor = spawn(process.execPath, ['--import', 'tsx', 'bench/vendor-process.ts'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const vendorLines = lines(vendor)
  const vendorUrl = (await withTimeout('vendor start', 30_000, vendorLines.next())).value as string
  const vendorPort = Number(new URL(vendorUrl).port)
  const stats = async () => {
    vendor.stdin!.write('stats\n')
    return JSON.parse((await withTimeout('vendor stats', 10_000, vendorLines.next())).value as string) as { sessions: number; initializes: number; deletes: number }
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-sessions-'))
  const configFile = join(dir, 'facade.json')
  writeFileSync(configFile, JSON.stringify({ port: 0, logLevel: 'warn', shutdownGraceMs: 10_000, sessions: { connectionIdleMs: idleMs }, limits: { sessionsPerIdentity: 0, sessions: 0 }, servers: { default: { url: vendorUrl } } }))
  const facade = spawn(process.execPath, ['dist/cli.js', '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PORT: '0' } })
  const first = (await withTimeout('facade start', 30_000, lines(facade).next())).value as string
  const facadeUrl = /(http:\/\/[^\s]+)/.exec(first)![1]!
  const pid = facade.pid!
  await sleep(500)
  const baseline = rssMb(pid)
  const agent = new Agent({ connections: 32 })
  const ids: string[] = []
  let next = 0
  const started = Date.now()
  await withTimeout('opening sessions', 300_000, Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        next++
        const res = await request(`${facadeUrl}/sessions`, { method: 'POST', dispatcher: agent })
        const body = (await res.body.json()) as { sessionId: string }
        if (res.statusCode !== 201) throw new Error(`POST /sessions → ${res.statusCode}`)
        const call = await request(`${facadeUrl}/tools/echo`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', 'x-session-id': body.sessionId }, body: '{"message":"hi"}' })
        await call.body.text()
        if (call.statusCode !== 200) throw new Error(`echo → ${call.statusCode}`)
        ids.push(body.sessionId)
      }
    }),
  ))
  const openMs = Date.now() - started
  await agent.close()
  const busySockets = socketsTo(pid, vendorPort)
  const busyRss = rssMb(pid)
  await sleep(idleMs + 3000)
  const idleRss = rssMb(pid)
  const idleSockets = socketsTo(pid, vendorPort)
  // The V8 heap behind the RSS: live objects after the last GC, and what V8 keeps committed (the rest is slack).
  const heap = await heapFigures(facadeUrl)
  const before = await stats()
  const stopAt = Date.now()
  facade.kill('SIGTERM')
  const code = await withTimeout('facade exit', 60_000, new Promise<number | null>((r) => facade.once('exit', (c) => r(c))))
  const exitMs = Date.now() - stopAt
  const after = await stats()
  vendor.stdin!.write('close\n')
  await new Promise((r) => vendor.once('exit', r))
  const deletes = after.deletes - before.deletes
  return {
    sessions: count,
    openSeconds: +(openMs / 1000).toFixed(1),
    baselineRssMb: +baseline.toFixed(1),
    busyRssMb: +busyRss.toFixed(1),
    idleRssMb: +idleRss.toFixed(1),
    kbPerIdleSession: +(((idleRss - baseline) * 1024) / count).toFixed(1),
    heapUsedMb: heap.usedMb,
    heapTotalMb: heap.totalMb,
    socketsWhileBusy: busySockets,
    socketsWhenIdle: idleSockets,
    shutdownMs: exitMs,
    exitCode: code,
    deletesReceived: deletes,
    deletesExpected: count + 1,
    deletedShare: +((deletes / (count + 1)) * 100).toFixed(2),
  }
}

const results = []
for (const count of counts) {
  const r = await runOne(count)
  results.push(r)
  console.log(JSON.stringify(r))
}
console.log('\n| sessions | RSS idle (MB) | KB per idle session | V8 heap used / committed (MB) | sockets to vendor (busy / idle) | shutdown ms | exit | DELETEs received |')
console.log('|---|---|---|---|---|---|---|---|')
for (const r of results)
  console.log(`| ${r.sessions} | ${r.idleRssMb} (baseline ${r.baselineRssMb}) | ${r.kbPerIdleSession} | ${r.heapUsedMb} / ${r.heapTotalMb} | ${r.socketsWhileBusy} / ${r.socketsWhenIdle} | ${r.shutdownMs} | ${r.exitCode} | ${r.deletesReceived} of ${r.deletesExpected} (${r.deletedShare} %) |`)
writeFileSync('bench/sessions-results.json', JSON.stringify(results, null, 2) + '\n')
