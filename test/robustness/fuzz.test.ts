/**
 * Hostile-input fuzz, bounded and deterministic: 2,000 requests from a seeded generator against a real facade on
 * 127.0.0.1 (real fixture vendor behind it), mixing mutated paths and percent-escapes, methods, query strings,
 * content types, JSON bodies (deep, non-finite, truncated, escaped), header values, and raw-socket requests
 * with broken framing. Every answer must be non-500, and every 4xx/5xx must be problem+json with a `code`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoVendor } from '../../src/demo/vendor.js'
import { startAwkwardVendor, type AwkwardVendor } from '../fixtures/awkward-vendor.js'
import { rawHttp } from '../credentials/helpers.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'

const SEED = 0x11b0_2026
const REQUESTS = 2000
const RAW_SHARE = 0.1
const PARALLEL = 16

/** mulberry32: a tiny seeded PRNG, so a failing case can be replayed from its index. */
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  return { next, int, pick, chance: (p: number) => next() < p }
}
type Rng = ReturnType<typeof prng>

const SEGMENTS = ['%', '%f', '%ff', '%E0%A4%A', '%C0%AF', '%00', '%2F', '%2e%2e', '..', '.', '~', 'tree.insert', 'files%2Fread', 'files-read', 'm%C3%A9t%C3%A9o', 'meteo', '\u00e9', 'ListTools', 'odd_properties', 'billing.invoice.create', 'job_AAAAAAAAAAAAAAAAAAAAAAAA', 'ses_x', 'new', 'a'.repeat(300), '%%%', '%u0041', '+', ';a=b', "'", '"', '<script>']
const ROOTS = ['/tools', '/invoke', '/prompts', '/jobs', '/sessions', '/connector/tools', '/resources', '/resources/read', '/resources/templates', '/catalog/refresh', '/openapi.json', '/swagger.json', '/docs', '/healthz', '/readyz', '', '/%', '/nothing']
const METHODS = ['GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']
const TYPES = ['application/json', 'application/json', 'application/json; charset=utf-8', 'application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1', 'application/jsonx']

function randomString(r: Rng, max = 12): string {
  const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '/', '%', '\u00e9', '\u0000', '\u001f', '\ud83d\ude00', '\u2028', '{', ']', '~']
  let s = ''
  for (let i = r.int(max); i > 0; i--) s += r.pick(alphabet)
  return s
}

function randomJson(r: Rng, depth = 0): string {
  const kind = r.int(depth > 4 ? 4 : 8)
  switch (kind) {
    case 0:
      return r.pick(['0', '-1', '1e308', '1e999', '-1e999', '1.5e-400', '123456789012345678901234567890', '-0', '0.1'])
    case 1:
      return JSON.stringify(randomString(r))
    case 2:
      return r.pick(['true', 'false', 'null'])
    case 3:
      return r.pick(['"\\ud800"', '"\\u0000"', '"\\/"', JSON.stringify('x'.repeat(r.int(3000)))])
    case 4:
    case 5: {
      const keys = ['topic', 'customerId', 'root', 'id', 'children', 'path', 'range', 'filters', '__proto__', 'constructor', 'user.name', '@type', '', 'a/b', 'a~b', 'amounts', 'message']
      const n = r.int(5)
      const members = Array.from({ length: n }, () => `${JSON.stringify(r.pick(keys))}:${randomJson(r, depth + 1)}`)
      return `{${members.join(',')}}`
    }
    default:
      return `[${Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1)).join(',')}]`
  }
}

function randomBody(r: Rng): string | undefined {
  switch (r.int(9)) {
    case 0:
      return undefined
    case 1:
      return ''
    case 2: {
      const d = r.pick([63, 64, 65, 200, 5000, 50_000])
      return `{"root":${'['.repeat(d)}${']'.repeat(d)}}`
    }
    case 3:
      return randomJson(r).slice(0, r.int(40))
    case 4:
      return r.pick(['{"customerId":"abc","amounts":{"a":1e999}}', '{"topic":1e999}', '{"topic":"x"}', '{"a":NaN}', '{"a":Infinity}', '{"a":1,}', '{"a":01}', "{'a':1}", '\ufeff{}', '{"a":"\\x41"}', '[]', '"s"', 'null'])
    case 5:
      return '{"customerId":"abc","amounts":{"a":1}}'
    default:
      return r.chance(0.3) ? `{"root":${randomJson(r)}}` : randomJson(r)
  }
}

