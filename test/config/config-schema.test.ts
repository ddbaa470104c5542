/**
 * The configuration reference is generated from the zod schema (scripts/config-schema.ts): the committed
 * schema/config.schema.json and docs/configuration.md must be what the generator writes now, and the JSON Schema
 * must judge config files as the loader does (accepts the documented examples, refuses unknown keys, both
 * server maps at once, a server with neither url nor command).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { generatedFiles, SCHEMA_FILE } from '../../scripts/config-schema.js'

const root = new URL('../..', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

describe('config reference', () => {
  const files = generatedFiles()

  it('schema/config.schema.json and docs/configuration.md are up to date (else: npm run config:schema)', () => {
    for (const [path, content] of Object.entries(files)) {
      // One clear line instead of a diff of a whole generated file.
      const upToDate = read(path) === content
      expect(upToDate, `${path} differs from what src/config/schema.ts generates: run npm run config:schema and commit the result`).toBe(true)
    }
  })

  it('is published with the package', () => {
    const pkg = JSON.parse(read('package.json')) as { files: string[]; scripts: Record<string, string> }
    expect(pkg.files).toContain('schema')
    expect(pkg.scripts['config:schema']).toBe('tsx scripts/config-schema.ts')
  })

  const ajv = new Ajv2020({ allErrors: true, strict: false })
  addFormats.default(ajv)
  const validate = ajv.compile(JSON.parse(files[SCHEMA_FILE]!))

  it('accepts the documented examples, which the loader accepts too', () => {
    const readme = read('README.md')
    const examples = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>).filter((e) => e.servers || e.mcpServers)
    expect(examples.length).toBeGreaterThanOrEqual(3)
    const env = { CRM_TENANT: 't', BRAVE_API_KEY: 'k', CRM_TOKEN: 'c' }
    const dir = mkdtempSync(join(tmpdir(), 'facade-schema-'))
    examples.forEach((example, i) => {
      const withSchema = { $schema: './node_modules/mcp-rest-facade/schema/config.schema.json', ...example }
      expect(validate(withSchema), JSON.stringify(validate.errors)).toBe(true)
      const file = join(dir, `example-${i}.json`)
      writeFileSync(file, JSON.stringify(withSchema))
      expect(() => loadConfig({ config: file }, env)).not.toThrow()
    })
  })

  it('refuses what the loader refuses', () => {
    const server = { url: 'https://vendor.example.com/mcp' }
    expect(validate({ servers: { a: server }, bogus: 1 })).toBe(false)
    expect(validate({ servers: { a: { ...server, timeouts: { callMs: 'slow' } } } })).toBe(false)
    expect(validate({ servers: { a: server }, mcpServers: { b: server } })).toBe(false)
    expect(validate({ servers: { a: { args: [] } } })).toBe(false)
    expect(validate({ servers: { a: { ...server, command: 'x' } } })).toBe(false)
    expect(validate({ servers: { Bad_Name: server } })).toBe(false)
    expect(validate({ servers: { a: { ...server, auth: { mode: 'apiKey' } } } })).toBe(false)
    expect(validate({ servers: { a: { ...server, auth: { mode: 'apiKey', keys: ['k'.repeat(16)] } } } })).toBe(true)
    expect(validate({ mcpServers: { Any_Name: { command: 'npx', disabledTools: ['x'], autoApprove: ['y'] } } })).toBe(true)
  })
})
