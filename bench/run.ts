/**
 * @module bench/run
 * `npm run bench`: how much the facade costs compared to talking MCP directly, and how much it saves compared
 * to a naive per-request proxy. Loopback only; every phase is bounded in calls and in time.
 *
 * Layout: the fixture vendor runs on a worker thread (it stands in for a remote service and must not share an
 * event loop with what is measured); the load generator and the facade / naive proxy / direct SDK client share
 * the main thread. The clients are measured in interleaved rounds (a, b, c, floor; then b, c, floor, a; …), so
 * a burst of other work on the machine hits all of them alike instead of ruining one client's number.
 *
 * Options (environment): BENCH_VENDOR_RESPONSE=json|sse, BENCH_HTTP=node-http|fetch, BENCH_VENDOR_THREAD=worker|inline,
 * BENCH_ROUNDS, BENCH_C1_CALLS, BENCH_C32_CALLS, BENCH_C32_MS, BENCH_FLOOR=0. Flags: `--probe` compares vendor
 * response modes and HTTP clients instead; `--strict` exits 1 when a target fails; `--store redis` and
 * `--identities N` run the scenarios of bench/store.ts and bench/identities.ts instead, `--concurrency N` /
 * `--vendor-latency-ms M` the one of bench/concurrency.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { performance, type EventLoopUtilization } from 'node:perf_hooks'
import { concurrencyPlan, concurrencyWatchdogMs, runConcurrency } from './concurrency.js'
import { createPoster, type HttpClientKind } from './http-client.js'
import type { CallerJob, CallerResult, CallerWorkerData } from './caller-worker.js'
import { runLoad, summarize, type LoadOptions, type LoadSummary, type Slice } from './load.js'
import type { RestSpec } from './rest-call.js'
import {
  directTarget,
  facadeTarget,
  floorTarget,
  naiveTarget,
  startTsWorker,
  startVendor,
  type Mode,
  type Target,
  type VendorResponse,
  type VendorThread,
} from './targets.js'

/** Hard stop: a wedged run must never hang a terminal or a CI job. */
const WATCHDOG_MS = 90_000
/** `--store redis`: a minute past that scenario's own bound (bench/store.ts). */
const STORE_WATCHDOG_MS = 9 * 60_000

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

/**
 * Settings of one run. Defaults were chosen with `--probe` (see bench/README.md). Budgets are per client; the
 * time caps keep the worst case (a very slow client on a busy machine) under a minute.
 */
const settings = {
  vendorResponse: envChoice<VendorResponse>('BENCH_VENDOR_RESPONSE', ['sse', 'json'], 'json'),
  http: envChoice<HttpClientKind>('BENCH_HTTP', ['node-http', 'fetch'], 'node-http'),
  vendorThread: envChoice<VendorThread>('BENCH_VENDOR_THREAD', ['worker', 'inline'], 'worker'),
  /** Where the REST callers of (b), (c) and the floor run: on the main thread with the server, or on their own. */
  caller: envChoice<'main' | 'worker'>('BENCH_CALLER', ['main', 'worker'], 'main'),
  rounds: envInt('BENCH_ROUNDS', 5, 20),
  warmupCalls: 50,
  warmupMaxMs: 2000,
  c1Calls: envInt('BENCH_C1_CALLS', 1000, 5000),
  c1MaxMs: 6000,
  concurrency: 32,
  c32Calls: envInt('BENCH_C32_CALLS', 3000, 100_000),
  c32MaxMs: envInt('BENCH_C32_MS', 5000, 15_000),
  c32WarmupCalls: 320,
  c32WarmupMs: 1000,
  floor: process.env.BENCH_FLOOR !== '0',
}

const targets = { latencyFacadeOverDirect: 1.3, throughputFacadeOverDirect: 0.8, throughputFacadeOverNaive: 3 }

// ---------------------------------------------------------------------------------------------------------------
// Measuring

/** Resource use summed over a client's slices at one concurrency. */
interface Usage {
  cpuMs: number
  mainCpuMs: number
  mainActive: number
  mainTotal: number
  vendorActive: number
  vendorTotal: number
}

