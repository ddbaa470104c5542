/**
 * Start-up and connect errors as an operator meets them: the CLI listens before the catalog is in (a hung vendor
 * does not delay /healthz), /readyz is 503 until loaded and has a root over several servers, connect errors name
 * the URL (without credentials), the errno and a hint, only http(s) upstreams are accepted, and `--version` /
 * `--help` tell what they should.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { createRequire } from 'node:module'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config/load.js'
import { startSessionfulVendor } from '../fixtures/index.js'
import { jsonOf, startTestFacade } from '../support/facade.js'
import { closedPort } from '../support/ports.js'

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

const children: ReturnType<typeof spawn>[] = []
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
  for (const f of cleanups.splice(0)) await f()
})

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', tsx, cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, exited, out: () => stdout, err: () => stderr }
}

/** A TCP server that accepts connections and never answers: the vendor that hangs. */
async function hungVendor() {
  const sockets = new Set<Socket>()
  const server = createServer((s) => sockets.add(s))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`
}


describe('listen first', () => {
  it('answers /healthz at once with a hung vendor; /readyz is 503 until the catalog is loaded', async () => {
    const url = await hungVendor()
    const started = Date.now()
    const p = run(['--upstream', url, '--port', '0'], { MCP_FACADE_CONFIG: '' })
    await expect.poll(() => p.out(), { timeout: 10_000 }).toMatch(/listening on/)
    const base = /listening on (http:\/\/\S+)/.exec(p.out())![1]!
    const health = await fetch(`${base}/healthz`)
    expect(health.status).toBe(200)
    // The connect timeout is 15 s: an answer well before it proves the port did not wait for the vendor.
    expect(Date.now() - started).toBeLessThan(8000)
    const ready = await fetch(`${base}/readyz`)
    expect(ready.status).toBe(503)
    expect((await jsonOf(ready)).status).toBe('not_ready')
  })

  it('has a root /readyz over all servers when several are mounted', async () => {
    const vendor = await startSessionfulVendor()
    cleanups.push(() => vendor.close())
    const port = await closedPort()
    const facade = await startTestFacade({ good: { url: vendor.url }, down: { url: `http://127.0.0.1:${port}/mcp`, timeouts: { connectMs: 500 } } })
    cleanups.push(() => facade.close())
    const res = await facade.call('/readyz')
    expect(res.status).toBe(503)
    const body = await jsonOf(res)
    expect(body.servers.good.status).toBe('ready')
    expect(body.servers.down.status).toBe('not_ready')
    expect(body.servers.down.reason).toContain(`127.0.0.1:${port}`)
    expect((await facade.call('/good/readyz')).status).toBe(200)

    const allGood = await startTestFacade({ one: { url: vendor.url }, two: { url: vendor.url } })
    cleanups.push(() => allGood.close())
    expect((await allGood.call('/readyz')).status).toBe(200)
  })
})

/** The pids of a process's direct children (Linux /proc). */
function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  )
}

describe('the built-in demo vendor', () => {
  it('is fronted without any upstream, served in the facade process (no child), and stops with it on SIGTERM', async () => {
    const p = run(['--port', '0'], { MCP_FACADE_CONFIG: '', LOG_LEVEL: 'info' })
    await expect.poll(() => p.out(), { timeout: 20_000 }).toMatch(/listening on/)
    const base = /listening on (http:\/\/\S+)/.exec(p.out())![1]!
    await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 20_000 }).toBe(200)
    expect(((await jsonOf(await fetch(`${base}/tools`))).tools as unknown[]).length).toBeGreaterThan(0)
    const demoUrl = /"url":"(http:\/\/127\.0\.0\.1:\d+\/mcp)","msg":"no upstream configured: started the built-in demo vendor"/.exec(p.err())?.[1]
    expect(demoUrl).toBeDefined()
    // (tsx may run an esbuild service as a child; no child is the demo vendor.)
    const commandLines = childPids(p.child.pid!).map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '))
    expect(commandLines.filter((line) => line.includes('demo'))).toEqual([])

    p.child.kill('SIGTERM')
    expect(await p.exited).toBe(0)
    // Its socket closed with the process; nothing was left behind to answer.
    await expect(fetch(demoUrl!, { method: 'POST' })).rejects.toThrow()
  })
})

