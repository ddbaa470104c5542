/**
 * @module scripts/write-code-cache
 * `node scripts/write-code-cache.mjs <app-dir> <cache-dir>`: starts the built facade in `<app-dir>` twice, waits
 * until it is ready and stops it, so that it writes its V8 code caches (launch/code-cache) into `<cache-dir>`; then
 * makes them readable by every user. Twice, because the two ways the image runs keep a cache each: in front of a
 * vendor elsewhere (what replicas do; here the demo vendor as a process of its own, `dist/demo-vendor.js`, which
 * writes its own cache too), and with the demo vendor in the facade's process (`docker run` without an upstream).
 * The container image runs it at build time (scripts/build-image-rootfs.sh): its root file system is read-only at run
 * time, and without a cache shipped in the image every new replica would start without one.
 *
 * Loopback only, on free ports; bounded to 60 s. Exits 1 if the facade does not get ready or a cache is missing.
 */
import { spawn } from 'node:child_process'
import { chmodSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

const [appDir, cacheDir] = process.argv.slice(2).map((p) => p && resolve(p))
if (!appDir || !cacheDir) {
  console.error('usage: node scripts/write-code-cache.mjs <app-dir> <cache-dir>')
  process.exit(2)
}

// NODE_OPTIONS is passed on: V8 flags in it (e.g. --max-old-space-size) are part of what a cache must match, so an
// image whose replicas set them is built with the same NODE_OPTIONS (docs/deploy.md).
const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', FACADE_CODE_CACHE_DIR: cacheDir, ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}) }
const children = []
const deadline = setTimeout(() => fail('the facade did not get ready within 60 s'), 60_000)

function fail(message) {
  console.error(`write-code-cache: ${message}`)
  for (const child of children) child.kill('SIGKILL')
  process.exit(1)
}

/** Starts `args` in the app folder and resolves with the first URL its stdout prints after `listening on`. */
async function start(args) {
  const child = spawn(process.execPath, args, { cwd: appDir, env, stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (d) => (output += d))
  let url
  while (!(url = /listening on (http:\/\/\S+)/.exec(output)?.[1])) {
    if (child.exitCode !== null) fail(`${args[0]} exited (${child.exitCode}) before listening`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return { child, url }
}

/** Stops a process with SIGTERM (it writes its cache on the way out) and waits for it to end. */
async function stop(child) {
  const exited = new Promise((done) => child.once('exit', done))
  child.kill('SIGTERM')
  await exited
}

/** Starts the facade with `args`, waits until ready, stops it. */
async function runFacade(args) {
  const { child, url } = await start(['dist/cli.js', '--port', '0', '--host', '127.0.0.1', ...args])
  while ((await fetch(`${url}/readyz`).then((r) => r.status, () => 0)) !== 200) await new Promise((r) => setTimeout(r, 20))
  await stop(child)
}

const vendor = await start(['dist/demo-vendor.js', '--port', '0', '--host', '127.0.0.1'])
await runFacade(['--upstream', vendor.url])
await stop(vendor.child)
await runFacade([])
clearTimeout(deadline)

const files = readdirSync(cacheDir)
for (const cache of ['app.cjs', 'app.cjs+demo']) if (!files.some((f) => f.startsWith(`${cache}-`))) fail(`no code cache was written for ${cache}`)
chmodSync(cacheDir, 0o755)
for (const file of files) chmodSync(join(cacheDir, file), 0o644)
console.log(`code cache written: ${cacheDir} (${files.join(', ')})`)