const MOUNTS = ['/awk', '/awk', '/awk', '/demo', '/demo', '', '/%', '/%ff']
const PROMPT_SEGMENTS = ['summarize', '%', '%ff', '%E0%A4%A', 'summ%61rize', 'x']
const DEMO_SLUGS = ['get_weather', 'cart_add', 'cart_view', 'divide', 'tiny_image', 'create_order', 'get%5Fweather', 'nope']
const TOOL_SLUGS = ['tree.insert', 'files-read', 'files%2Fread', 'crm.contacts.search', 'network.configure', 'odd_properties', 'billing.invoice.create', 'meteo', 'ListTools']

function randomPath(r: Rng): string {
  // Most requests aim at real tools, so bodies and headers get past routing and reach parsing and validation.
  const mount = r.pick(MOUNTS)
  if (r.chance(0.45)) return `${mount}${r.pick(['/tools/', '/invoke/'])}${r.pick(mount === '/demo' ? DEMO_SLUGS : TOOL_SLUGS)}${r.chance(0.1) ? '?sessionId=' + r.pick(['new', '%', 'ses_x']) : ''}`
  if (r.chance(0.1)) return `${mount}/prompts/${r.pick(PROMPT_SEGMENTS)}`
  let path = mount + r.pick(ROOTS)
  for (let i = r.int(3); i > 0; i--) path += '/' + r.pick(SEGMENTS)
  if (path.startsWith('/connector/tools/') && r.chance(0.6)) path += r.pick(['/input-schema', '/output-schema'])
  if (r.chance(0.25)) path += '?' + r.pick(['uri=%', 'uri=%ff', 'uri=demo://x', 'sessionId=new', 'sessionId=%', 'a=%E0%A4%A', 'uri=' + 'x'.repeat(2000), '&&&=', 'a[b]=c'])
  return path || '/'
}

function randomHeaders(r: Rng, contentType: string): Record<string, string> {
  const h: Record<string, string> = {}
  if (contentType) h['content-type'] = contentType
  const latin1 = () => Array.from({ length: r.int(12) }, () => String.fromCharCode(r.chance(0.7) ? 0x20 + r.int(0x5f) : 0x80 + r.int(0x80))).join('')
  if (r.chance(0.3)) h['x-tenant'] = latin1()
  if (r.chance(0.15)) h['x-session-id'] = r.pick(['new', 'ses_unknown', '%', latin1()])
  if (r.chance(0.2)) h.prefer = r.pick(['respond-async', 'respond-async', 'respond-async, wait=1', 'wait=0', latin1()])
  if (r.chance(0.1)) h['x-request-id'] = latin1()
  if (r.chance(0.05)) h['x-connector-client'] = latin1()
  return h
}

