/**
 * Config `servers.<name>.pool`: busy and idle sockets are bounded separately, the former single bound
 * `connections` keeps its meaning, contradictions are config errors, and the per-server concurrency limit may not
 * exceed the socket ceiling (calls between the two would wait for a socket instead of a 429).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config/load.js'
import { POOL_DEFAULTS } from '../../src/config/schema.js'

const URL = 'http://127.0.0.1:1/mcp'

function load(content: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'mrf-pool-'))
  const path = join(dir, 'config.json')
  writeFileSync(path, JSON.stringify(content))
  return loadConfig({ config: path }, {})
}

function problems(content: unknown): string[] {
  try {
    load(content)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

const pool = (p: unknown, extra: Record<string, unknown> = {}) => ({ ...extra, servers: { crm: { url: URL, pool: p } } })

describe('pool config', () => {
  it('defaults: 2048 sockets at once, 64 idle, 30 s keep-alive', () => {
    expect(load({ servers: { crm: { url: URL } } }).servers.crm!.pool).toEqual({ maxConnections: 2048, idleConnections: 64, keepAliveMs: 30_000 })
    expect(POOL_DEFAULTS).toEqual({ maxConnections: 2048, idleConnections: 64, keepAliveMs: 30_000 })
    expect(load(pool({ keepAliveMs: 5000 })).servers.crm!.pool).toEqual({ maxConnections: 2048, idleConnections: 64, keepAliveMs: 5000 })
  })

  it('takes both bounds', () => {
    expect(load(pool({ maxConnections: 4000, idleConnections: 10 })).servers.crm!.pool).toEqual({ maxConnections: 4000, idleConnections: 10, keepAliveMs: 30_000 })
    // No idle socket kept at all is allowed (every call then opens a connection once the grace has passed).
    expect(load(pool({ idleConnections: 0 })).servers.crm!.pool.idleConnections).toBe(0)
  })

  it('the former `connections` keeps its meaning: the ceiling of busy and idle sockets alike', () => {
    expect(load(pool({ connections: 64 })).servers.crm!.pool).toEqual({ maxConnections: 64, idleConnections: 64, keepAliveMs: 30_000 })
    expect(load(pool({ connections: 512, idleConnections: 32 })).servers.crm!.pool).toEqual({ maxConnections: 512, idleConnections: 32, keepAliveMs: 30_000 })
  })

  it('rejects contradictions with the setting named', () => {
    expect(problems(pool({ connections: 64, maxConnections: 128 })).join('\n')).toMatch(/servers\.crm\.pool\.connections: .*former name of pool\.maxConnections/)
    expect(problems(pool({ maxConnections: 8, idleConnections: 16 })).join('\n')).toMatch(/servers\.crm\.pool\.idleConnections: idleConnections \(16\) cannot be above maxConnections \(8\)/)
    expect(problems(pool({ maxConnections: 0 })).join('\n')).toMatch(/servers\.crm\.pool\.maxConnections/)
    expect(problems(pool({ idleConnections: -1 })).join('\n')).toMatch(/servers\.crm\.pool\.idleConnections/)
    expect(problems(pool({ sockets: 10 })).join('\n')).toMatch(/sockets/)
  })

  it('limits.concurrentPerServer above a server socket ceiling is an error; at or below it, or off, it is fine', () => {
    const over = problems(pool({ maxConnections: 100 }, { limits: { concurrentPerServer: 101 } })).join('\n')
    expect(over).toMatch(/limits\.concurrentPerServer: limits\.concurrentPerServer \(101\) is above servers\.crm\.pool\.maxConnections \(100\)/)
    expect(load(pool({ maxConnections: 100 }, { limits: { concurrentPerServer: 100 } })).limits.concurrentPerServer).toBe(100)
    expect(load(pool({ maxConnections: 100 }, { limits: { concurrentPerServer: 0 } })).limits.concurrentPerServer).toBe(0)
    // Against the default ceiling, and the former bound that still caps it when set.
    expect(problems({ limits: { concurrentPerServer: 3000 }, servers: { crm: { url: URL } } }).join('\n')).toMatch(/maxConnections \(2048\)/)
    expect(problems(pool({ connections: 64 }, { limits: { concurrentPerServer: 128 } })).join('\n')).toMatch(/maxConnections \(64\)/)
    // stdio servers have no socket pool.
    expect(load({ limits: { concurrentPerServer: 5000 }, servers: { local: { command: 'node', args: ['x.js'] } } }).limits.concurrentPerServer).toBe(5000)
  })
})
