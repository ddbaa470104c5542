/**
 * @module bench/identities
 * `npm run bench -- --identities N` (default 1,000): many distinct callers at once (issue 20, item 3).
 *
 * N identities, each a caller making 10 sequential `POST /tools/echo` calls, 64 callers at a time (when one has
 * made its 10 calls the next identity starts), through two facades in this process: `auth.mode: "passthrough"`
 * (a distinct bearer token per identity, forwarded to the vendor) and `auth.mode: "jwt"` (a token per user from the
 * token issuer fixture, identity from `tid`/`oid`). The vendor is the sessionful fixture on its worker thread.
 *
 * Each identity's first call pays for its pooled vendor session (one `initialize`). It is compared with what the
 * vendor itself needs for that: the same pattern with the SDK client directly (a new client per identity:
 * connect = initialize + initialized, then the call), interleaved with the facades in rounds of N/5 identities.
 * Steady state, once all have their session: every identity calls again (64 at a time) against one identity making
 * as many calls at the same concurrency, interleaved; p50 against p50 (calls 2–10 above are reported too, but they
 * share the CPU with other identities' initializes).
 * Also one new identity at a time, alternating with direct (p50/p99 without queueing).
 * "Later initializes": those the vendor saw during the steady phase (0 while N ≤ `sessions.maxPooled`).
 * Reported: initializes seen by the vendor per identity, first-call p99 against direct connect + call p99 (target:
 * ≤ direct + 5 ms), steady p50 against the single identity's, and memory per identity (main-thread V8 heap used
 * after a forced GC, and process RSS, which also holds the vendor's thread, before and after, / N).
 * Writes `bench/identities-results.json`.
 */
import { writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import os from 'node:os'
import v8 from 'node:v8'
import vm from 'node:vm'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { ConfigSchema } from '../src/config/schema.js'
import { createLogger } from '../src/log.js'
import { startFacade, type RunningFacade } from '../src/server.js'
import { startTokenIssuer } from '../test/fixtures/token-issuer.js'
import { percentile } from './load.js'
import { CALL_TIMEOUT_MS, expectEcho, message } from './rest-call.js'
import { startVendor } from './targets.js'

const CALLS_PER_IDENTITY = 10
const AT_ONCE = 64
const ROUNDS = 5
/** New identities measured one at a time. */
const SEQUENTIAL = 200

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

const agent = new Agent({ keepAlive: true, maxSockets: AT_ONCE, maxFreeSockets: AT_ONCE })

/** POSTs the echo of call `seq` with `authorization`, checks the answer. */
function echo(url: URL, authorization: string, seq: number): Promise<void> {
  const body = JSON.stringify({ message: message(seq) })
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          try {
            if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`)
            expectEcho((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: { message?: unknown } }).data?.message, seq, 'facade')
            resolve()
          } catch (error) {
            reject(error as Error)
          }
        })
      },
    )
    req.setTimeout(CALL_TIMEOUT_MS, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(body)
  })
}

/** Latencies of one kind of caller. */
interface Samples {
  first: number[]
  steady: number[]
  errors: number
  firstError?: string
}
const samples = (): Samples => ({ first: [], steady: [], errors: 0 })

let seq = 0

/** Runs `callers` (each a list of timed steps), `AT_ONCE` at a time. */
async function atOnce(callers: Array<() => Promise<void>>): Promise<number> {
  const started = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: AT_ONCE }, async () => {
    while (next < callers.length) await callers[next++]!()
  }))
  return performance.now() - started
}

/** One identity's caller against a facade: 10 calls, the first timed apart. */
function facadeCaller(url: URL, authorization: string, into: Samples, calls = CALLS_PER_IDENTITY) {
  return async () => {
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now()
      try {
        await echo(url, authorization, seq++)
        ;(i === 0 ? into.first : into.steady).push(performance.now() - t0)
      } catch (error) {
        into.errors++
        into.firstError ??= (error as Error).message
      }
    }
  }
}

/** The vendor's own cost of a new identity: a new SDK client (initialize + initialized) and one call, timed together. */
function directCaller(vendorUrl: string, authorization: string, into: Samples) {
  return async () => {
    const transport = new StreamableHTTPClientTransport(new URL(vendorUrl), { requestInit: { headers: { authorization } } })
    const client = new Client({ name: 'bench-identity', version: '0.0.0' })
    const t0 = performance.now()
    try {
      await client.connect(transport, { timeout: CALL_TIMEOUT_MS })
      const n = seq++
      const result = await client.callTool({ name: 'echo', arguments: { message: message(n) } }, { timeout: CALL_TIMEOUT_MS })
      expectEcho((result.structuredContent as { message?: unknown } | undefined)?.message, n, 'direct')
      into.first.push(performance.now() - t0)
    } catch (error) {
      into.errors++
      into.firstError ??= (error as Error).message
    } finally {
      await transport.terminateSession().catch(() => undefined)
      await client.close().catch(() => undefined)
    }
  }
}

const memory = () => {
  gc()
  gc()
  const m = process.memoryUsage()
  return { heapUsed: m.heapUsed, rss: m.rss }
}
const summarizeMs = (xs: number[]) => ({ p50: percentile([...xs].sort((a, b) => a - b), 50), p99: percentile([...xs].sort((a, b) => a - b), 99) })
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a')
const kb = (bytes: number) => (bytes / 1024).toFixed(1)

/** Runs the scenario for `n` identities and prints its table; exits 1 when a call failed or an identity initialized twice. */
export async function identitiesBench(n: number): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error('--identities takes a count from 1 to 10000')
  const loadBefore = os.loadavg()[0]!
  const vendor = await startVendor('json', 'worker')
  const issuer = await startTokenIssuer()
  const log = createLogger('silent')
  const start = (auth: Record<string, unknown>) =>
    startFacade(ConfigSchema.parse({ port: 0, host: '127.0.0.1', logLevel: 'silent', shutdownGraceMs: 1000, servers: { default: { url: vendor.url, auth } } }), log)
  const facades: RunningFacade[] = []
  try {
    const passthrough = await start({ mode: 'passthrough' })
    facades.push(passthrough)
    const jwt = await start({ mode: 'jwt', issuer: issuer.issuer, audience: 'api://facade', identityClaims: ['tid', 'oid'] })
    facades.push(jwt)
    const kinds = [
      { name: 'passthrough', url: new URL(`${passthrough.url}/tools/echo`), tokens: Array.from({ length: n }, (_, i) => `Bearer bench-caller-${i}-${'x'.repeat(24)}`) },
      { name: 'jwt', url: new URL(`${jwt.url}/tools/echo`), tokens: await Promise.all(Array.from({ length: n }, async (_, i) => `Bearer ${await issuer.sign({ oid: `bench-user-${i}` })}`)) },
    ]
    // Warm-up, not counted: ${AT_ONCE} identities of their own per facade (JIT of the new-identity path, sockets to
    // the vendor, the issuer's keys). What is measured is identities arriving at a running facade, not its first second.
    for (const k of kinds) {
      const warm = await Promise.all(Array.from({ length: AT_ONCE }, async (_, i) => (k.name === 'jwt' ? `Bearer ${await issuer.sign({ oid: `bench-warm-${i}` })}` : `Bearer bench-warm-${i}`)))
      await atOnce(warm.map((token) => facadeCaller(k.url, token, samples())))
    }
    await atOnce(Array.from({ length: AT_ONCE }, (_, i) => directCaller(vendor.url, `Bearer warm-${i}`, samples())))

    const before = memory()
    const results = new Map(kinds.map((k) => [k.name, { samples: samples(), initializes: 0, returnInitializes: 0, ms: 0 }]))
    const direct = samples()
    const per = Math.ceil(n / ROUNDS)
    for (let r = 0; r < ROUNDS; r++) {
      const range = [r * per, Math.min(n, (r + 1) * per)] as const
      for (const k of r % 2 ? [...kinds].reverse() : kinds) {
        const result = results.get(k.name)!
        const inits = (await vendor.stats()).initializes
        result.ms += await atOnce(k.tokens.slice(...range).map((token) => facadeCaller(k.url, token, result.samples)))
        result.initializes += (await vendor.stats()).initializes - inits
      }
      await atOnce(Array.from({ length: range[1] - range[0] }, (_, i) => directCaller(vendor.url, `Bearer direct-${range[0] + i}`, direct)))
    }
    const after = memory()
    // Steady state, once every identity has its session: all N identities call again (each once per round, 64 at a
    // time; no initialize while N ≤ maxPooled), against one identity making as many calls at the same concurrency,
    // interleaved in rounds.
    const many = new Map(kinds.map((k) => [k.name, samples()]))
    const single = new Map(kinds.map((k) => [k.name, samples()]))
    for (let r = 0; r < ROUNDS; r++)
      for (const k of r % 2 ? [...kinds].reverse() : kinds) {
        const result = results.get(k.name)!
        const inits = (await vendor.stats()).initializes
        await atOnce(k.tokens.map((token) => facadeCaller(k.url, token, many.get(k.name)!, 1)))
        result.returnInitializes += (await vendor.stats()).initializes - inits
        await atOnce(k.tokens.map(() => facadeCaller(k.url, k.tokens[0]!, single.get(k.name)!, 1)))
      }
    // One new identity at a time, last (these push the pool past maxPooled): a first call through the passthrough
    // facade against direct connect + call, alternating, SEQUENTIAL of each. Nothing queues, so scheduling noise on
    // a shared machine matters far less than at 64 at a time.
    const sequential = { facade: samples(), direct: samples() }
    for (let i = 0; i < SEQUENTIAL; i++) {
      await facadeCaller(kinds[0]!.url, `Bearer bench-one-at-a-time-${i}`, sequential.facade, 1)()
      await directCaller(vendor.url, `Bearer direct-one-at-a-time-${i}`, sequential.direct)()
    }
    const loadAfter = os.loadavg()[0]!

    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b)
    const directP99 = percentile(sorted(direct.first), 99)
    const rows = kinds.map((k) => {
      const { samples: s, initializes, returnInitializes, ms } = results.get(k.name)!
      const one = single.get(k.name)!
      const all = many.get(k.name)!
      const firstP99 = percentile(sorted(s.first), 99)
      const steadyP50 = percentile(sorted(s.steady), 50)
      const singleP50 = percentile(sorted(one.first), 50)
      const manyP50 = percentile(sorted(all.first), 50)
      return {
        kind: k.name,
        identities: n,
        initializes,
        returnInitializes,
        callsPerSecond: ((s.first.length + s.steady.length) * 1000) / ms,
        firstP50: percentile(sorted(s.first), 50),
        firstP99,
        directFirstP99: directP99,
        firstP99Target: firstP99 <= directP99 + 5,
        steadyP50,
        steadyP99: percentile(sorted(s.steady), 99),
        manyIdentitiesP50: manyP50,
        singleIdentityP50: singleP50,
        steadyOverSingle: manyP50 / singleP50,
        errors: s.errors + one.errors + all.errors,
        firstError: s.firstError ?? one.firstError ?? all.firstError,
      }
    })
    const heapPerIdentity = (after.heapUsed - before.heapUsed) / (n * kinds.length)
    const rssPerIdentity = (after.rss - before.rss) / (n * kinds.length)
    const out = [
      '',
      `## ${n} identities, ${CALLS_PER_IDENTITY} calls each, ${AT_ONCE} at a time (${new Date().toISOString()}); load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
      '',
      '| auth | initializes / identities | later initializes | calls/s | first call p50 / p99 (ms) | direct connect + call p99 (ms) | first p99 ≤ direct + 5 ms | calls 2–10 p50 / p99 (ms) | steady p50: N identities / one (ms) | ratio | errors |',
      '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.kind} | ${r.initializes} / ${n} | ${r.returnInitializes} | ${Math.round(r.callsPerSecond)} | ${f2(r.firstP50)} / ${f2(r.firstP99)} | ${f2(r.directFirstP99)} | ${r.firstP99Target ? 'PASS' : 'FAIL'} | ${f2(r.steadyP50)} / ${f2(r.steadyP99)} | ${f2(r.manyIdentitiesP50)} / ${f2(r.singleIdentityP50)} | ${f2(r.steadyOverSingle)} | ${r.errors} |`,
      ),
      '',
      `One new identity at a time (${SEQUENTIAL}, alternating): first call through the facade p50 ${f2(percentile(sorted(sequential.facade.first), 50))} / p99 ${f2(percentile(sorted(sequential.facade.first), 99))} ms; ` +
        `direct connect + call p50 ${f2(percentile(sorted(sequential.direct.first), 50))} / p99 ${f2(percentile(sorted(sequential.direct.first), 99))} ms.`,
      `Memory per identity (both facades' ${n * kinds.length} pooled sessions, main-thread heap used after GC): ${kb(heapPerIdentity)} KB; process RSS (includes the vendor's thread and its sessions): ${kb(rssPerIdentity)} KB.`,
    ]
    for (const r of rows) if (r.firstError) out.push(`first ${r.kind} error: ${r.firstError}`)
    if (direct.firstError) out.push(`first direct error: ${direct.firstError}`)
    console.log(out.join('\n'))
    writeFileSync(
      new URL('./identities-results.json', import.meta.url),
      JSON.stringify({ date: new Date().toISOString(), loadavg: [loadBefore, loadAfter], identities: n, sequential: { facadeFirst: summarizeMs(sequential.facade.first), directFirst: summarizeMs(sequential.direct.first) }, callsPerIdentity: CALLS_PER_IDENTITY, atOnce: AT_ONCE, rows, directErrors: direct.errors, memory: { before, after, heapPerIdentity, rssPerIdentity } }, null, 2) + '\n',
    )
    if (rows.some((r) => r.errors || r.initializes !== n || r.returnInitializes) || direct.errors || sequential.facade.errors || sequential.direct.errors) process.exitCode = 1
  } finally {
    for (const f of facades) await f.close().catch(() => undefined)
    agent.destroy()
    await issuer.close()
    await vendor.close()
  }
}
