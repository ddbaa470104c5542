/**
 * The facade in front of a real MCP vendor served over TLS with HTTP/2 offered by ALPN
 * (`http2.createSecureServer({ allowHTTP1: true })`, trusted through `servers.<name>.tls.caFile`): tool calls go over
 * h2 and many at once share one TCP connection, progress notifications stream through (they keep a call alive
 * past its timeout), a stream the vendor refuses or drops with GOAWAY runs a non-idempotent tool exactly once, a
 * session cut mid-answer is `vendor_interrupted` without a replay, and a vendor that speaks only HTTP/1.1 over TLS
 * is still served through the Agent. /metrics reads the h2 sessions and streams in flight.
 */
import { constants, type Http2ServerRequest } from 'node:http2'
import type { HttpBindings } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'
import { makeTestCert, type TestCert } from '../support/tls-cert.js'

/** What the vendor does to the next `tools/call` of `counter_increment` instead of running it. */
let refuseNext: 'refuse' | 'goaway' | undefined
let refused = 0

let cert: TestCert
let vendor: SessionfulVendor
let facade: TestFacade
beforeAll(async () => {
  cert = makeTestCert()
  vendor = await startSessionfulVendor({
    tls: { key: cert.key, cert: cert.cert, http2: true },
    intercept: (_request, body, env: HttpBindings) => {
      const call = body as { method?: string; params?: { name?: string } } | undefined
      if (!refuseNext || call?.method !== 'tools/call' || call.params?.name !== 'counter_increment') return undefined
      const stream = (env.incoming as unknown as Http2ServerRequest).stream
      const held = new Promise<void>((resolve) => stream.once('close', () => resolve()))
      refused++
      if (refuseNext === 'refuse') stream.close(constants.NGHTTP2_REFUSED_STREAM)
      // The vendor stops taking streams after the previous one: this one was never processed.
      else stream.session!.goaway(constants.NGHTTP2_NO_ERROR, stream.id! - 2)
      refuseNext = undefined
      return held
    },
  })
  facade = await startTestFacade({ default: { url: vendor.url, tls: { caFile: cert.certFile }, timeouts: { callMs: 400 } } }, {}, 'warn')
  // Warm: catalog loaded and the caller's vendor session initialized.
  expect((await facade.call('/tools/echo', { method: 'POST', json: { message: 'warm' } })).status).toBe(200)
})
afterAll(async () => {
  await facade?.close()
  await vendor?.close()
  cert?.remove()
})

const call = async (tool: string, args: unknown) => {
  const res = await facade.call(`/tools/${tool}`, { method: 'POST', json: args })
  return { status: res.status, body: await jsonOf(res) }
}

describe('a vendor that speaks HTTP/2', () => {
  it('gets every call over h2, 40 concurrent calls on one TCP connection', async () => {
    const before = vendor.connections()
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => call('echo', { message: `m${i}` })))
    answers.forEach((a, i) => expect(a, `call ${i}`).toMatchObject({ status: 200, body: { data: { message: `m${i}` } } }))
    expect(new Set(vendor.httpVersions())).toEqual(new Set(['2.0']))
    const after = vendor.connections()
    // No connection opened for the burst; the catalog's and the caller's vendor sessions share one.
    expect(after.opened - before.opened).toBe(0)
    expect(after.open).toBe(1)
  })

  it('/metrics reads the HTTP/2 sessions and streams in flight per server: 1 session while calls run and after', async () => {
    // At rest one stream stays open: the catalog session's standalone GET stream (it listens for list_changed).
    // (The last stream of the previous test may still be closing: wait for it.)
    await until(async () => (await h2Gauges()).streams === 1)
    expect(await h2Gauges()).toEqual({ sessions: 1, streams: 1 })
    const running = Array.from({ length: 5 }, () => call('slow', { ms: 800 }))
    // The five calls are in flight once the vendor holds them (their progress notifications keep them there).
    await until(async () => (await h2Gauges()).streams === 6)
    expect(await h2Gauges()).toEqual({ sessions: 1, streams: 6 })
    expect((await Promise.all(running)).map((a) => a.status)).toEqual([200, 200, 200, 200, 200])
    await until(async () => (await h2Gauges()).streams === 1)
    expect(await h2Gauges()).toEqual({ sessions: 1, streams: 1 })
    expect(vendor.connections().open).toBe(1)
  })

  it('streams progress notifications (they keep a 1 s call alive past its 400 ms timeout)', async () => {
    expect(await call('slow', { ms: 1000 })).toMatchObject({ status: 200 })
  })

  it('a stream refused with REFUSED_STREAM: a non-idempotent tool runs exactly once', async () => {
    const runs = vendor.executions('counter_increment')
    refuseNext = 'refuse'
    refused = 0
    expect(await call('counter_increment', { by: 1 })).toMatchObject({ status: 200 })
    expect(refused).toBe(1)
    expect(vendor.executions('counter_increment')).toBe(runs + 1)
  })

  it('a stream above the last id of a GOAWAY: sent again on a new session, runs exactly once', async () => {
    const runs = vendor.executions('counter_increment')
    const opened = vendor.connections().opened
    refuseNext = 'goaway'
    refused = 0
    expect(await call('counter_increment', { by: 1 })).toMatchObject({ status: 200 })
    expect(refused).toBe(1)
    expect(vendor.executions('counter_increment')).toBe(runs + 1)
    expect(vendor.connections().opened).toBe(opened + 1)
  })

  it('a session cut mid-answer: vendor_interrupted (502) for a non-idempotent tool, not replayed', async () => {
    const runs = vendor.executions('counter_increment')
    vendor.dropNextCall('counter_increment', 'mid-stream')
    const answer = await call('counter_increment', { by: 1 })
    expect(answer.status).toBe(502)
    expect(answer.body.code).toBe('vendor_interrupted')
    expect(vendor.executions('counter_increment')).toBe(runs + 1)
    // The next call gets a new session.
    expect(await call('echo', { message: 'after' })).toMatchObject({ status: 200 })
  })
})

describe('a TLS vendor that speaks only HTTP/1.1', () => {
  it('is served through the Agent', async () => {
    const h1 = await startSessionfulVendor({ tls: { key: cert.key, cert: cert.cert, http2: false } })
    const f = await startTestFacade({ default: { url: h1.url, tls: { caFile: cert.certFile } } }, {}, 'warn')
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => call2(f, i)))
      expect(answers).toEqual([200, 200, 200, 200, 200])
      expect(new Set(h1.httpVersions())).toEqual(new Set(['1.1']))
    } finally {
      await f.close()
      await h1.close()
    }
  })
})

/** The HTTP/2 gauges of the `default` server in the facade's /metrics (labelled by server name only). */
async function h2Gauges() {
  const text = await (await facade.call('/metrics')).text()
  const read = (name: string) => {
    const lines = text.split('\n').filter((l) => l.startsWith(name + '{'))
    expect(lines).toHaveLength(1)
    const m = /^\w+\{server="default"\} (\d+)$/.exec(lines[0]!)
    expect(m, lines[0]).not.toBeNull()
    return Number(m![1])
  }
  return { sessions: read('mcp_facade_vendor_h2_sessions'), streams: read('mcp_facade_vendor_h2_streams') }
}

async function until(check: () => Promise<boolean>, ms = 3_000) {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function call2(f: TestFacade, i: number) {
  return (await f.call('/tools/echo', { method: 'POST', json: { message: `m${i}` } })).status
}
