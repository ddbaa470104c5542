/**
 * Documents at catalog size, as served: a 1,000-tool vendor gives a `/swagger.json` under the 1 MiB import limit
 * (measured on the bytes on the wire, with every pass applied, including the connector's X-Facade-Client header),
 * within 256 operations, with the tools that did not fit listed; `/openapi.json` costs at most 1700 bytes per tool
 * beyond the tools' own schemas; both are cached with ETag / If-None-Match (304) and served gzip when accepted.
 */
import { gunzipSync } from 'node:zlib'
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGeneratedVendor, type GeneratedVendor } from '../fixtures/generated-vendor.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'

const TOOLS = 1000
const MiB = 1024 * 1024

/** A GET that keeps the raw bytes (fetch would decompress them). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
    })
      .on('error', reject)
      .end()
  })
}

describe(`documents of a ${TOOLS}-tool vendor`, () => {
  let vendor: GeneratedVendor
  let f: TestFacade
  beforeAll(async () => {
    vendor = await startGeneratedVendor(TOOLS)
    f = await startTestFacade({ default: { url: vendor.url } }, { publicUrl: 'https://facade.example.com' }, 'warn')
  }, 60_000)
  afterAll(async () => {
    await f?.close()
    await vendor?.close()
  })

  it('/swagger.json is under 1 MiB as served, within 256 operations, with the connector header in every tool call', async () => {
    const res = await rawGet(`${f.url}/swagger.json`)
    expect(res.status).toBe(200)
    expect(res.body.length).toBeLessThan(MiB)
    expect(res.body.length).toBeLessThanOrEqual(1_000_000)
    const doc = JSON.parse(res.body.toString('utf8'))
    const ops = Object.values<Record<string, any>>(doc.paths).flatMap((item) => Object.values<any>(item))
    expect(ops.length).toBeLessThanOrEqual(256)
    const toolOps = ops.filter((op) => op['x-mcp-tool'] !== undefined)
    expect(toolOps.length).toBeGreaterThan(200)
    for (const op of [...toolOps, doc.paths['/invoke/{tool}'].post]) expect(op.parameters).toContainEqual({ $ref: '#/parameters/FacadeClient' })
    expect(doc.parameters.FacadeClient).toMatchObject({ name: 'X-Facade-Client', in: 'header', required: true, default: 'power-platform' })
  })

  it('/openapi.json costs at most 1700 bytes per tool beyond the tools\u2019 own schemas', async () => {
    const res = await rawGet(`${f.url}/openapi.json`)
    const doc = JSON.parse(res.body.toString('utf8'))
    const toolSchemaBytes = Object.entries<unknown>(doc.components.schemas)
      .filter(([name]) => /^Record\d+(Input|Output)/.test(name))
      .reduce((n, [name, s]) => n + Buffer.byteLength(JSON.stringify({ [name]: s })), 0)
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/tools/')).length).toBe(TOOLS)
    // 1.5 KB until interactive calls (issue 22): each tool's 200 also declares Preference-Applied and the ToolAnswerBase union
    // (result or questions), and its 502 set names vendor_error.
    expect((res.body.length - toolSchemaBytes) / TOOLS).toBeLessThanOrEqual(1700)
  })

  it.each(['/openapi.json', '/swagger.json'])('%s: ETag and 304 on If-None-Match, gzip when accepted, same bytes', async (path) => {
    const plain = await rawGet(f.url + path)
    const etag = plain.headers.etag as string
    expect(etag).toMatch(/^"[\w-]+"$/)
    expect(plain.headers.vary).toContain('Accept-Encoding')
    const again = await rawGet(f.url + path, { 'if-none-match': etag })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
    const gz = await rawGet(f.url + path, { 'accept-encoding': 'gzip, deflate' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gz.headers.etag).not.toBe(etag)
    expect(gz.body.length).toBeLessThan(plain.body.length / 4)
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true)
    expect((await rawGet(f.url + path, { 'if-none-match': gz.headers.etag as string })).status).toBe(304)
    expect((await rawGet(f.url + path, { 'if-none-match': '"something-else"' })).status).toBe(200)
  })
})
