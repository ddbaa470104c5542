/**
 * @module bench/concurrency
 * `npm run bench -- --concurrency N --vendor-latency-ms M`: many callers at once against a vendor that takes its
 * time, the facade against the direct SDK client in the same run. Real tool calls hold their vendor socket for the
 * whole answer, so this is where a socket pool that caps calls in flight shows (issue 20).
 *
 * Each compared client gets its own fixture vendor (`echo` answering after M ms, on its own worker thread), so the
 * vendor-side connection counts are that client's alone: connections opened while measured, and the most open at
 * once. Clients:
 * - direct: one SDK `Client` on one transport (the SDK's fetch, undici, has no per-origin socket bound);
 * - facade: the real facade with the DEFAULT configuration, called over REST (keep-alive `node:http`, N sockets);
 * - facade, pool.connections 64: the same facade with main's sizing, spelled the way main reads it (one bound of
 *   64 sockets, busy and idle alike): the "before" of the same run. `--no-before` leaves it out.
 * Callers, facade and direct client share the main thread, as in the rest of `npm run bench`.
 *
 * `--vendor-h2`: every vendor is served over TLS with HTTP/2 offered by ALPN (`http2.createSecureServer({ allowHTTP1:
 * true })`, advertising SETTINGS_MAX_CONCURRENT_STREAMS 128, as nginx does by default), with a throw-away
 * certificate trusted the documented way: the run re-starts itself with `NODE_EXTRA_CA_CERTS` (read only at process
 * start). The facade then speaks h2 (a few TCP connections); the direct SDK client's fetch (undici without
 * `allowH2`) speaks HTTP/1.1 over TLS, one connection per call in flight. Reported as is.
 *
 * Budgets: per (N, M) a warm-up slice per client, then `BENCH_CONCURRENCY_ROUNDS` (3) interleaved rounds, each
 * slice up to N × k calls (k waves of calls, k = 3 for 1 s vendors, 10 for 100 ms) or a time cap, whichever comes
 * first; calls time out after 10 s. Loopback only. N ≤ 2000, M ≤ 5000, at most 4 values of each per run.
 */
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { makeTestCert } from '../test/support/tls-cert.js'
import type { FixtureTls } from '../test/fixtures/http.js'
import { createPoster } from './http-client.js'
import { runLoad, summarize, type LoadSummary, type Slice } from './load.js'
import { directTarget, facadeTarget, startVendor, type Target, type VendorHandle } from './targets.js'

/** What `--concurrency` and `--vendor-latency-ms` asked for. */
export interface ConcurrencyPlan {
  concurrency: number[]
  latencyMs: number[]
  rounds: number
  /** Also measure the facade with main's pool sizing (`pool.connections: 64`). */
  before: boolean
  /** Vendors over TLS with HTTP/2 (`--vendor-h2`). */
  h2: boolean
}

/** SETTINGS_MAX_CONCURRENT_STREAMS of the h2 bench vendor (nginx's default `http2_max_concurrent_streams`). */
const H2_MAX_STREAMS = 128
/** Set in the re-started run: the directory of the throw-away certificate (its CA is in NODE_EXTRA_CA_CERTS). */
const TLS_DIR_ENV = 'BENCH_H2_TLS_DIR'

/** Targets of issue 20 (default configuration). */
const TARGETS = { throughputFacadeOverDirect: 0.95, p50FacadeOverDirect: 1.1, socketsOverConcurrency: 1.1 }

const MAX_CONCURRENCY = 2000
const MAX_LATENCY_MS = 5000

