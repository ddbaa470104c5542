/**
 * @module bench/interaction
 * `npm run bench:interaction`: what an interactive round costs over a plain call, per vendor era, through the real
 * facade on loopback. Per era (the eliciting fixture vendors of test/fixtures): (1) a plain call; (2) the same call
 * opted in (`Prefer: input-required`, no question asked); (3) one round: the call answers `input_required`, the
 * answer is posted to the same replica, the result comes back; (4) the same round answered on a second replica
 * sharing Redis (REDIS_URL, else redis://127.0.0.1:6379; skipped when unreachable). Sequential calls, bounded by
 * count and time; p50/p95 in ms; writes bench/interaction-results.json.
 */
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { Redis } from 'ioredis'
import { ConfigSchema } from '../src/config/schema.js'
import { createLogger } from '../src/log.js'
import { startFacade, type RunningFacade } from '../src/server.js'
import { startElicitingVendor } from '../test/fixtures/eliciting-vendor.js'

const CALLS = Number(process.env.BENCH_CALLS ?? 200)
const PHASE_MS = 8_000
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

type Json = Record<string, any>

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Json> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const json = (await res.json()) as Json
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(json).slice(0, 200)}`)
  return json
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

/** Runs `fn` sequentially up to CALLS times or PHASE_MS; p50/p95 of each named part it reports. */
async function phase(fn: (lap: (name: string) => void) => Promise<void>): Promise<Record<string, { p50: number; p95: number; n: number }>> {
  const parts = new Map<string, number[]>()
  for (let i = 0; i < 20; i++) await fn(() => {})
  const until = Date.now() + PHASE_MS
  for (let i = 0; i < CALLS && Date.now() < until; i++) {
    let last = performance.now()
    await fn((name) => {
      const now = performance.now()
      parts.set(name, [...(parts.get(name) ?? []), now - last])
      last = now
    })
  }
  return Object.fromEntries(
    [...parts].map(([name, v]) => {
      const s = [...v].sort((a, b) => a - b)
      return [name, { p50: +pct(s, 50).toFixed(2), p95: +pct(s, 95).toFixed(2), n: s.length }]
    }),
  )
}

async function redisReachable(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 500 })
  try {
    await r.connect()
    await r.ping()
    return true
  } catch {
    return false
  } finally {
    r.disconnect()
  }
}

async function facadeFor(url: string, era: string, shared?: string): Promise<RunningFacade> {
  const config = ConfigSchema.parse({
    port: 0,
    host: '127.0.0.1',
    identitySecret: 'bench-identity-secret-0123456789',
    ...(shared ? { sessions: { store: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: shared } } : {}),
    servers: { default: { url, protocol: era } },
  })
  const f = await startFacade(config, createLogger('silent'))
  for (let i = 0; i < 200 && !(await fetch(`${f.url}/tools`)).ok; i++) await new Promise((r) => setTimeout(r, 50))
  return f
}

async function main() {
  const watchdog = setTimeout(() => {
    console.error('bench:interaction: watchdog fired')
    process.exit(1)
  }, 180_000)
  watchdog.unref()
  const withRedis = await redisReachable()
  const results: Json = { date: new Date().toISOString(), node: process.version, calls: CALLS, redis: withRedis }
  for (const era of ['legacy', 'modern'] as const) {
    const vendor = await startElicitingVendor({ era })
    const prefix = withRedis ? `mrf-bench-${randomBytes(4).toString('hex')}:` : undefined
    const a = await facadeFor(vendor.url, era, prefix)
    const b = withRedis ? await facadeFor(vendor.url, era, prefix) : undefined
    const ask = { prefer: 'input-required' }
    const round = (answerOn: RunningFacade) => async (lap: (n: string) => void) => {
      const q = await post(`${a.url}/tools/confirm_delete`, {}, ask)
      if (q.status !== 'input_required') throw new Error('expected a question')
      lap('question')
      const done = await post(`${answerOn.url}/jobs/${q.jobId}/answers`, { action: 'accept', content: { confirm: true } })
      if (done.status !== 'complete') throw new Error('expected the result')
      lap('answer')
    }
    results[era] = {
      plain: await phase(async (lap) => void (await post(`${a.url}/tools/plain`, {}), lap('call'))),
      optedInNoQuestion: await phase(async (lap) => void (await post(`${a.url}/tools/plain`, {}, ask), lap('call'))),
      roundSameReplica: await phase(round(a)),
      ...(b ? { roundOtherReplica: await phase(round(b)) } : {}),
    }
    await Promise.allSettled([a.close(), b?.close()])
    await vendor.close()
  }
  writeFileSync(new URL('./interaction-results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n')
  console.log('| era | plain call p50 | opted in, no question p50 | round: question p50 | round: answer → result p50 | round total vs plain | other replica: answer → result p50 |')
  console.log('|---|---|---|---|---|---|---|')
  for (const era of ['legacy', 'modern'] as const) {
    const r = results[era]
    const total = r.roundSameReplica.question.p50 + r.roundSameReplica.answer.p50
    console.log(
      `| ${era === 'legacy' ? '2025' : '2026-07-28'} | ${r.plain.call.p50} | ${r.optedInNoQuestion.call.p50} | ${r.roundSameReplica.question.p50} | ${r.roundSameReplica.answer.p50} | +${(total - r.plain.call.p50).toFixed(2)} | ${r.roundOtherReplica?.answer.p50 ?? 'n/a'} |`,
    )
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:interaction: ${(error as Error).message}`)
    process.exit(1)
  },
)
