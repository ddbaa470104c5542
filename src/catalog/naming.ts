/**
 * @module catalog/naming
 * Deterministic names derived from vendor names: URL path slugs and PascalCase operation ids.
 * Both are pure functions of the sorted name list, so the same catalog always yields the same names
 * (connectors keep working across restarts), and collisions get a stable numeric suffix.
 */

const MAX_OPERATION_ID = 64

/**
 * Turns a vendor tool name into a URL path segment made of `[A-Za-z0-9._~-]` only.
 * Slashes, spaces and non-ASCII become `-`; an empty result becomes `tool`.
 * @example toSlug('crm/contacts.search') // 'crm-contacts.search'
 */
export function toSlug(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
  const slug = ascii.replace(/[^A-Za-z0-9._~-]+/g, '-').replace(/^-+|-+$/g, '')
  // '.' and '..' are path traversal segments that URL parsers collapse; never emit them.
  if (slug === '' || /^\.+$/.test(slug)) return 'tool'
  return slug
}

/**
 * Turns a vendor name into a PascalCase identifier `^[A-Z][A-Za-z0-9]*$` of at most 64 characters.
 * @example toPascalCase('get-weather_forecast') // 'GetWeatherForecast'
 */
export function toPascalCase(name: string, prefix = 'Op'): string {
  const ascii = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
  const words = ascii
    // split camelCase humps so 'getUser' becomes 'Get' 'User'
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
  let id = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')
  if (id === '') id = prefix
  if (!/^[A-Z]/.test(id)) id = prefix + id
  return id.slice(0, MAX_OPERATION_ID)
}

/**
 * Assigns unique names to a list of items. Items are processed in order of their original name, so
 * adding a tool never renames an existing tool whose base name did not collide.
 * @param names the original names (unique)
 * @param base derives the candidate name
 * @param maxLength cap applied before the collision suffix is added
 * @param caseInsensitive treat names differing only in case as colliding (Power Platform paths)
 * @returns a map from original name to unique derived name
 */
export function assignUniqueNames(
  names: readonly string[],
  base: (name: string) => string,
  maxLength = Infinity,
  caseInsensitive = true,
): Map<string, string> {
  const taken = new Set<string>()
  const result = new Map<string, string>()
  const key = (s: string) => (caseInsensitive ? s.toLowerCase() : s)
  for (const name of [...names].sort()) {
    const candidate = base(name).slice(0, maxLength)
    let unique = candidate
    for (let n = 2; taken.has(key(unique)); n++) {
      const suffix = String(n)
      unique = candidate.slice(0, maxLength - suffix.length) + suffix
    }
    taken.add(key(unique))
    result.set(name, unique)
  }
  return result
}

/** Reserved operation ids used by the facade's own operations; tool operation ids never take them. */
export const RESERVED_OPERATION_IDS = [
  'ListTools',
  'InvokeTool',
  'GetToolInputSchema',
  'GetToolOutputSchema',
  'CreateSession',
  'EndSession',
  'GetJob',
  'RefreshCatalog',
  'ListResources',
  'ListResourceTemplates',
  'ReadResource',
  'ListPrompts',
  'Health',
  'Ready',
] as const

/**
 * Slug and operationId for every tool, unique and stable.
 * Operation ids get a `Tool` prefix only when they would clash with a reserved facade operation.
 */
export function nameTools(names: readonly string[]): Map<string, { slug: string; operationId: string }> {
  const slugs = assignUniqueNames(names, toSlug, 128)
  const reserved = new Set(RESERVED_OPERATION_IDS.map((s) => s.toLowerCase()))
  const ids = assignUniqueNames(
    names,
    (n) => {
      const id = toPascalCase(n, 'Tool')
      return reserved.has(id.toLowerCase()) ? toPascalCase('Tool ' + n) : id
    },
    MAX_OPERATION_ID,
  )
  const out = new Map<string, { slug: string; operationId: string }>()
  for (const n of names) out.set(n, { slug: slugs.get(n)!, operationId: ids.get(n)! })
  return out
}

/** Slug and operationId for every prompt (`Prompt` prefix keeps them apart from tool operations). */
export function namePrompts(names: readonly string[]): Map<string, { slug: string; operationId: string }> {
  return namePrefixed(names, 'Prompt')
}

/** Slugs, and operation ids behind a prefix that keeps them apart from the tools' ids. */
function namePrefixed(names: readonly string[], prefix: string): Map<string, { slug: string; operationId: string }> {
  const slugs = assignUniqueNames(names, toSlug, 128)
  const ids = assignUniqueNames(names, (n) => prefix + toPascalCase(n, ''), MAX_OPERATION_ID)
  const out = new Map<string, { slug: string; operationId: string }>()
  for (const n of names) out.set(n, { slug: slugs.get(n)!, operationId: ids.get(n)! })
  return out
}

/**
 * Slug and operationId for every resource template, by its name (`Resource` prefix keeps them apart from tool and
 * prompt operations). Derived on demand: the REST route, the documents and the connector call it with the same list.
 */
export function nameResourceTemplates(names: readonly string[]): Map<string, { slug: string; operationId: string }> {
  return namePrefixed(names, 'Resource')
}
