/**
 * 202 jobs in the shared store: the JobStore contract against memory and a real Redis, and a job started on
 * facade A polled on facade B sharing one Redis (progress, final answer, another identity 404).
 * Redis tests need REDIS_URL (e.g. redis://127.0.0.1:6379); without it they are skipped with a notice.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobRecord, JobStore } from '../../src/sessions/job-store.js'
import { MemoryJobStore } from '../../src/sessions/job-store-memory.js'
import { RedisJobStore } from '../../src/sessions/job-store-redis.js'
import { JobRegistry, type JobOutcome } from '../../src/runtime/jobs.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const REDIS_URL = process.env.REDIS_URL
if (!REDIS_URL) console.warn('[skip] REDIS_URL is not set: Redis job store tests are skipped (set REDIS_URL=redis://127.0.0.1:6379 to run them)')
/** One key prefix per test run: Redis is shared with other test runs. */
const PREFIX = `mrf-test-${randomBytes(6).toString('hex')}:`

const record = (over: Partial<JobRecord> = {}): JobRecord => ({
  id: 'job_' + randomBytes(18).toString('base64url'),
  server: 'default',
  identity: 'id_abc',
  tool: 'slow',
  startedAt: 1,
  ...over,
})

function describeJobStore(name: string, factory: () => Promise<JobStore>, enabled = true) {
  describe.skipIf(!enabled)(`JobStore contract: ${name}`, () => {
    it('stores, replaces and returns copies', async () => {
      const store = await factory()
      try {
        const r = record({ progress: { progress: 1, total: 4, percent: 25 } })
        await store.put(r, 60)
        r.identity = 'changed'
        expect((await store.get(r.id))!.identity).toBe('id_abc')
        await store.put({ ...r, identity: 'id_abc', outcome: { status: 200, body: { ok: true } }, finishedAt: 2 }, 60)
        expect(await store.get(r.id)).toMatchObject({ outcome: { status: 200, body: { ok: true } }, finishedAt: 2 })
        expect(await store.get('job_unknown')).toBeUndefined()
      } finally {
        await store.close()
      }
    })

    it('expires records after their TTL', async () => {
      const store = await factory()
      try {
        const r = record()
        await store.put(r, 1)
        expect(await store.get(r.id)).toBeDefined()
        await new Promise((res) => setTimeout(res, 1100))
        expect(await store.get(r.id)).toBeUndefined()
      } finally {
        await store.close()
      }
    })
  })
}

describeJobStore('memory', async () => new MemoryJobStore())
describeJobStore('redis', async () => RedisJobStore.connect(REDIS_URL!, PREFIX), !!REDIS_URL)

describe('JobRegistry', () => {
  it('the last write is the final answer even when progress races it, and a foreign identity or server sees nothing', async () => {
    const store = new MemoryJobStore()
    const jobs = new JobRegistry(60_000, { store, server: 'default' })
    let finish!: (o: JobOutcome) => void
    const job = await jobs.start('id_a', 'slow', new Promise<JobOutcome>((r) => (finish = r)))
    for (let i = 1; i <= 50; i++) jobs.report(job, { progress: i, total: 100 })
    finish({ status: 200, body: { done: true } })
    for (let i = 51; i <= 60; i++) jobs.report(job, { progress: i, total: 100 })
    await expect.poll(async () => (await jobs.get(job.id, 'id_a'))?.outcome).toEqual({ status: 200, body: { done: true } })
    await expect.poll(() => jobs.running).toBe(0)
    expect(await jobs.get(job.id, 'id_b')).toBeUndefined()
    expect(await new JobRegistry(60_000, { store, server: 'other' }).get(job.id, 'id_a')).toBeUndefined()
    expect(await jobs.get('not-a-job-id', 'id_a')).toBeUndefined()
    await jobs.shutdown(0)
    await store.close()
  })
})

describe.skipIf(!REDIS_URL)('a job store that cannot be reached', () => {
  it('start and get fail with 503 store_unavailable (never a 500); the call itself still settles', async () => {
    const store = await RedisJobStore.connect(REDIS_URL!, PREFIX)
    await store.close()
    const jobs = new JobRegistry(60_000, { store })
    let settled = false
    const outcome = new Promise<JobOutcome>((r) => setTimeout(() => r({ status: 200, body: {} }), 50)).then((o) => ((settled = true), o))
    await expect(jobs.start('id_a', 'slow', outcome)).rejects.toMatchObject({ code: 'store_unavailable', status: 503 })
    await expect(jobs.get('job_' + 'A'.repeat(24), 'id_a')).rejects.toMatchObject({ code: 'store_unavailable' })
    await outcome
    expect(settled).toBe(true)
    await jobs.shutdown(1000)
    expect(jobs.running).toBe(0)
  })
})

describe.skipIf(!REDIS_URL)('a job started on facade A is polled on facade B sharing Redis', () => {
  let vendor: SessionfulVendor
  let a: TestFacade
  let b: TestFacade
  const keyA = 'job-key-a-0123456789'
  const keyB = 'job-key-b-0123456789'
  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    const shared = { sessions: { store: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: PREFIX }, identitySecret: 'jobs-shared-secret-0123456789' }
    const servers = { default: { url: vendor.url, auth: { mode: 'apiKey', keys: [keyA, keyB] }, async: { thresholdMs: 0, retryAfterSeconds: 1, resultTtlSeconds: 60 } } }
    a = await startTestFacade(servers, shared)
    b = await startTestFacade(servers, shared)
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await vendor?.close()
  })

  it('B answers running with progress, then the final envelope; another identity gets 404 on both', async () => {
    expect(a.logs.some((l) => /"store":"redis"/.test(l) && l.includes('"url":"redis://127.0.0.1:6379'))).toBe(true)
    const started = await a.call('/tools/slow', { method: 'POST', json: { ms: 1200 }, headers: { 'X-API-Key': keyA, Prefer: 'respond-async' } })
    expect(started.status).toBe(202)
    const path = new URL(started.headers.get('location')!).pathname
    const own = { headers: { 'X-API-Key': keyA } }

    // Progress written by A is visible on B while A still runs the call.
    await expect
      .poll(async () => {
        const res = await b.call(path, own)
        return res.status === 202 ? ((await jsonOf(res)).progress?.percent ?? 0) : -1
      }, { timeout: 3000, interval: 100 })
      .toBeGreaterThan(0)
    const running = await b.call(path, own)
    expect(running.status).toBe(202)
    expect(running.headers.get('location')).toBe(b.url + path)
    expect(await jsonOf(running)).toMatchObject({ status: 'running', tool: 'slow' })

    for (const f of [a, b]) {
      const foreign = await f.call(path, { headers: { 'X-API-Key': keyB } })
      expect(foreign.status).toBe(404)
      expect(await jsonOf(foreign)).toMatchObject({ code: 'job_not_found' })
    }

    await expect.poll(async () => (await b.call(path, own)).status, { timeout: 5000, interval: 100 }).toBe(200)
    const done = await jsonOf(await b.call(path, own))
    expect(done).toMatchObject({ isError: false })
    expect(JSON.stringify(done)).toContain('1200')
    expect((await b.call(path, { headers: { 'X-API-Key': keyB } })).status).toBe(404)
  })
})
