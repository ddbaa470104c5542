/**
 * The MCP endpoint in front of other vendor kinds: the demo vendor (resources and prompts passed through,
 * renamed property names mapped back), a 2026-07-28 vendor, and two replicas sharing a Redis store (an
 * `Mcp-Session-Id` issued by one replica continues on the other). Redis tests need REDIS_URL; without it
 * they are skipped with a notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoVendor } from '../../src/demo/vendor.js'
import { startAwkwardVendor } from '../fixtures/awkward-vendor.js'
import { startModernVendor } from '../fixtures/modern-vendor.js'
import { startSessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTestFacade } from '../support/facade.js'
import { connectCaller, textOf } from './mcp-client.js'

const REDIS_URL = process.env.REDIS_URL
if (!REDIS_URL) console.warn('[skip] REDIS_URL is not set: the MCP endpoint replica test is skipped (set REDIS_URL=redis://127.0.0.1:6379 to run it)')

const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

describe('MCP endpoint: resources, prompts and property names', () => {
  let url: string
  beforeAll(async () => {
    const demo = await startDemoVendor()
    cleanups.push(() => demo.close())
    const facade = await startTestFacade({ default: { url: demo.url } })
    cleanups.push(() => facade.close())
    url = `${facade.url}/mcp`
  })

  it('lists and reads resources and renders prompts through the vendor', async () => {
    for (const era of ['legacy', 'modern'] as const) {
      const caller = await connectCaller(url, era)
      try {
        const { resources } = await caller.client.listResources()
        expect(resources.map((r) => r.uri)).toContain('demo://readme')
        const read = await caller.client.readResource({ uri: 'demo://readme' })
        expect((read.contents[0] as { text: string }).text.length).toBeGreaterThan(10)
        const { prompts } = await caller.client.listPrompts()
        expect(prompts.map((p) => p.name)).toContain('summarize')
        const prompt = await caller.client.getPrompt({ name: 'summarize', arguments: { topic: 'tides' } })
        expect(JSON.stringify(prompt.messages)).toContain('tides')
        await expect(caller.client.getPrompt({ name: 'summarize', arguments: {} })).rejects.toThrow(/summarize/)
        await expect(caller.client.getPrompt({ name: 'nope', arguments: {} })).rejects.toThrow(/not found/)
        // SEP-2164: -32602 with the requested URI in data (the vendor's own answer is -32002 or -32602)
        for (const uri of ['demo://orders/none', 'test://nonexistent']) {
          const error = await caller.client.readResource({ uri }).then(
            () => undefined,
            (e: unknown) => e as { code?: number; data?: { uri?: string; code?: string } },
          )
          expect(error, uri).toMatchObject({ code: -32602, data: { uri, code: 'resource_not_found' } })
        }
      } finally {
        await caller.close()
      }
    }
  })

  it('maps the Copilot-safe property names back to the vendor names', async () => {
    const vendor = await startAwkwardVendor()
    cleanups.push(() => vendor.close())
    const facade = await startTestFacade({ default: { url: vendor.url } })
    cleanups.push(() => facade.close())
    const caller = await connectCaller(`${facade.url}/mcp`, 'modern')
    try {
      const { tools } = await caller.client.listTools()
      const odd = tools.find((t) => t.name === 'odd_properties')!
      expect(Object.keys(odd.inputSchema.properties ?? {})).toContain('user_name')
      const result = await caller.client.callTool({ name: 'odd_properties', arguments: { user_name: 'ada', _type: 'Person' } })
      expect(result.isError, textOf(result)).toBeFalsy()
      expect(vendor.calls().at(-1)).toEqual({ name: 'odd_properties', arguments: { 'user.name': 'ada', '@type': 'Person' } })
    } finally {
      await caller.close()
    }
  })
})

describe('MCP endpoint in front of a 2026-07-28 vendor', () => {
  it('serves both client eras', async () => {
    const vendor = await startModernVendor()
    cleanups.push(() => vendor.close())
    const facade = await startTestFacade({ default: { url: vendor.url, protocol: 'modern' } })
    cleanups.push(() => facade.close())
    for (const era of ['legacy', 'modern'] as const) {
      const caller = await connectCaller(`${facade.url}/mcp`, era)
      try {
        const first = await caller.client.callTool({ name: 'counter_increment', arguments: { by: 2 } })
        const { counterId } = first.structuredContent as { counterId: string }
        const second = await caller.client.callTool({ name: 'counter_increment', arguments: { by: 3, counterId } })
        expect(second.structuredContent).toEqual({ value: 5, counterId })
      } finally {
        await caller.close()
      }
    }
  })
})

describe.skipIf(!REDIS_URL)('MCP endpoint replicas sharing a Redis store', () => {
  it('an Mcp-Session-Id issued by replica A continues on replica B with the same vendor session', async () => {
    const vendor = await startSessionfulVendor()
    cleanups.push(() => vendor.close())
    const shared = { sessions: { store: 'redis', redisUrl: REDIS_URL, idleTtlSeconds: 60 }, identitySecret: 'mcp-replica-secret-0123456789' }
    const servers = { default: { url: vendor.url, auth: { mode: 'apiKey', keys: ['mcp-replica-key-0123456789'] } } }
    const a = await startTestFacade(servers, shared)
    cleanups.push(() => a.close())
    const b = await startTestFacade(servers, shared)
    cleanups.push(() => b.close())
    const headers = { 'X-API-Key': 'mcp-replica-key-0123456789' }
    const onA = await connectCaller(`${a.url}/mcp`, 'legacy', { headers })
    const id = onA.transport.sessionId!
    await onA.client.callTool({ name: 'counter_increment', arguments: { by: 6 } })
    await onA.close()
    const inits = vendor.initializeCount()
    const onB = await connectCaller(`${b.url}/mcp`, 'legacy', { headers, sessionId: id })
    try {
      expect((await onB.client.callTool({ name: 'counter_get', arguments: {} })).structuredContent).toEqual({ value: 6 })
      expect(vendor.initializeCount()).toBe(inits)
    } finally {
      await onB.close()
    }
  })
})
