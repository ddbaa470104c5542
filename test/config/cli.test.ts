/**
 * The CLI as a real child process: --help, bad config exits non-zero listing every problem, a served
 * facade prints its document URLs and exits 0 on SIGTERM after ending its vendor sessions, and without an
 * upstream it runs the demo vendor as a child process that never outlives it.
 */
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { startSessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { stdioVendorCommand } from '../fixtures/stdio-vendor.js'

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

/** Every child started by a test; afterEach kills those still running, so a failing test leaves no process. */
const children = new Set<ReturnType<typeof spawn>>()

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', tsx, cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  children.add(child)
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child)
      resolve(code)
    }),
  )
  return { child, exited, out: () => stdout, err: () => stderr }
}

describe('cli', () => {
  afterEach(async () => {
    const running = [...children]
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve())
            if (!child.kill('SIGKILL')) resolve()
          }),
      ),
    )
  })

  it('--help prints usage and exits 0', async () => {
    const p = run(['--help'])
    expect(await p.exited).toBe(0)
    expect(p.out()).toMatch(/--upstream <url>/)
    expect(p.out()).toMatch(/--upstream-command/)
  })

  it('a bad config prints every problem and exits non-zero', async () => {
    const p = run(['--port', 'abc', '--upstream', 'not a url'])
    expect(await p.exited).toBe(1)
    expect(p.err()).toMatch(/port: expected a whole number/)
    expect(p.err()).toMatch(/servers\.default\.url/)
  })

  it('serves, prints the document URLs, and on SIGTERM ends vendor sessions and exits 0', async () => {
    const vendor = await startSessionfulVendor()
    try {
      const p = run(['--upstream', vendor.url, '--port', '0'])
      await expect.poll(() => p.out(), { timeout: 15000 }).toMatch(/openapi\.json/)
      const url = /listening on (http:\/\/\S+)/.exec(p.out())![1]!
      expect(p.out()).toMatch(/\/docs/)
      expect(p.out()).toMatch(/\/swagger\.json/)
      expect((await fetch(`${url}/tools/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"cli"}' })).status).toBe(200)
      const live = vendor.sessionIds()
      p.child.kill('SIGTERM')
      expect(await p.exited).toBe(0)
      expect(vendor.terminatedSessions()).toEqual(expect.arrayContaining(live))
    } finally {
      await vendor.close()
    }
  })

  it('--upstream-env passes a named variable to the stdio child, and only that one', async () => {
    const { command, args } = stdioVendorCommand({ withEnv: true })
    const line = [command, ...args].map((w) => JSON.stringify(w)).join(' ')
    const p = run(['--upstream-command', line, '--upstream-env', 'VENDOR_API_KEY', '--port', '0'], { VENDOR_API_KEY: 'k-123', OTHER_SECRET: 'nope' })
    await expect.poll(() => p.out(), { timeout: 20000 }).toMatch(/openapi\.json/)
    const url = /listening on (http:\/\/\S+)/.exec(p.out())![1]!
    const read = async (name: string) => {
      const res = await fetch(`${url}/tools/env_get`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })
      return ((await res.json()) as { data: { value: string | null } }).data.value
    }
    expect(await read('VENDOR_API_KEY')).toBe('k-123')
    // Everything else of the facade's environment stays out (the SDK's default set: HOME, PATH, SHELL, TERM).
    expect(await read('OTHER_SECRET')).toBeNull()
    expect(await read('PATH')).toBe(process.env.PATH)
    p.child.kill('SIGTERM')
    expect(await p.exited).toBe(0)
  })

  it('--upstream-env naming an unset variable is a config problem', async () => {
    const p = run(['--upstream-command', 'node x.js', '--upstream-env', 'VENDOR_API_KEY'])
    expect(await p.exited).toBe(1)
    expect(p.err()).toMatch(/servers\.default\.envPassthrough\[0\]: environment variable VENDOR_API_KEY is not set/)
  })

  /** Resolves true once nothing listens at `url` any more (connection refused), false after `ms`. */
  async function closedWithin(url: string, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      const refused = await fetch(url, { method: 'POST', body: '{}' }).then(
        () => false,
        () => true,
      )
      if (refused) return true
      await new Promise((r) => setTimeout(r, 50))
    }
    return false
  }

  it('without an upstream, fronts the demo vendor in a child process that ends with it (SIGTERM or SIGKILL)', async () => {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const p = run(['--port', '0'])
      await expect.poll(() => p.out(), { timeout: 20000 }).toMatch(/openapi\.json/)
      const url = /listening on (http:\/\/\S+)/.exec(p.out())![1]!
      const demoUrl = /"url":"(http:\/\/127\.0\.0\.1:\d+\/mcp)".*started the built-in demo vendor/.exec(p.err())![1]!
      expect(demoUrl).not.toContain(new URL(url).port)
      await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 10000 }).toBe(200)
      const res = await fetch(`${url}/tools/get_weather`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"city":"Paris"}' })
      expect(res.status).toBe(200)
      expect(((await res.json()) as { data: { city: string } }).data.city).toBe('Paris')
      // The demo vendor is its own process: it still answers while the facade runs.
      expect(await closedWithin(demoUrl, 200)).toBe(false)
      p.child.kill(signal)
      const code = await p.exited
      if (signal === 'SIGTERM') expect(code).toBe(0)
      // Its stdin closes with the facade, however the facade ended: the vendor goes too.
      expect(await closedWithin(demoUrl, 10000)).toBe(true)
    }
  })
})
