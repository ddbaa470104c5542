/**
 * @module bench/documents
 * Document size and speed at catalog sizes: starts a generated vendor with N tools and a real facade on
 * 127.0.0.1, then measures the served bytes of /openapi.json and /swagger.json (identity and gzip), the first
 * GET, and the median/p95 of repeated GETs (bounded: 30 per document). `npx tsx bench/documents.ts 1000 5000`.
 */
import { request } from 'node:http'
import { startGeneratedVendor } from '../test/fixtures/generated-vendor.js'
import { startTestFacade } from '../test/support/facade.js'

/** One GET with raw bytes (no automatic decompression), so the measured size is what travels. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: number; ms: number; etag?: string }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let bytes = 0
      res.on('data', (chunk: Buffer) => (bytes += chunk.length))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started, etag: res.headers.etag }))
    })
      .on('error', reject)
      .end()
  })
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!

for (const count of process.argv.slice(2).map(Number).filter((n) => n > 0)) {
  const vendor = await startGeneratedVendor(count)
  const facade = await startTestFacade({ default: { url: vendor.url } }, {}, 'warn')
  try {
    for (const path of ['/openapi.json', '/swagger.json']) {
      const url = facade.url + path
      const first = await get(url)
      const gzip = await get(url, { 'accept-encoding': 'gzip' })
      const times: number[] = []
      for (let i = 0; i < 30; i++) times.push((await get(url)).ms)
      const gzTimes: number[] = []
      for (let i = 0; i < 30; i++) gzTimes.push((await get(url, { 'accept-encoding': 'gzip' })).ms)
      const revalidate = first.etag ? await get(url, { 'if-none-match': first.etag }) : undefined
      console.log(
        JSON.stringify({
          tools: count,
          path,
          status: first.status,
          bytes: first.bytes,
          bytesPerTool: Math.round(first.bytes / count),
          gzipBytes: gzip.bytes,
          firstMs: Math.round(first.ms),
          repeatMedianMs: +median(times).toFixed(1),
          repeatP95Ms: +p95(times).toFixed(1),
          gzipRepeatMedianMs: +median(gzTimes).toFixed(1),
          revalidateStatus: revalidate?.status,
        }),
      )
    }
  } finally {
    await facade.close()
    await vendor.close()
  }
}
