/**
 * @module scripts/write-code-cache
 * `node scripts/write-code-cache.mjs <app-dir> <cache-dir>`: starts the built facade in `<app-dir>` once in front
 * of its demo vendor (served in the same process), waits until it is ready, and stops it, so that it writes its V8
 * code cache (launch/code-cache) into `<cache-dir>`; then makes the cache readable by every user. The container image runs it
 * at build time (scripts/build-image-rootfs.sh): its root file system is read-only at run time, and without a cache
 * shipped in the image every new replica would start without one.
 *
 * Loopback only, on a free port; bounded to 30 s. Exits 1 if the facade does not get ready or its cache is missing.
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
const child = spawn(process.execPath, ['dist/cli.js', '--port', '0', '--host', '127.0.0.1'], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'inherit'] })
const exited = new Promise((done) => child.once('exit', done))
const deadline = setTimeout(() => fail('the facade did not get ready within 30 s'), 30_000)

function fail(message) {
  console.error(`write-code-cache: ${message}`)
  child.kill('SIGKILL')
  process.exit(1)
}

let output = ''
child.stdout.setEncoding('utf8').on('data', (d) => (output += d))
let base
while (!(base = /listening on (http:\/\/\S+)/.exec(output)?.[1])) {
  if (child.exitCode !== null) fail(`the facade exited (${child.exitCode}) before listening`)
  await new Promise((r) => setTimeout(r, 20))
}
while ((await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) !== 200) await new Promise((r) => setTimeout(r, 20))
// A stopped facade writes its cache on the way out.
child.kill('SIGTERM')
await exited
clearTimeout(deadline)

const files = readdirSync(cacheDir)
for (const bundle of ['app.cjs']) if (!files.some((f) => f.startsWith(`${bundle}-`))) fail(`no code cache was written for ${bundle}`)
chmodSync(cacheDir, 0o755)
for (const file of files) chmodSync(join(cacheDir, file), 0o644)
console.log(`code cache written: ${cacheDir} (${files.join(', ')})`)
