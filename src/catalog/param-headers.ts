/**
 * @module catalog/param-headers
 * SEP-2243 (MCP 2026-07-28, Streamable HTTP "Custom Headers from Tool Parameters"): reads a tool's `x-mcp-header`
 * annotations, decides whether they are valid, and encodes argument values into `Mcp-Param-{Name}` headers.
 * Pure functions on plain JSON: no SDK, no I/O. The rules follow the 2026-07-28 transport page, which is stricter
 * than the SEP's first text (it drops `number` and requires a static `properties` chain).
 */
import type { JsonSchema, ParamHeader } from './types.js'

// The annotation type lives in catalog/types (a CatalogTool carries it); re-exported for the header code's users.
export type { ParamHeader } from './types.js'

/** The schema extension keyword. */
export const X_MCP_HEADER = 'x-mcp-header'
/** Every mirrored header is named `Mcp-Param-{x-mcp-header value}`. */
export const PARAM_HEADER_PREFIX = 'Mcp-Param-'

/** The verdict on a tool's input schema. */
export type ParamHeaderScan = { valid: true; headers: ParamHeader[] } | { valid: false; reason: string }

/** RFC 9110 §5.1 `token` (`1*tchar`); it excludes controls (CR, LF, tab), space, non-ASCII and delimiters like `:`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** "MUST only be applied to parameters with primitive types (integer, string, boolean). Parameters with type `number` are not permitted." */
const PRIMITIVE_TYPES = new Set(['string', 'integer', 'boolean'])

/**
 * Subschema keywords outside the static `properties` chain. An annotation under any of them makes the tool invalid:
 * "The chain MUST NOT pass through `items` (or any other array keyword), composition keywords, conditional keywords, or
 * `$ref`." Keywords whose value is a map of named subschemas are listed separately.
 */
const SINGLE_OR_LIST_KEYWORDS = [
  'items',
  'prefixItems',
  'additionalItems',
  'contains',
  'unevaluatedItems',
  'additionalProperties',
  'unevaluatedProperties',
  'propertyNames',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
]
const MAP_KEYWORDS = ['patternProperties', 'dependentSchemas', '$defs', 'definitions']

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v)

