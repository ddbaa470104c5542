/**
 * Behaviour that cuts across vendors: argument validation against draft-07 and 2020-12 schemas, bad input,
 * caller isolation, list_changed, timeouts, the async 202 pattern, tool-error modes and graceful shutdown.
 */
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAwkwardVendor, type AwkwardVendor } from '../fixtures/awkward-vendor.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const post = (f: TestFacade, path: string, json: unknown, headers: Record<string, string> = {}) => f.call(path, { method: 'POST', json, headers })

describe('argument validation against the vendor original schemas', () => {
  let vendor: AwkwardVendor
  let f: TestFacade
  beforeAll(async () => {
    vendor = await startAwkwardVendor()
    f = await startTestFacade({ default: { url: vendor.url } })
  })
  afterAll(async () => {
    await f?.close()
    await vendor?.close()
  })

  it('draft-07 with definitions/$ref and enums', async () => {
    const ok = await post(f, '/tools/crm.contacts.search', { filters: [{ field: 'email', op: 'eq', value: 'a@b.c' }], cursor: null })
    expect(ok.status).toBe(200)
    const bad = await jsonOf(await post(f, '/tools/crm.contacts.search', { filters: [{ field: 'phone', op: 'eq' }] }))
    expect(bad.code).toBe('invalid_arguments')
    expect(bad.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/filters/0/field', message: expect.stringContaining('must be one of') },
        { pointer: '/filters/0/value', message: 'is required' },
      ]),
    )
  })

  it('2020-12 with $defs, prefixItems and items:false; names with slashes reach their tool', async () => {
    expect((await post(f, '/tools/files-read', { path: 'a/b.txt', encoding: 'utf-8', range: [0, 10] })).status).toBe(200)
    expect((await post(f, '/tools/files%2Fread', { path: 'a.txt' })).status).toBe(200)
    const tuple = await jsonOf(await post(f, '/tools/files-read', { path: 'a', range: [0, 0, 5] }))
    expect(tuple.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/range', '/range/1']))
    const enumBad = await jsonOf(await post(f, '/tools/files-read', { path: 'a', encoding: 'utf-16' }))
    expect(enumBad.errors[0].pointer).toBe('/encoding')
  })

  it('recursive $ref, anyOf/oneOf, const, numeric exclusive bounds and formats', async () => {
    const tree = { root: { id: 'r', children: [{ id: 'a', children: [{ id: 'b', label: null }] }] } }
    expect((await post(f, '/tools/tree.insert', tree)).status).toBe(200)
    const deepBad = await jsonOf(await post(f, '/tools/tree.insert', { root: { id: 'r', children: [{ children: [] }] } }))
    expect(deepBad.errors).toEqual([{ pointer: '/root/children/0/id', message: 'is required' }])
    const net = { host: 'example.com', address: '10.0.0.1', weight: 0.5, version: 2, mode: null, port: '${PORT}' }
    expect((await post(f, '/tools/network.configure', net)).status).toBe(200)
    const netBad = await jsonOf(await post(f, '/tools/network.configure', { host: 'not a host!', address: '999.1.1.1', weight: 1, version: 3, port: 0 }))
    const pointers = netBad.errors.map((e: { pointer: string }) => e.pointer)
    expect(pointers).toEqual(expect.arrayContaining(['/host', '/address', '/weight', '/version', '/port']))
  })

  it('passes property names with dots, slashes, @ and non-ASCII unchanged to the vendor', async () => {
    const args = { 'user.name': 'ada', 'path/to/file': '/x', '@type': 'Person', 'first name': 'Ada' }
    expect((await post(f, '/tools/odd_properties', args)).status).toBe(200)
    expect(vendor.calls().at(-1)).toEqual({ name: 'odd_properties', arguments: args })
    expect((await post(f, '/tools/meteo', { ville: 'Lyon', unités: 'métrique' })).status).toBe(200)
    expect(vendor.calls().at(-1)!.name).toBe('météo')
  })

  it('drops optional empty values the connector sends for "left empty", but only where the schema rejects them', async () => {
    const connector = { 'X-Facade-Client': 'power-platform' }
    // other callers get what they sent validated as sent
    const direct = await jsonOf(await post(f, '/tools/billing.invoice.create', { customerId: 'abc', currency: '' }))
    expect(direct).toMatchObject({ code: 'invalid_arguments', errors: [{ pointer: '/currency' }] })
    const res = await post(f, '/tools/billing.invoice.create', { customerId: 'abc', currency: '', discount: null, amounts: { a: 1 } }, connector)
    expect(res.status).toBe(200)
    // discount: null is valid (nullable) so it stays; currency "" is not in the enum, so it is dropped.
    expect(vendor.calls().at(-1)!.arguments).toEqual({ customerId: 'abc', discount: null, amounts: { a: 1 } })
    // A required field left empty is still an error.
    const required = await jsonOf(await post(f, '/tools/billing.invoice.create', { customerId: '' }, connector))
    expect(required.errors).toEqual([{ pointer: '/customerId', message: expect.stringContaining('fewer than 3') }])
  })

  it('null on an optional, non-nullable argument means absent for every caller; nullable keeps it, required stays an error', async () => {
    // No X-Facade-Client: a generated .NET/Java client sending null for unset properties.
    const res = await post(f, '/tools/billing.invoice.create', { customerId: 'abc', currency: null, amounts: null, discount: null })
    expect(res.status).toBe(200)
    expect(vendor.calls().at(-1)!.arguments).toEqual({ customerId: 'abc', discount: null })
    const required = await jsonOf(await post(f, '/tools/billing.invoice.create', { customerId: null }))
    expect(required).toMatchObject({ code: 'invalid_arguments', errors: [{ pointer: '/customerId' }] })
    // "" stays a value for callers other than the connector.
    const empty = await jsonOf(await post(f, '/tools/billing.invoice.create', { customerId: 'abc', currency: null, amounts: '' }))
    expect(empty).toMatchObject({ code: 'invalid_arguments', errors: [{ pointer: '/amounts' }] })
    // Another tool, a non-ASCII optional enum.
    expect((await post(f, '/tools/meteo', { ville: 'Lyon', unités: null })).status).toBe(200)
    expect(vendor.calls().at(-1)!.arguments).toEqual({ ville: 'Lyon' })
  })
})

