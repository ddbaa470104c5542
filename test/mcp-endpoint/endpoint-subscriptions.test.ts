/**
 * Resource subscriptions through `/mcp` (2025): a real SDK client subscribes through the facade, the vendor's
 * `notifications/resources/updated` reaches that conversation's GET stream (and no other), stop after unsubscribe,
 * and survive a vendor session renewal together with the `logging/setLevel` level.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFeatureVendor } from '../fixtures/feature-vendor.js'
import { vendorAndFacade } from '../support/vendor-facade.js'
import { startSubscribableVendor, type SubscribableVendor } from '../fixtures/subscribable-vendor.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'
import { connectCaller, type McpCaller } from './mcp-client.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/** Collects the resource updates a caller receives. */
function updatesOf(caller: McpCaller): string[] {
  const seen: string[] = []
  caller.client.setNotificationHandler('notifications/resources/updated', (n) => void seen.push(n.params.uri))
  return seen
}

describe('resource subscriptions through /mcp', () => {
  let vendor: SubscribableVendor
  let facade: TestFacade

  beforeAll(async () => {
    vendor = await startSubscribableVendor()
    facade = await startTestFacade({ default: { url: vendor.url, protocol: 'legacy' } })
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('relays notifications/resources/updated to the subscribing conversation only, and stops after unsubscribe', async () => {
    const [a, b] = [await connectCaller(`${facade.url}/mcp`, 'legacy'), await connectCaller(`${facade.url}/mcp`, 'legacy')]
    try {
      expect(a.client.getServerCapabilities()?.resources?.subscribe).toBe(true)
      const [seenA, seenB] = [updatesOf(a), updatesOf(b)]
      await b.client.listTools() // b's conversation has a vendor session too, never subscribed
      const streams = vendor.openStreamCount() // the facade's catalog session listens for list changes
      await a.client.subscribeResource({ uri: 'clock://now' })
      const subscribed = Object.values(vendor.subscriptions()).filter((uris) => uris.includes('clock://now'))
      expect(subscribed).toHaveLength(1)
      // The conversation's vendor session now listens on its own GET stream.
      await until('the vendor GET stream', () => vendor.openStreamCount() === streams + 1)
      expect(vendor.change('clock://now')).toBe(1)
      await until('the update', () => seenA.length === 1)
      expect(seenA).toEqual(['clock://now'])
      expect(vendor.change('clock://other')).toBe(0)

      await a.client.unsubscribeResource({ uri: 'clock://now' })
      expect(Object.values(vendor.subscriptions()).flat()).toEqual([])
      expect(vendor.change('clock://now')).toBe(0)
      await sleep(200)
      expect(seenA).toEqual(['clock://now'])
      expect(seenB).toEqual([])
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('a renewed vendor session gets the conversation\'s level and subscriptions again', async () => {
    const caller = await connectCaller(`${facade.url}/mcp`, 'legacy')
    try {
      const seen = updatesOf(caller)
      await caller.client.setLoggingLevel('warning')
      await caller.client.subscribeResource({ uri: 'clock://now' })
      const before = vendor.sessionIds()
      await vendor.expireAllSessions()
      // The next call finds the vendor session gone and renews it (one fresh initialize), restoring both first.
      expect((await caller.client.callTool({ name: 'ping', arguments: {} })).isError).toBeFalsy()
      const renewed = vendor.sessionIds().filter((id) => !before.includes(id))
      expect(renewed.length).toBeGreaterThanOrEqual(1)
      const levels = vendor.levels()
      const subscriptions = vendor.subscriptions()
      const mine = renewed.find((id) => subscriptions[id]?.includes('clock://now'))
      expect(mine, JSON.stringify({ subscriptions, levels })).toBeDefined()
      expect(levels[mine!]).toBe('warning')
      // The renewed session opens its GET stream right after its initialize; until it is open the vendor has nowhere
      // to send the update, so the test changes the resource until one arrives (exactly one session is subscribed).
      await until('the update after renewal', () => (expect(vendor.change('clock://now')).toBe(1), seen.length >= 1))
      expect(new Set(seen)).toEqual(new Set(['clock://now']))
    } finally {
      await caller.close()
    }
  })

  it('2026-07-28 callers are not offered subscriptions and get no GET stream', async () => {
    const modern = await connectCaller(`${facade.url}/mcp`, 'modern')
    try {
      expect(modern.client.getServerCapabilities()?.resources?.subscribe).toBeUndefined()
    } finally {
      await modern.close()
    }
    const res = await fetch(`${facade.url}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-session-id': 'x' } })
    expect(res.status).toBe(405)
  })
})

describe('a vendor without resource subscriptions', () => {
  const running = vendorAndFacade(startFeatureVendor, { protocol: 'legacy' })

  it('is not offered subscriptions; GET stays 405', async () => {
    const facade = running.facade()
    const caller = await connectCaller(`${facade.url}/mcp`, 'legacy')
    try {
      expect(caller.client.getServerCapabilities()?.resources?.subscribe).toBeUndefined()
      await expect(caller.client.subscribeResource({ uri: 'weather://Paris' })).rejects.toThrow()
    } finally {
      await caller.close()
    }
    const res = await fetch(`${facade.url}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-protocol-version': '2025-11-25', 'mcp-session-id': 'x' } })
    expect(res.status).toBe(405)
  })
})
