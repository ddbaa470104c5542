/**
 * @module scripts/smoke-start
 * `node scripts/smoke-start.mjs <dir> <command> [args…]`: runs the command in `dir` (a facade CLI started with
 * `--port 0`), waits for its "listening on <url>" line, then for `GET /readyz` 200 and a non-empty `GET /tools`,
 * prints the time that took and stops it with SIGTERM. Exits 1 with the command's output when it is not ready
 * within SMOKE_TIMEOUT_MS (default 60 s) or exits early. CI runs it on the image root and on a packed tarball
 * installed in an empty folder (.ci/run).
 */
import { spawn } from 'node:child_process'

const [dir, command, ...args] = process.argv.slice(2)
if (!dir || !command) {
  process.stderr.write('usage: node scripts/smoke-start.mjs <dir> <command> [args…]\n')
  process.exit(2)
}
const timeoutMs = Number(process.env.SMOKE_TIMEOUT_MS ?? 60_000)
const started = performance.now()
// Its own process group, so that SIGTERM reaches the facade even behind npx or npm.
const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
let output = ''
child.stdout.on('data', (d) => (output += d))
child.stderr.on('data', (d) => (output += d))
let exited = false
child.on('exit', () => (exited = true))

async function ready() {
  const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
  if (!url) return undefined
  try {
    if ((await fetch(url + '/readyz')).status !== 200) return undefined
    const tools = await (await fetch(url + '/tools')).json()
    return Array.isArray(tools.tools) && tools.tools.length > 0 ? url : undefined
  } catch {
    return undefined
  }
}

let url
while (!exited && performance.now() - started < timeoutMs && !(url = await ready())) await new Promise((r) => setTimeout(r, 25))
const ms = Math.round(performance.now() - started)
if (!exited) process.kill(-child.pid, 'SIGTERM')
if (!url) {
  process.stderr.write(`smoke start failed (${exited ? 'exited early' : `not ready after ${ms} ms`}): ${command} ${args.join(' ')}\n${output}\n`)
  process.exit(1)
}
process.stdout.write(`smoke start: ${url} ready (GET /readyz 200, tools listed) ${ms} ms after ${command} ${args.join(' ')}\n`)
