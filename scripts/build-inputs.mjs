/**
 * @module scripts/build-inputs
 * The fingerprint of what `dist/` is built from: a SHA-256 over the contents of `src/`, the build script and the
 * files that decide what gets bundled (package.json, package-lock.json, tsconfig.json). `scripts/build.mjs` writes
 * it to `dist/.build-stamp`; `scripts/ensure-build.mjs` (npm start) rebuilds only when it differs.
 *
 * Why contents, not modification times: a `git checkout` or a fresh clone gives every file a new mtime, and a
 * restore from a cache an old one; hashing the ~120 source files takes some 20 ms.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

/** Files and folders (relative to the package root) whose contents the bundle depends on. */
export const BUILD_INPUTS = ['src', 'scripts/build.mjs', 'scripts/build-inputs.mjs', 'package.json', 'package-lock.json', 'tsconfig.json']

export const STAMP_FILE = '.build-stamp'

/** The files of `input` (a file or a folder, relative to `root`), as sorted package-relative paths. */
function filesOf(root, input) {
  const full = join(root, input)
  if (!existsSync(full)) return []
  if (!statSync(full).isDirectory()) return [input]
  return readdirSync(full, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)).split(sep).join('/'))
}

/** The fingerprint of the build inputs under `root`, or undefined when `root` holds no sources (an installed package). */
export function buildFingerprint(root) {
  if (!existsSync(join(root, 'src'))) return undefined
  const hash = createHash('sha256')
  for (const file of BUILD_INPUTS.flatMap((input) => filesOf(root, input)).sort()) {
    hash.update(file + '\0')
    hash.update(readFileSync(join(root, file)))
    hash.update('\0')
  }
  return hash.digest('hex')
}
