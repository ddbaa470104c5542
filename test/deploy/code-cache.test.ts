/**
 * launch/code-cache with real files and V8's real code cache: a first load writes the cache, a second compiles from
 * it, a stale or damaged cache is refused by V8 and replaced, and a directory that others could write to (or a
 * symbolic link) is never read from. Each load that reads a cache runs in a process of its own, as a start does:
 * within one process V8's in-memory compilation cache would answer instead of the file.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildSync } from 'esbuild'
import { CODE_CACHE_WRAPPER, codeCacheDir, loadBundle } from '../../src/launch/code-cache.js'

const loader = fileURLToPath(new URL('../../src/launch/code-cache.ts', import.meta.url))

/** Loads `file` in a new Node process (then saves the cache); returns what the load reported. */
function loadInProcess(file: string, cache: string, sourceMaps = false, v8Flags: string[] = []): { state: string; answer: number } {
  // tsx (which runs the loader's TypeScript here) turns source maps on; a built start has them off unless asked.
  const script = `process.setSourceMapsEnabled(${sourceMaps})
const { loadBundle } = await import(${JSON.stringify(loader)})
const loaded = loadBundle(${JSON.stringify(file)}, ${JSON.stringify(cache)})
loaded.save()
console.log(JSON.stringify({ state: loaded.state, answer: loaded.exports.answer() }))`
  return JSON.parse(execFileSync(process.execPath, [...v8Flags, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }))
}

interface Sample {
  answer(): number
  sibling: string
  filename: string
}

/** A CommonJS bundle with enough functions for V8 to cache, and a require() relative to itself. */
function writeBundle(dir: string, answer = 42): string {
  const file = join(dir, 'sample.cjs')
  const helpers = Array.from({ length: 200 }, (_, i) => `function helper${i}(x) { return x + ${i} }`).join('\n')
  writeFileSync(join(dir, 'sibling.cjs'), `module.exports = 'sibling'`)
  writeFileSync(
    file,
    `#!/usr/bin/env node\n${helpers}\nmodule.exports = { answer: () => helper0(${answer}), sibling: require('./sibling.cjs'), filename: __filename }\n`,
  )
  return file
}

/** The same bundle as the build writes it (scripts/build.mjs): one function expression, its own CommonJS wrapper. */
function writePreWrappedBundle(dir: string): string {
  const file = join(dir, 'wrapped.cjs')
  const plain = writeBundle(dir)
  writeFileSync(file, `${CODE_CACHE_WRAPPER}'use strict';\n${readFileSync(plain, 'utf8').replace(/^#!.*/, '')}\n})\n`)
  return file
}

