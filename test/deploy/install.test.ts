/**
 * The production install, as the Dockerfile does it (scripts/build-image-rootfs.sh, which CI runs too): build from a
 * copy of the sources, then `npm ci --omit=dev` next to dist/ only. The result must start without any dev
 * dependency, answer /healthz and /readyz, and resolve every package the built code imports (ioredis and the
 * lazily loaded OpenTelemetry packages included).
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))

/** Bare package names imported (statically or with `import()`) anywhere under `dir`. */
function importedPackages(dir: string): string[] {
  const names = new Set<string>()
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry)
      if (statSync(path).isDirectory()) walk(path)
      else if (path.endsWith('.js'))
        for (const m of readFileSync(path, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"./][^'"]*)['"]/g)) {
          const spec = m[1]!
          // Package names only (a template string in the code, such as a message quoting an import, is not one).
          if (spec.startsWith('node:') || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w./-]+)?$/.test(spec)) continue
          names.add(spec)
        }
    }
  }
  walk(dir)
  return [...names].sort()
}

describe('production install', { timeout: 600_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'facade-image-'))
  const app = join(out, 'app')
  beforeAll(async () => {
    await run('bash', [join(root, 'scripts/build-image-rootfs.sh'), out], { env: { ...process.env, NPM_CI_FLAGS: '--prefer-offline' }, maxBuffer: 64 * 1024 * 1024 })
  }, 600_000)
  afterAll(() => rmSync(out, { recursive: true, force: true }))

  it('holds the build and production dependencies only', () => {
    expect(existsSync(join(app, 'dist/cli.js'))).toBe(true)
    expect(existsSync(join(app, 'dist/demo-vendor.js'))).toBe(true)
    // The connector export writes this icon (dist/chunks/../../assets).
    expect(existsSync(join(app, 'assets/icon.png'))).toBe(true)
    expect(existsSync(join(app, 'node_modules/ioredis'))).toBe(true)
    for (const dev of ['typescript', 'vitest', 'tsx', 'playwright-core']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false)
    expect(existsSync(join(app, 'src'))).toBe(false)
  })

  it('resolves every package the built code imports', async () => {
    const specs = importedPackages(join(app, 'dist'))
    // The bundle holds everything else; what is loaded only when configured stays a package of the install.
    expect(specs).toEqual(expect.arrayContaining(['ioredis', '@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http']))
    const script = `for (const s of ${JSON.stringify(specs)}) await import(s).catch((e) => { console.error(s + ': ' + e.message); process.exitCode = 1 })`
    const { stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app }).catch((e: { stderr: string }) => ({ stderr: e.stderr }))
    expect(stderr).toBe('')
  })

  it('starts, answers /healthz and /readyz, and prints its version', async () => {
    const { stdout } = await run(process.execPath, ['dist/cli.js', '--version'], { cwd: app })
    expect(stdout.trim()).toMatch(/^mcp-rest-facade \d+\.\d+\.\d+/)
    const child = spawn(process.execPath, ['dist/cli.js', '--port', '0'], { cwd: app, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      let output = ''
      child.stdout.on('data', (d) => (output += d))
      await expect.poll(() => output, { timeout: 20_000 }).toMatch(/listening on/)
      const base = /listening on (http:\/\/\S+)/.exec(output)![1]!
      expect((await fetch(`${base}/healthz`)).status).toBe(200)
      await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 15_000 }).toBe(200)
      expect((await fetch(`${base}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200)
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))
    }
  })
})
