/**
 * Config: one precedence chain (defaults < file < env < flags), `${ENV}` interpolation, every problem reported.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, splitCommandLine } from '../../src/config/load.js'

function file(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrf-config-'))
  const path = join(dir, 'config.json')
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({ upstream: 'http://127.0.0.1:1/mcp' }, {})
    expect(c.port).toBe(8080)
    expect(c.host).toBe('127.0.0.1')
    expect(c.sessions.idleTtlSeconds).toBe(1800)
    expect(c.servers.default!.timeouts.callMs).toBe(100_000)
    expect(c.servers.default!.auth).toEqual({ mode: 'none' })
  })

  it('defaults < file < env < flags', () => {
    const path = file({ port: 1000, host: '0.0.0.0', servers: { crm: { url: 'http://127.0.0.1:1/mcp', timeouts: { callMs: 5000 } } } })
    expect(loadConfig({ config: path }, {}).port).toBe(1000)
    expect(loadConfig({ config: path }, { PORT: '2000' }).port).toBe(2000)
    const c = loadConfig({ config: path, port: '3000', upstream: 'http://127.0.0.1:2/mcp' }, { PORT: '2000', MCP_UPSTREAM_URL: 'http://127.0.0.1:3/mcp' })
    expect(c.port).toBe(3000)
    expect(c.host).toBe('0.0.0.0')
    // The single file server keeps its other settings; only the URL is overridden.
    expect(c.servers.crm!.url).toBe('http://127.0.0.1:2/mcp')
    expect(c.servers.crm!.timeouts.callMs).toBe(5000)
  })

  it('builds a stdio server from a command line with quotes', () => {
    const c = loadConfig({ upstreamCommand: `node "my server.js" --flag 'a b'` }, {})
    expect(c.servers.default).toMatchObject({ command: 'node', args: ['my server.js', '--flag', 'a b'] })
    expect(splitCommandLine('a\\ b "c d" e')).toEqual(['a b', 'c d', 'e'])
  })

  it('passes envPassthrough variables to a stdio child (file, MCP_UPSTREAM_ENV, flag); explicit env wins', () => {
    const path = file({ servers: { crm: { command: 'node', args: ['v.js'], env: { MODE: 'x', TOKEN: 'from-file' }, envPassthrough: ['API_KEY', 'TOKEN'] } } })
    const env = { API_KEY: 'k1', TOKEN: 't-env', REGION: 'eu', EXTRA: 'e' }
    expect(loadConfig({ config: path }, env).servers.crm!.env).toEqual({ MODE: 'x', TOKEN: 'from-file', API_KEY: 'k1' })
    const layered = loadConfig({ config: path, upstreamEnv: ['EXTRA'] }, { ...env, MCP_UPSTREAM_ENV: 'REGION, API_KEY' }).servers.crm!
    expect(layered.envPassthrough).toEqual(['API_KEY', 'TOKEN', 'REGION', 'EXTRA'])
    expect(layered.env).toMatchObject({ REGION: 'eu', EXTRA: 'e' })
    expect(() => loadConfig({ config: path }, { TOKEN: 't' })).toThrow(/servers\.crm\.envPassthrough\[0\]: environment variable API_KEY is not set/)
    expect(() => loadConfig({ upstream: 'http://127.0.0.1:1/mcp', upstreamEnv: ['API_KEY'] }, env)).toThrow(/envPassthrough applies to stdio servers/)
    expect(() => loadConfig({ upstreamCommand: 'node v.js', upstreamEnv: ['not-a-name'] }, env)).toThrow(/envPassthrough\.0: expected an environment variable name/)
  })

  it('interpolates ${ENV} in the file and reports missing variables', () => {
    const path = file({ servers: { crm: { url: 'http://127.0.0.1:1/mcp', headers: { 'X-Api-Key': '${VENDOR_KEY}', 'X-Tenant': '${TENANT}' } } } })
    const c = loadConfig({ config: path }, { VENDOR_KEY: 'k1', TENANT: 't1' })
    expect(c.servers.crm!.headers).toEqual({ 'X-Api-Key': 'k1', 'X-Tenant': 't1' })
    expect(() => loadConfig({ config: path }, { VENDOR_KEY: 'k1' })).toThrow(/servers\.crm\.headers\.X-Tenant: environment variable TENANT is not set/)
  })

  it('reports every problem at once', () => {
    const path = file({ port: 'eighty', servers: { crm: {}, other: { url: 'http://x/mcp', headers: { 'bad header': 'x' } }, Bad_Name: { url: 'http://x/mcp' } }, bogus: true })
    try {
      loadConfig({ config: path }, {})
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      const problems = (error as ConfigError).problems.join('\n')
      expect(problems).toMatch(/port/)
      expect(problems).toMatch(/set exactly one of url or command/)
      expect(problems).toMatch(/not a valid HTTP header name/)
      expect(problems).toMatch(/server names/)
      expect(problems).toMatch(/bogus/)
      expect((error as ConfigError).problems.length).toBeGreaterThanOrEqual(5)
    }
  })

  it('names several servers, each mounted under its own path', () => {
    const path = file({ servers: { crm: { url: 'http://127.0.0.1:1/mcp' }, billing: { command: 'node', args: ['b.js'] } } })
    const c = loadConfig({ config: path }, {})
    expect(Object.keys(c.servers)).toEqual(['crm', 'billing'])
    expect(() => loadConfig({ config: path, upstream: 'http://127.0.0.1:9/mcp' }, {})).toThrow(/several servers/)
  })

  it('rejects unreadable files clearly', () => {
    expect(() => loadConfig({ config: '/nonexistent/mrf.json' }, {})).toThrow(ConfigError)
    expect(() => loadConfig({ config: file('{ not json') }, {})).toThrow(/config file/)
  })
})
