/**
 * @module bench/run
 * `npm run bench`: how much the facade costs compared to talking MCP directly, and how much it saves compared
 * to a naive per-request proxy. Loopback only; every phase is bounded in calls and in time.
 *
 * Layout: the fixture vendor runs on a worker thread (it stands in for a remote service); the load generator,
 * the facade and the naive proxy share the main thread, exactly as the facade would share a core with nothing
 * else in production minus the caller. On a 2-core machine that gives the vendor one core and the measured side
 * the other.
 *
 * Options (environment): BENCH_VENDOR_RESPONSE=sse|json, BENCH_HTTP=node-http|fetch, BENCH_VENDOR_THREAD=worker|inline,
 * BENCH_C1_CALLS, BENCH_C32_CALLS, BENCH_C32_MS. Flags: `--probe` compares vendor response modes and HTTP clients
 * instead; `--strict` exits 1 when a target fails.
 */
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import { performance, type EventLoopUtilization } from 'node:perf_hooks'
import { createPoster, type HttpClientKind } from './http-client.js'
import { runLoad, type LoadResult } from './load.js'
import { directTarget, facadeTarget, naiveTarget, startVendor, type Mode, type Target, type VendorResponse, type VendorThread } from './targets.js'
/** Hard stop: a wedged run must never hang a terminal or a CI job. */
const WATCHDOG_MS = 120_000

function envChoice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = process.env[name]
  if (value === undefined || value === '') return fallback
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new Error(`${name} must be one of ${allowed.join(', ')}`)
}

function envInt(name: string, fallback: number, max: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
  return Math.min(value, max)
}

/** Settings of one run. Defaults were chosen with `--probe` (see bench/README.md). */
const settings = {
  vendorResponse: envChoice<VendorResponse>('BENCH_VENDOR_RESPONSE', ['sse', 'json'], 'json'),
  http: envChoice<HttpClientKind>('BENCH_HTTP', ['node-http', 'fetch'], 'node-http'),
  vendorThread: envChoice<VendorThread>('BENCH_VENDOR_THREAD', ['worker', 'inline'], 'worker'),
  warmupCalls: 50,
  c1Calls: envInt('BENCH_C1_CALLS', 300, 5000),
  c1MaxMs: 10_000,
  concurrency: 32,
  c32Calls: envInt('BENCH_C32_CALLS', 3000, 100_000),
  c32MaxMs: envInt('BENCH_C32_MS', 5000, 15_000),
  c32WarmupCalls: 320,
  c32WarmupMs: 1000,
}

const targets = { latencyFacadeOverDirect: 1.5, throughputFacadeOverDirect: 0.6, throughputFacadeOverNaive: 3 }

// ---------------------------------------------------------------------------------------------------------------
// Measuring

interface ModeResult {
  c1: PhaseResult
  c32: PhaseResult
}

/** A load phase plus how busy each thread was: a thread near 1.0 is the bottleneck. */
interface PhaseResult extends LoadResult {
  /** Event-loop utilization (0..1) of the main thread: load generator + facade or proxy. */
  mainElu: number
  /** Event-loop utilization of the vendor thread (NaN when the vendor runs inline). */
  vendorElu: number
  /**
   * Process CPU time (all threads: client, facade, vendor, GC) per successful call, ms. Less sensitive to other
   * load on the machine than latency or throughput; the facade's cost is its value minus direct's.
   */
  cpuMsPerCall: number
  /** Process CPU time over wall time: how many cores the phase actually got (2 at most here). */
  cores: number
}

let seq = 0
let vendorElu: (() => EventLoopUtilization) | undefined
/** Runs a phase with a fresh range of sequence numbers. */
async function phase(target: Target, concurrency: number, maxCalls: number, maxMs: number): Promise<PhaseResult> {
  const main0 = performance.eventLoopUtilization()
  const vendor0 = vendorElu?.()
  const cpu0 = process.cpuUsage()
  const result = await runLoad(target.call, { concurrency, maxCalls, maxMs }, seq)
  const cpu = process.cpuUsage(cpu0)
  const mainElu = performance.eventLoopUtilization(main0).utilization
  const vendor1 = vendorElu?.()
  seq += result.ok + result.errors
  const cpuMs = (cpu.user + cpu.system) / 1000
  return {
    ...result,
    mainElu,
    vendorElu: vendor0 && vendor1 ? (vendor1.active - vendor0.active) / (vendor1.idle + vendor1.active - vendor0.idle - vendor0.active) : Number.NaN,
    cpuMsPerCall: result.ok ? cpuMs / result.ok : Number.NaN,
    cores: result.elapsedMs > 0 ? cpuMs / result.elapsedMs : Number.NaN,
  }
}

