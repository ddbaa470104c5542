/**
 * The export writes a folder that imports as it is: an https host, the project's icon (or `connector.icon`),
 * settings.json naming icon, definition and properties, publisher/stackOwner from config, the rulebook checks
 * run (an error stops the export), and the report gives the size of every file exactly as written.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigSchema } from '../../src/config/schema.js'
import { ExportError, importErrors, readIcon, writeConnectorFolder } from '../../src/connector/export.js'
import { swaggerFor, swaggerInboundAuth } from '../../src/connector/swagger-options.js'
import { buildApiProperties } from '../../src/swagger/api-properties.js'
import { startDemoVendor } from '../../src/demo/vendor.js'
import { createLogger } from '../../src/log.js'
import type { ServerRuntime } from '../../src/runtime/server-runtime.js'
import { createRuntimes } from '../../src/runtime/create-runtimes.js'
import { drawIcon } from '../../scripts/make-icon.js'

describe('connector export', () => {
  let demo: Awaited<ReturnType<typeof startDemoVendor>>
  const open: { close(): Promise<void> }[] = []
  beforeAll(async () => {
    demo = await startDemoVendor()
  })
  afterAll(async () => {
    for (const o of open) await o.close()
    await demo?.close()
  })

  /** A runtime with its catalog loaded, for a config built from `overrides`. */
  async function runtimeFor(overrides: Record<string, unknown>, server: Record<string, unknown> = {}): Promise<ServerRuntime> {
    const config = ConfigSchema.parse({ ...overrides, servers: { default: { url: demo.url, ...server } } })
    const { runtimes, store } = await createRuntimes(config, createLogger('silent'))
    open.push({ close: async () => (await Promise.allSettled(runtimes.map((r) => r.shutdown(0))), await store.close()) })
    await runtimes[0]!.catalog.refresh()
    return runtimes[0]!
  }
  const tmp = () => mkdtempSync(join(tmpdir(), 'mrf-export-'))

  it('writes icon.png, settings.json with icon, and prints the size of every file as written', async () => {
    const runtime = await runtimeFor({ publicUrl: 'https://facade.example.com' }, { connector: { publisher: 'Contoso', stackOwner: 'Contoso Ltd' } })
    const dir = tmp()
    const summary = writeConnectorFolder(runtime, dir)
    for (const file of ['apiDefinition.swagger.json', 'apiProperties.json', 'icon.png', 'settings.json', 'README.md'])
      expect(summary).toContain(`${file}: ${statSync(join(dir, file)).size} bytes`)
    const settings = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))
    expect(settings).toMatchObject({ icon: 'icon.png', apiDefinition: 'apiDefinition.swagger.json', apiProperties: 'apiProperties.json' })
    const props = JSON.parse(readFileSync(join(dir, 'apiProperties.json'), 'utf8'))
    expect(props.properties).toMatchObject({ publisher: 'Contoso', stackOwner: 'Contoso Ltd', iconBrandColor: '#da3b01' })
    // the default icon: the project's own, square, under 1 MB
    const icon = readFileSync(join(dir, 'icon.png'))
    expect(icon.equals(readFileSync(join(import.meta.dirname, '../../assets/icon.png')))).toBe(true)
    expect(icon.readUInt32BE(16)).toBe(icon.readUInt32BE(20))
    expect(icon.length).toBeLessThan(1_000_000)
    // the committed icon is what the script draws
    expect(icon.equals(drawIcon())).toBe(true)
    const readme = readFileSync(join(dir, 'README.md'), 'utf8')
    expect(readme).toContain('environment')
    expect(readme).toContain('connectorId')
    const definition = readFileSync(join(dir, 'apiDefinition.swagger.json'), 'utf8')
    expect(JSON.parse(definition).host).toBe('facade.example.com')
  })

  it('uses connector.icon when set, and refuses an icon that is not a square PNG', async () => {
    const dir = tmp()
    const custom = join(dir, 'custom.png')
    writeFileSync(custom, drawIcon('#123456'))
    const runtime = await runtimeFor({ publicUrl: 'https://facade.example.com' }, { connector: { icon: custom, iconBrandColor: '#123456' } })
    const out = join(dir, 'out')
    writeConnectorFolder(runtime, out)
    expect(readFileSync(join(out, 'icon.png')).equals(readFileSync(custom))).toBe(true)
    const notPng = join(dir, 'x.png')
    writeFileSync(notPng, 'not a png')
    expect(() => readIcon(notPng)).toThrow(/not a PNG/)
    const wide = drawIcon()
    wide.writeUInt32BE(300, 16)
    writeFileSync(notPng, wide)
    expect(() => readIcon(notPng)).toThrow(/square/)
  })

  it('fails without an https publicUrl, naming --public-url; --allow-http accepts http for local tests', async () => {
    const none = await runtimeFor({})
    expect(() => writeConnectorFolder(none, tmp())).toThrow(ExportError)
    expect(() => writeConnectorFolder(none, tmp())).toThrow(/--public-url/)
    const http = await runtimeFor({ publicUrl: 'http://127.0.0.1:8080' })
    expect(() => writeConnectorFolder(http, tmp())).toThrow(/not https.*--public-url/)
    const dir = tmp()
    writeConnectorFolder(http, dir, { allowHttp: true })
    expect(JSON.parse(readFileSync(join(dir, 'apiDefinition.swagger.json'), 'utf8')).host).toBe('127.0.0.1:8080')
  })

  it('runs the definition and apiProperties checkers; an error would stop the export', async () => {
    const runtime = await runtimeFor({ publicUrl: 'https://facade.example.com' }, { auth: { mode: 'apiKey', keys: ['export-test-key-0123456789'] } })
    const { document } = swaggerFor(runtime, runtime.requireCatalog().catalog)
    const properties = buildApiProperties({ inboundAuth: swaggerInboundAuth(runtime.config.auth) })
    expect(importErrors(document, properties)).toEqual([])
    // an apiKey definition without its api_key connection parameter cannot create a connection
    expect(importErrors(document, { properties: { ...properties.properties, connectionParameters: {} } }).join('\n')).toContain('P-03')
    expect(importErrors({ ...document, swagger: '3.0' }, properties).join('\n')).toContain('H-01')
  })
})
