/**
 * @module launch/code-cache
 * Loads one of the build's CommonJS bundles (`dist/app.cjs`, `dist/demo-app.cjs`) with V8's code cache, so a
 * start skips parsing and compiling the code the previous start ran: what Node 22's `module.enableCompileCache()`
 * does, by hand, for Node 20, which lacks it and has no code cache for ES modules at all (hence CommonJS for the
 * large part of the build; see scripts/build.mjs). On this project's start-up that is about a fifth of the
 * facade's own time to ready (bench/startup.ts).
 *
 * The cache is written once per bundle content, from the running process, after start-up (see
 * {@link LoadedBundle.save}): V8 then includes every function compiled so far, not only the top level. Its file
 * name carries the bundle's content hash, the V8 version, V8's tag for its version, flags and CPU features, and
 * the CPU architecture, so processes started with different V8 flags keep a cache each; V8 checks version and
 * flags again on load and rejects a cache that does not fit, and the bundle then compiles as if there were none.
 * Any failure to read or write the cache only costs the time it would have saved.
 *
 * A code cache is executable code, so it is read only from a directory that this user or root owns, that nobody
 * else can write to and that is not a symbolic link, and written there with mode 0600 and an atomic rename. A
 * root-owned one is what the container image ships (scripts/write-code-cache.mjs): read-only for the service user,
 * and no less trusted than the code beside it.
 */
import { createHash } from 'node:crypto'
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cachedDataVersionTag } from 'node:v8'
import { Script } from 'node:vm'

/** What the cache did for one load. */
export type CodeCacheState = 'hit' | 'miss' | 'rejected' | 'off' | 'source-maps' | `unusable: ${string}`

/** A loaded bundle. */
export interface LoadedBundle<T> {
  /** The bundle's `module.exports`. */
  exports: T
  /**
   * `hit` (compiled from the cache), `miss` (no cache yet), `rejected` (V8 refused a stale one), `off`,
   * `source-maps` (loaded by `require` instead, see {@link loadBundle}) or `unusable: why`.
   */
  state: CodeCacheState
  /**
   * Writes the cache when it was missing or rejected; does nothing otherwise, after the first call, or when the
   * cache is off. Call it once start-up has run (and at shutdown, for a process that never got that far): the cache
   * then holds every function compiled until then. Never throws; takes a few tens of milliseconds when it writes.
   */
  save(): void
}

/**
 * The cache directory from the environment: `FACADE_CODE_CACHE_DIR`, `off` to disable, or by default a directory
 * of this user's under the system temporary directory.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const setting = env.FACADE_CODE_CACHE_DIR?.trim()
  if (setting === 'off') return undefined
  return setting || join(tmpdir(), `mcp-rest-facade-code-cache-${process.getuid?.() ?? 'user'}`)
}

/**
 * What an entry point (cli.ts, demo/main.ts) runs: once built, the bundle the build named for it, beside the entry
 * and with the code cache of `FACADE_CODE_CACHE_DIR`; under tsx (no bundle) the sources, imported by `fromSources`.
 * @param bundle    the bundle's path relative to `entryUrl`, as the build defines it; undefined under tsx
 * @param entryUrl  the entry's `import.meta.url`
 * @param fromSources imports the sources; the entry writes it with a specifier the bundler does not follow, so the
 *   sources never join the small entry file
 */
export async function loadEntryModule<T>(bundle: string | undefined, entryUrl: string, fromSources: () => Promise<unknown>): Promise<LoadedBundle<T>> {
  if (bundle !== undefined) return loadBundle<T>(fileURLToPath(new URL(bundle, entryUrl)), codeCacheDir(process.env))
  return { exports: (await fromSources()) as T, state: 'off', save() {} }
}

/**
 * Runs a CommonJS bundle the way `require` would, compiled from the code cache in `cacheDir` when one fits.
 * @param file     absolute path of the `.cjs` bundle
 * @param cacheDir where caches live (created 0700 if missing); undefined turns the cache off
 */
