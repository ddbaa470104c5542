/**
 * docs/credentials.md cannot drift from the code: every JSON block marked `<!-- checked: config -->` is a whole
 * configuration that the real loader (`loadConfig`: environment interpolation, the schema, the credential rules)
 * and the CLI's start-up checks accept, and the block marked `<!-- checked: apiProperties of the previous config -->`
 * is exactly the connection the export builds for the configuration before it. Every JSON block of the identity
 * walkthrough must carry a marker, so a new snippet cannot skip the check.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { credentialConfigProblems } from '../../src/auth/config-checks.js'
import { loadConfig, type Config } from '../../src/config/index.js'
import { swaggerInboundAuth } from '../../src/connector/swagger-options.js'
import { buildApiProperties } from '../../src/swagger/api-properties.js'

const DOC = readFileSync(join(import.meta.dirname, '../../docs/credentials.md'), 'utf8')

interface Block {
  marker?: string
  json: string
  line: number
}

/** Every ```json block, with the `<!-- checked: … -->` marker on the line before it, if any. */
function jsonBlocks(text: string): Block[] {
  const blocks: Block[] = []
  const re = /(?:<!-- checked: ([^>]+?) -->\n)?```json\n([\s\S]*?)\n```/g
  for (let m = re.exec(text); m; m = re.exec(text)) blocks.push({ marker: m[1], json: m[2]!, line: text.slice(0, m.index).split('\n').length })
  return blocks
}

describe('docs/credentials.md snippets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mrf-docs-snippets-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const tokenFile = join(dir, 'azure-identity-token')
  writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln')
  const env: NodeJS.ProcessEnv = {
    ENTRA_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    CONNECTOR_APP_ID: '11111111-1111-1111-1111-111111111111',
    FACADE_APP_ID: '22222222-2222-2222-2222-222222222222',
    AZURE_CLIENT_ID: '22222222-2222-2222-2222-222222222222',
    AZURE_FEDERATED_TOKEN_FILE: tokenFile,
    FACADE_IDENTITY_SECRET: 'docs-identity-secret-0123456789',
  }
  /** Every other `${NAME}` gets a placeholder value, so a snippet may name any secret it needs. */
  const envFor = (json: string): NodeJS.ProcessEnv => {
    const names = [...json.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!)
    return { ...Object.fromEntries(names.map((n) => [n, `value-of-${n.toLowerCase()}`])), ...env }
  }
  const load = (block: Block): Config => {
    const file = join(dir, `config-${block.line}.json`)
    writeFileSync(file, block.json)
    return loadConfig({ config: file }, envFor(block.json))
  }

  const blocks = jsonBlocks(DOC)
  const configs = blocks.filter((b) => b.marker === 'config')

  it('has the checked snippets of the walkthrough, and every JSON block of it is marked', () => {
    expect(configs.length).toBeGreaterThanOrEqual(4)
    expect(blocks.filter((b) => b.marker === 'apiProperties of the previous config')).toHaveLength(1)
    const start = DOC.split('\n').findIndex((l) => l === '## Microsoft Entra ID end to end') + 1
    const end = DOC.split('\n').findIndex((l) => l === '## Identity problems a flow author sees') + 1
    expect(start).toBeGreaterThan(0)
    expect(end).toBeGreaterThan(start)
    const unmarked = blocks.filter((b) => b.line > start && b.line < end && !b.marker).map((b) => `line ${b.line}`)
    expect(unmarked).toEqual([])
  })

  it.each(configs.map((b) => [b.line, b] as const))('the configuration at line %i loads with the real schema and rules', (_line, block) => {
    const config = load(block)
    for (const [name, server] of Object.entries(config.servers)) {
      expect(server.auth.mode).toBe('jwt')
      // The checks the CLI runs at start-up (keys, forwarding rules, the workload identity file).
      expect(credentialConfigProblems(name, server)).toEqual([])
    }
  })

  it('the documented Entra ID connection is exactly what the export builds for the configuration before it', () => {
    const index = blocks.findIndex((b) => b.marker === 'apiProperties of the previous config')
    const previous = blocks.slice(0, index).reverse().find((b) => b.marker === 'config')!
    const server = Object.values(load(previous).servers)[0]!
    expect(server.auth).toMatchObject({ mode: 'jwt', oauth: { identityProvider: 'aad', onBehalfOfLogin: true } })
    const built = buildApiProperties({ inboundAuth: swaggerInboundAuth(server.auth) }).properties.connectionParameters
    expect(JSON.parse(blocks[index]!.json)).toEqual(built)
  })

  it('a snippet that breaks the schema fails the check (the check can fail)', () => {
    const broken = { ...configs[0]!, json: configs[0]!.json.replace('"identityClaims"', '"identityClaim"'), line: 0 }
    expect(() => load(broken)).toThrow(/identityClaim/)
  })
})