describe('connect errors', () => {
  it('a refused port names the URL without its query, the errno and a hint', async () => {
    const port = await closedPort()
    const facade = await startTestFacade({ default: { url: `http://127.0.0.1:${port}/mcp?token=tok-s3cret-42`, timeouts: { connectMs: 1000 } } })
    cleanups.push(() => facade.close())
    const problem = await jsonOf(await facade.call('/tools'))
    expect(problem.code).toBe('not_ready')
    expect(problem.detail).toContain(`http://127.0.0.1:${port}/mcp`)
    expect(problem.detail).toContain('ECONNREFUSED')
    expect(problem.detail).toMatch(/hint: .*host and port/)
    const everything = JSON.stringify(problem) + facade.logs.join('\n')
    expect(everything).not.toContain('tok-s3cret-42')
  })

  it('a self-signed certificate points at NODE_EXTRA_CA_CERTS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facade-tls-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
    const tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('{}'))
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => tls.close(() => resolve())))
    const url = `https://127.0.0.1:${(tls.address() as { port: number }).port}/mcp`
    const facade = await startTestFacade({ default: { url, timeouts: { connectMs: 2000 } } })
    cleanups.push(() => facade.close())
    const reason = (await jsonOf(await facade.call('/readyz'))).reason as string
    expect(reason).toContain(url)
    expect(reason).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/)
    expect(reason).toContain('NODE_EXTRA_CA_CERTS')
  })

  it('a 401 at connect says to configure headers or oauth', async () => {
    const vendor = await startSessionfulVendor({ requireBearer: 'right-token-123456' })
    cleanups.push(() => vendor.close())
    const facade = await startTestFacade({ default: { url: vendor.url } })
    cleanups.push(() => facade.close())
    const reason = (await jsonOf(await facade.call('/readyz'))).reason as string
    expect(reason).toContain(vendor.url)
    expect(reason).toMatch(/hint: .*headers .*oauth/)
  })
})

describe('config and flags', () => {
  it('accepts only http(s) upstream URLs', () => {
    for (const url of ['ftp://vendor.example.com/mcp', 'file:///etc/passwd', 'ws://vendor.example.com/mcp']) {
      let error: unknown
      try {
        loadConfig({ upstream: url }, {})
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).problems.join('\n')).toMatch(/servers\.default\.url: only http:\/\/ and https:\/\//)
    }
    expect(() => loadConfig({ upstream: 'https://user:pw-123@vendor.example.com/mcp' }, {})).toThrow(/credentials in headers or oauth, not in the URL/)
    expect(loadConfig({ upstream: 'https://vendor.example.com/mcp' }, {}).servers.default!.url).toBe('https://vendor.example.com/mcp')
  })

  it('--version prints the package version', async () => {
    const p = run(['--version'])
    expect(await p.exited).toBe(0)
    expect(p.out().trim()).toBe(`mcp-rest-facade ${pkg.version}`)
  })

  it('--help lists every environment setting', async () => {
    const p = run(['--help'])
    expect(await p.exited).toBe(0)
    for (const name of ['MCP_UPSTREAM_URL', 'MCP_UPSTREAM_COMMAND', 'PORT', 'HOST', 'PUBLIC_URL', 'MCP_FACADE_CONFIG', 'LOG_LEVEL', 'REDIS_URL', 'SESSION_IDLE_TTL_SECONDS', 'FACADE_IDENTITY_SECRET', 'METRICS_PORT', 'METRICS_KEY', 'CORS_ORIGINS', 'OTEL_EXPORTER_OTLP_ENDPOINT'])
      expect(p.out(), name).toContain(name)
  })
})
