/**
 * @module bench/startup
 * `npm run bench:startup`: how long the built facade takes from process start to ready, and how much memory it
 * holds once idle, next to a bare Node HTTP server on the same machine (the floor no facade can go below).
 *
 * Each run spawns `node dist/cli.js --port 0` (the demo vendor, or `--upstream` with BENCH_UPSTREAM=sessionful:
 * the fixture vendor in a process of its own; BENCH_UPSTREAM=both starts the facade both ways, interleaved with
 * each other and the floor, so the two modes' ratios come from one run), reads the URL it prints and polls `GET /readyz` every 5 ms:
 * "ready" is the first 200, timed from just before the spawn. The idle RSS is read from /proc/PID/status after
 * BENCH_IDLE_S seconds without traffic (default 30: V8's memory reducer gives the young generation back about
 * 10–20 s after the last allocation, which is what an idle replica shows on a dashboard), together with the V8
 * heap figures the process reports about itself. Runs interleave the facade and the floor, so a busy machine
 * hits both. Loopback only; every wait is bounded.
 *
 * Options (environment): BENCH_RUNS (default 7 timed runs) · BENCH_IDLE_S (default 30; 0 skips the idle read) ·
 * BENCH_UPSTREAM=demo|sessionful|both · BENCH_ENTRY (default dist/cli.js) · BENCH_BASELINE (another build's cli.js, e.g.
 * an older release's: started the same way, interleaved with the other two, for a before/after from one run on a
 * machine whose speed drifts) · FACADE_CODE_CACHE_DIR=off (the facade's own setting, passed on: a first start,
 * before any code cache exists).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { createInterface } from 'node:readline'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { rssMb } from './proc-stats.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const runs = Math.min(30, Math.max(1, Number(process.env.BENCH_RUNS ?? 7)))
const idleSeconds = Math.min(120, Math.max(0, Number(process.env.BENCH_IDLE_S ?? 30)))
const upstream = process.env.BENCH_UPSTREAM === 'sessionful' || process.env.BENCH_UPSTREAM === 'both' ? process.env.BENCH_UPSTREAM : 'demo'
const entry = process.env.BENCH_ENTRY ?? 'dist/cli.js'
const baseline = process.env.BENCH_BASELINE
/** What the baseline is, for the table and the results file: its checkout's commit, never a path of this machine. */
const baselineLabel = baseline && revisionOf(baseline)
/** `facade` and `baseline` front the mode's vendor (the demo with `both`); `external` is the facade in front of the fixture vendor. */
type Kind = 'facade' | 'external' | 'baseline' | 'floor'
const kinds: Kind[] = ['facade', ...(upstream === 'both' ? (['external'] as const) : []), ...(baseline ? (['baseline'] as const) : []), 'floor']
/** Targets of issue 20: ready within 3× the floor in the same run, idle RSS at most 70 MB. */
const TARGET_RATIO = 3
const TARGET_IDLE_MB = 70
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The short commit of the checkout holding `file`, or a plain label when it is not in one. */
function revisionOf(file: string): string {
  try {
    return execFileSync('git', ['-C', dirname(file), 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'another build'
  }
}

/** The floor: a bare node:http server that answers /readyz, started the same way. */
const FLOOR_SCRIPT = `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port) })`

/** Resolves with the first line of `child`'s stdout that matches, or rejects after `ms`. */
function firstMatch(child: ChildProcess, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${ms} ms`)), ms)
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      const m = pattern.exec(line)
      if (!m) return
      clearTimeout(timer)
      lines.removeAllListeners('line')
      // Keep draining stdout so the child never blocks on a full pipe.
      lines.on('line', () => {})
      resolve(m)
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}`)))
  })
}

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode ?? 0))
    })
    req.once('error', () => resolve(0))
    req.end()
  })
}

/** RSS of a process's children, summed (an older build given as BENCH_BASELINE ran the demo vendor as one). */
function childrenRssMb(pid: number): number {
  let total = 0
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
    for (const child of children ? children.split(' ') : []) total += rssMb(Number(child))
  }
  return total
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))])
}

interface Run {
  readyMs: number
  rssReadyMb: number
}