export function loadBundle<T>(file: string, cacheDir: string | undefined): LoadedBundle<T> {
  // Node maps stack traces (--enable-source-maps) only for code its own loaders compiled, not for a vm.Script: an
  // operator who asks for readable traces gets them, at the price of a start without the cache.
  if (process.sourceMapsEnabled) return { exports: requireWithSourceMaps<T>(file), state: 'source-maps', save() {} }
  const { script, state, cacheFile } = compile(file, cacheDir)
  const module = { exports: {} as T }
  ;(script.runInThisContext() as BundleFunction)(module.exports, createRequire(file), module, file, dirname(file))

  // Held only while a cache is still to be written (a miss or a rejected one), and dropped once it is.
  let unsaved = cacheFile !== undefined && (state === 'miss' || state === 'rejected') ? { script, cacheFile } : undefined
  return {
    exports: module.exports,
    state,
    save() {
      if (!unsaved) return
      const { script, cacheFile } = unsaved
      unsaved = undefined
      const data = script.createCachedData()
      const partial = `${cacheFile}.${process.pid}.tmp`
      try {
        writeFileSync(partial, data, { mode: 0o600 })
        renameSync(partial, cacheFile)
        pruneOlderCaches(cacheFile, basename(file))
      } catch {
        rmSync(partial, { force: true })
      }
    },
  }
}

/**
 * Reads and compiles a bundle, from the cache when one fits. A function of its own so that the file's bytes and the
 * cache's (some 3 MB outside V8's heap) are unreachable before the bundle runs: held by the running frame, they
 * outlived the young generation's collections during the bundle's evaluation and stayed until the first full
 * collection, which an idle facade may not see for 20 s (`external` memory 6.7 MB instead of 3.5 MB until then).
 */
function compile(file: string, cacheDir: string | undefined): { script: Script; state: CodeCacheState; cacheFile?: string } {
  // One buffer for the bundle's bytes (hash and source text), then, once the text is a string, for the cache's:
  // every page of a fresh buffer is a page fault on first touch (about 17 µs each on the VMs measured, some 420 for
  // each of the two 1.7–1.9 MB reads), and each large temporary buffer is memory the C heap tends to keep after it
  // is freed (idle RSS). Room for twice the bundle costs nothing until touched.
  const size = statSync(file).size
  const buffer = Buffer.allocUnsafeSlow(Math.max(2 * size, 64 * 1024))
  const bytes = readInto(file, buffer)
  let state: CodeCacheState = 'off'
  let cacheFile: string | undefined
  let hash: string | undefined
  if (cacheDir !== undefined) {
    const problem = unusableDirectory(cacheDir)
    if (problem) state = `unusable: ${problem}`
    else hash = createHash('sha256').update(bytes).digest('hex').slice(0, 32)
  }
  const source = wrappedSource(bytes)
  let cachedData: Buffer | undefined
  if (cacheDir !== undefined && hash !== undefined) {
    // cachedDataVersionTag() covers V8's version, its flags and the CPU features: a start with other V8 flags (say
    // NODE_OPTIONS=--max-old-space-size=…) would have the cache rejected, and the two would overwrite each other's.
    const tag = cachedDataVersionTag().toString(16)
    cacheFile = join(cacheDir, `${basename(file)}-${process.arch}-v8-${process.versions.v8}-${tag}-${hash}.bin`)
    cachedData = readIfPresent(cacheFile, buffer)
    state = 'miss'
  }
  const script = new Script(source, { filename: file, cachedData })
  if (cachedData) state = script.cachedDataRejected ? 'rejected' : 'hit'
  return { script, state, cacheFile }
}

/**
 * A file's bytes, read into `buffer` when they fit (its start is overwritten), else into a buffer of their own.
 * Read to the end, however many reads that takes.
 */
