/**
 * A config written for other MCP clients (`mcpServers`, as in Claude Desktop or open-webui/mcpo) works as is:
 * stdio and HTTP entries, headers, disabledTools, disabled entries, client-only fields ignored; and what cannot be
 * converted is reported with the entry's path.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config/load.js'
import { createLogger } from '../../src/log.js'
import { startFacade, type RunningFacade } from '../../src/server.js'
import { startSessionfulVendor, stdioVendorCommand, type SessionfulVendor } from '../fixtures/index.js'

const dir = mkdtempSync(join(tmpdir(), 'facade-mcpservers-'))
function configFile(content: unknown): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(file, JSON.stringify(content, null, 2))
  return file
}
function problemsOf(file: string): string {
  try {
    loadConfig({ config: file }, {})
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n')
    throw error
  }
  throw new Error('expected a config error')
}

describe('mcpServers', () => {
  let vendor: SessionfulVendor
  let facade: RunningFacade
  beforeAll(async () => {
    vendor = await startSessionfulVendor()
  })
  afterAll(async () => {
    await facade?.close()
    await vendor.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves every enabled entry of a Claude Desktop style file', async () => {
    const stdio = stdioVendorCommand()
    const file = configFile({
      mcpServers: {
        weather: { type: 'http', url: vendor.url, headers: { 'X-Tenant': '${TENANT}' }, disabledTools: ['fail_tool'] },
        Local_Files: { command: stdio.command, args: stdio.args, env: { FIXTURE_MODE: 'plain' }, autoApprove: ['echo'] },
        retired: { command: 'does-not-exist', disabled: true },
      },
      port: 0,
    })
    const config = loadConfig({ config: file }, { TENANT: 'acme' })
    expect(Object.keys(config.servers).sort()).toEqual(['local-files', 'weather'])
    expect(config.servers.weather).toMatchObject({ url: vendor.url, transport: 'streamable-http', headers: { 'X-Tenant': 'acme' }, tools: { deny: ['fail_tool'] } })
    expect(config.servers['local-files']).toMatchObject({ command: stdio.command, args: stdio.args, env: { FIXTURE_MODE: 'plain' } })

    facade = await startFacade(config, createLogger('silent'))
    const tools = (await (await fetch(`${facade.url}/weather/tools`)).json()) as { tools: { name: string }[] }
    expect(tools.tools.map((t) => t.name)).toContain('echo')
    expect(tools.tools.map((t) => t.name)).not.toContain('fail_tool')
    expect((await fetch(`${facade.url}/weather/tools/fail_tool`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404)
    expect(vendor.requests().some((r) => r.xTenant === 'acme')).toBe(true)
    const echoed = await fetch(`${facade.url}/local-files/tools/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"from stdio"}' })
    expect(echoed.status).toBe(200)
    expect(((await echoed.json()) as { text: string }).text).toContain('from stdio')
  })

  it('mounts a single entry under /{name}/ too (a second entry later moves no route); servers with one entry keep the root', async () => {
    const config = loadConfig({ config: configFile({ mcpServers: { Weather: { url: vendor.url } }, port: 0 }) }, {})
    expect(config.mountServers).toBe('byName')
    const single = await startFacade(config, createLogger('silent'))
    try {
      expect((await fetch(`${single.url}/weather/tools/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"m"}' })).status).toBe(200)
      expect((await fetch(`${single.url}/tools`)).status).toBe(404)
      const index = (await (await fetch(`${single.url}/`)).json()) as { servers: { name: string; openapi: string }[] }
      expect(index.servers).toEqual([expect.objectContaining({ name: 'weather', openapi: '/weather/openapi.json' })])
      expect((await fetch(`${single.url}/readyz`)).status).toBe(200)
      const doc = (await (await fetch(`${single.url}/weather/openapi.json`)).json()) as { servers: { url: string }[] }
      expect(doc.servers[0]!.url).toBe('/weather')
    } finally {
      await single.close()
    }
    const plain = loadConfig({ config: configFile({ servers: { weather: { url: vendor.url } }, port: 0 }) }, {})
    expect(plain.mountServers).toBe('auto')
    const root = await startFacade(plain, createLogger('silent'))
    try {
      expect((await fetch(`${root.url}/tools`)).status).toBe(200)
    } finally {
      await root.close()
    }
  })

  it('maps type sse and streamableHttp to our transports', () => {
    const config = loadConfig({ config: configFile({ mcpServers: { a: { url: 'https://a.example.com/sse', type: 'sse' }, b: { url: 'https://b.example.com/mcp', type: 'streamableHttp' }, c: { url: 'https://c.example.com/mcp' } } }) }, {})
    expect(config.servers.a!.transport).toBe('sse')
    expect(config.servers.b!.transport).toBe('streamable-http')
    expect(config.servers.c!.transport).toBe('auto')
  })

  it('reports what cannot be converted, with the entry path', () => {
    expect(problemsOf(configFile({ servers: { a: { url: 'https://a.example.com/mcp' } }, mcpServers: { b: { url: 'https://b.example.com/mcp' } } }))).toMatch(/either servers or mcpServers, not both/)
    expect(problemsOf(configFile({ mcpServers: { a: { url: 'https://a.example.com/mcp', type: 'websocket' } } }))).toMatch(/mcpServers\.a\.type: "websocket" is not one of/)
    expect(problemsOf(configFile({ mcpServers: { My_Server: { command: 'x' }, 'my-server': { command: 'y' } } }))).toMatch(/mcpServers\.my-server: becomes server "my-server", which another entry already uses/)
    expect(problemsOf(configFile({ mcpServers: { a: { command: 'x', disabledTools: 'all' } } }))).toMatch(/mcpServers\.a\.disabledTools: expected a list/)
    expect(problemsOf(configFile({ mcpServers: { a: { command: 'x', surprise: true } } }))).toMatch(/servers\.a.*surprise/)
  })

  it('loads the README example as documented', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf('### A config you already have (`mcpServers`)'))
    const example = /```json\n([\s\S]*?)```/.exec(section)![1]!
    const config = loadConfig({ config: configFile(JSON.parse(example)) }, { BRAVE_API_KEY: 'brave-key', CRM_TOKEN: 'crm-token' })
    expect(Object.keys(config.servers).sort()).toEqual(['brave-search', 'crm', 'filesystem', 'legacy'])
    expect(config.servers.filesystem).toMatchObject({ command: 'npx', tools: { deny: ['write_file', 'move_file'] } })
    expect(config.servers['brave-search']!.env).toEqual({ BRAVE_API_KEY: 'brave-key' })
    expect(config.servers.crm).toMatchObject({ transport: 'streamable-http', headers: { Authorization: 'Bearer crm-token' } })
    expect(config.servers.legacy!.transport).toBe('sse')
  })
})
