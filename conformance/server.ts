/**
 * @module conformance/server
 * `npm run conformance:server`: the official suite's *server* scenarios against the facade's own `/mcp`. Our fixture
 * vendor ({@link ./fixture-vendor}) is tested directly and through a facade in front of it (listing the vendor's
 * schemas as they are, `copilotSafeSchemas: false`; for the 2025 runs the facade speaks 2025 to the vendor, as it
 * does to a 2025 vendor), for each spec version; a scenario that passes against the
 * vendor must pass through the facade, except the deliberate ones in {@link EXCEPTIONS} (each with its reason,
 * also in docs/conformance.md). `--suite all` includes the draft and pending scenarios. The suite CLI runs on the Node 22 of scripts/node22.mjs (see ./run.ts). Results go to `conformance/results/server/` (gitignored). Exits 1 when a scenario regressed, or when
 * an exception no longer applies (so the list cannot go stale).
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigSchema } from '../src/config/schema.js'
import { createLogger } from '../src/log.js'
import { startFacade } from '../src/server.js'
import { node22Binary } from '../scripts/node22.mjs'
import { startFixtureVendor } from './fixture-vendor.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))
// The Node 22 binary of scripts/node22.mjs ($NODE22, or tools/node22), as conformance/run.ts uses it.
const NODE22 = node22Binary()
const RESULTS = join(root, 'conformance/results/server')

/** Suite versions and the spec versions each runs (0.1.16 knows no 2026-07-28 scenarios). */
const RUNS = [
  { suite: '0.2.0-alpha.12', cli: join(packageDir('conformance-0-2'), 'dist/index.js'), specVersion: '2025-11-25' },
  { suite: '0.2.0-alpha.12', cli: join(packageDir('conformance-0-2'), 'dist/index.js'), specVersion: '2026-07-28' },
  { suite: '0.1.16', cli: join(packageDir('conformance-0-1'), 'dist/index.js'), specVersion: '2025-11-25' },
] as const

/**
 * Scenarios that pass against the vendor but deliberately not through the facade, by spec version, with the
 * reason. Keep docs/mcp-endpoint.md in step.
 */
const EXCEPTIONS: Record<string, Record<string, string>> = {
  '2025-11-25': {
    'server-session-lifecycle': 'by design a stale or ended Mcp-Session-Id is never a 404: the caller gets a new conversation (README, MCP endpoint)',
  },
  '2026-07-28': {},
}

interface ScenarioResult {
  passed: boolean
  failures: string[]
}

/** Runs one suite against one URL; scenario name → result (from the checks.json files the suite writes). */
async function runSuite(cli: string, url: string, specVersion: string, outDir: string): Promise<Map<string, ScenarioResult>> {
  rmSync(outDir, { recursive: true, force: true })
  await new Promise<void>((resolve) => {
    const child = spawn(NODE22, [cli, 'server', '--url', url, '--suite', 'all', '--spec-version', specVersion, '-o', outDir], { cwd: root, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } })
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000)
    child.on('close', () => {
      clearTimeout(timer)
      resolve()
    })
  })
  const results = new Map<string, ScenarioResult>()
  if (!existsSync(outDir)) return results
  for (const entry of readdirSync(outDir)) {
    const name = /^server-(.+)-\d{4}-\d{2}-\d{2}T/.exec(entry)?.[1]
    const file = join(outDir, entry, 'checks.json')
    if (!name || !existsSync(file)) continue
    const checks = JSON.parse(readFileSync(file, 'utf8')) as Array<{ id: string; status: string; errorMessage?: string }>
    const failures = checks.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${c.errorMessage ?? ''}`)
    const previous = results.get(name)
    results.set(name, { passed: failures.length === 0 && (previous?.passed ?? true), failures: [...(previous?.failures ?? []), ...failures] })
  }
  return results
}

async function main(): Promise<number> {
  if (!existsSync(NODE22)) throw new Error(`Node 22 binary missing at ${NODE22}: run npm ci`)
  const vendor = await startFixtureVendor()
  const facadeWith = (protocol: 'legacy' | 'modern') =>
    startFacade(
      ConfigSchema.parse({ host: '127.0.0.1', port: 0, shutdownGraceMs: 1000, servers: { default: { url: vendor.url, protocol, mcpEndpoint: { copilotSafeSchemas: false } } } }),
      createLogger('silent'),
    )
  const facades = { legacy: await facadeWith('legacy'), modern: await facadeWith('modern') }
  let problems = 0
  try {
    for (const run of RUNS) {
      const facade = run.specVersion === '2026-07-28' ? facades.modern : facades.legacy
      const tag = `${run.suite} @${run.specVersion}`
      const direct = await runSuite(run.cli, vendor.url, run.specVersion, join(RESULTS, run.suite, run.specVersion, 'vendor'))
      const through = await runSuite(run.cli, `${facade.url}/mcp`, run.specVersion, join(RESULTS, run.suite, run.specVersion, 'facade'))
      const count = (m: Map<string, ScenarioResult>) => [...m.values()].filter((r) => r.passed).length
      console.log(`${tag}: vendor ${count(direct)}/${direct.size} scenarios, facade ${count(through)}/${through.size}`)
      if (direct.size === 0) {
        console.log(`FAIL  ${tag}: the suite produced no results`)
        problems++
      }
      const exceptions = EXCEPTIONS[run.specVersion] ?? {}
      for (const [scenario, result] of [...direct].sort(([a], [b]) => a.localeCompare(b))) {
        if (!result.passed) continue
        const mine = through.get(scenario)
        const reason = exceptions[scenario]
        if (mine?.passed && reason) {
          console.log(`FAIL  ${tag} ${scenario}: passes through the facade now; remove it from EXCEPTIONS`)
          problems++
        } else if (!mine?.passed && reason) console.log(`skip  ${tag} ${scenario}: deliberate (${reason})`)
        else if (!mine?.passed) {
          console.log(`FAIL  ${tag} ${scenario}: ${mine ? mine.failures.join('; ') : 'no result'}`)
          problems++
        }
      }
    }
  } finally {
    await facades.legacy.close()
    await facades.modern.close()
    await vendor.close()
  }
  console.log(problems === 0 ? 'server scenarios: every scenario the vendor passes passes through /mcp (deliberate exceptions listed)' : `server scenarios: ${problems} problem(s)`)
  return problems === 0 ? 0 : 1
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`conformance:server: ${(error as Error).message}`)
    process.exitCode = 1
  },
)
