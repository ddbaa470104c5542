/**
 * How `POST /mcp` reads its body, over raw node:http (so the test chooses how the bytes arrive): whole with its
 * head, or the head first and the body later, or chunked without a length. Every way gives the same answer; the
 * size limit (`bodyLimitBytes`) holds on a declared length before anything is read and on a chunked body as it
 * arrives (413 problem+json, the vendor never asked); a body exactly at the limit passes; a UTF-8 BOM is dropped as
 * before; a body that is not JSON is the JSON-RPC parse error.
 */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'

const LIMIT = 4096
const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'body-test', version: '1' } } })

type Delivery = 'whole' | 'late-body' | 'chunked'

/** One POST /mcp with the body delivered as asked; resolves with the status, content type and parsed answer. */
function post(url: string, body: Buffer | string, delivery: Delivery): Promise<{ status: number; type: string; json: any }> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body)
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          'mcp-protocol-version': '2025-11-25',
          ...(delivery === 'chunked' ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(bytes.length) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8')
          // An SSE answer carries one JSON-RPC message in its data line.
          const data = /^data: (.*)$/m.exec(raw)?.[1]
          let json: unknown
          try {
            json = JSON.parse(data ?? raw)
          } catch {
            json = raw
          }
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), json })
        })
      },
    )
    req.on('error', reject)
    if (delivery === 'whole') return void req.end(bytes)
    // The head goes alone; the body follows in two pieces, 30 ms apart.
    req.flushHeaders()
    const half = Math.floor(bytes.length / 2)
    setTimeout(() => {
      req.write(bytes.subarray(0, half))
      setTimeout(() => req.end(bytes.subarray(half)), 30)
    }, 30)
  })
}

describe('POST /mcp body', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade
  let url: string
  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    facade = await startTestFacade({ default: { url: vendor.url } }, { bodyLimitBytes: LIMIT }, 'warn')
    url = `${facade.url}/mcp`
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('the same answer whichever way the bytes arrive', async () => {
    for (const delivery of ['whole', 'late-body', 'chunked'] as const) {
      const res = await post(url, INITIALIZE, delivery)
      expect(res.status, delivery).toBe(200)
      expect(res.json, delivery).toMatchObject({ jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-11-25' } })
    }
  })

  it('a body exactly at the limit passes; one byte more is 413 problem+json, declared or chunked, and the vendor is not asked', async () => {
    const atLimit = INITIALIZE + ' '.repeat(LIMIT - Buffer.byteLength(INITIALIZE))
    expect(Buffer.byteLength(atLimit)).toBe(LIMIT)
    for (const delivery of ['whole', 'chunked'] as const) expect((await post(url, atLimit, delivery)).status, delivery).toBe(200)
    const before = vendor.requests().length
    for (const delivery of ['whole', 'late-body', 'chunked'] as const) {
      const res = await post(url, atLimit + ' ', delivery)
      expect(res.status, delivery).toBe(413)
      expect(res.type, delivery).toContain('application/problem+json')
      expect(res.json.code, delivery).toBe('payload_too_large')
    }
    expect(vendor.requests().length).toBe(before)
  })

  it('a leading UTF-8 BOM is dropped; multi-byte characters split across reads survive', async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(INITIALIZE)])
    for (const delivery of ['whole', 'late-body'] as const) expect((await post(url, withBom, delivery)).status, delivery).toBe(200)
    const named = INITIALIZE.replace('body-test', 'körper-ŧest-😀')
    for (const delivery of ['whole', 'late-body', 'chunked'] as const) {
      const res = await post(url, named, delivery)
      expect(res.status, delivery).toBe(200)
    }
  })

  it('a body that is not JSON is the JSON-RPC parse error (-32700)', async () => {
    for (const delivery of ['whole', 'late-body', 'chunked'] as const) {
      const res = await post(url, '{"jsonrpc": "2.0", "id": 1, "method": ', delivery)
      expect(res.status, delivery).toBe(400)
      expect(res.json, delivery).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } })
    }
  })
})