function readInto(file: string, buffer: Buffer): Buffer {
  const fd = openSync(file, 'r')
  try {
    const size = fstatSync(fd).size
    const target = size <= buffer.length ? buffer : Buffer.allocUnsafeSlow(size)
    let filled = 0
    while (filled < size) {
      const read = readSync(fd, target, filled, size - filled, filled)
      if (read === 0) break
      filled += read
    }
    return target.subarray(0, filled)
  } finally {
    closeSync(fd)
  }
}

/**
 * The head of a bundle that is its own wrapper: the build writes `dist/*.cjs` as one function expression with Node's
 * CommonJS parameters (scripts/build.mjs, banner and footer), so that its text is compiled as read.
 */
export const CODE_CACHE_WRAPPER = '(function (exports, require, module, __filename, __dirname) {'

/** What a bundle's text evaluates to: the module function, called as Node's CommonJS loader calls its wrapper. */
type BundleFunction = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void

/**
 * The script text of a bundle: a pre-wrapped bundle as it is, any other CommonJS file inside the same wrapper as
 * Node's own loader (so it sees require, module and __filename as usual). Wrapping costs a second copy of the text:
 * V8 flattens the concatenation into a new string, which for the 1.7 MB app bundle is some 470 fresh pages.
 */
function wrappedSource(bytes: Buffer): string {
  if (isPreWrapped(bytes)) return bytes.toString('utf8')
  return `${CODE_CACHE_WRAPPER}${bytes.toString('utf8').replace(/^#!.*/, '')}\n})`
}

function isPreWrapped(bytes: Buffer): boolean {
  return bytes.subarray(0, CODE_CACHE_WRAPPER.length).toString('latin1') === CODE_CACHE_WRAPPER
}

/**
 * Loads a bundle through Node's own CommonJS compiler, which registers its source map (`--enable-source-maps`). A
 * pre-wrapped bundle is a function expression, which as a module body would only be evaluated and dropped: it is
 * compiled as `return <function>` (the banner sits alone on the first line, so no mapped column moves) and called.
 */
function requireWithSourceMaps<T>(file: string): T {
  const require = createRequire(file)
  const bytes = readFileSync(file)
  if (!isPreWrapped(bytes)) return require(file) as T
  const Module = require('node:module') as typeof import('node:module') & { _nodeModulePaths(dir: string): string[] }
  const module = new Module(file) as InstanceType<typeof Module> & { _compile(source: string, filename: string): unknown }
  module.filename = file
  module.paths = Module._nodeModulePaths(dirname(file))
  const run = module._compile(`return ${bytes.toString('utf8')}`, file) as BundleFunction
  run(module.exports, require, module, file, dirname(file))
  return module.exports as T
}

/** Caches kept per bundle name: a few builds or Node versions side by side (two checkouts, an upgrade) without thrashing. */
const KEPT_PER_BUNDLE = 4

/**
 * Each build writes a cache under a new name (a new content hash), so without pruning a developer's `npm start`
 * loop would leave 1–1.5 MB behind per build. Keeps the newest {@link KEPT_PER_BUNDLE} of this bundle's caches.
 */
function pruneOlderCaches(written: string, bundleName: string): void {
  const dir = dirname(written)
  const caches = readdirSync(dir)
    .filter((name) => name.startsWith(`${bundleName}-`) && name.endsWith('.bin'))
    .map((name) => ({ path: join(dir, name), mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)
  for (const old of caches.slice(KEPT_PER_BUNDLE)) if (old.path !== written) rmSync(old.path, { force: true })
}

/** Why `dir` must not hold a code cache, or undefined when it may (creating it, owner-only, if missing). */
function unusableDirectory(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const stat = lstatSync(dir)
    if (!stat.isDirectory()) return 'not a directory (or a symbolic link)'
    const uid = process.getuid?.()
    if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) return 'owned by another user'
    if (process.platform !== 'win32' && (stat.mode & 0o022) !== 0) return 'writable by other users'
    return undefined
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'cannot be created'
  }
}

function readIfPresent(file: string, buffer: Buffer): Buffer | undefined {
  try {
    return readInto(file, buffer)
  } catch {
    return undefined
  }
}
