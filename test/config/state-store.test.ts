/**
 * Shared state by environment: `REDIS_URL` selects the Redis store unless the config explicitly says memory,
 * and the store in use is logged once at start with the URL stripped of credentials.
 * The Redis start needs REDIS_URL (e.g. redis://127.0.0.1:6379); without it that case is skipped with a notice.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { createLogger } from '../../src/log.js'
import { createStores } from '../../src/sessions/create-store.js'

const REDIS_URL = process.env.REDIS_URL
if (!REDIS_URL) console.warn('[skip] REDIS_URL is not set: the Redis store start test is skipped (set REDIS_URL=redis://127.0.0.1:6379 to run it)')

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mrf-store-')), 'config.json')
  writeFileSync(path, JSON.stringify(content))
  return path
}

const upstream = 'http://127.0.0.1:1/mcp'

describe('REDIS_URL selects the store', () => {
  it('alone, it selects redis', () => {
    const c = loadConfig({ upstream }, { REDIS_URL: 'redis://cache:6379/2' })
    expect(c.sessions).toMatchObject({ store: 'redis', redisUrl: 'redis://cache:6379/2' })
  })
  it('with a file that says nothing about the store, or says redis, it selects redis with its URL', () => {
    expect(loadConfig({ config: file({ sessions: { idleTtlSeconds: 60 } }), upstream }, { REDIS_URL: 'redis://a:6379' }).sessions).toMatchObject({ store: 'redis', redisUrl: 'redis://a:6379', idleTtlSeconds: 60 })
    expect(loadConfig({ config: file({ sessions: { store: 'redis', redisUrl: 'redis://file:6379' } }), upstream }, { REDIS_URL: 'redis://env:6379' }).sessions.redisUrl).toBe('redis://env:6379')
  })
  it('a config that explicitly says memory keeps memory', () => {
    const c = loadConfig({ config: file({ sessions: { store: 'memory' } }), upstream }, { REDIS_URL: 'redis://cache:6379' })
    expect(c.sessions.store).toBe('memory')
    expect(c.sessions.redisUrl).toBeUndefined()
  })
  it('without REDIS_URL (or with it empty) the default stays memory', () => {
    expect(loadConfig({ upstream }, {}).sessions.store).toBe('memory')
    expect(loadConfig({ upstream }, { REDIS_URL: '' }).sessions.store).toBe('memory')
  })
})

describe('the store in use is logged at start', () => {
  it('memory', async () => {
    const lines: string[] = []
    const stores = await createStores(loadConfig({ upstream }, {}).sessions, createLogger('info', (l) => lines.push(l)))
    await stores.close()
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 'info', store: 'memory' })])
    expect(stores.sessions.shared).toBe(false)
    expect(stores.jobs.shared).toBe(false)
  })

  it.skipIf(!REDIS_URL)('redis, with the URL stripped of credentials and query string', async () => {
    const url = new URL(REDIS_URL!)
    // The default user of a Redis without ACLs accepts any password, so a real credential can be in the URL.
    url.username = 'default'
    url.password = 'do-not-log-me'
    url.search = '?token=nor-me'
    const lines: string[] = []
    const stores = await createStores({ ...loadConfig({ upstream }, {}).sessions, store: 'redis', redisUrl: url.toString() }, createLogger('info', (l) => lines.push(l)))
    await stores.close()
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ store: 'redis', url: expect.stringMatching(/^redis:\/\/127\.0\.0\.1:6379/) })
    expect(lines[0]).not.toContain('do-not-log-me')
    expect(lines[0]).not.toContain('nor-me')
    expect(stores.sessions.shared && stores.jobs.shared).toBe(true)
  })
})
