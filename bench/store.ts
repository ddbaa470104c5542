/**
 * @module bench/store
 * `npm run bench -- --store redis`: what the shared session store costs a session-bound call (issue 20, item 2).
 *
 * Three facades in this process call the same fixture vendor (on its worker thread), identical but for the store:
 * memory; Redis as it was before the cache (`sessions.redisCache: false`: a GET before and a SET after every
 * call); Redis with the per-replica cache (the default). Each has 32 caller sessions (`POST /sessions`) and
 * every call is `POST /tools/echo?sessionId=…`, rotating over them. Measured in interleaved rounds like the main
 * bench (c=1 p50, c=32 throughput), answers checked; the Redis ones are printed as ratios to memory in the same
 * run: of the totals, and the median of the per-round ratios (each round's slices ran back to back, so a burst of
 * other work on the machine hits a pair alike; the targets are judged on these). Redis: `BENCH_REDIS_URL` (default redis://127.0.0.1:6379), keys under a prefix of the run's own, deleted at
 * the end. Writes `bench/store-results.json`.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { Redis } from 'ioredis'
import { ConfigSchema } from '../src/config/schema.js'
import { createLogger } from '../src/log.js'
import { startFacade, type RunningFacade } from '../src/server.js'
import { createPoster, type JsonPoster } from './http-client.js'
import { runLoad, summarize, type Slice } from './load.js'
import { restCall } from './rest-call.js'
import { startVendor } from './targets.js'

/** The stores compared. */
type StoreKind = 'memory' | 'redis-uncached' | 'redis'

const labels: Record<StoreKind, string> = {
  memory: 'memory store',
  'redis-uncached': 'Redis, no cache (as before: GET + SET per call)',
  redis: 'Redis with the per-replica cache',
}

const SESSIONS = 32
const settings = { rounds: 10, c1Calls: 1000, c1MaxMs: 6000, c32Calls: 4000, c32MaxMs: 6000, warmupCalls: 200 }

interface StoreTarget {
  kind: StoreKind
  facade: RunningFacade
  call: (seq: number) => Promise<void>
}

/** Starts a facade on `kind`'s store with {@link SESSIONS} caller sessions, and its session-bound echo call. */
async function storeTarget(kind: StoreKind, vendorUrl: string, redisUrl: string, prefix: string, poster: JsonPoster): Promise<StoreTarget> {
  const sessions = kind === 'memory' ? { store: 'memory' } : { store: 'redis', redisUrl, redisKeyPrefix: `${prefix}${kind}:`, redisCache: kind === 'redis' }
  const config = ConfigSchema.parse({ port: 0, host: '127.0.0.1', logLevel: 'silent', shutdownGraceMs: 1000, sessions, servers: { default: { url: vendorUrl } } })
  const facade = await startFacade(config, createLogger('silent'))
  const calls: Array<(seq: number) => Promise<void>> = []
  for (let i = 0; i < SESSIONS; i++) {
    const { status, json } = await poster.post(`${facade.url}/sessions`, {}, 10_000)
    const sessionId = (json as { sessionId?: string }).sessionId
    if (status !== 201 || !sessionId) throw new Error(`${kind}: POST /sessions answered ${status}`)
    calls.push(restCall(poster, { name: kind, url: `${facade.url}/tools/echo?sessionId=${encodeURIComponent(sessionId)}`, field: 'data' }))
  }
  return { kind, facade, call: (seq) => calls[seq % SESSIONS]!(seq) }
}

/** Deletes every key under `prefix` (the run's own). */
async function cleanUp(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true })
  await redis.connect()
  let deleted = 0
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length) deleted += await redis.del(...keys)
  } while (cursor !== '0')
  await redis.quit()
  return deleted
}

/**
 * CPU time of this thread (callers + facade + Redis client; the vendor has its own), ns, from Linux schedstat
 * (exact, unlike the 10 ms ticks of /proc/…/stat); NaN elsewhere. At c=32 this thread is the bottleneck, so its CPU
 * per call is what throughput follows, and it barely depends on what else the machine runs.
 */
function threadCpuNs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0])
  } catch {
    return Number.NaN
  }
}

const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a')

