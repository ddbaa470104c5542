/**
 * A running facade serves its connector folder as a zip (`GET /connector/package`, behind the inbound auth), and
 * `export --from <facade URL>` (the real CLI, with no config and no vendor secrets) writes the same folder a local
 * export writes. Export warnings name the config keys that address them.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeConnectorFolder } from '../../src/connector/export.js'
import { startDemoVendor } from '../../src/demo/vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const KEY = 'package-test-key-0123456789'
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))
const tmp = () => mkdtempSync(join(tmpdir(), 'mrf-package-'))

/** Runs the CLI with only PATH and `env` in its environment (no config, no upstream). */
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', tsx, cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

const folder = (dir: string) => Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]))

describe('connector package', { timeout: 60_000 }, () => {
  let demo: Awaited<ReturnType<typeof startDemoVendor>>
  let facade: TestFacade
  let open: TestFacade
  beforeAll(async () => {
    demo = await startDemoVendor()
    facade = await startTestFacade({ default: { url: demo.url, auth: { mode: 'apiKey', keys: [KEY] } } }, { publicUrl: 'https://facade.example.com' })
    open = await startTestFacade({ default: { url: demo.url } })
  })
  afterAll(async () => {
    await facade?.close()
    await open?.close()
    await demo?.close()
  })

  it('serves the folder the export writes, as a zip, behind the inbound auth', async () => {
    const denied = await facade.call('/connector/package')
    expect(denied.status).toBe(401)
    expect((await jsonOf(denied)).code).toBe('unauthorized')

    const res = await facade.call('/connector/package', { headers: { 'X-API-Key': KEY } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/zip')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="default-connector.zip"')
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()))
    const local = tmp()
    writeConnectorFolder(facade.runtimes[0]!, local)
    const written = folder(local)
    expect(Object.keys(files).sort()).toEqual(Object.keys(written).sort())
    for (const [name, bytes] of Object.entries(written)) expect(Buffer.from(files[name]!).equals(bytes), name).toBe(true)
    // The definition is the document /swagger.json serves.
    expect(Buffer.from(files['apiDefinition.swagger.json']!).toString()).toBe(await (await facade.call('/swagger.json')).text())
    // Warnings name the config keys.
    const warnings = JSON.parse(decodeURIComponent(res.headers.get('x-connector-warnings')!)) as string[]
    expect(warnings).toContainEqual(expect.stringMatching(/^contact .* \(config: servers\.default\.connector\.contact: \{ name, url, email \}\)$/))
  })

  it('without publicUrl takes the request origin, refusing http unless allowHttp=true (as the export does)', async () => {
    const refused = await open.call('/connector/package')
    expect(refused.status).toBe(409)
    const problem = await jsonOf(refused)
    expect(problem).toMatchObject({ code: 'connector_not_exportable' })
    expect(problem.detail).toMatch(/not https/)
    expect((await open.call('/connector/package?allowHttp=maybe')).status).toBe(400)
    const res = await open.call('/connector/package?allowHttp=true&mcpOnly=true')
    expect(res.status).toBe(200)
    expect(res.headers.get('x-connector-operations')).toBe('1')
    const definition = JSON.parse(Buffer.from(unzipSync(new Uint8Array(await res.arrayBuffer()))['apiDefinition.swagger.json']!).toString())
    expect(definition.host).toBe(new URL(open.url).host)
    expect(Object.keys(definition.paths)).toEqual(['/mcp'])
  })

  it('export --from writes the folder from a running facade, with FACADE_API_KEY, without any config', async () => {
    const missingKey = await runCli(['export', '--from', facade.url, '--allow-http', '--out', tmp()])
    expect(missingKey.code).toBe(1)
    expect(missingKey.stderr).toMatch(/answered 401.*FACADE_API_KEY/)

    const out = tmp()
    const ok = await runCli(['export', '--from', facade.url, '--allow-http', '--out', out], { FACADE_API_KEY: KEY })
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/operations\), from http:\/\/127\.0\.0\.1:\d+\/connector\/package/)
    expect(ok.stdout).toMatch(/config: servers\.default\.connector\.contact/)
    const local = tmp()
    writeConnectorFolder(facade.runtimes[0]!, local)
    const written = folder(local)
    const fetched = folder(out)
    expect(Object.keys(fetched).sort()).toEqual(Object.keys(written).sort())
    for (const [name, bytes] of Object.entries(written)) expect(fetched[name]!.equals(bytes), name).toBe(true)

    const httpRefused = await runCli(['export', '--from', facade.url, '--out', tmp()], { FACADE_API_KEY: KEY })
    expect(httpRefused.code).toBe(1)
    expect(httpRefused.stderr).toMatch(/is not https/)
  })

  it('export --from a facade with several servers writes one folder per server', async () => {
    const multi = await startTestFacade({ crm: { url: demo.url }, billing: { url: demo.url } }, { publicUrl: 'https://facade.example.com' })
    try {
      const out = tmp()
      const ok = await runCli(['export', '--from', multi.url, '--allow-http', '--out', out])
      expect(ok.stderr).toBe('')
      expect(ok.code).toBe(0)
      expect(readdirSync(out).sort()).toEqual(['billing', 'crm'])
      const definition = JSON.parse(readFileSync(join(out, 'crm', 'apiDefinition.swagger.json'), 'utf8'))
      expect(definition.basePath).toBe('/crm')
    } finally {
      await multi.close()
    }
  })
})