async function measure(target: Target): Promise<ModeResult> {
  // Warm-ups: JIT, connection pools and the facade's pooled vendor session are all ready before timing starts.
  await phase(target, 1, settings.warmupCalls, settings.c1MaxMs)
  const c1 = await phase(target, 1, settings.c1Calls, settings.c1MaxMs)
  await phase(target, settings.concurrency, settings.c32WarmupCalls, settings.c32WarmupMs)
  const c32 = await phase(target, settings.concurrency, settings.c32Calls, settings.c32MaxMs)
  return { c1, c32 }
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a')
const pct = (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : 'n/a')
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toString() : 'n/a')

function table(results: Record<Mode, ModeResult>): string {
  const rows = [
    '| client | p50 c=1 (ms) | p99 c=1 (ms) | calls/s c=32 | p50 c=32 (ms) | p99 c=32 (ms) | calls c=1 / c=32 | CPU ms/call c=32 | cores used c=32 | busy c=32 main / vendor | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  const label: Record<Mode, string> = { direct: '(a) direct SDK client', facade: '(b) facade', naive: '(c) naive proxy' }
  for (const mode of ['direct', 'facade', 'naive'] as const) {
    const { c1, c32 } = results[mode]
    rows.push(
      `| ${label[mode]} | ${f1(c1.p50)} | ${f1(c1.p99)} | ${f0(c32.throughput)} | ${f1(c32.p50)} | ${f1(c32.p99)} | ${c1.ok} / ${c32.ok}${c32.timeBound ? ' (time cap)' : ''} | ${f1(c32.cpuMsPerCall)} | ${c32.cores.toFixed(2)} | ${pct(c32.mainElu)} / ${pct(c32.vendorElu)} | ${c1.errors + c32.errors} |`,
    )
  }
  return rows.join('\n')
}

function machine() {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    model: cpus[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    totalMemMb: Math.round(os.totalmem() / 1048576),
    loadavg: os.loadavg().map((n) => Number(n.toFixed(2))),
  }
}

async function main() {
  const startedAt = Date.now()
  const strict = process.argv.includes('--strict')
  const vendor = await startVendor(settings.vendorResponse, settings.vendorThread)
  vendorElu = vendor.elu
  const poster = createPoster(settings.http, settings.concurrency * 2)
  const open: Target[] = []
  try {
    const results = {} as Record<Mode, ModeResult>
    for (const make of [() => directTarget(vendor.url), () => facadeTarget(vendor.url, poster), () => naiveTarget(vendor.url, poster)]) {
      const target = await make()
      open.push(target)
      results[target.mode] = await measure(target)
      process.stderr.write(`  measured ${target.mode}\n`)
    }
    const ratios = {
      latencyFacadeOverDirect: results.facade.c1.p50 / results.direct.c1.p50,
      throughputFacadeOverDirect: results.facade.c32.throughput / results.direct.c32.throughput,
      throughputFacadeOverNaive: results.facade.c32.throughput / results.naive.c32.throughput,
    }
    const verdicts = {
      latencyFacadeOverDirect: ratios.latencyFacadeOverDirect <= targets.latencyFacadeOverDirect,
      throughputFacadeOverDirect: ratios.throughputFacadeOverDirect >= targets.throughputFacadeOverDirect,
      throughputFacadeOverNaive: ratios.throughputFacadeOverNaive >= targets.throughputFacadeOverNaive,
    }
    const errors = Object.values(results).reduce((n, r) => n + r.c1.errors + r.c32.errors, 0)
    const vendorStats = await vendor.stats()
    const m = machine()

    const pf = (ok: boolean) => (ok ? 'PASS' : 'FAIL')
    const out = [
      '',
      `## mcp-rest-facade bench (${new Date(startedAt).toISOString()})`,
      '',
      `Machine: ${m.cpus} × ${m.model}, ${m.platform}, Node ${m.node}, load ${m.loadavg.join(' ')}. Vendor: sessionful fixture, ${settings.vendorResponse === 'json' ? 'JSON responses (enableJsonResponse: true)' : 'SSE responses'}, on a ${settings.vendorThread === 'worker' ? 'worker thread' : 'main thread (inline)'}. HTTP client for (b)/(c): ${settings.http}, keep-alive.`,
      `c=1: ${settings.warmupCalls} warm-up + ${settings.c1Calls} sequential calls. c=${settings.concurrency}: ${settings.c32WarmupCalls} warm-up, then up to ${settings.c32Calls} calls or ${settings.c32MaxMs / 1000} s.`,
      '',
      table(results),
      '',
      '| ratio | value | target | verdict |',
      '|---|---:|---:|---|',
      `| p50 facade / direct, c=1 | ${ratios.latencyFacadeOverDirect.toFixed(2)} | <= ${targets.latencyFacadeOverDirect} | ${pf(verdicts.latencyFacadeOverDirect)} |`,
      `| throughput facade / direct, c=${settings.concurrency} | ${ratios.throughputFacadeOverDirect.toFixed(2)} | >= ${targets.throughputFacadeOverDirect} | ${pf(verdicts.throughputFacadeOverDirect)} |`,
      `| throughput facade / naive, c=${settings.concurrency} | ${ratios.throughputFacadeOverNaive.toFixed(2)} | >= ${targets.throughputFacadeOverNaive} | ${pf(verdicts.throughputFacadeOverNaive)} |`,
      '',
      `Vendor saw ${vendorStats.initializes} initializes and ${vendorStats.echoes} echo executions; ${errors} failed calls. Total ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`,
    ]
    if (errors) for (const [mode, r] of Object.entries(results)) for (const l of [r.c1, r.c32]) if (l.firstError) out.push(`first ${mode} error (c=${l.concurrency}): ${l.firstError}`)
    console.log(out.join('\n'))

    const json = {
      startedAt: new Date(startedAt).toISOString(),
      durationMs: Date.now() - startedAt,
      machine: m,
      settings,
      targets,
      results,
      ratios,
      verdicts,
      pass: Object.values(verdicts).every(Boolean) && errors === 0,
      vendor: vendorStats,
    }
    writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify(json, null, 2) + '\n')
    if (errors) process.exitCode = 1
    else if (strict && !json.pass) process.exitCode = 1
  } finally {
    for (const t of open.reverse()) await t.close().catch(() => undefined)
    poster.close()
    await vendor.close()
  }
}

