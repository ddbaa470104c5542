/**
 * No 500 on any input, case by case: malformed percent-encoding in paths, JSON nested past the limit, non-finite
 * numbers, forwarded header values outside visible ASCII, a local failure never blamed on the vendor, and Node's
 * parser-level rejections (raw sockets) answered with problem+json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigSchema } from '../../src/config/schema.js'
import { createLogger } from '../../src/log.js'
import { startFacade } from '../../src/server.js'
import { classifyUpstreamError } from '../../src/upstream/errors.js'
import { nestingDepth } from '../../src/http/request.js'
import { startDemoVendor } from '../../src/demo/vendor.js'
import { startAwkwardVendor, type AwkwardVendor } from '../fixtures/awkward-vendor.js'
import { rawHttp } from '../credentials/helpers.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

/** Asserts a problem+json answer with the status and code, and returns the document. */
async function expectProblem(res: Response, status: number | number[], code?: string) {
  const statuses = Array.isArray(status) ? status : [status]
  expect(statuses, `got ${res.status}`).toContain(res.status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  const body = await jsonOf(res)
  expect(body.code).toEqual(code ?? expect.any(String))
  expect(body.status).toBe(res.status)
  return body
}

const nested = (depth: number, leaf = '1') => '['.repeat(depth) + leaf + ']'.repeat(depth)

let vendor: AwkwardVendor
let demo: Awaited<ReturnType<typeof startDemoVendor>>
let f: TestFacade
/** A facade in front of the demo vendor, which has a prompt (an empty prompt list never decodes a name). */
let withPrompts: TestFacade
beforeAll(async () => {
  vendor = await startAwkwardVendor()
  demo = await startDemoVendor()
  f = await startTestFacade({ default: { url: vendor.url, forwardHeaders: { allow: ['X-Tenant'] } } }, {}, 'warn')
  withPrompts = await startTestFacade({ default: { url: demo.url } }, {}, 'warn')
})
afterAll(async () => {
  await f?.close()
  await withPrompts?.close()
  await vendor?.close()
  await demo?.close()
})

describe('malformed percent-encoding in paths is 404 or 400, never 500', () => {
  const cases: Array<[string, string, string]> = [
    ['POST', '/prompts/%', 'prompt_not_found'],
    ['POST', '/prompts/%ff', 'prompt_not_found'],
    ['POST', '/prompts/%E0%A4%A', 'prompt_not_found'],
    ['GET', '/connector/tools/%/input-schema', 'tool_not_found'],
    ['GET', '/connector/tools/%ff/output-schema', 'tool_not_found'],
    ['POST', '/tools/%', 'tool_not_found'],
    ['POST', '/tools/files%2Fread%', 'tool_not_found'],
    ['POST', '/invoke/%ff%fe', 'tool_not_found'],
    ['GET', '/jobs/%', 'job_not_found'],
  ]
  for (const [method, path, code] of cases)
    it(`${method} ${path} → ${code}`, async () => {
      const target = path.startsWith('/prompts/') ? withPrompts : f
      const res = await fetch(target.url + path, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined })
      await expectProblem(res, 404, code)
    })

  it('GET /resources/read?uri=% is a 4xx/5xx problem, not a 500', async () => {
    const res = await f.call('/resources/read?uri=%25%')
    expect(res.status).not.toBe(500)
  })

  it('with several servers mounted, a malformed server segment is a 404 problem', async () => {
    const multi = await startTestFacade({ one: { url: vendor.url }, two: { url: vendor.url } }, {}, 'warn')
    try {
      await expectProblem(await multi.call('/%/tools'), 404, 'not_found')
      await expectProblem(await multi.call('/one/tools/%ff', { method: 'POST', json: {} }), 404, 'tool_not_found')
    } finally {
      await multi.close()
    }
  })
})