describe('bad input gets a clear problem response', () => {
  let vendor: SessionfulVendor
  let f: TestFacade
  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    f = await startTestFacade({ default: { url: vendor.url } }, { bodyLimitBytes: 2048 })
  })
  afterAll(async () => {
    await f?.close()
    await vendor?.close()
  })

  it('malformed JSON → 400 invalid_json', async () => {
    const res = await f.call('/tools/echo', { method: 'POST', body: '{"message": ', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const body = await jsonOf(res)
    expect(body).toMatchObject({ code: 'invalid_json', status: 400, title: expect.any(String), instance: '/tools/echo' })
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/)
  })
  it('wrong content type → 415', async () => {
    const res = await f.call('/tools/echo', { method: 'POST', body: 'message=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(res.status).toBe(415)
    expect((await jsonOf(res)).code).toBe('unsupported_media_type')
  })
  it('oversized body → 413, with and without content-length', async () => {
    const big = JSON.stringify({ message: 'x'.repeat(5000) })
    const res = await f.call('/tools/echo', { method: 'POST', body: big, headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(413)
    expect((await jsonOf(res)).code).toBe('payload_too_large')
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big))
        c.close()
      },
    })
    const chunked = await fetch(f.url + '/tools/echo', { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit)
    expect(chunked.status).toBe(413)
  })
  it('a body is read the same whichever way it arrives: in one packet (BOM dropped, bad bytes replaced) or in two', async () => {
    const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))))
    const echo = async (body: Uint8Array) => jsonOf(await f.call('/tools/echo', { method: 'POST', body, headers: { 'content-type': 'application/json' } }))
    // Decoded as @hono/node-server decodes it (TextDecoder): a leading BOM is not part of the text.
    expect((await echo(bytes([0xef, 0xbb, 0xbf], '{"message":"bom"}'))).data).toEqual({ message: 'bom' })
    expect((await echo(bytes('{"message":"a', [0xff], 'b"}'))).data).toEqual({ message: 'a\ufffdb' })
    // The second half of the body comes later: the facade waits for it.
    const body = '{"message":"two packets"}'
    const { port } = new URL(f.url)
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1')
      let text = ''
      socket.on('data', (chunk) => {
        text += chunk.toString('utf8')
        if (text.includes('two packets')) {
          socket.destroy()
          resolve(text)
        }
      })
      socket.on('error', reject)
      socket.write(`POST /tools/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`)
      setTimeout(() => socket.write(body.slice(10)), 50)
    })
    expect(answer).toMatch(/^HTTP\/1\.1 200 /)
    expect(answer).toContain('"data":{"message":"two packets"}')
  })
  it('a JSON array body → 400 with pointer ""', async () => {
    const body = await jsonOf(await post(f, '/tools/echo', [1, 2]))
    expect(body).toMatchObject({ code: 'invalid_arguments', errors: [{ pointer: '', message: 'must be object' }] })
  })
  it('unknown route → 404 problem', async () => {
    const res = await f.call('/nothing/here')
    expect(res.status).toBe(404)
    expect((await jsonOf(res)).code).toBe('not_found')
  })
  it('a tool the vendor removed after the catalog loaded → 404 tool_not_found', async () => {
    vendor.removeTool('fail_tool')
    const res = await post(f, '/tools/fail_tool', {})
    // Either the catalog already refreshed (404 from the facade) or the vendor says not found (404 mapped).
    expect(res.status).toBe(404)
    expect((await jsonOf(res)).code).toBe('tool_not_found')
  })
})

