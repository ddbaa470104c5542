/**
 * @module swagger/ref-resolver
 * Resolves the `$ref`s found in a vendor's JSON Schema against that same schema document: JSON pointers
 * (`#/$defs/A`, `#/definitions/A`, `#` for the root, with `~0`/`~1` and percent-encoding), plain-name anchors
 * (`#foo` via `$anchor`, `$dynamicAnchor` or a draft-07 `$id: "#foo"`), and absolute refs whose base is the root's
 * own `$id`. Anything else (another file, a URL) is reported as unresolvable; MCP tool schemas are self-contained.
 */

import type { JsonSchema } from '../catalog/types.js'

/** A resolved reference: the target and a canonical key that identifies it (used to detect recursion). */
export interface ResolvedRef {
  /** Canonical JSON pointer of the target, e.g. `#/$defs/Node` (anchors resolve to their pointer). */
  key: string
  target: unknown
}

const anchorCache = new WeakMap<object, Map<string, string>>()

/**
 * Resolves `ref` inside `root`.
 * @returns the target and its canonical pointer, or `undefined` when the reference cannot be resolved locally
 */
export function resolveRef(root: JsonSchema, ref: string): ResolvedRef | undefined {
  const hash = ref.indexOf('#')
  const base = hash === -1 ? ref : ref.slice(0, hash)
  const fragment = hash === -1 ? '' : ref.slice(hash + 1)
  if (base !== '' && !sameDocument(root, base)) return undefined
  let decoded: string
  try {
    decoded = decodeURIComponent(fragment)
  } catch {
    decoded = fragment
  }
  if (decoded === '') return { key: '#', target: root }
  if (decoded.startsWith('/')) return walkPointer(root, decoded)
  const pointer = anchors(root).get(decoded)
  return pointer === undefined ? undefined : walkPointer(root, pointer)
}

/** True when `base` names the root document itself (its `$id`, with or without a trailing `#`). */
function sameDocument(root: JsonSchema, base: string): boolean {
  const id = typeof root.$id === 'string' ? root.$id.replace(/#$/, '') : undefined
  return id !== undefined && id === base
}

/** Follows an RFC 6901 pointer (already percent-decoded). */
function walkPointer(root: JsonSchema, pointer: string): ResolvedRef | undefined {
  if (pointer === '') return { key: '#', target: root }
  const tokens = pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
  let node: unknown = root
  for (const token of tokens) {
    if (Array.isArray(node)) {
      if (!/^(?:0|[1-9][0-9]*)$/.test(token)) return undefined
      node = node[Number(token)]
    } else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, token)) {
      node = node[token]
    } else {
      return undefined
    }
    if (node === undefined) return undefined
  }
  return { key: '#' + encodePointer(tokens), target: node }
}

/** Canonical pointer spelling, so `#/$defs/a~1b` and `#/%24defs/a~1b` are recognised as the same target. */
function encodePointer(tokens: string[]): string {
  return tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('')
}

/** Index of plain-name anchors to the pointer of the schema that declares them. */
function anchors(root: JsonSchema): Map<string, string> {
  let index = anchorCache.get(root)
  if (index) return index
  index = new Map()
  const found = index
  const visit = (node: unknown, pointer: string[]) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => visit(child, [...pointer, String(i)]))
      return
    }
    if (!isObject(node)) return
    for (const key of ['$anchor', '$dynamicAnchor']) {
      const name = node[key]
      if (typeof name === 'string' && !found.has(name)) found.set(name, encodePointer(pointer))
    }
    const id = node.$id
    if (typeof id === 'string' && id.startsWith('#') && !found.has(id.slice(1))) {
      found.set(id.slice(1), encodePointer(pointer))
    }
    for (const [key, child] of Object.entries(node)) {
      // enum/const/default/examples hold data, not subschemas
      if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') continue
      visit(child, [...pointer, key])
    }
  }
  visit(root, [])
  anchorCache.set(root, index)
  return index
}

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