/** JSON pointer of a schema location, for reasons a reader can find in the schema. */
const pointer = (segments: string[]) => (segments.length ? '/' + segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/') : '')

/**
 * Scans a tool's input schema for `x-mcp-header` annotations and checks every constraint of the 2026-07-28
 * Streamable HTTP transport. Returns the annotations, or the first violated constraint as a reason that names the
 * schema location (a JSON pointer into `inputSchema`).
 */
export function scanParamHeaders(inputSchema: JsonSchema): ParamHeaderScan {
  const headers: ParamHeader[] = []
  const seen = new Map<string, string>()

  /**
   * @param at schema location (JSON pointer segments) for the reason text
   * @param path argument path when the node is statically reachable through `properties` only, else undefined
   */
  const visit = (node: unknown, at: string[], path: string[] | undefined): string | undefined => {
    if (!isObject(node)) return undefined
    if (X_MCP_HEADER in node) {
      const where = pointer(at) || '/'
      if (!path || path.length === 0)
        return `x-mcp-header at ${where} is not on a property reachable from the schema root through "properties" only`
      const name = node[X_MCP_HEADER]
      if (typeof name !== 'string' || name.length === 0) return `x-mcp-header at ${where} is empty`
      if (!TOKEN.test(name))
        return `x-mcp-header ${JSON.stringify(name)} at ${where} has characters outside the HTTP token set (RFC 9110 tchar)`
      const type = node.type
      if (typeof type !== 'string' || !PRIMITIVE_TYPES.has(type))
        return `x-mcp-header ${JSON.stringify(name)} at ${where} is on a property of type ${JSON.stringify(type ?? null)}; only string, integer or boolean properties may be mirrored`
      const prior = seen.get(name.toLowerCase())
      if (prior !== undefined)
        return `x-mcp-header ${JSON.stringify(name)} at ${where} duplicates ${JSON.stringify(prior)} (names are compared ignoring case)`
      seen.set(name.toLowerCase(), name)
      headers.push({ name, path, type: type as ParamHeader['type'] })
    }
    if (isObject(node.properties)) {
      for (const [key, child] of Object.entries(node.properties)) {
        const fault = visit(child, [...at, 'properties', key], path ? [...path, key] : undefined)
        if (fault) return fault
      }
    }
    for (const keyword of SINGLE_OR_LIST_KEYWORDS) {
      const sub = node[keyword]
      const branches: [unknown, string[]][] = Array.isArray(sub) ? sub.map((s, i) => [s, [...at, keyword, String(i)]]) : [[sub, [...at, keyword]]]
      for (const [branch, where] of branches) {
        const fault = visit(branch, where, undefined)
        if (fault) return fault
      }
    }
    for (const keyword of MAP_KEYWORDS) {
      const sub = node[keyword]
      if (!isObject(sub)) continue
      for (const [key, branch] of Object.entries(sub)) {
        const fault = visit(branch, [...at, keyword, key], undefined)
        if (fault) return fault
      }
    }
    return undefined
  }

  const fault = visit(inputSchema, [], [])
  return fault ? { valid: false, reason: fault } : { valid: true, headers }
}

const SENTINEL_PREFIX = '=?base64?'
const SENTINEL_SUFFIX = '?='

/**
 * True when a text is safe as a plain header value: visible ASCII and inner spaces only, no leading or trailing
 * space or tab (HTTP parsers trim them), no controls, and not itself shaped like the base64 sentinel.
 */
function isPlainSafe(text: string): boolean {
  if (text.startsWith(SENTINEL_PREFIX) && text.endsWith(SENTINEL_SUFFIX)) return false
  // Tabs are legal inside field values but the spec's encoding rules treat them as whitespace/controls: encode.
  return /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/.test(text)
}

/** Encodes a text as a header value: as-is when plain-safe, else `=?base64?{base64 of UTF-8}?=`. */
export function encodeHeaderValue(text: string): string {
  return isPlainSafe(text) ? text : `${SENTINEL_PREFIX}${Buffer.from(text, 'utf8').toString('base64')}${SENTINEL_SUFFIX}`
}

/** A value that cannot be mirrored although the schema allows it (an integer beyond JavaScript's safe range). */
export interface ParamHeaderValueProblem {
  /** JSON pointer into the arguments. */
  pointer: string
  message: string
}

/** The headers of one call, or the arguments that cannot be mirrored. */
export type ParamHeaderValues = { headers: Record<string, string>; problems: ParamHeaderValueProblem[] }

function valueAt(args: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = args
  for (const key of path) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined
    node = node[key]
  }
  return node
}

/**
 * Builds the `Mcp-Param-*` headers of one `tools/call` from the tool's annotations and its (validated) arguments.
 * Absent and null values are omitted ("Parameter value is null: client MUST omit the header"). Integers are sent in
 * decimal, booleans as `true`/`false`. An integer outside ±(2^53−1) is a problem ("Integer values MUST be within the
 * safe range for JavaScript"): the caller answers 400 rather than let the vendor reject a header it cannot match.
 */
export function paramHeaderValues(annotations: readonly ParamHeader[], args: Record<string, unknown>): ParamHeaderValues {
  const headers: Record<string, string> = {}
  const problems: ParamHeaderValueProblem[] = []
  for (const annotation of annotations) {
    const value = valueAt(args, annotation.path)
    if (value === undefined || value === null) continue
    let text: string
    if (typeof value === 'string') text = value
    else if (typeof value === 'boolean') text = value ? 'true' : 'false'
    else if (typeof value === 'number' && Number.isInteger(value)) {
      if (!Number.isSafeInteger(value)) {
        problems.push({ pointer: pointer(annotation.path), message: 'must be an integer between -(2^53-1) and 2^53-1 to be sent in a header' })
        continue
      }
      text = String(value)
    } else continue // validation already rejected other shapes; never send a malformed header
    headers[PARAM_HEADER_PREFIX + annotation.name] = encodeHeaderValue(text)
  }
  return { headers, problems }
}