describe('JSON nested deeper than the limit is refused with 400 before validation', () => {
  it('counts nesting on the text, ignoring brackets inside strings and escapes', () => {
    expect(nestingDepth('{"a":[1,{"b":2}]}')).toBe(3)
    expect(nestingDepth('{"a":"[[[[{{{{\\"]]]"}')).toBe(1)
    expect(nestingDepth(nested(100_000))).toBe(100_000)
  })

  it('the default limit is 64: 64 levels pass to validation, 65 are refused', async () => {
    // `amounts` takes any object, so 63 levels of arrays under it make a 64-level body.
    const ok = await f.call('/tools/billing.invoice.create', { method: 'POST', body: `{"customerId":"abc","amounts":{"a":${nested(62)}}}`, headers: { 'content-type': 'application/json' } })
    expect(ok.status).not.toBe(500)
    if (ok.status === 400) expect((await jsonOf(ok)).errors?.[0]?.message ?? '').not.toMatch(/nested deeper/)
    const deep = await f.call('/tools/billing.invoice.create', { method: 'POST', body: `{"customerId":"abc","amounts":{"a":${nested(63)}}}`, headers: { 'content-type': 'application/json' } })
    const body = await expectProblem(deep, 400, 'invalid_json')
    expect(body.errors).toEqual([{ pointer: '', message: 'is nested deeper than 64 levels' }])
  })

  it('5,000 and 100,000 levels are refused quickly, on tools and prompts, and the vendor never sees them', async () => {
    const before = vendor.calls().length
    for (const depth of [5000, 100_000]) {
      await expectProblem(await f.call('/tools/tree.insert', { method: 'POST', body: `{"root":${nested(depth)}}`, headers: { 'content-type': 'application/json' } }), 400, 'invalid_json')
      await expectProblem(await withPrompts.call('/prompts/summarize', { method: 'POST', body: `{"topic":${nested(depth)}}`, headers: { 'content-type': 'application/json' } }), 400, 'invalid_json')
    }
    expect(vendor.calls().length).toBe(before)
  })

  it('maxJsonDepth is configurable, and even the highest allowed setting overflows nothing (recursive schema)', async () => {
    expect(() => ConfigSchema.parse({ maxJsonDepth: 513 })).toThrow()
    const tight = await startTestFacade({ default: { url: vendor.url } }, { maxJsonDepth: 3 }, 'warn')
    const wide = await startTestFacade({ default: { url: vendor.url } }, { maxJsonDepth: 512 }, 'warn')
    try {
      await expectProblem(await tight.call('/tools/tree.insert', { method: 'POST', json: { root: { id: 'r', children: [{ id: 'a' }] } } }), 400, 'invalid_json')
      expect((await tight.call('/tools/tree.insert', { method: 'POST', json: { root: { id: 'r', children: [] } } })).status).toBe(200)
      // 255 tree levels = 510 JSON levels (object + children array per level), through Ajv's recursive $ref.
      let node: Record<string, unknown> = { id: 'leaf' }
      for (let i = 0; i < 254; i++) node = { id: `n${i}`, children: [node] }
      const res = await wide.call('/tools/tree.insert', { method: 'POST', json: { root: node } })
      expect(res.status).toBe(200)
      const bad = JSON.stringify({ root: node }).replace('"id":"leaf"', '"id":7')
      const refused = await expectProblem(await wide.call('/tools/tree.insert', { method: 'POST', body: bad, headers: { 'content-type': 'application/json' } }), 400, 'invalid_arguments')
      expect(refused.errors[0].pointer).toMatch(/^\/root(\/children\/0){254}\/id$/)
    } finally {
      await tight.close()
      await wide.close()
    }
  })
})

