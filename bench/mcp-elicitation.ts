/**
 * @module bench/mcp-elicitation
 * `npm run bench:mcp-elicitation`: what passing vendor questions through `/mcp` costs. Per vendor era (the eliciting
 * fixture vendors of test/fixtures), real SDK clients of both eras call the facade's `/mcp`: a plain call from a
 * client that declared no elicitation (not relayed, as before), the same call from a client that did (relayed:
 * an interactive job, nothing asked), and one round of questions (`confirm_delete`: 2025 clients answer the pushed
 * `elicitation/create`; 2026-07-28 clients answer `input_required` with a retry). Sequential calls in interleaved
 * rounds (each variant in every round), p50/p95 in ms; writes bench/mcp-elicitation-results.json.
 */
import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { ConfigSchema } from '../src/config/schema.js'
import { createLogger } from '../src/log.js'
import { startFacade } from '../src/server.js'
import { startElicitingVendor } from '../test/fixtures/eliciting-vendor.js'

const CALLS = Number(process.env.BENCH_CALLS ?? 300)
const ROUNDS = 5
type Json = Record<string, any>

async function client(url: string, era: 'legacy' | 'modern', elicit: boolean) {
  const c = new Client(
    { name: 'bench', version: '1.0.0' },
    { capabilities: elicit ? { elicitation: { form: {} } } : {}, versionNegotiation: era === 'modern' ? { mode: { pin: '2026-07-28' } } : { mode: 'legacy' } },
  )
  if (elicit && era === 'legacy') c.setRequestHandler('elicitation/create', () => ({ action: 'accept', content: { confirm: true } }) as never)
  await c.connect(new StreamableHTTPClientTransport(new URL(url)))
  return c
}

const pct = (s: number[], p: number) => +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2)

async function main() {
  const out: Json = { date: new Date().toISOString(), loadavg: loadavg().map((l) => +l.toFixed(2)), calls: CALLS, eras: {} }
  for (const vendorEra of ['legacy', 'modern'] as const) {
    const vendor = await startElicitingVendor({ era: vendorEra })
    const facade = await startFacade(ConfigSchema.parse({ port: 0, host: '127.0.0.1', servers: { default: { url: vendor.url, protocol: vendorEra } } }), createLogger('silent'))
    for (let i = 0; i < 200 && !(await fetch(`${facade.url}/tools`)).ok; i++) await new Promise((r) => setTimeout(r, 50))
    const url = `${facade.url}/mcp`
    const variants: Record<string, () => Promise<void>> = {}
    for (const era of ['legacy', 'modern'] as const) {
      const plain = await client(url, era, false)
      const asking = await client(url, era, true)
      const check = (r: unknown, want: string) => {
        const t = ((r as Json).content?.[0]?.text as string) ?? ''
        if (t !== want) throw new Error(`unexpected answer: ${t}`)
      }
      variants[`${era} client, plain call, no elicitation declared`] = async () => check(await plain.callTool({ name: 'plain', arguments: {} }), 'plain ok')
      variants[`${era} client, plain call, elicitation declared (relayed)`] = async () => check(await asking.callTool({ name: 'plain', arguments: {} }), 'plain ok')
      variants[`${era} client, one round of questions`] =
        era === 'legacy'
          ? async () => check(await asking.callTool({ name: 'confirm_delete', arguments: {} }), 'action=accept confirm=true')
          : async () => {
              const q = (await asking.callTool({ name: 'confirm_delete', arguments: {} }, { allowInputRequired: true } as never)) as unknown as Json
              const [key] = Object.keys(q.inputRequests)
              const r = await asking.callTool({ name: 'confirm_delete', arguments: {}, inputResponses: { [key!]: { action: 'accept', content: { confirm: true } } }, requestState: q.requestState } as never, { allowInputRequired: true } as never)
              check(r, 'action=accept confirm=true')
            }
    }
    const times = new Map<string, number[]>(Object.keys(variants).map((k) => [k, []]))
    for (const fn of Object.values(variants)) for (let i = 0; i < 20; i++) await fn()
    for (let round = 0; round < ROUNDS; round++) {
      const names = Object.keys(variants)
      const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)]
      for (const name of order)
        for (let i = 0; i < CALLS / ROUNDS; i++) {
          const t = performance.now()
          await variants[name]!()
          times.get(name)!.push(performance.now() - t)
        }
    }
    out.eras[vendorEra] = Object.fromEntries([...times].map(([k, v]) => [k, { p50: pct(v.sort((a, b) => a - b), 50), p95: pct(v, 95), n: v.length }]))
    await facade.close()
    await vendor.close()
  }
  out.loadavgAfter = loadavg().map((l) => +l.toFixed(2))
  writeFileSync(new URL('./mcp-elicitation-results.json', import.meta.url), JSON.stringify(out, null, 2) + '\n')
  console.log(`| vendor | variant | p50 ms | p95 ms |\n|---|---|---|---|`)
  for (const [era, rows] of Object.entries(out.eras as Record<string, Record<string, Json>>))
    for (const [k, v] of Object.entries(rows)) console.log(`| ${era === 'legacy' ? '2025' : '2026-07-28'} | ${k} | ${v.p50} | ${v.p95} |`)
  console.log(`load average ${out.loadavg.join(' ')} → ${out.loadavgAfter.join(' ')}`)
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