/**
 * `--probe`: picks the vendor response mode and the HTTP client. Short runs of direct and facade against both
 * vendor modes, with both HTTP clients; prints throughput and p50 so the defaults above can be justified.
 */
async function probe() {
  const rows = ['| vendor | caller | p50 c=1 (ms) | calls/s c=32 | CPU ms/call c=32 | busy c=32 main / vendor |', '|---|---|---:|---:|---:|---:|']
  for (const response of ['sse', 'json'] as const) {
    const vendor = await startVendor(response, settings.vendorThread)
    vendorElu = vendor.elu
    try {
      const quick = async (label: string, target: Target) => {
        await phase(target, 1, 100, 5000)
        const c1 = await phase(target, 1, 300, 5000)
        await phase(target, settings.concurrency, 320, 1000)
        const c32 = await phase(target, settings.concurrency, 3000, 2000)
        rows.push(`| ${response} | ${label} | ${f1(c1.p50)} | ${f0(c32.throughput)} | ${f1(c32.cpuMsPerCall)} | ${pct(c32.mainElu)} / ${pct(c32.vendorElu)} |`)
      }
      const direct = await directTarget(vendor.url)
      await quick('direct', direct)
      await direct.close()
      for (const kind of ['node-http', 'fetch'] as const) {
        const poster = createPoster(kind, settings.concurrency * 2)
        const facade = await facadeTarget(vendor.url, poster)
        await quick(`facade via ${kind}`, facade)
        await facade.close()
        poster.close()
      }
    } finally {
      await vendor.close()
    }
  }
  console.log(rows.join('\n'))
}

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s, giving up`)
  process.exit(2)
}, WATCHDOG_MS)
watchdog.unref()

try {
  await (process.argv.includes('--probe') ? probe() : main())
} catch (error) {
  console.error('bench failed:', error)
  process.exitCode = 1
}