/** One start: spawn, wait for the URL line, poll /readyz; the child is returned still running. */
async function start(kind: Kind, args: Record<Kind, string[]>): Promise<Run & { child: ChildProcess }> {
  const argv = kind === 'floor' ? ['-e', FLOOR_SCRIPT] : [kind === 'baseline' ? baseline! : entry, '--port', '0', ...args[kind]]
  const t0 = performance.now()
  const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } })
  try {
    const [, base] = await firstMatch(child, /listening on (http:\/\/\S+)/, 20_000)
    const deadline = t0 + 20_000
    while ((await status(`${base}/readyz`)) !== 200) {
      if (performance.now() > deadline) throw new Error(`${kind}: not ready within 20 s`)
      await sleep(5)
    }
    return { child, readyMs: performance.now() - t0, rssReadyMb: rssMb(child.pid!) }
  } catch (error) {
    await stop(child)
    throw error
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const range = (xs: number[], digits = 0) => `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`

async function main() {
  const watchdog = setTimeout(() => {
    console.error('bench:startup: watchdog fired')
    process.exit(2)
  }, (runs * kinds.length * 25 + idleSeconds * 2 + 60) * 1000)
  watchdog.unref()

  let vendor: ChildProcess | undefined
  const args: Record<Kind, string[]> = { facade: [], external: [], baseline: [], floor: [] }
  if (upstream !== 'demo') {
    vendor = spawn(process.execPath, ['--import', 'tsx', 'bench/vendor-process.ts'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] })
    const [url] = await firstMatch(vendor, /^http:\/\/\S+$/, 20_000)
    args.external = ['--upstream', url]
    if (upstream === 'sessionful') args.facade = args.baseline = args.external
  }

  const results: Record<Kind, Run[]> = { facade: [], external: [], baseline: [], floor: [] }
  // One warm-up each (file cache; the code cache too, which a stopped facade writes), then interleaved timed runs.
  for (const kind of kinds) await stop((await start(kind, args)).child)
  for (let i = 0; i < runs; i++) {
    for (const kind of i % 2 ? [...kinds].reverse() : kinds) {
      const run = await start(kind, args)
      await stop(run.child)
      results[kind].push({ readyMs: run.readyMs, rssReadyMb: run.rssReadyMb })
    }
  }

  // Idle memory: one more start of each, left alone for idleSeconds.
  const idle: Record<string, number> = {}
  if (idleSeconds > 0) {
    const idleKinds = kinds.filter((k) => k !== 'baseline')
    const started: Awaited<ReturnType<typeof start>>[] = []
    for (const kind of idleKinds) started.push(await start(kind, args))
    await sleep(idleSeconds * 1000)
    idleKinds.forEach((kind, i) => (idle[kind] = rssMb(started[i]!.child.pid!)))
    idle.children = childrenRssMb(started[0]!.child.pid!)
    await Promise.all(started.map((s) => stop(s.child)))
  }
  if (vendor) {
    vendor.stdin!.end('close\n')
    await stop(vendor)
  }

  const facadeReady = results.facade.map((r) => r.readyMs)
  const externalReady = results.external.map((r) => r.readyMs)
  const baselineReady = results.baseline.map((r) => r.readyMs)
  const floorReady = results.floor.map((r) => r.readyMs)
  const ratio = (xs: number[]) => (median(xs) / median(floorReady)).toFixed(2)
  const facadeVendor = upstream === 'sessionful' ? 'the sessionful fixture vendor (own process)' : 'the built-in demo vendor'
  const lines = [
    `## mcp-rest-facade start-up (${new Date().toISOString()})`,
    '',
    `Node ${process.version}; \`node ${entry}\` in front of ${facadeVendor}${upstream === 'both' ? ' (facade) and of the sessionful fixture vendor in its own process (external)' : ''}; ${runs} interleaved runs after one warm-up each; idle RSS after ${idleSeconds} s.`,
    '',
    '| process | start → ready ms, median [min–max] | RSS at ready MB | idle RSS MB |',
    '|---|---:|---:|---:|',
    `| facade | ${range(facadeReady)} | ${range(results.facade.map((r) => r.rssReadyMb), 1)} | ${idle.facade?.toFixed(1) ?? '–'} |`,
    ...(upstream === 'both' ? [`| external: facade, fixture vendor | ${range(externalReady)} | ${range(results.external.map((r) => r.rssReadyMb), 1)} | ${idle.external?.toFixed(1) ?? '–'} |`] : []),
    ...(baseline ? [`| baseline: ${baselineLabel} | ${range(baselineReady)} | ${range(results.baseline.map((r) => r.rssReadyMb), 1)} | – |`] : []),
    `| floor: bare node:http server | ${range(floorReady)} | ${range(results.floor.map((r) => r.rssReadyMb), 1)} | ${idle.floor?.toFixed(1) ?? '–'} |`,
    '',
    `Facade minus floor (medians): ${(median(facadeReady) - median(floorReady)).toFixed(0)} ms to ready${idle.facade ? `, ${(idle.facade - idle.floor!).toFixed(1)} MB idle` : ''}.`,
    `Facade / floor (medians): ${ratio(facadeReady)}×${upstream === 'both' ? `; external / floor: ${ratio(externalReady)}×` : ''}. Targets: ≤ ${TARGET_RATIO}× the floor to ready, idle RSS ≤ ${TARGET_IDLE_MB} MB.`,
    ...(baseline ? [`Facade / baseline (medians): ${(median(facadeReady) / median(baselineReady)).toFixed(2)} to ready.`] : []),
    ...(idle.children ? [`The facade's child processes (the demo vendor) held ${idle.children.toFixed(1)} MB more when idle; they are not part of the facade's RSS.`] : []),
  ]
  console.log(lines.join('\n'))
  writeFileSync(new URL('startup-results.json', import.meta.url), JSON.stringify({ when: new Date().toISOString(), node: process.version, entry, baseline: baselineLabel, codeCache: process.env.FACADE_CODE_CACHE_DIR !== 'off', upstream, runs: results, idle }, null, 2) + '\n')
}

await main()
