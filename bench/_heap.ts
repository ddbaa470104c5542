import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { startTestFacade } from '/work/main/test/support/facade.js'
import v8 from 'node:v8'
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/vendor-process.ts'], { stdio: ['pipe', 'pipe', 'inherit'] })
const it = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
const vendor = { url: (await it.next()).value as string, close: async () => { child.kill() } }
const facade = await startTestFacade({ default: { url: vendor.url } }, { sessions: { connectionIdleMs: 500 } }, 'warn')
const gc = (globalThis as any).gc
gc(); if (process.env.SNAP) v8.writeHeapSnapshot('/tmp/facade0.heapsnapshot'); const h0 = process.memoryUsage().heapUsed; const m0 = process.memoryUsage(); console.log(Object.fromEntries(Object.entries(m0).map(([k, v]) => [k, (v / 1048576).toFixed(1)])))
const N = Number(process.env.N ?? 500)
for (let i = 0; i < N; i++) {
  const r = await facade.call('/sessions', { method: 'POST' }); const { sessionId } = await r.json() as any
  const c = await facade.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { 'x-session-id': sessionId } }); await c.text()
}
gc(); const h1 = process.memoryUsage().heapUsed
await new Promise((r) => setTimeout(r, 1500))
gc(); gc(); const h2 = process.memoryUsage().heapUsed
const m = process.memoryUsage(); console.log(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, (v / 1048576).toFixed(1)])))
console.log('attached KB/session', ((h1 - h0) / 1024 / N).toFixed(1), 'released KB/session', ((h2 - h0) / 1024 / N).toFixed(1), 'conns', facade.runtimes[0]!.sessions.connectionCount)
if (process.env.SNAP) v8.writeHeapSnapshot('/tmp/facade.heapsnapshot')
await facade.close(); await vendor.close()
