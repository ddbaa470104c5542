/**
 * `npm start` builds only when it must (scripts/start.mjs → scripts/ensure-build.mjs, then the CLI in the same
 * process): in a copy of the project, the first run builds dist/ with esbuild and stamps it, the next one leaves it
 * alone, a changed source rebuilds, and `start:prod` (`--no-build`) never builds: without dist/ it stops with a
 * message that says how to get one. Also the npm scripts that wire it up.
 */
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const exec = promisify(execFile)

describe('ensure-build', { timeout: 120_000 }, () => {
  const copy = mkdtempSync(join(tmpdir(), 'facade-ensure-build-'))
  for (const item of ['src', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json']) cpSync(join(root, item), join(copy, item), { recursive: true })
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir')
  afterAll(() => rmSync(copy, { recursive: true, force: true }))

  /** `node scripts/start.mjs [--no-build] --version`: the CLI answers its version once dist/ is there. */
  const ensure = (...args: string[]) =>
    exec(process.execPath, [join(copy, 'scripts/start.mjs'), ...args, '--version'], { cwd: copy }).then(
      ({ stdout, stderr }) => {
        expect(stdout).toMatch(/^mcp-rest-facade \d+\.\d+\.\d+\n$/)
        return { code: 0, stderr }
      },
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    )
  const builtAt = () => statSync(join(copy, 'dist/app.cjs')).mtimeMs

  it('start:prod without dist/ says how to build, and builds nothing', async () => {
    const result = await ensure('--no-build')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/dist\/ is missing: build it first with `npm ci && npm run build`/)
  })

  it('builds once, then skips while the sources are unchanged, and rebuilds after a change', async () => {
    const first = await ensure()
    expect(first).toEqual({ code: 0, stderr: 'mcp-rest-facade: building dist/ (esbuild)\n' })
    expect(readFileSync(join(copy, 'dist/.build-stamp'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/)
    const at = builtAt()

    expect(await ensure()).toEqual({ code: 0, stderr: '' })
    expect(builtAt()).toBe(at)

    const file = join(copy, 'src/log.ts')
    writeFileSync(file, readFileSync(file, 'utf8') + '\n// changed\n')
    expect((await ensure('--no-build')).stderr).toMatch(/dist\/ is older than the sources \(not rebuilt: start:prod never builds\)/)
    expect(builtAt()).toBe(at)
    expect(await ensure()).toEqual({ code: 0, stderr: 'mcp-rest-facade: sources changed since the last build: building dist/ (esbuild)\n' })
    expect(builtAt()).toBeGreaterThan(at)
  })

  it('is what npm start, npm run cli and start:prod run; the build does not type-check', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(scripts.start).toBe('node scripts/start.mjs')
    expect(scripts.cli).toBe('node scripts/start.mjs')
    expect(scripts['start:prod']).toBe('node scripts/start.mjs --no-build')
    expect(Object.keys(scripts).filter((name) => name.startsWith('pre') && name !== 'prepack')).toEqual([])
    expect(scripts.build).toBe('node scripts/build.mjs')
    expect(scripts.test).toMatch(/^tsc -p tsconfig\.json --noEmit && /)
  })
})
