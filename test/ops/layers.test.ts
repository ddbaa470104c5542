/**
 * Imports point down the layers (docs/layout.md): scripts/layers.mjs finds no upward import, folder cycle or file
 * cycle beyond the few it lists as known, and it does catch each kind in a small tree made to have them.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const script = fileURLToPath(new URL('../../scripts/layers.mjs', import.meta.url))
const src = fileURLToPath(new URL('../../src', import.meta.url))

/** The script's JSON report and exit code for a source folder. */
async function report(dir: string): Promise<{ code: number; upward: { from: string; to: string }[]; fileCycles: string[]; unranked: unknown[]; unknown: string[] }> {
  try {
    const { stdout } = await run(process.execPath, [script, dir, '--json'])
    return { code: 0, ...JSON.parse(stdout) }
  } catch (e) {
    const err = e as { code: number; stdout: string }
    return { code: err.code, ...JSON.parse(err.stdout) }
  }
}

describe('layers', () => {
  const dirs: string[] = []
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

  it('src/ has no import against the layer order beyond the known ones', async () => {
    const r = await report(src)
    expect(r.unknown).toEqual([])
    expect(r.upward).toEqual([])
    expect(r.unranked).toEqual([])
    expect(r.code).toBe(0)
  })

  it('reports an upward import, a file cycle and a folder missing from the order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layers-'))
    dirs.push(dir)
    const file = async (path: string, text: string) => {
      await mkdir(join(dir, path, '..'), { recursive: true })
      await writeFile(join(dir, path), text)
    }
    await file('errors/a.ts', "import type { B } from '../runtime/b.js'\nexport type A = B\n")
    await file('runtime/b.ts', "export type B = string\n")
    await file('catalog/x.ts', "import type { Y } from './y.js'\nexport type X = { y?: Y }\n")
    await file('catalog/y.ts', "import type { X } from './x.js'\nexport type Y = { x?: X }\n")
    await file('nowhere/z.ts', "export { } from '../catalog/x.js'\n")
    const r = await report(dir)
    expect(r.code).toBe(1)
    expect(r.upward).toEqual([expect.objectContaining({ from: 'errors/a.ts', to: 'runtime/b.ts' })])
    expect(r.fileCycles).toEqual(['catalog/x.ts <-> catalog/y.ts'])
    expect(r.unranked).toHaveLength(1)
  })
})
