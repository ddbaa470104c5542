/**
 * The production install, as the Dockerfile does it (scripts/build-image-rootfs.sh, which CI runs too): build from a
 * copy of the sources, then `npm ci --omit=dev` next to dist/ only. The result must start without any dev
 * dependency, answer /healthz and /readyz, resolve every package the built code imports (ioredis and the
 * lazily loaded OpenTelemetry packages included), start from the V8 code cache shipped in the image (or from its
 * own, written by the first start), and export the connector with the icon it ships.
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { builtinModules } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))

/** Bare package names imported (statically, with `import()` or `require()`) anywhere under `dir`. */
function importedPackages(dir: string): { imported: string[]; required: string[] } {
  const imported = new Set<string>()
  const required = new Set<string>()
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry)
      // dist/swagger-ui holds the docs page's browser bundle, which Node never loads.
      if (statSync(path).isDirectory()) entry !== 'swagger-ui' && walk(path)
      else if (path.endsWith('.js') || path.endsWith('.cjs'))
        for (const m of readFileSync(path, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\b(require)\s*\(\s*)['"]([^'"./][^'"]*)['"]/g)) {
          const spec = m[2]!
          // Package names only (a template string in the code, such as a message quoting an import, is not one).
          if (spec.startsWith('node:') || builtinModules.includes(spec) || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w./-]+)?$/.test(spec)) continue
          ;(m[1] ? required : imported).add(spec)
        }
    }
  }
  walk(dir)
  return { imported: [...imported].sort(), required: [...required].sort() }
}

