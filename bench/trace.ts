/**
 * @module bench/trace
 * Where does a facade call's latency go at c=1? Timestamps taken WITHOUT touching src/: the inbound HTTP
 * request event and response finish are observed on `http.Server`, the outbound call to the vendor on the
 * global `fetch` the SDK uses. Prints the median of each segment next to the same view of a direct SDK call.
 *
 * @example node --import tsx bench/trace.ts 400
 */
import { Server } from 'node:http'
import { createPoster } from './http-client.js'
import { percentile } from './load.js'
import { directTarget, facadeTarget, startVendor, type Target } from './targets.js'

const calls = Math.min(5000, Math.max(50, Number(process.argv[2] ?? 400)))
const watchdog = setTimeout(() => process.exit(2), 60_000)
watchdog.unref()

/** Timestamps of the call in flight (c=1, so one at a time). */
let marks: Record<string, number> = {}
const mark = (name: string) => {
  marks[name] ??= performance.now()
}

// Inbound: the moment Node has parsed the request head, and the moment the response is fully written.
const emit = Server.prototype.emit as (this: Server, event: string, ...args: unknown[]) => boolean
Server.prototype.emit = function (this: Server, event: string, ...args: unknown[]) {
  if (event === 'request') {
    mark('inbound')
    const res = args[1] as { once(e: string, f: () => void): void }
    res.once('finish', () => mark('responded'))
  }
  return emit.call(this, event, ...args)
} as typeof Server.prototype.emit

// Outbound: the SDK's POST to the vendor (the facade's and the direct client's alike).
const realFetch = globalThis.fetch
globalThis.fetch = async (input, init) => {
  if (init?.method === 'POST') mark('fetchStart')
  const res = await realFetch(input, init)
  if (init?.method === 'POST') mark('fetchHeaders')
  return res
}

const vendor = await startVendor(process.env.BENCH_VENDOR_RESPONSE === 'sse' ? 'sse' : 'json', 'worker')
const poster = createPoster('node-http', 4)

async function trace(target: Target, segments: Array<[string, string, string]>) {
  for (let i = 0; i < 100; i++) await target.call(i)
  const samples = new Map<string, number[]>(segments.map(([label]) => [label, []]))
  for (let i = 0; i < calls; i++) {
    marks = {}
    mark('start')
    await target.call(1000 + i)
    mark('done')
    for (const [label, from, to] of segments) if (marks[from] !== undefined && marks[to] !== undefined) samples.get(label)!.push(marks[to]! - marks[from]!)
  }
  console.log(`\n${target.mode}: median ms per segment over ${calls} sequential calls`)
  for (const [label, values] of samples) console.log(`  ${label.padEnd(58)} ${percentile(values.sort((a, b) => a - b), 50).toFixed(3)}`)
}

const direct = await directTarget(vendor.url)
const facade = await facadeTarget(vendor.url, poster)
try {
  await trace(direct, [
    ['callTool → fetch starts (SDK request building)', 'start', 'fetchStart'],
    ['fetch → response headers (vendor round trip)', 'fetchStart', 'fetchHeaders'],
    ['headers → callTool resolves (body, zod parse)', 'fetchHeaders', 'done'],
    ['total', 'start', 'done'],
  ])
  await trace(facade, [
    ['client send → facade request event (client, TCP, parse)', 'start', 'inbound'],
    ['request event → vendor fetch starts (facade inbound path)', 'inbound', 'fetchStart'],
    ['fetch → response headers (vendor round trip)', 'fetchStart', 'fetchHeaders'],
    ['headers → facade response finished (facade outbound path)', 'fetchHeaders', 'responded'],
    ['response finished → client has parsed it', 'responded', 'done'],
    ['total', 'start', 'done'],
  ])
} finally {
  await facade.close()
  await direct.close()
  poster.close()
  await vendor.close()
}