describe('catalog follows the vendor without a restart', () => {
  it('list_changed makes a new tool routable and documented; removed tools disappear', async () => {
    const vendor = await startSessionfulVendor()
    const f = await startTestFacade({ default: { url: vendor.url } })
    try {
      expect((await post(f, '/tools/added_later', {})).status).toBe(404)
      vendor.addTool('added_later')
      await expect.poll(async () => (await post(f, '/tools/added_later', { message: 'hi' })).status, { timeout: 5000 }).toBe(200)
      const doc = await jsonOf(await f.call('/openapi.json'))
      expect(Object.keys(doc.paths)).toContain('/tools/added_later')
      vendor.removeTool('added_later')
      const names = async () => (await jsonOf(await f.call('/tools'))).tools.map((t: { name: string }) => t.name)
      await expect.poll(names, { timeout: 5000 }).not.toContain('added_later')
      expect((await post(f, '/tools/added_later', {})).status).toBe(404)
      // On demand too.
      const refreshed = await jsonOf(await f.call('/catalog/refresh', { method: 'POST' }))
      expect(refreshed).toMatchObject({ changed: false })
    } finally {
      await f.close()
      await vendor.close()
    }
  })
})

describe('two callers never see each other', () => {
  it('pooled sessions and caller sessions are per identity', async () => {
    const vendor = await startSessionfulVendor()
    const keyA = 'key-a-0123456789abcdef'
    const keyB = 'key-b-0123456789abcdef'
    const f = await startTestFacade({ default: { url: vendor.url, auth: { mode: 'apiKey', keys: [keyA, keyB] } } })
    try {
      const A = { 'X-API-Key': keyA }
      const B = { 'X-API-Key': keyB }
      for (let i = 0; i < 3; i++) await post(f, '/tools/counter_increment', {}, A)
      expect((await jsonOf(await post(f, '/tools/counter_get', {}, A))).data).toMatchObject({ value: 3 })
      expect((await jsonOf(await post(f, '/tools/counter_get', {}, B))).data).toMatchObject({ value: 0 })
      const { sessionId } = await jsonOf(await f.call('/sessions', { method: 'POST', headers: A }))
      const stolen = await post(f, '/tools/counter_get', {}, { ...B, 'X-Session-Id': sessionId })
      expect(stolen.status).toBe(404)
      expect((await jsonOf(stolen)).code).toBe('session_not_found')
      expect((await f.call(`/sessions/${sessionId}`, { method: 'DELETE', headers: B })).status).toBe(404)
      expect((await post(f, '/tools/counter_get', {}, { ...A, 'X-Session-Id': sessionId })).status).toBe(200)
    } finally {
      await f.close()
      await vendor.close()
    }
  })
})

