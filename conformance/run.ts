/**
 * @module conformance/run
 * `npm run conformance`: runs the official `@modelcontextprotocol/conformance` client scenarios that apply to a
 * server-side REST facade, on both pinned suite versions, with `conformance/client.ts` as the client command. The
 * suite's CLI needs Node 22 (scripts/node22.mjs: `$NODE22`, or tools/node22, installed on first use); our client runs
 * on this process's Node.
 * Arguments, when given, select the scenarios whose label contains one of them.
 * Results go to `conformance/results/` (gitignored). Prints one line per scenario, then `N passed, N failed`, and
 * exits 1 when any scenario failed.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { node22Binary } from '../scripts/node22.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))

/** The suite versions, installed under npm aliases so both can live side by side. */
const SUITES = {
  '0.1.16': join(packageDir('conformance-0-1'), 'dist/index.js'),
  '0.2.0-alpha.12': join(packageDir('conformance-0-2'), 'dist/index.js'),
} as const
type SuiteVersion = keyof typeof SUITES

interface Run {
  suite: SuiteVersion
  scenario: string
  /** Passed as `--spec-version` (the protocol version the scenario server and our client speak). */
  specVersion?: string
}

/** Each scenario on every suite version that has it (0.1.16 has no 2026-07-28 scenarios). */
const RUNS: Run[] = [
  ...['initialize', 'tools_call', 'sse-retry', 'auth/client-credentials-basic', 'auth/client-credentials-jwt'].map((scenario) => ({ suite: '0.1.16' as const, scenario })),
  ...[
    'initialize',
    'tools_call',
    'sse-retry',
    'json-schema-2020-12-preservation',
    'auth/client-credentials-basic',
    'auth/client-credentials-jwt',
    'auth/enterprise-managed-authorization',
    'auth/wif-jwt-bearer',
    'elicitation-sep1034-client-defaults',
  ].map((scenario) => ({ suite: '0.2.0-alpha.12' as const, scenario })),
  ...['tools_call', 'json-schema-2020-12-preservation', 'request-metadata', 'http-standard-headers', 'http-custom-headers', 'http-invalid-tool-headers', 'json-schema-ref-no-deref', 'sep-2322-client-request-state'].map(
    (scenario) => ({ suite: '0.2.0-alpha.12' as const, scenario, specVersion: '2026-07-28' }),
  ),
]

/** Our client, run by the suite as `<command> <serverUrl>`; the suite splits the command on spaces. */
const CLIENT_COMMAND = `${process.execPath} --import tsx ${relative(root, join(root, 'conformance/client.ts'))}`
const RESULTS = join(root, 'conformance/results')
/** The suite kills a client after this long; our runner gives the whole scenario a little more. */
const CLIENT_TIMEOUT_MS = 30_000
const SCENARIO_TIMEOUT_MS = 60_000

interface Check {
  id: string
  status: string
  errorMessage?: string
  description?: string
}

const label = (run: Run) => `${run.scenario}${run.specVersion ? `@${run.specVersion}` : ''}`

/** Runs the suite CLI for one scenario; resolves with its exit code (or `timeout`). */
function runSuite(node22: string, run: Run, outDir: string): Promise<{ code: number | null; output: string }> {
  const args = [SUITES[run.suite], 'client', '--command', CLIENT_COMMAND, '--scenario', run.scenario, '--timeout', String(CLIENT_TIMEOUT_MS), '-o', outDir]
  if (run.specVersion) args.push('--spec-version', run.specVersion)
  return new Promise((resolve) => {
    const child = spawn(node22, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), SCENARIO_TIMEOUT_MS)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

/** Finds the `checks.json` the suite wrote under `dir` (it nests by scenario name and timestamp). */
function findChecks(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (entry === 'checks.json') return path
    if (statSync(path).isDirectory()) {
      const found = findChecks(path)
      if (found) return found
    }
  }
  return undefined
}

async function main(): Promise<number> {
  if (/\s/.test(process.execPath)) throw new Error(`the suite splits its client command on spaces; node lives at "${process.execPath}"`)
  const node22 = node22Binary()
  let passed = 0
  let failed = 0
  // `npm run conformance -- <part of a label> …` runs only the matching scenarios.
  const only = process.argv.slice(2)
  for (const run of only.length ? RUNS.filter((r) => only.some((o) => label(r).includes(o))) : RUNS) {
    const outDir = join(RESULTS, run.suite, label(run).replace(/[/@]/g, '_'))
    rmSync(outDir, { recursive: true, force: true })
    const started = Date.now()
    const { code, output } = await runSuite(node22, run, outDir)
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const checksFile = findChecks(outDir)
    const checks: Check[] = checksFile ? JSON.parse(readFileSync(checksFile, 'utf8')) : []
    const failures = checks.filter((c) => c.status === 'FAILURE')
    const counted = checks.filter((c) => c.status === 'SUCCESS' || c.status === 'FAILURE')
    const ok = code === 0 && checksFile !== undefined && failures.length === 0
    if (ok) passed++
    else failed++
    const reason = failures.length
      ? failures.map((f) => `${f.id}: ${f.errorMessage ?? f.description ?? ''}`).join('; ')
      : !checksFile
        ? `no checks.json (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`
        : `suite exited ${code}`
    const where = checksFile ? relative(root, checksFile) : relative(root, outDir)
    console.log(
      `${ok ? 'PASS' : 'FAIL'}  ${run.suite.padEnd(15)} ${label(run).padEnd(45)} ${String(counted.length - failures.length).padStart(2)}/${String(counted.length).padEnd(2)} checks  ${seconds.padStart(5)}s${ok ? '' : `  ${reason}  (${where})`}`,
    )
  }
  console.log(`${passed} passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`conformance: ${(error as Error).message}`)
    process.exitCode = 1
  },
)