describe('launch/code-cache', () => {
  let dir: string
  let cache: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'facade-code-cache-'))
    cache = join(dir, 'cache')
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('writes the cache once, then compiles from it', { timeout: 30_000 }, () => {
    const file = writeBundle(dir)
    const first = loadBundle<Sample>(file, cache)
    expect(first.state).toBe('miss')
    expect(first.exports.answer()).toBe(42)
    expect(first.exports.sibling).toBe('sibling')
    expect(first.exports.filename).toBe(file)
    expect(statSync(cache).mode & 0o777).toBe(0o700)
    expect(readdirSync(cache)).toEqual([])

    first.save()
    const written = readdirSync(cache)
    expect(written).toHaveLength(1)
    expect(written[0]).toMatch(new RegExp(`^sample\\.cjs-${process.arch}-v8-.+-[0-9a-f]+-[0-9a-f]{32}\\.bin$`))
    expect(statSync(join(cache, written[0]!)).mode & 0o777).toBe(0o600)

    const before = statSync(join(cache, written[0]!)).mtimeMs
    expect(loadInProcess(file, cache)).toEqual({ state: 'hit', answer: 42 })
    // A hit has nothing to write.
    expect(readdirSync(cache)).toEqual(written)
    expect(statSync(join(cache, written[0]!)).mtimeMs).toBe(before)
  })

  it('keeps a cache per set of V8 flags: a start with other flags neither gets one rejected nor overwrites it', { timeout: 30_000 }, () => {
    const file = writeBundle(dir)
    expect(loadInProcess(file, cache).state).toBe('miss')
    // An operator's NODE_OPTIONS=--max-old-space-size=… changes the flags V8 checks in a cache.
    const flagged = ['--max-old-space-size=300']
    expect(loadInProcess(file, cache, false, flagged).state).toBe('miss')
    expect(readdirSync(cache)).toHaveLength(2)
    expect(loadInProcess(file, cache, false, flagged).state).toBe('hit')
    expect(loadInProcess(file, cache).state).toBe('hit')
  })

  it('keys the cache by content: a changed bundle gets a cache of its own', () => {
    const file = writeBundle(dir, 1)
    loadBundle<Sample>(file, cache).save()
    writeBundle(dir, 2)
    const changed = loadBundle<Sample>(file, cache)
    expect(changed.state).toBe('miss')
    expect(changed.exports.answer()).toBe(2)
  })

  it("keeps the newest four caches of a bundle: a rebuild's cache replaces the oldest", () => {
    const file = writeBundle(dir)
    mkdirSync(cache, { mode: 0o700 })
    // Five caches of earlier builds, oldest first, and one of another bundle that must stay.
    const earlier = Array.from({ length: 5 }, (_, i) => join(cache, `sample.cjs-x64-v8-old-${i}.bin`))
    earlier.forEach((path, i) => {
      writeFileSync(path, 'old')
      utimesSync(path, new Date(2020, 0, 1 + i), new Date(2020, 0, 1 + i))
    })
    writeFileSync(join(cache, 'other.cjs-x64-v8-old-0.bin'), 'other')
    loadBundle<Sample>(file, cache).save()
    const left = readdirSync(cache).sort()
    expect(left.filter((n) => n.startsWith('sample.cjs-'))).toHaveLength(4)
    expect(left).toContain('other.cjs-x64-v8-old-0.bin')
    // The new cache and the three newest earlier ones.
    for (const i of [0, 1]) expect(left).not.toContain(`sample.cjs-x64-v8-old-${i}.bin`)
    for (const i of [2, 3, 4]) expect(left).toContain(`sample.cjs-x64-v8-old-${i}.bin`)
  })

  it('runs the bundle when V8 refuses a damaged cache, and replaces it', { timeout: 30_000 }, () => {
    const file = writeBundle(dir)
    loadBundle<Sample>(file, cache).save()
    const [name] = readdirSync(cache)
    writeFileSync(join(cache, name!), Buffer.alloc(statSync(join(cache, name!)).size, 7))

    expect(loadInProcess(file, cache)).toEqual({ state: 'rejected', answer: 42 })
    expect(loadInProcess(file, cache)).toEqual({ state: 'hit', answer: 42 })
  })

  it('never reads from a directory that other users can write to', () => {
    const file = writeBundle(dir)
    mkdirSync(cache)
    chmodSync(cache, 0o777)
    const loaded = loadBundle<Sample>(file, cache)
    expect(loaded.state).toBe('unusable: writable by other users')
    expect(loaded.exports.answer()).toBe(42)
    loaded.save()
    expect(readdirSync(cache)).toEqual([])
  })

  it('never follows a symbolic link to a cache directory', () => {
    const file = writeBundle(dir)
    const real = join(dir, 'real')
    mkdirSync(real, { mode: 0o700 })
    symlinkSync(real, cache)
    const loaded = loadBundle<Sample>(file, cache)
    expect(loaded.state).toBe('unusable: not a directory (or a symbolic link)')
    loaded.save()
    expect(readdirSync(real)).toEqual([])
  })

  it('leaves the bundle to require() when source maps are on, so that its stack traces map to the sources', { timeout: 30_000 }, () => {
    const file = writeBundle(dir)
    expect(loadInProcess(file, cache, true)).toEqual({ state: 'source-maps', answer: 42 })
    expect(existsSync(cache)).toBe(false)
  })

  it('compiles a bundle that is its own wrapper as it is, from the cache too', { timeout: 30_000 }, () => {
    const file = writePreWrappedBundle(dir)
    const first = loadBundle<Sample>(file, cache)
    expect(first.state).toBe('miss')
    expect(first.exports).toEqual({ answer: expect.any(Function), sibling: 'sibling', filename: file })
    expect(first.exports.answer()).toBe(42)
    first.save()
    expect(loadInProcess(file, cache)).toEqual({ state: 'hit', answer: 42 })
  })

  it('maps stack traces of a pre-wrapped bundle to its sources when source maps are on', { timeout: 30_000 }, () => {
    writeFileSync(join(dir, 'source.ts'), `export function answer(): number {\n  return 42\n}\nexport function fail(): never {\n  throw new Error('mapped')\n}\n`)
    const file = join(dir, 'mapped.cjs')
    buildSync({ entryPoints: [join(dir, 'source.ts')], outfile: file, bundle: true, format: 'cjs', platform: 'node', sourcemap: 'linked', banner: { js: CODE_CACHE_WRAPPER }, footer: { js: '})' }, logLevel: 'silent' })
    const script = `process.setSourceMapsEnabled(true)
const { loadBundle } = await import(${JSON.stringify(loader)})
const loaded = loadBundle(${JSON.stringify(file)}, ${JSON.stringify(cache)})
let frame
try { loaded.exports.fail() } catch (error) { frame = error.stack.split('\\n')[1] }
console.log(JSON.stringify({ state: loaded.state, answer: loaded.exports.answer(), frame }))`
    const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }))
    expect(out).toEqual({ state: 'source-maps', answer: 42, frame: expect.stringContaining(`${join(dir, 'source.ts')}:5:`) })
  })

  it('is off when told so, and under the temporary directory by default', () => {
    expect(codeCacheDir({ FACADE_CODE_CACHE_DIR: 'off' })).toBeUndefined()
    expect(codeCacheDir({ FACADE_CODE_CACHE_DIR: ' /var/cache/facade ' })).toBe('/var/cache/facade')
    expect(codeCacheDir({})).toBe(join(tmpdir(), `mcp-rest-facade-code-cache-${process.getuid?.() ?? 'user'}`))
    const file = writeBundle(dir)
    const loaded = loadBundle<Sample>(file, undefined)
    expect(loaded.state).toBe('off')
    expect(loaded.exports.answer()).toBe(42)
    loaded.save()
  })
})
