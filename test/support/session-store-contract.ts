/**
 * One contract suite for every SessionStore backend (run against memory and a real Redis).
 */
import { describe, expect, it } from 'vitest'
import type { SessionRecord, SessionStore } from '../../src/sessions/types.js'

const record = (over: Partial<SessionRecord> = {}): SessionRecord => ({
  server: 'default',
  identity: 'id_abc',
  vendorSessionId: 'vendor-1',
  protocolVersion: '2025-11-25',
  era: 'legacy',
  transport: 'streamable-http',
  createdAt: 1,
  lastUsedAt: 2,
  expiresAt: 3,
  ...over,
})

/** Registers the contract tests for a store factory. */
export function describeSessionStore(name: string, factory: () => Promise<SessionStore>, enabled = true) {
  describe.skipIf(!enabled)(`SessionStore contract: ${name}`, () => {
    const key = () => `mrf:test:${Math.random().toString(36).slice(2)}`

    it('stores and returns serializable records', async () => {
      const store = await factory()
      const k = key()
      await store.set(k, record(), 60)
      expect(await store.get(k)).toEqual(record())
      await store.close()
    })

    it('returns a copy, not a live reference', async () => {
      const store = await factory()
      const k = key()
      const r = record()
      await store.set(k, r, 60)
      r.identity = 'changed'
      expect((await store.get(k))!.identity).toBe('id_abc')
      await store.close()
    })

    it('replaces and deletes', async () => {
      const store = await factory()
      const k = key()
      await store.set(k, record(), 60)
      await store.set(k, record({ vendorSessionId: 'vendor-2' }), 60)
      expect((await store.get(k))!.vendorSessionId).toBe('vendor-2')
      await store.delete(k)
      expect(await store.get(k)).toBeUndefined()
      await store.close()
    })

    it('expires records after their idle TTL', async () => {
      const store = await factory()
      const k = key()
      await store.set(k, record(), 1)
      expect(await store.get(k)).toBeDefined()
      await new Promise((r) => setTimeout(r, 1100))
      expect(await store.get(k)).toBeUndefined()
      await store.close()
    })
  })
}
