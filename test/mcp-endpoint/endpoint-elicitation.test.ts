/**
 * `/mcp` passes vendor questions on: real eliciting vendors of both eras (test/fixtures/eliciting-vendor), real SDK
 * clients downstream. A 2025 client that declared elicitation gets `elicitation/create` on its call's stream (two
 * rounds, defaults filled, decline, cancel, url mode); a 2026-07-28 client answers `input_required` results with
 * `inputResponses` + `requestState` (two rounds, invalid answers as -32602 with pointers, foreign state refused),
 * across two facade replicas on one real Redis; a client that declared nothing is never asked (the vendor's own
 * -32021 comes back as a vendor_error tool error, as before).
 * REDIS_URL from the environment, else redis://127.0.0.1:6379; keys under a random prefix.
 */
import { randomBytes } from 'node:crypto'
import { Client, isInputRequiredResult, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ElicitingVendor } from '../fixtures/eliciting-vendor.js'
import { startElicitingReplicas, type ElicitingReplicas } from '../support/eliciting-replicas.js'
import type { TestFacade } from '../support/facade.js'
import { textOf } from './mcp-client.js'

const KEY = 'elicit-key-' + randomBytes(8).toString('hex')
const OTHER = 'other-key-' + randomBytes(8).toString('hex')
type Json = Record<string, any>
type Answer = (params: Json) => Json | Promise<Json>

/** An SDK client of an era; `answer` set → it declares elicitation (form and url) and answers with it. */
async function connect(url: string, era: 'legacy' | 'modern', answer?: Answer, key = KEY) {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { 'X-API-Key': key } } })
  const client = new Client(
    { name: 'elicit-test', version: '1.0.0' },
    { capabilities: answer ? { elicitation: { form: {}, url: {} } } : {}, versionNegotiation: era === 'modern' ? { mode: { pin: '2026-07-28' } } : { mode: 'legacy' } },
  )
  const asked: Json[] = []
  if (answer && era === 'legacy')
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params as Json)
      return (await answer(request.params as Json)) as never
    })
  await client.connect(transport)
  return { client, asked, close: () => client.close() }
}

const tripAnswers: Answer = (params) =>
  params.message === 'Where to?' ? { action: 'accept', content: { confirm: true } } : { action: 'accept', content: { seat: 'aisle', email: 'ada@example.com' } }