/** Runs the scenario and prints its table; exits 1 when a call failed. */
export async function storeBench(): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const prefix = `bench-store-${process.pid}-${randomBytes(4).toString('hex')}:`
  const loadBefore = os.loadavg()[0]!
  const vendor = await startVendor('json', 'worker')
  const poster = createPoster('node-http', 64)
  const targets: StoreTarget[] = []
  try {
    for (const kind of ['memory', 'redis-uncached', 'redis'] as const) targets.push(await storeTarget(kind, vendor.url, redisUrl, prefix, poster))
    for (const t of targets) {
      await runLoad(t.call, { concurrency: 1, maxCalls: settings.warmupCalls, maxMs: 2000 })
      await runLoad(t.call, { concurrency: 32, maxCalls: settings.warmupCalls * 2, maxMs: 2000 })
    }
    const slices = new Map(targets.map((t) => [t.kind, { c1: [] as Slice[], c32: [] as Slice[], cpuNs: 0, cpuPerCallC32: [] as number[] }]))
    let seq = 0
    const rotated = (r: number) => targets.map((_, i) => targets[(i + r) % targets.length]!)
    for (const [phase, concurrency, calls, maxMs] of [['c1', 1, settings.c1Calls, settings.c1MaxMs], ['c32', 32, settings.c32Calls, settings.c32MaxMs]] as const)
      for (let r = 0; r < settings.rounds; r++)
        for (const t of rotated(r)) {
          const cpu0 = threadCpuNs()
          const slice = await runLoad(t.call, { concurrency, maxCalls: Math.floor(calls / settings.rounds), maxMs: maxMs / settings.rounds }, seq)
          const s = slices.get(t.kind)!
          if (phase === 'c32') {
            const ns = threadCpuNs() - cpu0
            s.cpuNs += ns
            s.cpuPerCallC32.push(ns / Math.max(1, slice.latencies.length))
          }
          seq += slice.latencies.length + slice.errors
          s[phase].push(slice)
        }
    const results = Object.fromEntries(
      [...slices].map(([kind, s]) => {
        const c32 = summarize(s.c32)
        return [kind, { c1: summarize(s.c1), c32, cpuUsPerCallC32: s.cpuNs / 1000 / c32.ok }]
      }),
    ) as Record<StoreKind, { c1: ReturnType<typeof summarize>; c32: ReturnType<typeof summarize>; cpuUsPerCallC32: number }>
    // Per round, each store's slice ran right after the others': the median of those paired ratios is far less
    // sensitive to a burst of other work on a shared machine than the ratio of the totals (both are printed).
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const paired = (kind: StoreKind, phase: 'c1' | 'c32', of: (s: Slice) => number) => median(slices.get(kind)![phase].map((s, r) => of(s) / of(slices.get('memory')![phase][r]!)))
    const sliceP50 = (s: Slice) => summarize([s]).p50
    const sliceRate = (s: Slice) => summarize([s]).throughput
    const ratio = (kind: StoreKind) => ({
      p50C1: results[kind].c1.p50 / results.memory.c1.p50,
      throughputC32: results[kind].c32.throughput / results.memory.c32.throughput,
      pairedP50C1: paired(kind, 'c1', sliceP50),
      pairedThroughputC32: paired(kind, 'c32', sliceRate),
      cpuPerCallC32: results[kind].cpuUsPerCallC32 / results.memory.cpuUsPerCallC32,
      // Per round too: one burst of other work on the machine (or of garbage collection) inflates one slice's CPU.
      pairedCpuPerCallC32: median(slices.get(kind)!.cpuPerCallC32.map((ns, r) => ns / slices.get('memory')!.cpuPerCallC32[r]!)),
    })
    const ratios = { uncached: ratio('redis-uncached'), cached: ratio('redis') }
    const targetsMet = { p50C1: ratios.cached.pairedP50C1 <= 1.05, throughputC32: ratios.cached.pairedThroughputC32 >= 0.98 }
    const errors = Object.values(results).reduce((n, r) => n + r.c1.errors + r.c32.errors, 0)
    const loadAfter = os.loadavg()[0]!
    const out = [
      '',
      `## session-bound calls by store (${new Date().toISOString()}); load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
      '',
      '| store | p50 c=1 (ms) | p99 c=1 (ms) | calls/s c=32 | per-round calls/s | p50 c=32 (ms) | p50 c=1 / memory: total, median of rounds | calls/s c=32 / memory: total, median of rounds | main-thread CPU µs/call c=32 (/ memory: total, median of rounds) | errors |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...targets.map(({ kind }) => {
        const r = results[kind]
        const q = ratio(kind)
        return `| ${labels[kind]} | ${f2(r.c1.p50)} | ${f2(r.c1.p99)} | **${Math.round(r.c32.throughput)}** | ${Math.round(r.c32.throughputRange[0])}–${Math.round(r.c32.throughputRange[1])} | ${f2(r.c32.p50)} | ${f2(q.p50C1)}, ${f2(q.pairedP50C1)} | ${f2(q.throughputC32)}, ${f2(q.pairedThroughputC32)} | ${Math.round(r.cpuUsPerCallC32)} (${f2(q.cpuPerCallC32)}, ${f2(q.pairedCpuPerCallC32)}) | ${r.c1.errors + r.c32.errors} |`
      }),
      '',
      `Targets (issue 20, item 2), Redis with the cache against memory, median of the ${settings.rounds} paired rounds: p50 c=1 ${f2(ratios.cached.pairedP50C1)} (<= 1.05: ${targetsMet.p50C1 ? 'PASS' : 'FAIL'}), ` +
        `throughput c=32 ${f2(ratios.cached.pairedThroughputC32)} (>= 0.98: ${targetsMet.throughputC32 ? 'PASS' : 'FAIL'}). ${SESSIONS} sessions per store, ${errors} failed calls.`,
    ]
    for (const [kind, r] of Object.entries(results)) if (r.c1.firstError ?? r.c32.firstError) out.push(`first ${kind} error: ${r.c1.firstError ?? r.c32.firstError}`)
    console.log(out.join('\n'))
    writeFileSync(
      new URL('./store-results.json', import.meta.url),
      JSON.stringify({ date: new Date().toISOString(), loadavg: [loadBefore, loadAfter], sessions: SESSIONS, settings, results, ratios, targetsMet }, null, 2) + '\n',
    )
    if (errors) process.exitCode = 1
  } finally {
    for (const t of targets) await t.facade.close().catch(() => undefined)
    poster.close()
    await vendor.close()
    await cleanUp(redisUrl, prefix).catch((error: unknown) => console.error('bench: could not delete the run\'s Redis keys:', (error as Error).message))
  }
}
