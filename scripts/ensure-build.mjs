/**
 * @module scripts/ensure-build
 * Makes sure `dist/` is there and, in a clone, up to date with the sources: run by scripts/start.mjs (`npm start`,
 * `npm run cli`, `npm run start:prod`) before the CLI, or on its own (`node scripts/ensure-build.mjs [--no-build]`).
 *
 * - In a clone with dev dependencies: rebuilds (esbuild only, about a second) when the fingerprint of the sources
 *   differs from `dist/.build-stamp`, and does nothing otherwise, so a restart does not pay for a build.
 * - Without esbuild (`npm ci --omit=dev`) or with `--no-build` (`start:prod`): never builds; a missing `dist/` ends
 *   with a message that says how to get one instead of Node's "Cannot find module".
 * - In an installed package (no `src/`): `dist/` ships in the package; nothing to check but its presence.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildFingerprint, STAMP_FILE } from './build-inputs.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

function fail(message) {
  process.stderr.write(`mcp-rest-facade: ${message}\n`)
  process.exit(1)
}

function esbuildInstalled() {
  try {
    createRequire(import.meta.url).resolve('esbuild')
    return true
  } catch {
    return false
  }
}

/**
 * Builds `dist/` when it is missing or older than the sources (unless `noBuild`); exits the process with a message
 * when there is no `dist/` and none can be built.
 */
export async function ensureBuilt({ noBuild = false } = {}) {
  const built = existsSync(join(root, 'dist/cli.js'))
  const fingerprint = buildFingerprint(root)
  if (fingerprint === undefined) {
    if (!built) fail('dist/ is missing from this install: reinstall the package (its tarball ships dist/).')
    return
  }
  const stamp = built && existsSync(join(root, 'dist', STAMP_FILE)) ? readFileSync(join(root, 'dist', STAMP_FILE), 'utf8').trim() : undefined
  if (stamp === fingerprint) return
  if (!noBuild && esbuildInstalled()) {
    process.stderr.write(built ? 'mcp-rest-facade: sources changed since the last build: building dist/ (esbuild)\n' : 'mcp-rest-facade: building dist/ (esbuild)\n')
    await import('./build.mjs')
  } else if (!built) {
    fail(
      noBuild
        ? 'dist/ is missing: build it first with `npm ci && npm run build` (the build needs the dev dependencies), then `npm run start:prod`; or run `npm start`, which builds.'
        : 'dist/ is missing and this install has no dev dependencies to build it (npm ci --omit=dev): run `npm ci && npm run build` first (or `npm ci && npm start`), then `npm prune --omit=dev` if you want production dependencies only.',
    )
  } else {
    process.stderr.write('mcp-rest-facade: dist/ is older than the sources (not rebuilt: ' + (noBuild ? 'start:prod never builds' : 'esbuild is not installed') + '); `npm run build` refreshes it\n')
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await ensureBuilt({ noBuild: process.argv.includes('--no-build') })
