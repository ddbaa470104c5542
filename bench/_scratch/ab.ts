// Scratch A/B: current src vs patched copies, interleaved; c=1 p50 and c=32 throughput + main-thread CPU.
import { readFileSync } from 'node:fs'
import { createPoster } from '../http-client.js'
import { runLoad, summarize, type Slice } from '../load.js'
import { restCall } from '../rest-call.js'
import { directTarget, facadeTarget, startVendor, type Target } from '../targets.js'

const cpuMs = () => { const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10 }
const vendor = await startVendor('json', 'worker')
const poster = createPoster('node-http', 64)
const variant = async (dir: string): Promise<Target> => {
  const { ConfigSchema } = await import(`./${dir}/config/schema.js`)
  const { createLogger } = await import(`./${dir}/log.js`)
  const { startFacade } = await import(`./${dir}/server.js`)
  const f = await startFacade(ConfigSchema.parse({ port: 0, host: '127.0.0.1', logLevel: 'silent', servers: { default: { url: vendor.url } } }), createLogger('silent'))
  return { mode: 'facade', call: restCall(poster, { name: dir, url: `${f.url}/tools/echo`, field: 'data' }), close: () => f.close() }
}
const list: Array<[string, Target]> = [['direct', await directTarget(vendor.url)], ['orig', await facadeTarget(vendor.url, poster)], ['P1', await variant('p1')], ['P1+P2', await variant('p2')]]
let seq = 0
const res = new Map(list.map(([n]) => [n, { c1: [] as Slice[], c32: [] as Slice[], cpu: 0 }]))
for (const [, t] of list) { await runLoad(t.call, { concurrency: 1, maxCalls: 100, maxMs: 3000 }, (seq += 1000)); await runLoad(t.call, { concurrency: 32, maxCalls: 500, maxMs: 2000 }, (seq += 1000)) }
const rounds = Number(process.argv[2] ?? 6)
for (let r = 0; r < rounds; r++) for (let i = 0; i < list.length; i++) {
  const [n, t] = list[(i + r) % list.length]!
  res.get(n)!.c1.push(await runLoad(t.call, { concurrency: 1, maxCalls: 100, maxMs: 3000 }, (seq += 1000)))
}
for (let r = 0; r < rounds; r++) for (let i = 0; i < list.length; i++) {
  const [n, t] = list[(i + r) % list.length]!
  const c0 = cpuMs()
  res.get(n)!.c32.push(await runLoad(t.call, { concurrency: 32, maxCalls: 100000, maxMs: 800 }, (seq += 100000)))
  res.get(n)!.cpu += cpuMs() - c0
}
for (const [n, r] of res) {
  const a = summarize(r.c1), b = summarize(r.c32)
  console.log(`${n.padEnd(7)} c1 p50 ${a.p50.toFixed(3)} ms | c32 ${b.throughput.toFixed(0)}/s (${b.throughputRange.map((x) => x.toFixed(0)).join('–')}) main-thread CPU ${(r.cpu / b.ok).toFixed(3)} ms/call | errors ${a.errors + b.errors}`)
}
for (const [, t] of list) await t.close()
poster.close(); await vendor.close()
