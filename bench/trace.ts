/**
 * @module bench/trace
 * Where does a call's latency go at c=1? Timestamps taken WITHOUT touching src/, at the socket level, so they
 * hold whichever HTTP client the facade's pool or the SDK uses (undici, its fetch, node:http):
 * - the inbound HTTP request event and the facade's write of its response are observed on `http.Server` and on
 *   the inbound socket;
 * - the outbound call to the vendor is observed on the socket connected to the vendor's port: its first write
 *   (the request leaves the process) and its first read (the answer's bytes arrive).
 * Event-loop turns between two marks are counted too (a turn is a pass of the loop; each `setImmediate` round
 * adds one), so a segment that is slow without costing CPU shows up as extra turns.
 * Prints the median of each segment, and a timeline of every mark, for the direct SDK call, the floor and the facade.
 * Finer marks: call `globalThis.__traceMark?.('name')` from a local, uncommitted edit of src/ (or from a wrapper
 * around a library function); they show up in the timeline.
 *
 * @example node --import tsx bench/trace.ts 400
 */
import { Server } from 'node:http'
import { Socket } from 'node:net'
import { Readable } from 'node:stream'
import { createPoster } from './http-client.js'
import { percentile } from './load.js'
import { directTarget, facadeTarget, floorTarget, startVendor, type Target } from './targets.js'

const calls = Math.min(5000, Math.max(50, Number(process.argv[2] ?? 400)))
const watchdog = setTimeout(() => process.exit(2), 90_000)
watchdog.unref()

/** Timestamps (and loop-turn counts) of the call in flight (c=1, so one at a time). First occurrence wins. */
let marks: Record<string, { t: number; turn: number }> = {}
let turn = 0
const mark = (name: string) => {
  marks[name] ??= { t: performance.now(), turn }
}

// With TRACE_TURNS=1, counts event-loop turns: an immediate re-armed from itself runs once per turn (check
// phase). It keeps the loop from ever blocking in poll, which itself changes latency: off by default.
let counting = process.env.TRACE_TURNS === '1'
const tick = () => {
  turn++
  if (counting) setImmediate(tick)
}
if (counting) setImmediate(tick)

// Scratch instrumentation can call `globalThis.__traceMark?.(name)` anywhere (e.g. in a local edit of src/):
// such marks are listed in the timeline below. Nothing in src/ calls it.
;(globalThis as { __traceMark?: (name: string) => void }).__traceMark = mark

let vendorPort = 0
/** The REST server being traced (facade or floor): its socket writes are the response. */
let facadePort = 0

// Inbound: the moment Node has parsed the request head.
const emit = Server.prototype.emit as (this: Server, event: string, ...args: unknown[]) => boolean
Server.prototype.emit = function (this: Server, event: string, ...args: unknown[]) {
  if (event === 'request') mark('inbound')
  return emit.call(this, event, ...args)
} as typeof Server.prototype.emit

// Every write that reaches libuv goes through `_writeGeneric` (single chunk or writev after cork).
type WriteGeneric = (this: Socket, writev: boolean, data: unknown, encoding: string, cb: () => void) => unknown
const proto = Socket.prototype as unknown as { _writeGeneric: WriteGeneric }
const writeGeneric = proto._writeGeneric
let writesOut = 0
proto._writeGeneric = function (this: Socket, writev, data, encoding, cb) {
  if (vendorPort && this.remotePort === vendorPort) mark('vendorWrite')
  else if (facadePort && this.localPort === facadePort) {
    writesOut++
    mark('responseWrite')
  }
  return writeGeneric.call(this, writev, data, encoding, cb)
}

// Reads: net sockets hand received bytes to `push` (the server's own parser reads inbound sockets natively).
const push = Readable.prototype.push
Readable.prototype.push = function (this: Readable, chunk: unknown, encoding?: BufferEncoding) {
  if (chunk !== null && this instanceof Socket) {
    if (vendorPort && this.remotePort === vendorPort) mark('vendorRead')
    else if (facadePort && this.remotePort === facadePort) mark('clientRead')
  }
  return push.call(this, chunk, encoding)
}