describe('production install', { timeout: 600_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'facade-image-'))
  const app = join(out, 'app')
  beforeAll(async () => {
    // Built by the Node that runs the result, as in the image: the shipped code cache is keyed by V8's version, so a
    // build on another Node (CI's second run is on Node 22, the machine's node is 20) would ship a cache nobody uses.
    const path = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`
    await run('bash', [join(root, 'scripts/build-image-rootfs.sh'), out], { env: { ...process.env, PATH: path, NPM_CI_FLAGS: '--prefer-offline' }, maxBuffer: 64 * 1024 * 1024 })
  }, 600_000)
  afterAll(() => rmSync(out, { recursive: true, force: true }))

  it('holds the build and production dependencies only', () => {
    expect(existsSync(join(app, 'dist/cli.js'))).toBe(true)
    expect(existsSync(join(app, 'dist/demo-vendor.js'))).toBe(true)
    expect(existsSync(join(app, 'dist/app.cjs'))).toBe(true)
    expect(existsSync(join(app, 'dist/demo-app.cjs'))).toBe(true)
    // The connector export writes this icon (found from dist/app.cjs upward).
    expect(existsSync(join(app, 'assets/icon.png'))).toBe(true)
    expect(existsSync(join(app, 'node_modules/ioredis'))).toBe(true)
    for (const dev of ['typescript', 'vitest', 'tsx', 'playwright-core']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false)
    // What the bundles hold is not installed a second time (dependencies are only what they load from node_modules).
    for (const bundled of ['zod', 'hono', '@modelcontextprotocol/server', '@modelcontextprotocol/client', 'pino', 'ajv', 'prom-client', 'swagger-ui-dist'])
      expect(existsSync(join(app, 'node_modules', bundled)), bundled).toBe(false)
    expect(existsSync(join(app, 'dist/swagger-ui/swagger-ui-bundle.js'))).toBe(true)
    expect(existsSync(join(app, 'src'))).toBe(false)
  })

  it('resolves every package the built code imports', async () => {
    const found = importedPackages(join(app, 'dist'))
    // Ajv's code templates for *standalone* validators name its runtime helpers (`require("ajv/dist/runtime/equal")`);
    // the bundled Ajv compiles in memory and passes the bundled helpers by reference, so those are never loaded
    // (the calls below, validated with formats, prove it on this install, which has no ajv).
    const standaloneOnly = (s: string) => /^ajv\/dist\/runtime\/|^ajv-formats\/dist\/formats$/.test(s)
    const imported = found.imported.filter((s) => !standaloneOnly(s))
    const required = found.required.filter((s) => !standaloneOnly(s))
    // The bundle holds everything else; what is loaded only when configured stays a package of the install.
    expect(required).toEqual(expect.arrayContaining(['ioredis', '@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http']))
    // Resolved the way the bundles load them: import() from the ES module entries, require() from dist/app.cjs (which
    // also names Ajv's runtime helpers in the validator code it generates).
    const script = `import { createRequire } from 'node:module'
const requireFromApp = createRequire(${JSON.stringify(join(app, 'dist/app.cjs'))})
for (const s of ${JSON.stringify(imported)}) await import(s).catch((e) => { console.error(s + ': ' + e.message); process.exitCode = 1 })
for (const s of ${JSON.stringify(required)}) try { requireFromApp.resolve(s) } catch (e) { console.error(s + ': ' + e.message); process.exitCode = 1 }`
    const { stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app }).catch((e: { stderr: string }) => ({ stderr: e.stderr }))
    expect(stderr).toBe('')
  })

  /** Starts the installed facade (demo vendor), waits for /readyz, runs `check`, then stops it with SIGTERM. */
  async function withRunningFacade(env: NodeJS.ProcessEnv, check: (base: string, output: () => string) => Promise<void>) {
    const child = spawn(process.execPath, ['dist/cli.js', '--port', '0'], { cwd: app, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      let output = '' // stdout and the logs (stderr)
      child.stdout.on('data', (d) => (output += d))
      child.stderr.on('data', (d) => (output += d))
      await expect.poll(() => output, { timeout: 20_000 }).toMatch(/listening on/)
      const base = /listening on (http:\/\/\S+)/.exec(output)![1]!
      expect((await fetch(`${base}/healthz`)).status).toBe(200)
      await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 15_000 }).toBe(200)
      await check(base, () => output)
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))
    }
  }

  it('starts, answers /healthz and /readyz, and prints its version', async () => {
    const { stdout } = await run(process.execPath, ['dist/cli.js', '--version'], { cwd: app })
    expect(stdout.trim()).toMatch(/^mcp-rest-facade \d+\.\d+\.\d+/)
    await withRunningFacade({}, async (base) => {
      expect((await fetch(`${base}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200)
    })
  })

  const stateOf = (output: string) => /"state":"([^"]+)","msg":"code cache"/.exec(output)?.[1]

  it('ships the code cache written at build time, and the first start compiles from it', async () => {
    const shipped = join(app, 'code-cache')
    expect(statSync(shipped).mode & 0o777).toBe(0o755) // readable by the image's service user, writable by root only
    let output = ''
    await withRunningFacade({ FACADE_CODE_CACHE_DIR: shipped, LOG_LEVEL: 'debug' }, async (_, o) => void (output = o()))
    expect(stateOf(output)).toBe('hit')
  })

  it('writes its code cache on the first start and compiles from it on the next (the demo vendor, in the same process, with it)', async () => {
    const cache = join(out, 'code-cache')
    const env = { FACADE_CODE_CACHE_DIR: cache, LOG_LEVEL: 'debug' }
    let first = ''
    await withRunningFacade(env, async (_, output) => void (first = output()))
    expect(stateOf(first)).toBe('miss')
    // Written at the latest on SIGTERM. One file: the demo vendor is part of the facade's bundle.
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/^app\.cjs-.+\.bin$/)])
    let second = ''
    await withRunningFacade(env, async (base, output) => {
      second = output()
      // Compiled from the cache, and still the same facade: a tool call through the demo vendor answers.
      const response = await fetch(`${base}/tools/get_weather`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ city: 'Paris' }) })
      expect(response.status).toBe(200)
      expect(((await response.json()) as { data: { city: string } }).data.city).toBe('Paris')
      // The SDKs' JSON Schema validators load on first use in the bundles (scripts/build.mjs, lazy-sdk-validator): the
      // facade's client checks get_weather's outputSchema above, the demo vendor create_order's input here.
      const order = await fetch(`${base}/tools/create_order`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerEmail: 'buyer@example.com', items: [{ sku: 'ABC-1', quantity: 2, unitPrice: 2.5 }], shippingAddress: { name: 'A', street: 'Main 1', city: 'Lyon', postalCode: '69001', country: 'FR' } }),
      })
      expect(order.status).toBe(200)
      expect(((await order.json()) as { data: { status: string; itemCount: number } }).data).toMatchObject({ status: 'confirmed', itemCount: 2 })
    })
    expect(stateOf(second)).toBe('hit')
  })

  it('exports the connector with the icon it ships', async () => {
    const target = join(out, 'connector')
    await run(process.execPath, ['dist/cli.js', 'export', '--out', target, '--public-url', 'https://facade.example.com'], { cwd: app, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' } })
    expect(readFileSync(join(target, 'icon.png')).equals(readFileSync(join(app, 'assets/icon.png')))).toBe(true)
    expect(existsSync(join(target, 'apiDefinition.swagger.json'))).toBe(true)
  })
})