/** Everything measured for one client at one concurrency. */
interface PhaseResult extends LoadSummary {
  /** Process CPU time (all threads: caller, facade, vendor, GC) per successful call, ms. The facade's cost is its value minus direct's. */
  cpuMsPerCall: number
  /** Process CPU time over wall time: how many cores the phase actually got (2 at most; much less means a busy machine). */
  cores: number
  /** Event-loop utilization of the main thread (caller + facade / proxy / SDK client): near 1 means it is the bottleneck. */
  mainBusy: number
  /** Event-loop utilization of the vendor thread (NaN when the vendor runs inline). */
  vendorBusy: number
  /** CPU time of the main thread per successful call, ms (Linux only, 10 ms resolution over the whole phase). */
  mainCpuMsPerCall: number
  /**
   * Main-thread CPU time over its event-loop active time. Near 1: the thread ran whenever it had work. Well below
   * 1: it was runnable but other processes had the core, and latency/throughput are inflated by the machine.
   */
  mainCpuShare: number
}

interface ModeResult {
  c1: PhaseResult
  c32: PhaseResult
}

const emptyUsage = (): Usage => ({ cpuMs: 0, mainCpuMs: 0, mainActive: 0, mainTotal: 0, vendorActive: 0, vendorTotal: 0 })

/** CPU time of the calling thread, ms, from /proc (Node 20 has no per-thread CPU API); NaN elsewhere. */
function threadCpuMs(): number {
  try {
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15, in clock ticks (100 Hz).
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return Number.NaN
  }
}

/** The REST caller on its own thread (BENCH_CALLER=worker). */
interface CallerThread {
  run(rest: RestSpec, options: LoadOptions, seqStart: number): Promise<Slice>
  close(): Promise<void>
}

async function startCallerThread(): Promise<CallerThread> {
  const data: CallerWorkerData = { http: settings.http, maxSockets: settings.concurrency * 2 }
  const worker = startTsWorker('./caller-worker.ts', data)
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve())
    worker.once('error', reject)
  })
  const pending = new Map<number, (slice: Slice) => void>()
  worker.on('message', (result: CallerResult) => {
    pending.get(result.id)?.(result.slice)
    pending.delete(result.id)
  })
  let nextId = 0
  return {
    run(rest, options, seqStart) {
      const job: CallerJob = { id: nextId++, rest, options, seqStart }
      // runLoad bounds the slice in time; the extra margin only catches a wedged worker.
      return new Promise<Slice>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('caller worker did not answer in time')), options.maxMs + 15_000)
        pending.set(job.id, (slice) => {
          clearTimeout(timer)
          resolve(slice)
        })
        worker.postMessage(job)
      })
    },
    async close() {
      worker.postMessage('close')
      await worker.terminate()
    },
  }
}

let seq = 0
let vendorElu: (() => EventLoopUtilization) | undefined
let callerThread: CallerThread | undefined

/**
 * MaxListenersExceededWarning counts per client. The SDK's transport hands one long-lived AbortSignal to every
 * fetch and undici only unregisters its abort listener when a request is garbage-collected, so under load the
 * warning fires once per extra listener and would flood the output; it is counted and reported instead.
 */
const listenerWarnings = new Map<Mode | 'setup', number>()
let current: Mode | 'setup' = 'setup'
process.removeAllListeners('warning')
process.on('warning', (warning) => {
  if (warning.name === 'MaxListenersExceededWarning') listenerWarnings.set(current, (listenerWarnings.get(current) ?? 0) + 1)
  else console.error(warning)
})

/** Runs one slice with a fresh range of sequence numbers, adding its resource use to `usage`. */
async function slice(target: Target, concurrency: number, maxCalls: number, maxMs: number, usage?: Usage): Promise<Slice> {
  const main0 = performance.eventLoopUtilization()
  const vendor0 = vendorElu?.()
  const cpu0 = process.cpuUsage()
  const mainCpu0 = threadCpuMs()
  const options = { concurrency, maxCalls, maxMs }
  current = target.mode
  const result = callerThread && target.rest ? await callerThread.run(target.rest, options, seq) : await runLoad(target.call, options, seq)
  const mainCpu = threadCpuMs() - mainCpu0
  const cpu = process.cpuUsage(cpu0)
  const main = performance.eventLoopUtilization(main0)
  const vendor1 = vendorElu?.()
  seq += result.latencies.length + result.errors
  if (usage) {
    usage.cpuMs += (cpu.user + cpu.system) / 1000
    usage.mainCpuMs += mainCpu
    usage.mainActive += main.active
    usage.mainTotal += main.active + main.idle
    if (vendor0 && vendor1) {
      usage.vendorActive += vendor1.active - vendor0.active
      usage.vendorTotal += vendor1.active + vendor1.idle - vendor0.active - vendor0.idle
    }
  }
  return result
}