describe('non-finite numbers are refused with 400 and a pointer', () => {
  it('1e999 and -1e999 anywhere in the body', async () => {
    const before = vendor.calls().length
    const res = await f.call('/tools/billing.invoice.create', { method: 'POST', body: '{"customerId":"abc","amounts":{"a":1e999,"b~/c":[1,-1e999]}}', headers: { 'content-type': 'application/json' } })
    const body = await expectProblem(res, 400, 'invalid_arguments')
    expect(body.errors).toEqual([
      { pointer: '/amounts/a', message: 'must be a finite number' },
      { pointer: '/amounts/b~0~1c/1', message: 'must be a finite number' },
    ])
    expect(vendor.calls().length).toBe(before)
  })
  it('on prompts too (the body is read the same way)', async () => {
    const res = await withPrompts.call('/prompts/summarize', { method: 'POST', body: '{"topic":1e999}', headers: { 'content-type': 'application/json' } })
    expect((await expectProblem(res, 400, 'invalid_arguments')).errors).toEqual([{ pointer: '/topic', message: 'must be a finite number' }])
    expect((await withPrompts.call('/prompts/summarize', { method: 'POST', json: { topic: 1e300 } })).status).toBe(200)
  })
  it('large finite numbers still pass', async () => {
    const res = await f.call('/tools/billing.invoice.create', { method: 'POST', body: '{"customerId":"abc","amounts":{"a":1e308}}', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(200)
    expect(vendor.calls().at(-1)!.arguments).toEqual({ customerId: 'abc', amounts: { a: 1e308 } })
  })
})

describe('forwarded header values outside visible ASCII are refused with 400 invalid_header', () => {
  const validOdd = { 'user.name': 'ada', '@type': 'Person' }
  it('Latin-1 and UTF-8 bytes are refused; the detail names the header, never the value; the vendor is not called', async () => {
    const before = vendor.calls().length
    const res = await f.call('/tools/odd_properties', { method: 'POST', json: validOdd, headers: { 'X-Tenant': 'M\u00fcller-secret' } })
    const body = await expectProblem(res, 400, 'invalid_header')
    expect(body.detail).toContain('x-tenant')
    expect(JSON.stringify(body)).not.toContain('ller-secret')
    const port = Number(new URL(f.url).port)
    const raw = await rawHttp(port, `POST /tools/odd_properties HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(JSON.stringify(validOdd))}\r\nX-Tenant: caf\xc3\xa9\r\nConnection: close\r\n\r\n${JSON.stringify(validOdd)}`)
    expect(raw).toMatch(/^HTTP\/1\.1 400 /)
    expect(raw).toMatch(/content-type: application\/problem\+json/i)
    expect(raw).toContain('"code":"invalid_header"')
    expect(vendor.calls().length).toBe(before)
  })
  it('visible ASCII with spaces and tabs is forwarded', async () => {
    const res = await f.call('/tools/odd_properties', { method: 'POST', json: validOdd, headers: { 'X-Tenant': 'contoso west\t~!' } })
    expect(res.status).toBe(200)
  })
})

describe('a local failure is never reported as the vendor\u2019s', () => {
  it('classifies stack overflows and unserializable values as LOCAL, not PROTOCOL', () => {
    let overflow: unknown
    const recurse = (n: number): number => recurse(n + 1) + 1
    try {
      recurse(0)
    } catch (error) {
      overflow = error
    }
    expect(classifyUpstreamError(overflow, false).code).toBe('LOCAL')
    const circular: Record<string, unknown> = {}
    circular.self = circular
    let typeError: unknown
    try {
      JSON.stringify(circular)
    } catch (error) {
      typeError = error
    }
    expect(classifyUpstreamError(typeError, false).code).toBe('LOCAL')
    expect(classifyUpstreamError(new Error('vendor said something odd'), false).code).toBe('PROTOCOL')
  })

  it('a body too deep to serialize (possible only past the config cap) is internal_error, not 502 vendor_bad_response', async () => {
    const config = ConfigSchema.parse({ port: 0, host: '127.0.0.1', servers: { default: { url: vendor.url } } })
    // Bypasses the schema's cap of 512 on purpose: the only way left to make serialization overflow.
    config.maxJsonDepth = 1_000_000
    const lines: string[] = []
    const unsafe = await startFacade(config, createLogger('warn', (l) => lines.push(l)))
    try {
      const before = vendor.calls().length
      const res = await fetch(unsafe.url + '/tools/billing.invoice.create', { method: 'POST', body: `{"customerId":"abc","amounts":{"a":${nested(20_000)}}}`, headers: { 'content-type': 'application/json' } })
      expect(res.status).not.toBe(502)
      const body = await jsonOf(res)
      expect(body.code).not.toMatch(/^vendor_/)
      expect(vendor.calls().length).toBe(before)
    } finally {
      await unsafe.close()
    }
  })
})

describe('Node parser-level rejections are problem+json with a code (raw sockets)', () => {
  const port = () => Number(new URL(f.url).port)
  const expectRawProblem = (raw: string, status: number, code: string) => {
    expect(raw).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `))
    const [head, body] = raw.split('\r\n\r\n')
    expect(head).toMatch(/content-type: application\/problem\+json/i)
    expect(head).toMatch(/connection: close/i)
    const doc = JSON.parse(body!)
    expect(doc).toMatchObject({ status, code })
  }

  it('431 for a header block over the limit', async () => {
    expectRawProblem(await rawHttp(port(), `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'headers_too_large')
  })
  it('400 for bad framing, a NUL in a header, a bad method and a bad chunk', async () => {
    expectRawProblem(await rawHttp(port(), 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), 400, 'bad_request')
    expectRawProblem(await rawHttp(port(), 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n'), 400, 'bad_request')
    expectRawProblem(await rawHttp(port(), 'G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'bad_request')
    expectRawProblem(await rawHttp(port(), 'POST /tools/odd_properties HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), 400, 'bad_request')
    expectRawProblem(await rawHttp(port(), 'NOT HTTP AT ALL\r\n\r\n'), 400, 'bad_request')
  })
  it('400 for HTTP/1.1 without Host, 417 for an unknown Expect, 400 for a backslash path or a bad Host', async () => {
    expectRawProblem(await rawHttp(port(), 'GET /healthz HTTP/1.1\r\n\r\n'), 400, 'bad_request')
    expectRawProblem(await rawHttp(port(), 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n'), 417, 'expectation_failed')
    const backslash = await rawHttp(port(), 'GET /a\\b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(backslash).toMatch(/^HTTP\/1\.1 4\d\d /)
    expect(backslash).toMatch(/content-type: application\/problem\+json/i)
    const badHost = await rawHttp(port(), 'GET /healthz HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n')
    expect(badHost).toMatch(/^HTTP\/1\.1 400 /)
    expect(badHost).toMatch(/content-type: application\/problem\+json/i)
    // HTTP/1.0 without Host is still served.
    expect(await rawHttp(port(), 'GET /healthz HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /)
  })
})
