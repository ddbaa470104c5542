/**
 * Interactive calls through REST (`Prefer: input-required`) against eliciting vendors of both eras, with two facade
 * replicas on one real Redis: the call starts on A, the answers go to B. Two rounds (enums, defaults, a multi-select,
 * an e-mail), url mode, decline, invalid answers with JSON pointers, the same answer posted twice, a foreign
 * identity, cancel (waiting and running), and (2025) the owner replica dying.
 * REDIS_URL from the environment, else redis://127.0.0.1:6379; keys under a random prefix.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ElicitingVendor } from '../fixtures/eliciting-vendor.js'
import { startElicitingReplicas, type ElicitingReplicas } from '../support/eliciting-replicas.js'
import { jsonOf, type TestFacade } from '../support/facade.js'

const keyA = 'owner-key-' + randomBytes(8).toString('hex')
const keyB = 'other-key-' + randomBytes(8).toString('hex')
const owner = { 'X-API-Key': keyA }
const stranger = { 'X-API-Key': keyB }
const ask = { ...owner, prefer: 'input-required' }

for (const era of ['legacy', 'modern'] as const) {
  describe(`interactive calls through REST, ${era === 'legacy' ? '2025 (elicitation/create pushed)' : '2026-07-28 (input_required)'} vendor, two replicas on Redis`, () => {
    let vendor: ElicitingVendor
    let a: TestFacade
    let b: TestFacade
    let replicas: ElicitingReplicas
    beforeAll(async () => {
      replicas = await startElicitingReplicas(era, [keyA, keyB], 6_000)
      ;({ vendor, a, b } = replicas)
    })
    afterAll(() => replicas?.close())

    it('completes two rounds with the answers posted to the other replica; defaults filled, side effects once', async () => {
      const res = await a.call('/tools/book_trip', { method: 'POST', headers: ask, json: { traveller: 'Ada' } })
      expect(res.status).toBe(200)
      expect(res.headers.get('preference-applied')).toBe('input-required')
      const q1 = await jsonOf(res)
      expect(q1).toMatchObject({ status: 'input_required', tool: 'book_trip', round: 1, question: { kind: 'form' } })
      expect(q1.answerUrl).toMatch(new RegExp(`/jobs/${q1.jobId}/answers$`))
      expect(q1.question.schema.properties.destination.enum).toEqual(['Paris', 'Rome', 'Oslo'])
      const card = q1.question.adaptiveCard
      expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' })
      expect(card.body.find((i: any) => i.id === 'destination')).toMatchObject({ type: 'Input.ChoiceSet', value: 'Paris' })
      expect(card.body.find((i: any) => i.id === 'nights')).toMatchObject({ type: 'Input.Number', min: 1, max: 14, value: 2 })
      expect(card.body.find((i: any) => i.id === 'confirm')).toMatchObject({ type: 'Input.Toggle', isRequired: true })

      // The other replica serves the waiting job and takes the answer.
      const polled = await b.call(`/jobs/${q1.jobId}`, { headers: owner })
      expect(polled.status).toBe(200)
      expect(await jsonOf(polled)).toMatchObject({ status: 'input_required', round: 1, jobId: q1.jobId })
      const r2 = await b.call(`/jobs/${q1.jobId}/answers`, { method: 'POST', headers: owner, json: { action: 'accept', content: { confirm: true } } })
      expect(r2.status).toBe(200)
      const q2 = await jsonOf(r2)
      expect(q2).toMatchObject({ status: 'input_required', round: 2 })
      expect(q2.question.adaptiveCard.body.find((i: any) => i.id === 'extras')).toMatchObject({ type: 'Input.ChoiceSet', isMultiSelect: true, value: 'meal' })

      // Round 2 answered on A again, in the full form.
      const r3 = await a.call(`/jobs/${q1.jobId}/answers`, { method: 'POST', headers: owner, json: { answers: [{ questionId: q2.question.id, action: 'accept', content: { seat: 'window', email: 'ada@example.com' } }] } })
      expect(r3.status).toBe(200)
      const done = await jsonOf(r3)
      expect(done).toMatchObject({ status: 'complete', isError: false, data: { traveller: 'Ada', destination: 'Paris', nights: 2, confirm: true, seat: 'window', extras: ['meal'] } })
      expect(vendor.executions('book_trip')).toBe(1)
      // Either replica then answers the final envelope.
      expect(await jsonOf(await b.call(`/jobs/${q1.jobId}`, { headers: owner }))).toMatchObject({ status: 'complete', data: { seat: 'window' } })
    })

    it('refuses invalid answers with JSON pointers, and an answer posted twice is forwarded once', async () => {
      const q = await jsonOf(await a.call('/tools/book_trip', { method: 'POST', headers: ask, json: { traveller: 'Bob' } }))
      const bad = await b.call(`/jobs/${q.jobId}/answers`, { method: 'POST', headers: owner, json: { action: 'accept', content: { nights: 99, destination: 'Mars' } } })
      expect(bad.status).toBe(400)
      const problem = await jsonOf(bad)
      expect(problem.code).toBe('invalid_answer')
      const pointers = problem.errors.map((e: any) => e.pointer)
      expect(pointers).toEqual(expect.arrayContaining(['/content/nights', '/content/destination', '/content/confirm']))
      expect((await b.call(`/jobs/${q.jobId}/answers`, { method: 'POST', headers: owner, json: { action: 'maybe' } })).status).toBe(400)
      const before = vendor.answers().length
      const [one, two] = await Promise.all([
        a.call(`/jobs/${q.jobId}/answers`, { method: 'POST', headers: owner, json: { action: 'decline' } }),
        b.call(`/jobs/${q.jobId}/answers`, { method: 'POST', headers: owner, json: { action: 'decline' } }),
      ])
      expect([one.status, two.status].sort()).toEqual([200, 409])
      const conflict = await jsonOf([one, two].find((r) => r.status === 409)!)
      expect(conflict.code).toBe('question_not_pending')
      const answered = await jsonOf([one, two].find((r) => r.status === 200)!)
      expect(answered).toMatchObject({ status: 'complete', text: 'round 1: decline' })
      expect(vendor.answers().slice(before)).toEqual([{ action: 'decline' }])
    })

    it('keeps jobs to their identity: another caller gets 404 job_not_found for every job route', async () => {
      const q = await jsonOf(await a.call('/tools/confirm_delete', { method: 'POST', headers: ask, json: {} }))
      for (const [path, method, json] of [[`/jobs/${q.jobId}`, 'GET'], [`/jobs/${q.jobId}/answers`, 'POST', { action: 'accept', content: { confirm: true } }], [`/jobs/${q.jobId}`, 'DELETE']] as const) {
        const res = await b.call(path, { method, headers: stranger, json })
        expect(res.status).toBe(404)
        expect((await jsonOf(res)).code).toBe('job_not_found')
      }
      const ok = await b.call(`/jobs/${q.jobId}/answers`, { method: 'POST', headers: owner, json: { action: 'accept', content: { confirm: 'true' } } })
      // Not a connector caller: "true" is not coerced.
      expect(ok.status).toBe(400)
      const coerced = await b.call(`/jobs/${q.jobId}/answers`, { method: 'POST', headers: { ...owner, 'X-Facade-Client': 'power-platform' }, json: { action: 'accept', content: { confirm: 'true' } } })
      expect(await jsonOf(coerced)).toMatchObject({ status: 'complete', text: 'action=accept confirm=true' })
    })

    it('url questions carry the URL and a card with an Open link; accept completes them', async () => {
      const q = await jsonOf(await a.call('/tools/sign_in', { method: 'POST', headers: ask, json: {} }))
      expect(q.question).toMatchObject({ kind: 'url', url: 'https://login.example.com/authorize?state=abc' })
      expect(q.question.adaptiveCard.actions[0]).toMatchObject({ type: 'Action.OpenUrl', url: 'https://login.example.com/authorize?state=abc' })
      const done = await jsonOf(await b.call(`/jobs/${q.jobId}/answers`, { method: 'POST', headers: owner, json: { action: 'accept' } }))
      expect(done).toMatchObject({ status: 'complete', text: 'signed in' })
    })

    it('DELETE on the other replica cancels a waiting job: its question answered cancel, later polls 409 job_cancelled', async () => {
      const q = await jsonOf(await a.call('/tools/confirm_delete', { method: 'POST', headers: ask, json: {} }))
      const del = await b.call(`/jobs/${q.jobId}`, { method: 'DELETE', headers: owner })
      expect(del.status).toBe(200)
      expect(await jsonOf(del)).toEqual({ status: 'cancelled', jobId: q.jobId })
      await expect.poll(() => vendor.answers().at(-1), { timeout: 5_000 }).toEqual({ action: 'cancel' })
      const poll = await a.call(`/jobs/${q.jobId}`, { headers: owner })
      expect(poll.status).toBe(409)
      expect((await jsonOf(poll)).code).toBe('job_cancelled')
      expect((await b.call(`/jobs/${q.jobId}/answers`, { method: 'POST', headers: owner, json: { action: 'accept', content: { confirm: true } } })).status).toBe(409)
    })

    it('DELETE of a running request reaches the vendor as a cancellation', async () => {
      // Both preferences: a question is still a 200 (a flow must run the steps that answer it); the next step is a 202.
      const first = await a.call('/tools/hang', { method: 'POST', headers: { ...ask, prefer: 'respond-async, input-required' }, json: {} })
      expect(first.status).toBe(202)
      const location = first.headers.get('location')!
      let q: Record<string, any> = {}
      await expect.poll(async () => (q = await jsonOf(await b.call(new URL(location).pathname, { headers: owner }))).status, { timeout: 5_000, interval: 50 }).toBe('input_required')
      const running = await b.call(`/jobs/${q.jobId}/answers`, { method: 'POST', headers: { ...owner, prefer: 'respond-async' }, json: { action: 'accept', content: { confirm: true } } })
      expect(running.status).toBe(202)
      expect(running.headers.get('location')).toMatch(new RegExp(`/jobs/${q.jobId}$`))
      const before = vendor.cancellations()
      expect((await a.call(`/jobs/${q.jobId}`, { method: 'DELETE', headers: owner })).status).toBe(200)
      await expect.poll(() => vendor.cancellations(), { timeout: 5_000 }).toBe(before + 1)
      expect((await b.call(`/jobs/${q.jobId}`, { headers: owner })).status).toBe(409)
    })

    it('DELETE of a plain 202 job on the other replica cancels its running request at the vendor', async () => {
      const accepted = await a.call('/tools/slow', { method: 'POST', headers: { ...owner, prefer: 'respond-async' }, json: {} })
      expect(accepted.status).toBe(202)
      const { jobId } = await jsonOf(accepted)
      await expect.poll(() => vendor.executions('slow'), { timeout: 5_000 }).toBeGreaterThan(0)
      const before = vendor.cancellations()
      expect((await b.call(`/jobs/${jobId}`, { method: 'DELETE', headers: stranger })).status).toBe(404)
      const del = await b.call(`/jobs/${jobId}`, { method: 'DELETE', headers: owner })
      expect(del.status).toBe(200)
      await expect.poll(() => vendor.cancellations(), { timeout: 5_000 }).toBe(before + 1)
      await expect.poll(async () => (await a.call(`/jobs/${jobId}`, { headers: owner })).status, { timeout: 5_000 }).toBe(409)
      expect((await jsonOf(await b.call(`/jobs/${jobId}`, { headers: owner }))).code).toBe('job_cancelled')
    })

    it('a synchronous call whose HTTP caller goes away is cancelled at the vendor', async () => {
      const before = vendor.cancellations()
      const started = vendor.executions('slow')
      const gone = new AbortController()
      const call = a.call('/tools/slow', { method: 'POST', headers: owner, json: {}, signal: gone.signal }).catch((e: Error) => e)
      await expect.poll(() => vendor.executions('slow'), { timeout: 5_000 }).toBe(started + 1)
      gone.abort()
      expect(await call).toBeInstanceOf(Error)
      await expect.poll(() => vendor.cancellations(), { timeout: 5_000 }).toBe(before + 1)
    })

    it('a call that did not opt in declares nothing: the vendor refuses to ask, and that is vendor_error, not vendor_bad_response', async () => {
      const res = await a.call('/tools/confirm_delete', { method: 'POST', headers: owner, json: {} })
      expect(res.status).toBe(502)
      const problem = await jsonOf(res)
      expect(problem.code).toBe('vendor_error')
      expect(typeof problem.vendorCode).toBe('number')
      expect(res.headers.get('preference-applied')).toBeNull()
      const plain = await jsonOf(await a.call('/tools/plain', { method: 'POST', headers: owner, json: {} }))
      expect(plain).toMatchObject({ status: 'complete', text: 'plain ok' })
    })

    if (era === 'legacy') {
      it('answers cancel itself before the vendor request would time out, and says so in the job', async () => {
        const q = await jsonOf(await a.call('/tools/confirm_delete', { method: 'POST', headers: ask, json: {} }))
        // vendorRequestTimeoutMs 6 s: the facade answers cancel after 1 s (5 s margin).
        const final = await (async () => {
          for (let i = 0; i < 60; i++) {
            const res = await b.call(`/jobs/${q.jobId}`, { headers: owner })
            const body = await jsonOf(res)
            if (body.status === 'complete') return body
            await new Promise((r) => setTimeout(r, 100))
          }
          throw new Error('no final answer')
        })()
        expect(final.text).toBe('action=cancel confirm=undefined')
        expect(final.notes.join(' ')).toMatch(/answered cancel before the vendor's own request timeout/)
      })

      it("an identity's next interactive call reuses its idle interactive vendor session (no new initialize)", async () => {
        await a.call('/tools/plain', { method: 'POST', headers: ask, json: {} })
        const before = vendor.initializations()
        for (let i = 0; i < 3; i++) expect(await jsonOf(await a.call('/tools/plain', { method: 'POST', headers: ask, json: {} }))).toMatchObject({ status: 'complete', text: 'plain ok' })
        expect(vendor.initializations()).toBe(before)
      })

      it('when the owner replica dies, polls on the other replica answer 502 vendor_interrupted within the lease', async () => {
        const c = await replicas.start()
        const q = await jsonOf(await c.call('/tools/confirm_delete', { method: 'POST', headers: ask, json: {} }))
        expect(q.status).toBe('input_required')
        await c.close()
        await expect
          .poll(async () => (await jsonOf(await b.call(`/jobs/${q.jobId}`, { headers: owner }))).code, { timeout: 5_000, interval: 200 })
          .toBe('vendor_interrupted')
      })
    }
  })
}