function phaseResult(slices: Slice[], usage: Usage): PhaseResult {
  const summary = summarize(slices)
  return {
    ...summary,
    cpuMsPerCall: summary.ok ? usage.cpuMs / summary.ok : Number.NaN,
    cores: summary.elapsedMs > 0 ? usage.cpuMs / summary.elapsedMs : Number.NaN,
    mainBusy: usage.mainTotal > 0 ? usage.mainActive / usage.mainTotal : Number.NaN,
    vendorBusy: usage.vendorTotal > 0 ? usage.vendorActive / usage.vendorTotal : Number.NaN,
    mainCpuMsPerCall: summary.ok ? usage.mainCpuMs / summary.ok : Number.NaN,
    mainCpuShare: usage.mainActive > 0 ? usage.mainCpuMs / usage.mainActive : Number.NaN,
  }
}

/** Splits a budget into `rounds` parts (the last round takes the remainder). */
const share = (total: number, rounds: number, round: number) => Math.floor(total / rounds) + (round === rounds - 1 ? total % rounds : 0)

/**
 * Measures all targets in interleaved rounds: first every c=1 round, then every c=32 round, rotating the order
 * each round so no client always runs right after the expensive naive proxy.
 */
async function measureAll(list: Target[]): Promise<Map<Mode, ModeResult>> {
  // Warm-ups: JIT, connection pools and the facade's pooled vendor session are all ready before timing starts.
  for (const t of list) {
    await slice(t, 1, settings.warmupCalls, settings.warmupMaxMs)
    await slice(t, settings.concurrency, settings.c32WarmupCalls, settings.c32WarmupMs)
  }
  const state = new Map(list.map((t) => [t.mode, { c1: [] as Slice[], c32: [] as Slice[], u1: emptyUsage(), u32: emptyUsage() }]))
  const rounds = settings.rounds
  const rotated = (round: number) => list.map((_, i) => list[(i + round) % list.length]!)
  for (let r = 0; r < rounds; r++)
    for (const t of rotated(r)) {
      const s = state.get(t.mode)!
      s.c1.push(await slice(t, 1, share(settings.c1Calls, rounds, r), settings.c1MaxMs / rounds, s.u1))
    }
  for (let r = 0; r < rounds; r++)
    for (const t of rotated(r)) {
      const s = state.get(t.mode)!
      s.c32.push(await slice(t, settings.concurrency, share(settings.c32Calls, rounds, r), settings.c32MaxMs / rounds, s.u32))
    }
  return new Map([...state].map(([mode, s]) => [mode, { c1: phaseResult(s.c1, s.u1), c32: phaseResult(s.c32, s.u32) }]))
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a')
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toString() : 'n/a')
const pct = (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : 'n/a')

const labels: Record<Mode, string> = {
  direct: '(a) direct SDK client',
  facade: '(b) facade',
  naive: '(c) naive proxy',
  floor: 'floor: bare HTTP hop (calibration)',
}