describe('timeouts, async 202, tool errors and shutdown', () => {
  let vendor: SessionfulVendor
  beforeAll(async () => {
    vendor = await startSessionfulVendor()
  })
  afterAll(async () => {
    await vendor?.close()
  })

  it('a call past its timeout → 504; progress resets the timeout', async () => {
    const f = await startTestFacade({ default: { url: vendor.url, timeouts: { callMs: 300, tools: { echo: 5000 } } } })
    try {
      // slow sends progress every 100 ms, so a 300 ms timeout that resets on progress lets 800 ms finish.
      const withProgress = await post(f, '/tools/slow', { ms: 800 })
      expect(withProgress.status).toBe(200)
      const f2 = await startTestFacade({ default: { url: vendor.url, timeouts: { callMs: 50 } } })
      try {
        const res = await post(f2, '/tools/slow', { ms: 400 })
        expect(res.status).toBe(504)
        expect((await jsonOf(res)).code).toBe('vendor_timeout')
      } finally {
        await f2.close()
      }
    } finally {
      await f.close()
    }
  })

  it('Prefer: respond-async → 202 + absolute Location; polling gives progress then the envelope', async () => {
    const f = await startTestFacade({ default: { url: vendor.url, async: { thresholdMs: 0, retryAfterSeconds: 1 } } }, { publicUrl: 'https://facade.example.com/base' })
    try {
      const res = await post(f, '/tools/slow', { ms: 600 }, { Prefer: 'respond-async' })
      expect(res.status).toBe(202)
      expect(res.headers.get('retry-after')).toBe('1')
      const location = res.headers.get('location')!
      expect(location).toMatch(/^https:\/\/facade\.example\.com\/base\/jobs\/job_/)
      const path = new URL(location).pathname.replace('/base', '')
      await new Promise((r) => setTimeout(r, 250))
      const running = await f.call(path)
      expect(running.status).toBe(202)
      const progress = (await jsonOf(running)).progress
      expect(progress.percent).toBeGreaterThan(0)
      await expect.poll(async () => (await f.call(path)).status, { timeout: 5000, interval: 100 }).toBe(200)
      const done = await jsonOf(await f.call(path))
      expect(done).toMatchObject({ isError: false })
    } finally {
      await f.close()
    }
  })

  it('a call that outlives the threshold turns into a job by itself; only its caller can read it', async () => {
    const owner = { 'X-API-Key': 'job-owner-key-0123456789' }
    const someoneElse = { 'X-API-Key': 'job-other-key-0123456789' }
    const f = await startTestFacade({ default: { url: vendor.url, async: { thresholdMs: 100 }, auth: { mode: 'apiKey', keys: [owner['X-API-Key'], someoneElse['X-API-Key']] } } })
    try {
      const res = await post(f, '/tools/slow', { ms: 500 }, owner)
      expect(res.status).toBe(202)
      const loc = new URL(res.headers.get('location')!)
      expect(loc.origin).toBe(f.url)
      // Someone else cannot read the job, while it runs or after: it looks exactly like an unknown id.
      const whileRunning = await f.call(loc.pathname, { headers: someoneElse })
      expect(whileRunning.status).toBe(404)
      expect((await jsonOf(whileRunning)).code).toBe('job_not_found')
      expect((await f.call(loc.pathname)).status).toBe(401)
      await expect.poll(async () => (await f.call(loc.pathname, { headers: owner })).status, { timeout: 5000, interval: 100 }).toBe(200)
      const afterwards = await f.call(loc.pathname, { headers: someoneElse })
      expect(afterwards.status).toBe(404)
      expect(await jsonOf(afterwards)).toMatchObject({ code: 'job_not_found' })
      expect(await jsonOf(await f.call(loc.pathname, { headers: owner }))).toMatchObject({ isError: false })
    } finally {
      await f.close()
    }
  })

  it('toolErrors: problem → 422 carrying text and content', async () => {
    const f = await startTestFacade({ default: { url: vendor.url, toolErrors: 'problem' } })
    try {
      const res = await post(f, '/tools/fail_tool', {})
      expect(res.status).toBe(422)
      const body = await jsonOf(res)
      expect(body.code).toBe('tool_error')
      expect(body.text.length).toBeGreaterThan(0)
      expect(Array.isArray(body.content)).toBe(true)
    } finally {
      await f.close()
    }
  })

  it('shutdown lets calls in flight finish and terminates every vendor session', async () => {
    const f = await startTestFacade({ default: { url: vendor.url } })
    const { sessionId } = await jsonOf(await f.call('/sessions', { method: 'POST' }))
    await post(f, '/tools/echo', { message: 'pool' })
    const vendorSessions = vendor.sessionIds()
    const inFlight = post(f, '/tools/slow', { ms: 400 }, { 'X-Session-Id': sessionId })
    await new Promise((r) => setTimeout(r, 100))
    const terminatedBefore = new Set(vendor.terminatedSessions())
    await f.close()
    expect((await inFlight).status).toBe(200)
    const terminatedNow = vendor.terminatedSessions().filter((id) => !terminatedBefore.has(id))
    // catalog session + pooled session + caller session
    expect(terminatedNow.length).toBeGreaterThanOrEqual(3)
    expect(terminatedNow.every((id) => vendorSessions.includes(id))).toBe(true)
  })
})
