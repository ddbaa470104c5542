#!/usr/bin/env node
/**
 * @module scripts/layers
 * Lists the imports between src/ folders ("rooms") that point up the layer order below, the folder cycles inside
 * one layer, and the files that import each other around a loop. `node scripts/layers.mjs [srcDir] [--json]`; exit code 1 when an upward import or a cycle is not
 * in KNOWN (the arrows left on purpose, each with its reason in docs/layout.md).
 * Reads import specifiers only (static, `export … from`, dynamic `import()`); type-only imports count too, since
 * they tie the rooms together just the same for a reader.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Lowest first. A room may import its own layer and the ones below; files at src/ root are rooms of their own. */
export const LAYERS = [
  ['log', 'security', 'telemetry'],
  ['upstream'],
  ['errors', 'config'],
  ['catalog', 'limits', 'metrics'],
  ['swagger', 'sessions'],
  ['identity'],
  ['auth'],
  ['runtime', 'interaction'],
  ['connector', 'mcp-endpoint', 'http'],
  ['server', 'app', 'cli', 'launch', 'demo'],
]

/**
 * Arrows kept on purpose (docs/layout.md says why): upward or cyclic imports as `from -> to`, file cycles as
 * `a <-> b`.
 */
export const KNOWN = [
  'http/app.ts -> mcp-endpoint/protected-resource.ts',
  'http/server-app.ts -> mcp-endpoint/route.ts',
  'mcp-endpoint/route.ts -> http/request.ts',
  'mcp-endpoint/route.ts -> http/caller-gone.ts',
  'mcp-endpoint/protected-resource.ts <-> mcp-endpoint/route.ts',
  'runtime/server-runtime.ts <-> runtime/tool-invocation.ts',
]

const rankOf = new Map(LAYERS.flatMap((rooms, i) => rooms.map((room) => [room, i])))

/** Every relative import: `{ from, to, fromRoom, toRoom }` with paths relative to srcDir. */
export function allImports(srcDir) {
  const root = resolve(srcDir)
  const files = []
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) walk(path)
      else if (path.endsWith('.ts')) files.push(path)
    }
  }
  walk(root)
  const roomOf = (path) => relative(root, path).split('/')[0].replace(/\.(ts|js)$/, '')
  const found = []
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm)) {
      const target = resolve(dirname(file), m[2]).replace(/\.js$/, '.ts')
      const fromRoom = roomOf(file)
      const toRoom = roomOf(target)
      found.push({ from: relative(root, file), to: relative(root, target), fromRoom, toRoom })
    }
  }
  return found
}

/** Groups of files that import each other, directly or around a loop (Tarjan's strongly connected components). */
export function fileCycles(imports) {
  const graph = new Map()
  for (const i of imports) {
    if (!graph.has(i.from)) graph.set(i.from, [])
    if (!graph.has(i.to)) graph.set(i.to, [])
    graph.get(i.from).push(i.to)
  }
  let next = 0
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const groups = []
  const visit = (v) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v)) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)))
    }
    if (low.get(v) !== index.get(v)) return
    const group = []
    let w
    do {
      w = stack.pop()
      onStack.delete(w)
      group.push(w)
    } while (w !== v)
    if (group.length > 1) groups.push(group.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return groups.map((g) => g.join(' <-> ')).sort()
}

/** Upward imports, imports from or to rooms missing in LAYERS, and same-layer room pairs that import each other. */
export function layerReport(srcDir) {
  const everything = allImports(srcDir)
  const imports = everything.filter((i) => i.fromRoom !== i.toRoom)
  const upward = []
  const unranked = []
  const sideways = new Map()
  for (const i of imports) {
    const a = rankOf.get(i.fromRoom)
    const b = rankOf.get(i.toRoom)
    if (a === undefined || b === undefined) unranked.push(i)
    else if (b > a) upward.push(i)
    else if (a === b) sideways.set(`${i.fromRoom} -> ${i.toRoom}`, [...(sideways.get(`${i.fromRoom} -> ${i.toRoom}`) ?? []), i])
  }
  const cycles = []
  for (const [pair, list] of sideways) {
    const [a, b] = pair.split(' -> ')
    if (sideways.has(`${b} -> ${a}`)) cycles.push(...list)
  }
  const key = (i) => `${i.from} -> ${i.to}`
  const files = fileCycles(everything)
  const unknown = [...[...upward, ...cycles, ...unranked].map(key), ...files].filter((k) => !KNOWN.includes(k))
  return { imports: imports.length, upward, cycles, unranked, fileCycles: files, unknown, key }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const srcDir = args.find((a) => !a.startsWith('--')) ?? 'src'
  const r = layerReport(srcDir)
  const line = (i) => `  ${r.key(i)}  [${i.fromRoom} (${rankOf.get(i.fromRoom) ?? '?'}) -> ${i.toRoom} (${rankOf.get(i.toRoom) ?? '?'})]${KNOWN.includes(r.key(i)) ? '  known' : ''}`
  if (args.includes('--json')) console.log(JSON.stringify({ ...r, key: undefined }, null, 2))
  else {
    console.log(`${r.imports} imports between rooms; layers (low to high): ${LAYERS.map((l) => l.join(' ')).join(' | ')}`)
    console.log(`upward: ${r.upward.length}`)
    r.upward.forEach((i) => console.log(line(i)))
    console.log(`same-layer cycles: ${r.cycles.length}`)
    r.cycles.forEach((i) => console.log(line(i)))
    console.log(`unranked: ${r.unranked.length}`)
    r.unranked.forEach((i) => console.log(line(i)))
    console.log(`file cycles: ${r.fileCycles.length}`)
    r.fileCycles.forEach((c) => console.log(`  ${c}${KNOWN.includes(c) ? '  known' : ''}`))
    if (r.unknown.length) console.log(`not in KNOWN: ${r.unknown.length}`)
  }
  process.exitCode = r.unknown.length ? 1 : 0
}