function table(results: Map<Mode, ModeResult>): string {
  const rows = [
    '| client | p50 c=1 (ms) | p99 c=1 (ms) | calls/s c=32 | per-round calls/s | p50 c=32 (ms) | p99 c=32 (ms) | calls c=1 / c=32 | main-thread CPU ms/call c=32 | process CPU ms/call c=32 | busy main / vendor c=32 | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const [mode, { c1, c32 }] of results) {
    rows.push(
      `| ${labels[mode]} | ${f1(c1.p50)} | ${f1(c1.p99)} | **${f0(c32.throughput)}** | ${f0(c32.throughputRange[0])}–${f0(c32.throughputRange[1])} | ${f1(c32.p50)} | ${f1(c32.p99)} | ` +
        `${c1.ok} / ${c32.ok}${c32.timeBound ? ' (time cap)' : ''} | ${f1(c32.mainCpuMsPerCall)} | ${f1(c32.cpuMsPerCall)} | ${pct(c32.mainBusy)} / ${pct(c32.vendorBusy)} | ${c1.errors + c32.errors} |`,
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
  }
}

const loadavg = () => os.loadavg().map((n) => Number(n.toFixed(2)))

async function main() {
  const startedAt = Date.now()
  const loadBefore = loadavg()
  const strict = process.argv.includes('--strict')
  const vendor = await startVendor(settings.vendorResponse, settings.vendorThread)
  vendorElu = vendor.elu
  const poster = createPoster(settings.http, settings.concurrency * 2)
  if (settings.caller === 'worker') callerThread = await startCallerThread()
  const open: Target[] = []
  try {
    open.push(await directTarget(vendor.url), await facadeTarget(vendor.url, poster), await naiveTarget(vendor.url, poster))
    if (settings.floor) open.push(await floorTarget(poster))
    const results = await measureAll(open)
    const direct = results.get('direct')!
    const facade = results.get('facade')!
    const naive = results.get('naive')!
    const ratios = {
      latencyFacadeOverDirect: facade.c1.p50 / direct.c1.p50,
      throughputFacadeOverDirect: facade.c32.throughput / direct.c32.throughput,
      throughputFacadeOverNaive: facade.c32.throughput / naive.c32.throughput,
    }
    const verdicts = {
      latencyFacadeOverDirect: ratios.latencyFacadeOverDirect <= targets.latencyFacadeOverDirect,
      throughputFacadeOverDirect: ratios.throughputFacadeOverDirect >= targets.throughputFacadeOverDirect,
      throughputFacadeOverNaive: ratios.throughputFacadeOverNaive >= targets.throughputFacadeOverNaive,
    }
    const errors = [...results.values()].reduce((n, r) => n + r.c1.errors + r.c32.errors, 0)
    const vendorStats = await vendor.stats()
    const m = machine()
    const loadAfter = loadavg()
    const durationMs = Date.now() - startedAt

    const pf = (ok: boolean) => (ok ? 'PASS' : 'FAIL')
    const floor = results.get('floor')
    const out = [
      '',
      `## mcp-rest-facade bench (${new Date(startedAt).toISOString()})`,
      '',
      `Machine: ${m.cpus} × ${m.model}, ${m.platform}, Node ${m.node}; load average ${loadBefore[0]} before, ${loadAfter[0]} after. ` +
        `Vendor: sessionful fixture, ${settings.vendorResponse === 'json' ? 'JSON responses (enableJsonResponse: true)' : 'SSE responses'}, on ${settings.vendorThread === 'worker' ? 'a worker thread' : 'the main thread'}. ` +
        `HTTP client for (b), (c) and the floor: ${settings.http}, keep-alive, on ${settings.caller === 'worker' ? 'its own worker thread' : 'the main thread'}.`,
      `Per client: ${settings.warmupCalls} + ${settings.c32WarmupCalls} warm-up calls; c=1: ${settings.c1Calls} sequential calls; c=${settings.concurrency}: up to ${settings.c32Calls} calls or ${settings.c32MaxMs / 1000} s; ` +
        `both split into ${settings.rounds} interleaved rounds.`,
      '',
      table(results),
      '',
      '| ratio | value | target | verdict |',
      '|---|---:|---:|---|',
      `| p50 facade / direct, c=1 | ${ratios.latencyFacadeOverDirect.toFixed(2)} | <= ${targets.latencyFacadeOverDirect} | ${pf(verdicts.latencyFacadeOverDirect)} |`,
      `| throughput facade / direct, c=${settings.concurrency} | ${ratios.throughputFacadeOverDirect.toFixed(2)} | >= ${targets.throughputFacadeOverDirect} | ${pf(verdicts.throughputFacadeOverDirect)} |`,
      `| throughput facade / naive, c=${settings.concurrency} | ${ratios.throughputFacadeOverNaive.toFixed(2)} | >= ${targets.throughputFacadeOverNaive} | ${pf(verdicts.throughputFacadeOverNaive)} |`,
      '',
      `Facade CPU overhead over direct: ${f1(facade.c32.cpuMsPerCall - direct.c32.cpuMsPerCall)} ms/call at c=${settings.concurrency}` +
        (floor ? `, of which a bare HTTP hop costs ${f1(floor.c32.cpuMsPerCall)} ms/call (floor).` : '.'),
      // The facade is one REST hop in front of what the direct client does, so at c=1 its p50 cannot go below
      // direct + hop: the ratio's floor is 1 + hop/direct, whatever the facade itself costs.
      ...(floor
        ? [
            `Latency at c=1 (p50): facade − direct = ${f1(facade.c1.p50 - direct.c1.p50)} ms, a bare HTTP hop = ${f1(floor.c1.p50)} ms, so the facade's own time per call ` +
              `is ${f1(facade.c1.p50 - direct.c1.p50 - floor.c1.p50)} ms; a facade costing nothing but the hop would measure ${f1((direct.c1.p50 + floor.c1.p50) / direct.c1.p50)} × direct.`,
          ]
        : []),
      `Vendor saw ${vendorStats.initializes} initializes and ${vendorStats.echoes} echo executions; ${errors} failed calls. Total ${(durationMs / 1000).toFixed(1)} s.`,
    ]
    if (listenerWarnings.size)
      out.push(
        `MaxListenersExceededWarning (SDK transport's shared AbortSignal, see bench/README.md): ${[...listenerWarnings].map(([mode, n]) => `${mode} ${n}`).join(', ')}.`,
      )
    const starved = [...results].filter(([, r]) => r.c1.mainCpuShare < 0.8 || r.c32.mainCpuShare < 0.8).map(([mode]) => mode)
    if (starved.length)
      out.push(`WARNING: the main thread got less than 80% of a core while busy (${starved.join(', ')}): other processes competed for CPU, so those numbers are inflated.`)
    for (const [mode, r] of results) for (const [c, l] of [[1, r.c1], [settings.concurrency, r.c32]] as const) if (l.firstError) out.push(`first ${mode} error (c=${c}): ${l.firstError}`)
    console.log(out.join('\n'))

    const json = {
      startedAt: new Date(startedAt).toISOString(),
      durationMs,
      machine: { ...m, loadavgBefore: loadBefore, loadavgAfter: loadAfter },
      settings,
      targets,
      results: Object.fromEntries(results),
      ratios,
      verdicts,
      pass: Object.values(verdicts).every(Boolean) && errors === 0,
      vendor: vendorStats,
      maxListenersWarnings: Object.fromEntries(listenerWarnings),
    }
    writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify(json, null, 2) + '\n')
    if (errors || (strict && !json.pass)) process.exitCode = 1
  } finally {
    for (const t of open.reverse()) await t.close().catch(() => undefined)
    poster.close()
    await callerThread?.close()
    await vendor.close()
  }
}