const vendor = await startVendor(process.env.BENCH_VENDOR_RESPONSE === 'sse' ? 'sse' : 'json', 'worker')
vendorPort = Number(new URL(vendor.url).port)
const poster = createPoster('node-http', 4)

async function trace(target: Target, segments: Array<[string, string, string]>) {
  for (let i = 0; i < 100; i++) await target.call(i)
  const samples = new Map<string, { ms: number[]; turns: number[] }>(segments.map(([label]) => [label, { ms: [], turns: [] }]))
  const responseWrites: number[] = []
  const timeline = new Map<string, number[]>()
  for (let i = 0; i < calls; i++) {
    marks = {}
    writesOut = 0
    mark('start')
    await target.call(1000 + i)
    mark('done')
    responseWrites.push(writesOut)
    for (const [name, { t }] of Object.entries(marks)) {
      if (!timeline.has(name)) timeline.set(name, [])
      timeline.get(name)!.push(t - marks.start!.t)
    }
    for (const [label, from, to] of segments) {
      const a = marks[from]
      const b = marks[to]
      if (a && b) {
        samples.get(label)!.ms.push(b.t - a.t)
        samples.get(label)!.turns.push(b.turn - a.turn)
      }
    }
  }
  console.log(`\n${target.mode}: median over ${calls} sequential calls          ms   loop turns`)
  for (const [label, { ms, turns }] of samples)
    console.log(`  ${label.padEnd(58)} ${percentile(ms.sort((a, b) => a - b), 50).toFixed(3)}  ${percentile(turns.sort((a, b) => a - b), 50)}`)
  const medians = [...timeline].map(([name, ts]) => [name, percentile(ts.sort((a, b) => a - b), 50)] as const).sort((a, b) => a[1] - b[1])
  console.log(`  timeline (median ms after start, and step from the previous mark):`)
  medians.forEach(([name, at], i) => console.log(`    ${name.padEnd(20)} ${at.toFixed(3)}  +${(at - (medians[i - 1]?.[1] ?? 0)).toFixed(3)}`))
  if (target.mode !== 'direct') console.log(`  socket writes per response (median): ${percentile(responseWrites.sort((a, b) => a - b), 50)}`)
}

const direct = await directTarget(vendor.url)
const facade = await facadeTarget(vendor.url, poster)
const floor = await floorTarget(poster)
try {
  await trace(direct, [
    ['callTool → request written to vendor socket', 'start', 'vendorWrite'],
    ['written → answer bytes read (vendor round trip)', 'vendorWrite', 'vendorRead'],
    ['bytes read → callTool resolves (body, zod parse)', 'vendorRead', 'done'],
    ['total', 'start', 'done'],
  ])
  facadePort = Number(new URL(floor.rest!.url).port)
  await trace(floor, [
    ['client send → server request event (client, TCP, parse)', 'start', 'inbound'],
    ['request event → response written (server)', 'inbound', 'responseWrite'],
    ['response written → client has parsed it', 'responseWrite', 'done'],
    ['total', 'start', 'done'],
  ])
  facadePort = Number(new URL(facade.facade.url).port)
  await trace(facade, [
    ['client send → facade request event (client, TCP, parse)', 'start', 'inbound'],
    ['request event → written to vendor socket (inbound path)', 'inbound', 'vendorWrite'],
    ['written → answer bytes read (vendor round trip)', 'vendorWrite', 'vendorRead'],
    ['bytes read → response written (facade outbound path)', 'vendorRead', 'responseWrite'],
    ['response written → client has parsed it', 'responseWrite', 'done'],
    ['total', 'start', 'done'],
  ])
} finally {
  counting = false
  await facade.close()
  await floor.close()
  await direct.close()
  poster.close()
  await vendor.close()
}
