/**
 * Isolation between callers: identity is a keyed hash of the presented credential (plus the forwarded values); it
 * keys the pooled vendor sessions and binds caller sessions. Two credentials never share a vendor session, a
 * credential change gets another vendor session, and a caller session used with another credential is a 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'
import { expectNoSecrets, recorder, sessionsByAuthorization } from './helpers.js'

const CATALOG = 'catalog-token-isolation-01'
const ALICE = 'alice-token-aaaa-1111-2222'
const ALICE_ROTATED = 'alice-token-aaaa-3333-4444'
const BOB = 'bob-token-bbbb-5555-6666'

describe('caller isolation with passthrough credentials', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade
  let rec: ReturnType<typeof recorder>
  const as = (token: string, extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${token}`, ...extra })

  beforeAll(async () => {
    vendor = await startSessionfulVendor({ requireBearer: (t) => [CATALOG, ALICE, ALICE_ROTATED, BOB].includes(t) })
    facade = await startTestFacade({ default: { url: vendor.url, headers: { Authorization: `Bearer ${CATALOG}` }, auth: { mode: 'passthrough' } } })
    rec = recorder(facade)
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('two callers with different tokens never share a vendor session, pooled or not', async () => {
    // Interleaved pooled calls, concurrent, plus one caller session each.
    const calls = []
    for (let i = 0; i < 4; i++) {
      calls.push(rec.call('/tools/counter_increment', { method: 'POST', json: {}, headers: as(ALICE) }))
      calls.push(rec.call('/tools/counter_increment', { method: 'POST', json: {}, headers: as(BOB) }))
    }
    expect((await Promise.all(calls)).every((r) => r.status === 200)).toBe(true)
    const a = await rec.call('/tools/counter_get', { method: 'POST', json: {}, headers: as(ALICE) })
    const b = await rec.call('/tools/counter_get', { method: 'POST', json: {}, headers: as(BOB) })
    // Vendor-side state is per session: each caller sees only its own four increments.
    expect(a.json.data.value).toBe(4)
    expect(b.json.data.value).toBe(4)
    const sa = await rec.call('/sessions', { method: 'POST', headers: as(ALICE) })
    const sb = await rec.call('/sessions', { method: 'POST', headers: as(BOB) })
    await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(ALICE, { 'X-Session-Id': sa.json.sessionId }) })
    await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(BOB, { 'X-Session-Id': sb.json.sessionId }) })

    const byAuth = sessionsByAuthorization(vendor.seenAuthorizations())
    const alice = byAuth.get(`Bearer ${ALICE}`)!
    const bob = byAuth.get(`Bearer ${BOB}`)!
    expect(alice.size).toBe(2) // pooled + caller session
    expect(bob.size).toBe(2)
    // Every vendor session saw exactly one Authorization value.
    for (const [auth, sessions] of byAuth)
      for (const [otherAuth, otherSessions] of byAuth)
        if (auth !== otherAuth) for (const s of sessions) expect(otherSessions.has(s), `${s} shared`).toBe(false)
    expect(byAuth.has(null)).toBe(false)
  })

  it('a changed credential gets another vendor session (the old one keeps its own credential)', async () => {
    const before = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(ALICE) })
    const rotated = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(ALICE_ROTATED) })
    expect(rotated.status).toBe(200)
    expect(rotated.json.data.sessionId).not.toBe(before.json.data.sessionId)
    expect(rotated.json.data.authorization).toBe(`Bearer ${ALICE_ROTATED}`)
    const again = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(ALICE) })
    expect(again.json.data.sessionId).toBe(before.json.data.sessionId)
    expect(again.json.data.authorization).toBe(`Bearer ${ALICE}`)
  })

  it('a caller session used with another credential is 404 session_not_found, and the vendor is not called', async () => {
    const { json } = await rec.call('/sessions', { method: 'POST', headers: as(ALICE) })
    const sessionId = json.sessionId as string
    const before = vendor.requests().length
    for (const token of [BOB, ALICE_ROTATED]) {
      const res = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(token, { 'X-Session-Id': sessionId }) })
      expect(res.status).toBe(404)
      expect(res.json.code).toBe('session_not_found')
    }
    const del = await rec.call(`/sessions/${sessionId}`, { method: 'DELETE', headers: as(BOB) })
    expect(del.status).toBe(404)
    expect(vendor.requests().length).toBe(before)
    // The owner still has it.
    const own = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(ALICE, { 'X-Session-Id': sessionId }) })
    expect(own.status).toBe(200)
    expect(own.json.data.authorization).toBe(`Bearer ${ALICE}`)
  })

  it("the caller's token reaches the vendor on the re-initialize after the vendor lost the session", async () => {
    const { json } = await rec.call('/sessions', { method: 'POST', headers: as(BOB) })
    await rec.call('/tools/counter_increment', { method: 'POST', json: {}, headers: as(BOB, { 'X-Session-Id': json.sessionId }) })
    const mark = vendor.seenAuthorizations().length
    await vendor.expireAllSessions()
    const res = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(BOB, { 'X-Session-Id': json.sessionId }) })
    expect(res.status).toBe(200)
    expect(res.json.sessionRenewed).toBe(true)
    const after = vendor.requests().slice(mark).filter((r) => r.authorization !== `Bearer ${CATALOG}`)
    expect(after.some((r) => r.rpcMethod === 'initialize')).toBe(true)
    expect(after.every((r) => r.authorization === `Bearer ${BOB}`)).toBe(true)
  })

  it('never stores or logs a raw credential', () => {
    expectNoSecrets(facade.logs, [CATALOG, ALICE, ALICE_ROTATED, BOB], 'logs')
    expectNoSecrets(rec.bodies.filter((b) => b.includes('problem+json')), [CATALOG, ALICE, ALICE_ROTATED, BOB], 'problem bodies')
  })
})

describe('caller isolation with a shared API key and per-user forwarded tokens', () => {
  const KEY = 'shared-connector-key-0000111'
  let vendor: SessionfulVendor
  let facade: TestFacade
  let rec: ReturnType<typeof recorder>
  const as = (token: string, extra: Record<string, string> = {}) => ({ 'X-API-Key': KEY, 'X-Vendor-Authorization': `Bearer ${token}`, ...extra })

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    facade = await startTestFacade({
      default: {
        url: vendor.url,
        auth: { mode: 'apiKey', keys: [KEY] },
        forwardHeaders: { allow: ['X-Vendor-Authorization'], rename: { 'X-Vendor-Authorization': 'Authorization' } },
      },
    })
    rec = recorder(facade)
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('the same API key with another forwarded token is another caller', async () => {
    const a = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(ALICE) })
    const b = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(BOB) })
    expect(a.json.data.sessionId).not.toBe(b.json.data.sessionId)
    const opened = await rec.call('/sessions', { method: 'POST', headers: as(ALICE) })
    const stolen = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(BOB, { 'X-Session-Id': opened.json.sessionId }) })
    expect(stolen.status).toBe(404)
    expect(stolen.json.code).toBe('session_not_found')
    const own = await rec.call('/tools/whoami', { method: 'POST', json: {}, headers: as(ALICE, { 'X-Session-Id': opened.json.sessionId }) })
    expect(own.json.data.authorization).toBe(`Bearer ${ALICE}`)
    const byAuth = sessionsByAuthorization(vendor.seenAuthorizations())
    for (const s of byAuth.get(`Bearer ${ALICE}`)!) expect(byAuth.get(`Bearer ${BOB}`)!.has(s)).toBe(false)
  })
})
