/**
 * Logging on 2026-07-28 through `/mcp`: no `logging/setLevel` in that revision; a caller names the level in each
 * request's `_meta` (`io.modelcontextprotocol/logLevel`), the facade passes it on to a 2026-07-28 vendor and relays
 * the vendor's messages on that call's stream. Without a level, no message.
 */
import { Client, LOG_LEVEL_META_KEY, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { describe, expect, it } from 'vitest'
import { startFeatureVendor } from '../fixtures/feature-vendor.js'
import { vendorAndFacade } from '../support/vendor-facade.js'
import { connectCaller } from './mcp-client.js'

describe('2026-07-28 per-request log level through /mcp', () => {
  const running = vendorAndFacade(startFeatureVendor, { protocol: 'modern' })

  it('relays the messages at or above the level the request names, and none without one', async () => {
    const caller = await connectCaller(`${running.facade().url}/mcp`, 'modern')
    try {
      expect(caller.client.getServerCapabilities()?.logging).toBeDefined()
      const seen: unknown[] = []
      caller.client.setNotificationHandler('notifications/message', (n) => void seen.push([n.params.level, n.params.data]))
      const warned = await caller.client.callTool({ name: 'chatty', arguments: {}, _meta: { [LOG_LEVEL_META_KEY]: 'warning' } })
      expect(warned.isError).toBeFalsy()
      expect(seen).toEqual([['warning', 'chatty almost done']])
      await caller.client.callTool({ name: 'chatty', arguments: {}, _meta: { [LOG_LEVEL_META_KEY]: 'debug' } })
      expect(seen.slice(1)).toEqual([
        ['info', 'chatty started'],
        ['warning', 'chatty almost done'],
      ])
      await caller.client.callTool({ name: 'chatty', arguments: {} })
      expect(seen).toHaveLength(3)
    } finally {
      await caller.close()
    }
  })

  it('a caller that can answer questions (its calls take the relay path) gets the messages at its level too', async () => {
    const client = new Client({ name: 'answering-caller', version: '1.0.0' }, { capabilities: { elicitation: { form: {}, url: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${running.facade().url}/mcp`)))
    try {
      const seen: unknown[] = []
      client.setNotificationHandler('notifications/message', (n) => void seen.push([n.params.level, n.params.data]))
      const warned = await client.callTool({ name: 'chatty', arguments: {}, _meta: { [LOG_LEVEL_META_KEY]: 'warning' } })
      expect(warned.isError).toBeFalsy()
      expect(seen).toEqual([['warning', 'chatty almost done']])
      await client.callTool({ name: 'chatty', arguments: {} })
      expect(seen).toHaveLength(1)
    } finally {
      await client.close()
    }
  })

  it('a 2025 caller in front of the 2026-07-28 connection is not offered logging (no setLevel to forward it to)', async () => {
    const caller = await connectCaller(`${running.facade().url}/mcp`, 'legacy')
    try {
      expect(caller.client.getServerCapabilities()?.logging).toBeUndefined()
    } finally {
      await caller.close()
    }
  })
})