/** The value of `--name v` or `--name=v`, if given. */
function flag(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`))
  if (i < 0) return undefined
  const a = argv[i]!
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1]
}

function list(value: string | undefined, fallback: number, max: number, name: string): number[] {
  if (value === undefined) return [fallback]
  const values = value.split(',').map((v) => Number(v.trim()))
  if (values.length > 4 || values.some((v) => !Number.isInteger(v) || v < 1 || v > max)) throw new Error(`${name}: up to 4 comma-separated integers from 1 to ${max}`)
  return values
}

/** The plan when `--concurrency` or `--vendor-latency-ms` is on the command line, else undefined. */
export function concurrencyPlan(argv: string[]): ConcurrencyPlan | undefined {
  const c = flag(argv, '--concurrency')
  const m = flag(argv, '--vendor-latency-ms')
  if (c === undefined && m === undefined) return undefined
  const rounds = Number(process.env.BENCH_CONCURRENCY_ROUNDS ?? 3)
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) throw new Error('BENCH_CONCURRENCY_ROUNDS must be an integer from 1 to 10')
  return {
    concurrency: list(c, 128, MAX_CONCURRENCY, '--concurrency'),
    latencyMs: list(m, 100, MAX_LATENCY_MS, '--vendor-latency-ms'),
    rounds,
    before: !argv.includes('--no-before'),
    h2: argv.includes('--vendor-h2'),
  }
}

/** Calls per caller in one slice (waves), and the slice's time cap. */
function budget(n: number, latencyMs: number) {
  const waves = latencyMs >= 500 ? 3 : 10
  return { maxCalls: n * waves, maxMs: Math.min(20_000, waves * latencyMs * 3 + 2000) }
}

/** Longest a plan can take (all slices at their caps, plus set-up and the 10 s call timeout per slice): the watchdog. */
export function concurrencyWatchdogMs(plan: ConcurrencyPlan): number {
  const clients = plan.before ? 3 : 2
  let ms = 30_000
  for (const n of plan.concurrency) for (const m of plan.latencyMs) ms += (plan.rounds + 1) * clients * (budget(n, m).maxMs + 10_000) + 10_000
  return ms
}

/** One compared client and its own vendor. */
interface Client {
  key: 'direct' | 'facade' | 'before'
  label: string
  vendor: VendorHandle
  target: Target
}

/** What one client measured at one (N, M). */
interface ClientResult extends LoadSummary {
  /** Most vendor connections open at once during a measured slice. */
  peakSockets: number
  /** Connections the vendor accepted during the measured slices (sockets opened while measuring). */
  openedSockets: number
}

let seq = 0

async function measured(client: Client, n: number, latencyMs: number): Promise<{ slice: Slice; peak: number; opened: number }> {
  const before = await client.vendor.connections()
  const { maxCalls, maxMs } = budget(n, latencyMs)
  const slice = await runLoad(client.target.call, { concurrency: n, maxCalls, maxMs }, seq)
  seq += slice.latencies.length + slice.errors
  const after = await client.vendor.connections()
  return { slice, peak: after.peak, opened: after.opened - before.opened }
}

async function scenario(n: number, latencyMs: number, plan: ConcurrencyPlan, tls: FixtureTls | undefined) {
  const poster = createPoster('node-http', n)
  const clients: Client[] = []
  try {
    const add = async (key: Client['key'], label: string, make: (url: string) => Promise<Target>) => {
      const vendor = await startVendor('json', 'worker', latencyMs, tls)
      clients.push({ key, label, vendor, target: await make(vendor.url) })
    }
    await add('direct', 'direct SDK client', (url) => directTarget(url))
    await add('facade', 'facade, default config', (url) => facadeTarget(url, poster))
    if (plan.before) await add('before', 'facade, pool.connections: 64 (main)', (url) => facadeTarget(url, poster, { pool: { connections: 64 } }))
    // Warm-up: sockets, the facade's pooled vendor session, JIT.
    for (const c of clients) await runLoad(c.target.call, { concurrency: n, maxCalls: n * 2, maxMs: budget(n, latencyMs).maxMs }, (seq += 10 * n))
    const state = new Map(clients.map((c) => [c.key, { slices: [] as Slice[], peak: 0, opened: 0 }]))
    for (let r = 0; r < plan.rounds; r++)
      for (let i = 0; i < clients.length; i++) {
        const c = clients[(i + r) % clients.length]!
        const s = state.get(c.key)!
        const m = await measured(c, n, latencyMs)
        s.slices.push(m.slice)
        s.peak = Math.max(s.peak, m.peak)
        s.opened += m.opened
      }
    return new Map(clients.map((c) => {
      const s = state.get(c.key)!
      return [c.key, { label: c.label, ...summarize(s.slices), peakSockets: s.peak, openedSockets: s.opened } as ClientResult & { label: string }]
    }))
  } finally {
    for (const c of clients.reverse()) {
      await c.target.close().catch(() => undefined)
      await c.vendor.close().catch(() => undefined)
    }
    poster.close()
  }
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a')
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toString() : 'n/a')
const loadavg = () => os.loadavg().map((n) => n.toFixed(2)).join(' ')

/**
 * Re-runs this bench in a child process that trusts a throw-away certificate through NODE_EXTRA_CA_CERTS (read only
 * at process start), for `--vendor-h2`. Resolves with the child's exit code.
 */
function inTrustingProcess(): Promise<number> {
  const cert = makeTestCert()
  const dir = cert.certFile.slice(0, cert.certFile.lastIndexOf('/'))
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: cert.certFile, [TLS_DIR_ENV]: dir },
  })
  const stop = () => child.kill()
  process.once('exit', stop)
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      process.off('exit', stop)
      cert.remove()
      resolve(code ?? 1)
    }),
  )
}

/** Runs every (N, M) of the plan, prints a table and the ratios per pair, writes bench/concurrency-results.json. */
export async function runConcurrency(plan: ConcurrencyPlan): Promise<void> {
  const tlsDir = process.env[TLS_DIR_ENV]
  if (plan.h2 && !tlsDir) {
    process.exitCode = await inTrustingProcess()
    return
  }
  const tls: FixtureTls | undefined = plan.h2
    ? { key: readFileSync(join(tlsDir!, 'key.pem'), 'utf8'), cert: readFileSync(join(tlsDir!, 'cert.pem'), 'utf8'), http2: true, maxConcurrentStreams: H2_MAX_STREAMS }
    : undefined
  if (tls) console.log(`Vendors over TLS with HTTP/2 offered by ALPN (SETTINGS_MAX_CONCURRENT_STREAMS ${H2_MAX_STREAMS}); the direct SDK client speaks HTTP/1.1 over TLS (undici without allowH2).`)
  const runs: unknown[] = []
  let failed = false
  for (const latencyMs of plan.latencyMs)
    for (const n of plan.concurrency) {
      const load0 = loadavg()
      const started = Date.now()
      const results = await scenario(n, latencyMs, plan, tls)
      const direct = results.get('direct')!
      const facade = results.get('facade')!
      const before = results.get('before')
      const ratios = {
        throughputFacadeOverDirect: facade.throughput / direct.throughput,
        p50FacadeOverDirect: facade.p50 / direct.p50,
        socketsOverConcurrency: facade.peakSockets / n,
        ...(before ? { throughputBeforeOverDirect: before.throughput / direct.throughput, p50BeforeOverDirect: before.p50 / direct.p50 } : {}),
      }
      const verdicts = {
        throughput: ratios.throughputFacadeOverDirect >= TARGETS.throughputFacadeOverDirect,
        p50: ratios.p50FacadeOverDirect <= TARGETS.p50FacadeOverDirect,
        sockets: ratios.socketsOverConcurrency <= TARGETS.socketsOverConcurrency,
      }
      const errors = direct.errors + facade.errors
      if (errors || !Object.values(verdicts).every(Boolean)) failed = true
      const pf = (ok: boolean) => (ok ? 'PASS' : 'FAIL')
      const rows = [
        '',
        `### c=${n}, vendor latency ${latencyMs} ms${tls ? ', vendor over TLS + HTTP/2' : ''} (${new Date(started).toISOString()}; load average ${load0} before, ${loadavg()} after; ${((Date.now() - started) / 1000).toFixed(1)} s)`,
        '',
        '| client | calls/s | per-slice calls/s | p50 (ms) | p90 (ms) | p99 (ms) | calls | errors | vendor sockets: most open / opened while measured |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
        ...[...results.values()].map(
          (r) =>
            `| ${r.label} | **${f0(r.throughput)}** | ${f0(r.throughputRange[0])}–${f0(r.throughputRange[1])} | ${f1(r.p50)} | ${f1(r.p90)} | ${f1(r.p99)} | ${r.ok}${r.timeBound ? ' (time cap)' : ''} | ${r.errors} | ${r.peakSockets} / ${r.openedSockets} |`,
        ),
        '',
        `facade/direct: throughput ${ratios.throughputFacadeOverDirect.toFixed(2)} (>= ${TARGETS.throughputFacadeOverDirect} ${pf(verdicts.throughput)}), ` +
          `p50 ${ratios.p50FacadeOverDirect.toFixed(2)} (<= ${TARGETS.p50FacadeOverDirect} ${pf(verdicts.p50)}), ` +
          `vendor sockets ${facade.peakSockets} for ${n} callers = ${ratios.socketsOverConcurrency.toFixed(2)} (<= ${TARGETS.socketsOverConcurrency} ${pf(verdicts.sockets)})` +
          (before ? `; main's sizing (pool.connections 64)/direct: throughput ${ratios.throughputBeforeOverDirect!.toFixed(2)}, p50 ${ratios.p50BeforeOverDirect!.toFixed(2)}` : ''),
      ]
      for (const [key, r] of results) if (r.firstError) rows.push(`first ${key} error: ${r.firstError}`)
      console.log(rows.join('\n'))
      runs.push({ concurrency: n, latencyMs, startedAt: new Date(started).toISOString(), loadavgBefore: load0, loadavgAfter: loadavg(), results: Object.fromEntries(results), ratios, verdicts })
    }
  const file = tls ? './concurrency-h2-results.json' : './concurrency-results.json'
  writeFileSync(new URL(file, import.meta.url), JSON.stringify({ targets: TARGETS, rounds: plan.rounds, node: process.version, cpus: os.cpus().length, vendor: tls ? { tls: true, http2: true, maxConcurrentStreams: H2_MAX_STREAMS } : { tls: false }, runs }, null, 2) + '\n')
  if (failed && process.argv.includes('--strict')) process.exitCode = 1
}