/**
 * `--probe`: picks the vendor response mode and the HTTP client. Short runs of direct and facade against both
 * vendor modes, with both HTTP clients; prints p50, throughput and CPU per call so the defaults can be justified.
 */
async function probe() {
  const rows = ['| vendor | caller | p50 c=1 (ms) | calls/s c=32 | CPU ms/call c=32 | busy main / vendor c=32 |', '|---|---|---:|---:|---:|---:|']
  for (const response of ['sse', 'json'] as const) {
    const vendor = await startVendor(response, settings.vendorThread)
    vendorElu = vendor.elu
    try {
      const quick = async (label: string, target: Target) => {
        await slice(target, 1, 100, 5000)
        const u1 = emptyUsage()
        const c1 = phaseResult([await slice(target, 1, 300, 5000, u1)], u1)
        await slice(target, settings.concurrency, 320, 1000)
        const u32 = emptyUsage()
        const c32 = phaseResult([await slice(target, settings.concurrency, 3000, 2000, u32)], u32)
        rows.push(`| ${response} | ${label} | ${f1(c1.p50)} | ${f0(c32.throughput)} | ${f1(c32.cpuMsPerCall)} | ${pct(c32.mainBusy)} / ${pct(c32.vendorBusy)} |`)
      }
      const direct = await directTarget(vendor.url)
      await quick('direct', direct)
      await direct.close()
      for (const kind of ['node-http', 'fetch'] as const) {
        const poster = createPoster(kind, settings.concurrency * 2)
        const facade = await facadeTarget(vendor.url, poster)
        await quick(`facade via ${kind}`, facade)
        await facade.close()
        // The HTTP client alone (no vendor involved), measured once: it does not depend on the vendor mode.
        if (response === 'json') {
          const floor = await floorTarget(poster)
          await quick(`floor via ${kind}`, floor)
          await floor.close()
        }
        poster.close()
      }
    } finally {
      await vendor.close()
    }
  }
  console.log(`load average ${loadavg().join(' ')}\n` + rows.join('\n'))
}

// `--concurrency N` / `--vendor-latency-ms M`: the many-callers scenario instead (bench/concurrency).
const concurrency = concurrencyPlan(process.argv)
// `--store redis` bounds itself (8 min, then it stops its processes and deletes its Redis keys): this one only
// catches what that cannot.
const watchdogMs = concurrency ? concurrencyWatchdogMs(concurrency) : process.argv.includes('--store') ? STORE_WATCHDOG_MS : WATCHDOG_MS
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${watchdogMs / 1000} s, giving up`)
  process.exit(2)
}, watchdogMs)
watchdog.unref()

/** `--store redis` and `--identities N` run scenarios of their own (bench/store.ts, bench/identities.ts). */
function flagValue(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i < 0 ? undefined : process.argv[i + 1]
}

try {
  const store = flagValue('--store')
  const identities = flagValue('--identities')
  if (store !== undefined && store !== 'redis') throw new Error('--store takes "redis"')
  if (store) await (await import('./store.js')).storeBench()
  else if (identities !== undefined) await (await import('./identities.js')).identitiesBench(Number(identities))
  else if (concurrency) await runConcurrency(concurrency)
  else await (process.argv.includes('--probe') ? probe() : main())
} catch (error) {
  console.error('bench failed:', error)
  process.exitCode = 1
}
