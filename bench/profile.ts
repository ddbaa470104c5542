/**
 * @module bench/profile
 * Drives ONE caller at a fixed concurrency for a few seconds, so a CPU profile of the main thread shows that
 * caller's cost only (the vendor stays on its worker thread and out of the main thread's profile).
 *
 * @example
 * node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts facade 32 4000
 * node --import tsx bench/profile.ts direct 1 3000
 */
import { createPoster } from './http-client.js'
import { runLoad, summarize } from './load.js'
import { directTarget, facadeTarget, floorTarget, naiveTarget, startVendor, type Target } from './targets.js'

const modes = ['direct', 'facade', 'naive', 'floor'] as const
const mode = (process.argv[2] ?? 'facade') as (typeof modes)[number]
const concurrency = Math.min(256, Math.max(1, Number(process.argv[3] ?? 32)))
const ms = Math.min(30_000, Math.max(500, Number(process.argv[4] ?? 4000)))
if (!modes.includes(mode)) throw new Error(`usage: profile.ts ${modes.join('|')} [concurrency] [ms]`)

const watchdog = setTimeout(() => process.exit(2), ms + 30_000)
watchdog.unref()

const vendor = await startVendor(process.env.BENCH_VENDOR_RESPONSE === 'sse' ? 'sse' : 'json', 'worker')
const poster = createPoster(process.env.BENCH_HTTP === 'fetch' ? 'fetch' : 'node-http', 64)
const target: Target =
  mode === 'direct'
    ? await directTarget(vendor.url)
    : mode === 'facade'
      ? await facadeTarget(vendor.url, poster)
      : mode === 'naive'
        ? await naiveTarget(vendor.url, poster)
        : await floorTarget(poster)
try {
  const warm = await runLoad(target.call, { concurrency, maxCalls: 500, maxMs: 2000 })
  const cpu0 = process.cpuUsage()
  const r = summarize([await runLoad(target.call, { concurrency, maxCalls: 1_000_000, maxMs: ms }, 1_000_000)])
  const cpu = process.cpuUsage(cpu0)
  console.log(
    `${mode} c=${concurrency}: ${warm.latencies.length} warm-up + ${r.ok} ok, ${r.errors} errors, ${Math.round(r.throughput)} calls/s, p50 ${r.p50.toFixed(2)} ms, ` +
      `p99 ${r.p99.toFixed(2)} ms, process CPU ${((cpu.user + cpu.system) / 1000 / r.ok).toFixed(3)} ms/call${r.firstError ? `, first error: ${r.firstError}` : ''}`,
  )
} finally {
  await target.close()
  poster.close()
  await vendor.close()
}