const RAW_TEMPLATES = [
  (r: Rng) => `POST /tools/tree.insert HTTP/1.1\r\nHost: x\r\nContent-Length: ${r.int(10)}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
  (r: Rng) => `GET /${randomString(r)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  (r: Rng) => `GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ${'b'.repeat(r.pick([10, 9000, 20_000]))}\r\n\r\n`,
  (r: Rng) => `GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a${String.fromCharCode(r.pick([0, 1, 0x7f, 0xff]))}b\r\n\r\n`,
  (r: Rng) => `${r.pick(['G@T', 'GET GET', '', 'PRI * HTTP/2.0', 'get'])} /healthz HTTP/1.1\r\nHost: x\r\n\r\n`,
  (r: Rng) => `POST /tools/odd_properties HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n${r.pick(['zz', '2\r\n{}', 'ffffffffffffffffff', '1;a=' + 'b'.repeat(300)])}\r\n\r\n`,
  (r: Rng) => `GET /healthz HTTP/${r.pick(['1.1', '1.0', '0.9', '2.0', '1.x', '9.9'])}\r\nHost: ${r.pick(['x', 'a b', '', '[::1', 'x:99999'])}\r\nConnection: close\r\n\r\n`,
  (r: Rng) => `GET ${r.pick(['/a\\b', 'http://evil/x', '*', '//x', '/%'])} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  (r: Rng) => `GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: ${r.pick(['100-continue', 'teapot', ''])}\r\nConnection: close\r\n\r\n`,
  (r: Rng) => `POST /tools/odd_properties HTTP/1.1\r\nHost: x\r\nContent-Length: ${r.pick(['-1', 'abc', '1, 2', '99999999999999999999'])}\r\n\r\n{}`,
]

interface Finding {
  index: number
  request: string
  status: number
  problem: string
}

/**
 * Checks every answer a raw connection received (a keep-alive connection can carry the answer to the request and
 * then the parser's rejection of the bytes after it). An empty text is fine: the peer closed before any answer.
 */
function checkRaw(text: string): { status: number; problem?: string } {
  let rest = text
  let last = 0
  while (rest.length) {
    const m = /^HTTP\/1\.[01] (\d{3}) [^\r]*\r\n/.exec(rest)
    if (!m) return { status: last, problem: 'no status line' }
    const status = Number(m[1])
    last = status
    const headEnd = rest.indexOf('\r\n\r\n')
    if (headEnd < 0) return { status, problem: 'truncated head' }
    const head = rest.slice(0, headEnd)
    rest = rest.slice(headEnd + 4)
    let body = ''
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)
    if (length) {
      body = Buffer.from(rest, 'latin1').subarray(0, Number(length[1])).toString('utf8')
      rest = Buffer.from(rest, 'latin1').subarray(Number(length[1])).toString('latin1')
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      for (;;) {
        const size = /^([0-9a-f]+)\r\n/i.exec(rest)
        if (!size) return { status, problem: 'bad chunk' }
        const n = parseInt(size[1]!, 16)
        rest = rest.slice(size[0].length)
        body += rest.slice(0, n)
        rest = rest.slice(n + 2)
        if (n === 0) break
      }
    } else if (status >= 200 && status !== 204 && status !== 304) {
      body = rest
      rest = ''
    }
    if (status === 500) return { status, problem: '500' }
    if (status >= 400) {
      if (!/\r\ncontent-type: application\/problem\+json/i.test(head)) return { status, problem: 'not problem+json' }
      try {
        if (typeof JSON.parse(body).code !== 'string') return { status, problem: 'no code' }
      } catch {
        return { status, problem: 'body is not JSON' }
      }
    }
  }
  return { status: last }
}

describe('fuzz: no 500, problem+json with a code on every error', () => {
  let vendor: AwkwardVendor
  let demo: Awaited<ReturnType<typeof startDemoVendor>>
  let f: TestFacade
  beforeAll(async () => {
    vendor = await startAwkwardVendor()
    demo = await startDemoVendor()
    // Two servers, so paths go through the /{server}/ mounts; the demo vendor brings prompts and resources.
    f = await startTestFacade(
      { awk: { url: vendor.url, forwardHeaders: { allow: ['X-Tenant'] }, async: { thresholdMs: 2000 } }, demo: { url: demo.url } },
      {},
      'silent',
    )
  })
  afterAll(async () => {
    await f?.close()
    await vendor?.close()
    await demo?.close()
  })

  it(`${REQUESTS} seeded requests (seed ${SEED.toString(16)})`, async () => {
    const r = prng(SEED)
    const port = Number(new URL(f.url).port)
    // Generate everything first, from one generator, so the set of requests does not depend on timing.
    const cases = Array.from({ length: REQUESTS }, (_, index) => {
      if (r.chance(RAW_SHARE)) return { index, raw: r.pick(RAW_TEMPLATES)(r) }
      const path = randomPath(r)
      const method = /\/(tools|invoke|prompts)\/[^?]*$/.test(path) && r.chance(0.8) ? 'POST' : r.pick(METHODS)
      const headers = randomHeaders(r, r.pick(TYPES))
      const body = method === 'GET' || method === 'HEAD' ? undefined : randomBody(r)
      return { index, method, path, headers, body }
    })
    const findings: Finding[] = []
    const statuses = new Map<number, number>()
    let next = 0
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!
        if ('raw' in c) {
          const text = await rawHttp(port, c.raw!)
          const { status, problem } = checkRaw(text)
          statuses.set(status, (statuses.get(status) ?? 0) + 1)
          if (problem) findings.push({ index: c.index, request: JSON.stringify(c.raw).slice(0, 200), status, problem })
          continue
        }
        const res = await fetch(f.url + c.path, { method: c.method, headers: c.headers, body: c.body })
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        const text = await res.text()
        const describeIt = () => `${c.method} ${c.path} ${JSON.stringify(c.headers)} ${String(c.body).slice(0, 120)}`
        if (res.status === 500) findings.push({ index: c.index, request: describeIt(), status: 500, problem: text.slice(0, 200) })
        else if (res.status >= 400) {
          if (res.headers.get('content-type') !== 'application/problem+json') findings.push({ index: c.index, request: describeIt(), status: res.status, problem: 'not problem+json' })
          else if (c.method !== 'HEAD') {
            let code: unknown
            try {
              code = JSON.parse(text).code
            } catch {
              code = undefined
            }
            if (typeof code !== 'string') findings.push({ index: c.index, request: describeIt(), status: res.status, problem: 'no code' })
          }
        }
      }
    }
    const started = performance.now()
    await Promise.all(Array.from({ length: PARALLEL }, worker))
    const seconds = (performance.now() - started) / 1000
    console.info(`fuzz: ${REQUESTS} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`)
    expect(findings.slice(0, 10)).toEqual([])
    // The generator reaches the interesting answers, so the run is not trivially green.
    for (const status of [200, 202, 400, 404, 415, 417, 431]) expect(statuses.has(status), `no ${status} seen`).toBe(true)
  }, 120_000)
})
