/**
 * What the README promises, each checked so that breaking the feature fails a test: `tools.deny`, per-tool
 * timeouts, several servers mounted under `/{server}/`, the default body limit (1 MiB), and the sliding idle
 * expiry of caller sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAwkwardVendor, type AwkwardVendor } from '../fixtures/awkward-vendor.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let sessionful: SessionfulVendor
let awkward: AwkwardVendor
beforeAll(async () => {
  sessionful = await startSessionfulVendor()
  awkward = await startAwkwardVendor()
})
afterAll(async () => {
  await sessionful?.close()
  await awkward?.close()
})

describe('tools.deny removes a tool entirely', () => {
  let f: TestFacade
  beforeAll(async () => {
    f = await startTestFacade({ default: { url: awkward.url, tools: { deny: ['odd_*', 'files/read'] } } }, {}, 'warn')
  })
  afterAll(() => f?.close())

  it('not listed, not documented in either document, not callable by slug or name; the vendor never sees a call', async () => {
    const names = (await jsonOf(await f.call('/tools'))).tools.map((t: { name: string }) => t.name)
    expect(names).not.toContain('odd_properties')
    expect(names).not.toContain('files/read')
    expect(names).toContain('tree.insert')
    const openapi = JSON.stringify(await jsonOf(await f.call('/openapi.json')))
    const swagger = JSON.stringify(await jsonOf(await f.call('/swagger.json')))
    for (const doc of [openapi, swagger]) {
      expect(doc).not.toContain('odd_properties')
      expect(doc).not.toContain('files-read')
      expect(doc).toContain('tree.insert')
    }
    const connectorList = JSON.stringify(await jsonOf(await f.call('/connector/tools')))
    expect(connectorList).not.toContain('odd_properties')
    const before = awkward.calls().length
    const args = { 'user.name': 'ada', '@type': 'Person' }
    for (const path of ['/tools/odd_properties', '/invoke/odd_properties', '/tools/files-read', '/invoke/files%2Fread']) {
      const res = await f.call(path, { method: 'POST', json: path.includes('odd') ? args : { path: 'a' } })
      expect(res.status, path).toBe(404)
      expect((await jsonOf(res)).code).toBe('tool_not_found')
    }
    expect((await f.call('/connector/tools/odd_properties/input-schema')).status).toBe(404)
    expect(awkward.calls().length).toBe(before)
    expect((await f.call('/tools/tree.insert', { method: 'POST', json: { root: { id: 'r' } } })).status).toBe(200)
  })
})

describe('per-tool timeouts override the server default', () => {
  it('slow gets its own 3 s while every other tool keeps 50 ms', async () => {
    // slow sends progress every 100 ms, so a 50 ms timeout fires before the first progress could reset it.
    const own = await startTestFacade({ default: { url: sessionful.url, timeouts: { callMs: 50, tools: { slow: 3000 } } } }, {}, 'warn')
    const other = await startTestFacade({ default: { url: sessionful.url, timeouts: { callMs: 50, tools: { echo: 3000 } } } }, {}, 'warn')
    try {
      expect((await own.call('/tools/slow', { method: 'POST', json: { ms: 400 } })).status).toBe(200)
      const timedOut = await other.call('/tools/slow', { method: 'POST', json: { ms: 400 } })
      expect(timedOut.status).toBe(504)
      expect((await jsonOf(timedOut)).code).toBe('vendor_timeout')
    } finally {
      await own.close()
      await other.close()
    }
  })
})

describe('several servers are mounted under /{server}/', () => {
  let f: TestFacade
  beforeAll(async () => {
    f = await startTestFacade({ chat: { url: sessionful.url }, crm: { url: awkward.url } }, { publicUrl: 'https://facade.example.com' }, 'warn')
  })
  afterAll(() => f?.close())

  it('each server has its own tools, documents and calls; nothing sits at the root but the index', async () => {
    const chatTools = (await jsonOf(await f.call('/chat/tools'))).tools
    const crmTools = (await jsonOf(await f.call('/crm/tools'))).tools
    expect(chatTools.map((t: { name: string }) => t.name)).toContain('echo')
    expect(crmTools.map((t: { name: string }) => t.name)).toContain('tree.insert')
    expect(crmTools.map((t: { name: string }) => t.name)).not.toContain('echo')
    expect(chatTools.find((t: { name: string }) => t.name === 'echo').path).toBe('/chat/tools/echo')

    const echo = await jsonOf(await f.call('/chat/tools/echo', { method: 'POST', json: { message: 'hi' } }))
    expect(echo.text).toContain('hi')
    const before = awkward.calls().length
    expect((await f.call('/crm/tools/tree.insert', { method: 'POST', json: { root: { id: 'r' } } })).status).toBe(200)
    expect(awkward.calls().length).toBe(before + 1)
    // A tool of one server is unknown on the other.
    expect((await f.call('/crm/tools/echo', { method: 'POST', json: { message: 'hi' } })).status).toBe(404)

    const openapi = await jsonOf(await f.call('/crm/openapi.json'))
    expect(openapi.servers[0].url).toMatch(/\/crm$/)
    expect(Object.keys(openapi.paths)).toContain('/tools/tree.insert')
    const swagger = await jsonOf(await f.call('/chat/swagger.json'))
    expect(swagger).toMatchObject({ host: 'facade.example.com', basePath: '/chat' })
    expect((await f.call('/chat/healthz')).status).toBe(200)

    const index = await jsonOf(await f.call('/'))
    expect(index.servers).toEqual([
      expect.objectContaining({ name: 'chat', base: '/chat', openapi: '/chat/openapi.json' }),
      expect.objectContaining({ name: 'crm', base: '/crm', swagger: '/crm/swagger.json' }),
    ])
    for (const path of ['/tools', '/openapi.json', '/other/tools']) expect((await f.call(path)).status, path).toBe(404)
  })

  it('without publicUrl a mounted server\'s Swagger still has basePath /{server}', async () => {
    const bare = await startTestFacade({ chat: { url: sessionful.url }, crm: { url: awkward.url } }, {}, 'warn')
    try {
      expect(await jsonOf(await bare.call('/crm/swagger.json'))).toMatchObject({ host: 'localhost', basePath: '/crm' })
    } finally {
      await bare.close()
    }
  })
})

describe('the default body limit is 1 MiB', () => {
  let f: TestFacade
  beforeAll(async () => {
    f = await startTestFacade({ default: { url: sessionful.url } }, {}, 'warn')
  })
  afterAll(() => f?.close())

  const bodyOf = (bytes: number) => {
    const frame = '{"message":""}'
    return `{"message":"${'x'.repeat(bytes - frame.length)}"}`
  }

  it('1,048,576 bytes are read; one more byte is 413, with and without Content-Length', async () => {
    const atLimit = bodyOf(1_048_576)
    expect(Buffer.byteLength(atLimit)).toBe(1_048_576)
    const ok = await f.call('/tools/echo', { method: 'POST', body: atLimit, headers: { 'content-type': 'application/json' } })
    expect(ok.status).toBe(200)
    const over = bodyOf(1_048_577)
    const res = await f.call('/tools/echo', { method: 'POST', body: over, headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(413)
    expect((await jsonOf(res)).code).toBe('payload_too_large')
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(over))
        c.close()
      },
    })
    const chunked = await fetch(f.url + '/tools/echo', { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit)
    expect(chunked.status).toBe(413)
  })
})

describe('caller sessions expire after idleTtlSeconds of idleness, and each use slides the expiry', () => {
  it('used every 0.8 s a 2 s session outlives 2 s; left idle it is gone', async () => {
    const f = await startTestFacade({ default: { url: sessionful.url } }, { sessions: { idleTtlSeconds: 2 } }, 'warn')
    try {
      const opened = await jsonOf(await f.call('/sessions', { method: 'POST' }))
      const { sessionId } = opened
      const created = Date.now()
      const use = () => f.call('/tools/counter_increment', { method: 'POST', json: {}, headers: { 'X-Session-Id': sessionId } })
      const firstExpiry = Date.parse(opened.expiresAt)
      while (Date.now() - created < 3200) {
        await sleep(800)
        const res = await use()
        expect(res.status).toBe(200)
        expect((await jsonOf(res)).sessionId).toBe(sessionId)
      }
      // Still alive well past the TTL counted from creation: the expiry slid with every use.
      expect(Date.now() - created).toBeGreaterThan(3000)
      expect(firstExpiry).toBeLessThan(Date.now())
      await sleep(2500)
      const expired = await use()
      expect(expired.status).toBe(404)
      expect((await jsonOf(expired)).code).toBe('session_not_found')
    } finally {
      await f.close()
    }
  })
})
