/**
 * @module http/openapi-schema
 * Places a vendor JSON Schema inside an OpenAPI 3.1 document. OpenAPI 3.1 speaks JSON Schema 2020-12, so
 * the schema is kept as written, except that local references (`#/$defs/X`, `#/definitions/X`, `#`) would
 * point at the document root once embedded: they are rewritten to component references.
 */

type Json = unknown

/** The relocated schema: the root and the components to register beside it. */
export interface RelocatedSchema {
  root: Record<string, unknown>
  components: Record<string, Record<string, unknown>>
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1')
const unescapePointer = (s: string) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~')

/**
 * Moves `$defs`/`definitions` into components named `{prefix}_{name}` and rewrites local refs.
 * @param prefix unique per tool, e.g. the operationId plus `Input`
 */
export function relocateSchema(schema: Record<string, unknown>, prefix: string): RelocatedSchema {
  const components: Record<string, Record<string, unknown>> = {}
  const defsKeys = ['$defs', 'definitions'] as const
  const componentName = (bucket: string, name: string) => `${prefix}_${bucket === '$defs' ? '' : 'd_'}${name.replace(/[^A-Za-z0-9._-]/g, '_')}`

  const rewrite = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(rewrite)
    if (!node || typeof node !== 'object') return node
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out[k] = rewriteRef(v)
      else if (k === '$schema' || k === '$id') continue
      else out[k] = rewrite(v)
    }
    return out
  }
  const rewriteRef = (ref: string): string => {
    if (ref === '#') return `#/components/schemas/${prefix}`
    const m = /^#\/(\$defs|definitions)\/([^/]+)(\/.*)?$/.exec(ref)
    if (m) return `#/components/schemas/${escapePointer(componentName(m[1]!, unescapePointer(m[2]!)))}${m[3] ?? ''}`
    if (ref.startsWith('#/')) return `#/components/schemas/${prefix}${ref.slice(1)}`
    return ref
  }

  const root: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(schema)) {
    if ((defsKeys as readonly string[]).includes(k) && v && typeof v === 'object') {
      for (const [name, def] of Object.entries(v as Record<string, unknown>)) components[componentName(k, name)] = rewrite(def) as Record<string, unknown>
    } else if (k !== '$schema' && k !== '$id') root[k] = rewrite(v)
  }
  return { root, components }
}