for (const vendorEra of ['legacy', 'modern'] as const) {
  describe(`/mcp relays a ${vendorEra === 'legacy' ? '2025' : '2026-07-28'} vendor's questions`, () => {
    let vendor: ElicitingVendor
    let a: TestFacade
    let b: TestFacade
    let replicas: ElicitingReplicas
    beforeAll(async () => {
      replicas = await startElicitingReplicas(vendorEra, [KEY, OTHER], 8_000)
      ;({ vendor, a, b } = replicas)
    })
    afterAll(() => replicas?.close())

    it('2025 client: two rounds on the call stream, defaults filled in, side effects once', async () => {
      const before = vendor.executions('book_trip')
      const c = await connect(`${a.url}/mcp`, 'legacy', tripAnswers)
      try {
        const result = await c.client.callTool({ name: 'book_trip', arguments: { traveller: 'Ada' } })
        expect(c.asked.map((p) => p.message)).toEqual(['Where to?', 'Seat and contact?'])
        expect(c.asked[0]!.requestedSchema.properties.destination.enum).toEqual(['Paris', 'Rome', 'Oslo'])
        expect(result.isError).toBeFalsy()
        expect(result.structuredContent).toEqual({ traveller: 'Ada', destination: 'Paris', nights: 2, confirm: true, seat: 'aisle', extras: ['meal'], email: 'ada@example.com' })
        expect(vendor.executions('book_trip')).toBe(before + 1)
      } finally {
        await c.close()
      }
    })

    it('2025 client: decline and cancel reach the vendor; url mode is relayed', async () => {
      for (const action of ['decline', 'cancel'] as const) {
        const c = await connect(`${a.url}/mcp`, 'legacy', () => ({ action }))
        try {
          const result = await c.client.callTool({ name: 'confirm_delete', arguments: {} })
          expect(textOf(result)).toBe(`action=${action} confirm=undefined`)
        } finally {
          await c.close()
        }
      }
      const c = await connect(`${a.url}/mcp`, 'legacy', () => ({ action: 'accept' }))
      try {
        const result = await c.client.callTool({ name: 'sign_in', arguments: {} })
        expect(c.asked[0]).toMatchObject({ mode: 'url', url: 'https://login.example.com/authorize?state=abc', message: 'Sign in to continue' })
        expect(typeof c.asked[0]!.elicitationId).toBe('string')
        expect(textOf(result)).toBe('signed in')
      } finally {
        await c.close()
      }
    })

    // Only a 2025 vendor has a standalone GET stream to ask on.
    if (vendorEra === 'legacy')
      it('2025 client: a question the vendor sends on its standalone GET stream is relayed too', async () => {
        const c = await connect(`${a.url}/mcp`, 'legacy', () => ({ action: 'accept', content: { confirm: true } }))
        try {
          const result = await c.client.callTool({ name: 'ask_on_stream', arguments: {} })
          expect(c.asked.map((p) => p.message)).toEqual(['On the stream?'])
          expect(textOf(result)).toBe('stream action=accept')
        } finally {
          await c.close()
        }
      })

    it('2025 client: two calls at once in one conversation each get their own answer', async () => {
      let n = 0
      const c = await connect(`${a.url}/mcp`, 'legacy', async () => {
        const mine = n++
        // The first question is answered last, so answers cross on the wire.
        await new Promise((r) => setTimeout(r, mine === 0 ? 150 : 0))
        return mine === 0 ? { action: 'accept', content: { confirm: true } } : { action: 'decline' }
      })
      try {
        const [first, second] = await Promise.all([
          c.client.callTool({ name: 'confirm_delete', arguments: {} }),
          new Promise((r) => setTimeout(r, 50)).then(() => c.client.callTool({ name: 'confirm_delete', arguments: {} })),
        ])
        expect(textOf(first)).toBe('action=accept confirm=true')
        expect(textOf(second)).toBe('action=decline confirm=undefined')
      } finally {
        await c.close()
      }
    })

    it('2025 client: an answer that breaks the schema ends the call with invalid_answer, the vendor gets cancel', async () => {
      const c = await connect(`${a.url}/mcp`, 'legacy', () => ({ action: 'accept', content: { confirm: 'yes' } }))
      try {
        const result = await c.client.callTool({ name: 'confirm_delete', arguments: {} })
        expect(result.isError).toBe(true)
        expect(textOf(result)).toMatch(/invalid_answer[\s\S]*\/answers\/0\/content\/confirm/)
      } finally {
        await c.close()
      }
    })

    it('2026-07-28 client: two rounds answered on the other replica, requestState of ours, side effects once', async () => {
      const before = vendor.executions('book_trip')
      const c1 = await connect(`${a.url}/mcp`, 'modern', tripAnswers)
      const c2 = await connect(`${b.url}/mcp`, 'modern', tripAnswers)
      try {
        const args = { traveller: 'Grace' }
        const r1 = await c1.client.callTool({ name: 'book_trip', arguments: args }, { allowInputRequired: true } as never)
        expect(isInputRequiredResult(r1)).toBe(true)
        const q1 = r1 as unknown as Json
        const [k1] = Object.keys(q1.inputRequests)
        expect(q1.inputRequests[k1!]).toMatchObject({ method: 'elicitation/create', params: { message: 'Where to?' } })
        expect(q1.requestState).toMatch(/^mrf1\./)

        // An answer that breaks the schema: -32602 with a pointer into inputResponses, nothing forwarded.
        const bad = await c2.client
          .callTool({ name: 'book_trip', arguments: args, inputResponses: { [k1!]: { action: 'accept', content: { confirm: 'yes' } } }, requestState: q1.requestState } as never, { allowInputRequired: true } as never)
          .then(
            () => undefined,
            (e: Json) => e,
          )
        expect(bad).toMatchObject({ code: -32602, data: { code: 'invalid_answer', errors: [{ pointer: `/inputResponses/${k1}/content/confirm` }] } })

        // A retry that answers nothing gets the same questions again.
        const again = (await c2.client.callTool({ name: 'book_trip', arguments: args, inputResponses: {}, requestState: q1.requestState } as never, { allowInputRequired: true } as never)) as unknown as Json
        expect(Object.keys(again.inputRequests)).toEqual([k1])

        const r2 = (await c2.client.callTool(
          { name: 'book_trip', arguments: args, inputResponses: { [k1!]: { action: 'accept', content: { confirm: true } } }, requestState: q1.requestState } as never,
          { allowInputRequired: true } as never,
        )) as unknown as Json
        expect(r2.resultType).toBe('input_required')
        expect(r2.requestState).not.toBe(q1.requestState)
        const [k2] = Object.keys(r2.inputRequests)
        const done = await c1.client.callTool(
          { name: 'book_trip', arguments: args, inputResponses: { [k2!]: { action: 'accept', content: { seat: 'window', email: 'grace@example.com' } } }, requestState: r2.requestState } as never,
          { allowInputRequired: true } as never,
        )
        expect(done.structuredContent).toEqual({ traveller: 'Grace', destination: 'Paris', nights: 2, confirm: true, seat: 'window', extras: ['meal'], email: 'grace@example.com' })
        expect(vendor.executions('book_trip')).toBe(before + 1)
      } finally {
        await c1.close()
        await c2.close()
      }
    })

    it('2026-07-28 client: url mode is relayed; a client that declared form only gets url questions declined', async () => {
      const c = await connect(`${a.url}/mcp`, 'modern', tripAnswers)
      try {
        const q = (await c.client.callTool({ name: 'sign_in', arguments: {} }, { allowInputRequired: true } as never)) as unknown as Json
        const [key] = Object.keys(q.inputRequests)
        expect(q.inputRequests[key!]).toEqual({ method: 'elicitation/create', params: { mode: 'url', message: 'Sign in to continue', url: 'https://login.example.com/authorize?state=abc' } })
        const done = await c.client.callTool({ name: 'sign_in', arguments: {}, inputResponses: { [key!]: { action: 'accept' } }, requestState: q.requestState } as never, { allowInputRequired: true } as never)
        expect(textOf(done)).toBe('signed in')
      } finally {
        await c.close()
      }
      const transport = new StreamableHTTPClientTransport(new URL(`${b.url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEY } } })
      const formOnly = new Client({ name: 'form-only', version: '1.0.0' }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } })
      await formOnly.connect(transport)
      try {
        const result = await formOnly.callTool({ name: 'sign_in', arguments: {} }, { allowInputRequired: true } as never)
        expect(textOf(result)).toBe('sign-in decline')
      } finally {
        await formOnly.close()
      }
    })

    it('2026-07-28 client: the same retry sent twice, to both replicas at once and again later, is forwarded once', async () => {
      const c1 = await connect(`${a.url}/mcp`, 'modern', tripAnswers)
      const c2 = await connect(`${b.url}/mcp`, 'modern', tripAnswers)
      try {
        const before = vendor.answers().length
        const r1 = (await c1.client.callTool({ name: 'confirm_delete', arguments: {} }, { allowInputRequired: true } as never)) as unknown as Json
        const [key] = Object.keys(r1.inputRequests)
        const retry = { name: 'confirm_delete', arguments: {}, inputResponses: { [key!]: { action: 'accept', content: { confirm: true } } }, requestState: r1.requestState }
        const both = await Promise.all([c1, c2].map((c) => c.client.callTool(retry as never, { allowInputRequired: true } as never)))
        const later = await c2.client.callTool(retry as never, { allowInputRequired: true } as never)
        for (const r of [...both, later]) expect(textOf(r), JSON.stringify(r)).toBe('action=accept confirm=true')
        expect(vendor.answers().length).toBe(before + 1)
      } finally {
        await c1.close()
        await c2.close()
      }
    })

    for (const clientEra of ['legacy', 'modern'] as const)
      for (const relayed of [true, false])
      it(`${clientEra === 'legacy' ? '2025' : '2026-07-28'} client: cancelling a ${relayed ? 'relayed' : 'plain'} call while the vendor works cancels it at the vendor`, async () => {
        const c = await connect(`${a.url}/mcp`, clientEra, relayed ? tripAnswers : undefined)
        try {
          const before = vendor.cancellations()
          const abort = new AbortController()
          const call = c.client.callTool({ name: 'slow', arguments: {} }, { signal: abort.signal, allowInputRequired: true } as never)
          setTimeout(() => abort.abort(), 300)
          await expect(call).rejects.toThrow()
          for (let i = 0; i < 100 && vendor.cancellations() === before; i++) await new Promise((r) => setTimeout(r, 50))
          expect(vendor.cancellations()).toBe(before + 1)
        } finally {
          await c.close()
        }
      })

    it('2026-07-28 client: cancel is relayed', async () => {
      const c = await connect(`${b.url}/mcp`, 'modern', tripAnswers)
      try {
        const r1 = (await c.client.callTool({ name: 'confirm_delete', arguments: {} }, { allowInputRequired: true } as never)) as unknown as Json
        const [key] = Object.keys(r1.inputRequests)
        const done = await c.client.callTool({ name: 'confirm_delete', arguments: {}, inputResponses: { [key!]: { action: 'cancel' } }, requestState: r1.requestState } as never, { allowInputRequired: true } as never)
        expect(textOf(done)).toBe('action=cancel confirm=undefined')
      } finally {
        await c.close()
      }
    })

    it('2026-07-28 client: decline is relayed; a state of another identity or tool is refused', async () => {
      const c = await connect(`${a.url}/mcp`, 'modern', tripAnswers)
      const stranger = await connect(`${b.url}/mcp`, 'modern', tripAnswers, OTHER)
      try {
        const r1 = (await c.client.callTool({ name: 'confirm_delete', arguments: {} }, { allowInputRequired: true } as never)) as unknown as Json
        const [key] = Object.keys(r1.inputRequests)
        const responses = { [key!]: { action: 'decline' } }
        for (const [who, name] of [
          [stranger, 'confirm_delete'],
          [c, 'plain'],
        ] as const) {
          const refused = await who.client.callTool({ name, arguments: {}, inputResponses: responses, requestState: r1.requestState } as never, { allowInputRequired: true } as never).then(
            () => undefined,
            (e: Json) => e,
          )
          expect(refused, name).toMatchObject({ code: -32602 })
        }
        const done = await c.client.callTool({ name: 'confirm_delete', arguments: {}, inputResponses: responses, requestState: r1.requestState } as never, { allowInputRequired: true } as never)
        expect(textOf(done)).toBe('action=decline confirm=undefined')
      } finally {
        await c.close()
        await stranger.close()
      }
    })

    it('a client that declared no elicitation is not relayed to', async () => {
      for (const era of ['legacy', 'modern'] as const) {
        const c = await connect(`${a.url}/mcp`, era)
        try {
          const result = await c.client.callTool({ name: 'confirm_delete', arguments: {} })
          expect(result.isError, era).toBe(true)
          expect(textOf(result), era).toMatch(/vendor_error/)
        } finally {
          await c.close()
        }
      }
    })
  })
}
