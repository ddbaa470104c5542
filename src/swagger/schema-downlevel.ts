/**
 * @module swagger/schema-downlevel
 * JSON Schema (draft-07, 2019-09, 2020-12, as MCP vendors send it) → Swagger 2.0 Schema Object that Power
 * Platform imports (rulebook §1.5, §1.6, §1.7, §8.4). Pure; never throws; every loss is reported in `notes`.
 *
 * | # | Vendor construct | Swagger 2.0 output |
 * |---|------------------|--------------------|
 * | 1 | `$ref` (`#/$defs/…`, `#/definitions/…`, `#`, `~0`/`~1`, `%xx`, `#anchor`) | inlined; no `$ref` is ever emitted |
 * | 2 | a `$ref` already being expanded by an ancestor (recursion) | free-form placeholder, description says where it was cut: input `{type:object}`; output `{type:object}` when the target is an object, else no type |
 * | 3 | objects at depth >= `maxDepth` (8; depth = property/items hops from the root) | `{type:object}` without properties, description says it was cut |
 * | 4 | arrays at depth > `maxDepth` | their `items` become a free-form placeholder: input `{type:object}`, output no type |
 * | 5 | `allOf` (and `$ref` with sibling keywords) | one schema: properties united, `required` united, first annotation wins (own keywords first) |
 * | 6 | `anyOf`/`oneOf` with a `null` branch, `type: [T, "null"]`, `enum`/`const` with `null` | the non-null branch with `x-nullable: true` |
 * | 7 | union of objects | one object: properties united; a property is required only if required in every branch |
 * | 8 | union of scalars | one type: same type kept (enums united); integer+number → number; otherwise string; variants in the description |
 * | 9 | union of T and T[] | array of T |
 * | 9a | union of objects and scalars (`object` or `string`) | the object with its properties; the scalar forms named in the description |
 * | 10 | other unions (mixed) | input: free-form `{type:object}`; output: no type; variants in the description |
 * | 11 | no type information at all (`{}`, `true`, missing `items`) | input: `{type:string}` (the value is passed through as given); output: no type (any JSON) |
 * | 12 | `const: v` | `enum: [v]` and `default: v` |
 * | 13 | `type: [A, B]` | one type, via the union rules |
 * | 14 | numeric `exclusiveMinimum: n` / `exclusiveMaximum: n` | `minimum: n, exclusiveMinimum: true` (the stricter bound wins when `minimum` is also set); boolean forms kept only next to `minimum`/`maximum` |
 * | 15 | `format` outside the allowed list (per type) | `url`, `iri`, `uri-reference`, `iri-reference` → `uri`; `guid` → `uuid`; `idn-email` → `email`; others dropped and named in the description |
 * | 16 | tuple `prefixItems` / draft-07 array `items` (+ `items`/`additionalItems`) | one `items`: the union of the tuple's schemas |
 * | 17 | `$schema`, `$id`, `$defs`, `definitions`, `not`, `patternProperties`, `propertyNames`, `dependencies`, `dependentRequired`, `dependentSchemas`, `if`/`then`/`else`, `contains`, `unevaluated*`, `contentEncoding`, `contentMediaType`, `deprecated` (→ "Deprecated." in the description), `readOnly`, `writeOnly`, `title` (→ `x-ms-summary`), `nullable`, every `x-*` key, unknown keys | dropped |
 * | 18 | `examples: [a, …]` / `example` | `example: a` when it is a scalar of the right type |
 * | 19 | `required` | only on objects, only naming emitted properties (safe names), only when non-empty, no duplicates |
 * | 20 | `enum` | only on scalars, only values of the type, no duplicates, only when non-empty |
 * | 21 | `default` | only when it matches the type (and the enum); object defaults are dropped |
 * | 22 | bounds | kept only for their type and when consistent (min <= max, non-negative lengths, `multipleOf` > 0, valid `pattern`) |
 * | 23 | every property | `x-ms-summary` (Title Case of the `title` or the name, <= 80 chars, letters/digits/spaces/parentheses) and a `description` sentence ending with `.` (synthesized when missing) |
 * | 24 | property names with `/ . @ : $`, whitespace, non-ASCII … | renamed by {@link safePropertyNames}; the vendor name is quoted in the description; the runtime maps names back with {@link restoreVendorPropertyNames} |
 * | 25 | size | `schemaCount` counts every node; a note is added above 512 (rulebook H-12) |
 */

import type { JsonSchema } from '../catalog/types.js'
import { mapFormat } from './format-map.js'
import { safePropertyNames } from './property-names.js'
import { countSchemas, MAX_SCHEMAS_PER_BODY } from './schema-count.js'
import { matchesType, normalizeSchema, type NormalSchema } from './schema-normalize.js'
import { escapeNonAscii, toAscii, toLabel, toSentence } from './text-rules.js'
import type { Swagger2Schema } from './types.js'

export { safePropertyNames, isSafePropertyName } from './property-names.js'
export { restoreVendorPropertyNames, applyConnectorPropertyNames } from './property-restore.js'

/** Default nesting limit (rulebook H-13 keeps depth <= 8; the platform's exact value is unpublished). */
export const DEFAULT_MAX_DEPTH = 8

/** Options of {@link downlevelSchema}. */
export interface DownlevelOptions {
  /** `input` (request body, default) or `output` (response): decides how free-form values are typed. */
  direction?: 'input' | 'output'
  /** Depth at which objects stop being expanded (default 8). */
  maxDepth?: number
  /** Depth of the schema's root inside the final document (e.g. 1 when it becomes a property of an envelope). */
  startDepth?: number
  /** Document that `$ref`s resolve against (default: the schema itself). */
  root?: JsonSchema
}

/** Result of {@link downlevelSchema}. */
export interface DownlevelResult {
  schema: Swagger2Schema
  /** One line per construct that was dropped or approximated, prefixed with its position. */
  notes: string[]
  /** Number of schema nodes (rulebook H-12 allows 512 per body). */
  schemaCount: number
}

/** Key order of emitted schemas, so documents are stable and readable. */
const KEY_ORDER = [
  'type',
  'format',
  'x-ms-summary',
  'description',
  'enum',
  'default',
  'multipleOf',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'x-nullable',
  'example',
]

interface PropertyLabel {
  /** Vendor property name. */
  name: string
  /** Safe name when it differs from the vendor name. */
  renamedTo?: string
}

/**
 * Converts a vendor JSON Schema into a Swagger 2.0 schema (rules in the module table).
 * @returns the schema, the notes on every loss, and the schema count
 */
export function downlevelSchema(schema: JsonSchema | boolean, options: DownlevelOptions = {}): DownlevelResult {
  const direction = options.direction ?? 'input'
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH
  const root: JsonSchema = options.root ?? (typeof schema === 'object' ? schema : {})
  const notes: string[] = []

  const convert = (raw: unknown, depth: number, stack: ReadonlySet<string>, path: string, label?: PropertyLabel): Swagger2Schema => {
    const where = path === '' ? '/' : path
    const n = normalizeSchema(raw, { root, stack, note: (m) => notes.push(`${where}: ${m}`) })
    const childStack = new Set([...stack, ...n.refs])
    const out: Record<string, unknown> = {}
    const sentences = [...n.extra]

    switch (n.kind) {
      case 'cut': {
        notes.push(`${where}: recursive reference ${n.target} was cut`)
        if (direction === 'input' || n.declaredObject) out.type = 'object'
        sentences.push(`Recursive structure (${n.target}) cut here; pass it as a JSON object.`)
        break
      }
      case 'null':
      case 'any': {
        if (direction === 'input') out.type = n.kind === 'any' && n.mixed ? 'object' : 'string'
        if (n.kind === 'null') sentences.push('Always null.')
        break
      }
      case 'object': {
        out.type = 'object'
        if (depth >= maxDepth && (n.properties.size > 0 || typeof n.additionalProperties === 'object')) {
          notes.push(`${where}: object nested ${depth} levels deep was cut`)
          sentences.push(`Nested more than ${maxDepth} levels deep; pass it as a JSON object.`)
          break
        }
        const names = safePropertyNames(n.properties.keys())
        const properties: Record<string, Swagger2Schema> = {}
        for (const [name, child] of n.properties) {
          const safe = names.get(name)!
          if (safe !== name) notes.push(`${where}: property "${escapeNonAscii(name)}" renamed to "${safe}"`)
          properties[safe] = convert(child, depth + 1, childStack, `${path}/properties/${safe}`, {
            name,
            renamedTo: safe === name ? undefined : safe,
          })
        }
        if (Object.keys(properties).length > 0) out.properties = properties
        const required = n.required.filter((r) => n.properties.has(r)).map((r) => names.get(r)!)
        if (required.length < n.required.length) notes.push(`${where}: required names without a property were dropped`)
        if (required.length > 0) out.required = required
        if (n.additionalProperties === false || n.additionalProperties === true) out.additionalProperties = n.additionalProperties
        else if (typeof n.additionalProperties === 'object' && n.additionalProperties !== null) {
          out.additionalProperties = convert(n.additionalProperties, depth + 1, childStack, `${path}/additionalProperties`)
        }
        objectBounds(n.keywords, out, where, notes)
        break
      }
      case 'array': {
        out.type = 'array'
        if (depth > maxDepth) {
          notes.push(`${where}: items of an array nested ${depth} levels deep were cut`)
          out.items = direction === 'input' ? { type: 'object', description: `Nested more than ${maxDepth} levels deep; pass it as a JSON object.` } : {}
        } else if (n.items === undefined) {
          notes.push(`${where}: array without items got free-form items`)
          out.items = direction === 'input' ? { type: 'string' } : {}
        } else {
          out.items = convert(n.items, depth + 1, childStack, `${path}/items`)
        }
        arrayBounds(n.keywords, out, where, notes)
        break
      }
      case 'scalar': {
        out.type = n.type
        const format = n.keywords.format
        if (typeof format === 'string') {
          const mapped = mapFormat(n.type, format)
          if (mapped) out.format = mapped
          else {
            notes.push(`${where}: format "${format}" was dropped`)
            sentences.push(`Format: ${format}.`)
          }
        }
        if (n.enumValues) out.enum = n.enumValues
        if (n.type === 'string') stringBounds(n.keywords, out, where, notes)
        if (n.type === 'number' || n.type === 'integer') numberBounds(n.keywords, out, where, notes)
        break
      }
    }

    if (n.nullable) out['x-nullable'] = true
    applyDefaultAndExample(n, out, where, notes)

    // description: the vendor's (or a synthesized one for properties), then the sentences the conversion added
    const pieces: string[] = []
    if (label) {
      out['x-ms-summary'] = toLabel(n.title ?? label.name, toLabel(label.renamedTo ?? '', 'Value'))
      pieces.push(toSentence(n.description, `The ${out['x-ms-summary'] as string} field.`, 800))
      if (label.renamedTo) sentences.push(`Vendor field name: "${escapeNonAscii(label.name)}".`)
    } else if (n.description !== undefined && /[A-Za-z]/.test(toAscii(n.description))) {
      pieces.push(toSentence(n.description, '', 800))
    }
    for (const sentence of sentences) pieces.push(toSentence(sentence, sentence))
    if (pieces.length > 0) out.description = [...new Set(pieces)].join(' ')
    return ordered(out)
  }

  const schemaOut = convert(schema, options.startDepth ?? 0, new Set(['#']), '')
  const schemaCount = countSchemas(schemaOut)
  if (schemaCount > MAX_SCHEMAS_PER_BODY) notes.push(`/: ${schemaCount} schemas exceed the limit of ${MAX_SCHEMAS_PER_BODY} per body`)
  return { schema: schemaOut, notes, schemaCount }
}

function ordered(record: Record<string, unknown>): Swagger2Schema {
  const out: Record<string, unknown> = {}
  for (const key of KEY_ORDER) if (record[key] !== undefined) out[key] = record[key]
  return out as Swagger2Schema
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0
}

/** Copies `min*`/`max*` pairs that are non-negative integers with min <= max; drops inconsistent pairs. */
function countBounds(keywords: Record<string, unknown>, out: Record<string, unknown>, min: string, max: string, where: string, notes: string[]): void {
  const lo = isNonNegativeInteger(keywords[min]) ? keywords[min] : undefined
  const hi = isNonNegativeInteger(keywords[max]) ? keywords[max] : undefined
  if (lo !== undefined && hi !== undefined && lo > hi) {
    notes.push(`${where}: ${min} > ${max}; both dropped`)
    return
  }
  if (lo !== undefined) out[min] = lo
  if (hi !== undefined) out[max] = hi
}

function objectBounds(keywords: Record<string, unknown>, out: Record<string, unknown>, where: string, notes: string[]): void {
  countBounds(keywords, out, 'minProperties', 'maxProperties', where, notes)
}

function arrayBounds(keywords: Record<string, unknown>, out: Record<string, unknown>, where: string, notes: string[]): void {
  countBounds(keywords, out, 'minItems', 'maxItems', where, notes)
  if (typeof keywords.uniqueItems === 'boolean' && keywords.uniqueItems) out.uniqueItems = true
}

function stringBounds(keywords: Record<string, unknown>, out: Record<string, unknown>, where: string, notes: string[]): void {
  countBounds(keywords, out, 'minLength', 'maxLength', where, notes)
  const pattern = keywords.pattern
  if (typeof pattern === 'string') {
    try {
      new RegExp(pattern, 'u')
      out.pattern = pattern
    } catch {
      notes.push(`${where}: invalid pattern was dropped`)
    }
  }
}

/** Numeric bounds, with draft-06+ numeric exclusive bounds turned into draft-04 booleans (rule 14). */
function numberBounds(keywords: Record<string, unknown>, out: Record<string, unknown>, where: string, notes: string[]): void {
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
  const bound = (plain: string, exclusive: string, stricter: (a: number, b: number) => boolean) => {
    const value = num(keywords[plain])
    const ex = keywords[exclusive]
    if (num(ex) !== undefined) {
      const exValue = num(ex)!
      // the exclusive bound wins unless the inclusive one is strictly tighter
      if (value === undefined || !stricter(value, exValue)) return { value: exValue, exclusive: true }
      return { value, exclusive: false }
    }
    if (ex === true && value !== undefined) return { value, exclusive: true }
    return value === undefined ? undefined : { value, exclusive: false }
  }
  const lo = bound('minimum', 'exclusiveMinimum', (a, b) => a > b)
  const hi = bound('maximum', 'exclusiveMaximum', (a, b) => a < b)
  const multipleOf = num(keywords.multipleOf)
  if (multipleOf !== undefined && multipleOf > 0) out.multipleOf = multipleOf
  if (lo && hi && (lo.value > hi.value || (lo.value === hi.value && (lo.exclusive || hi.exclusive)))) {
    notes.push(`${where}: minimum above maximum; both dropped`)
    return
  }
  if (lo) {
    out.minimum = lo.value
    if (lo.exclusive) out.exclusiveMinimum = true
  }
  if (hi) {
    out.maximum = hi.value
    if (hi.exclusive) out.exclusiveMaximum = true
  }
}

/** Keeps `default`/`example` only when they fit the emitted type and enum (rules 18, 21). */
function applyDefaultAndExample(n: NormalSchema, out: Record<string, unknown>, where: string, notes: string[]): void {
  const fits = (value: unknown): boolean => {
    if (value === null || value === undefined) return false
    const type = out.type as string | undefined
    if (type === 'object') return false
    if (type === 'array') return Array.isArray(value) && value.every((v) => v !== null && typeof v !== 'object')
    if (type === undefined) return typeof value !== 'object'
    if (!matchesType(value, type)) return false
    const values = out.enum as unknown[] | undefined
    return values === undefined || values.some((v) => v === value)
  }
  if (n.defaultValue) {
    if (fits(n.defaultValue.value)) out.default = n.defaultValue.value
    else if (n.defaultValue.value !== null) notes.push(`${where}: default that does not match the type was dropped`)
  }
  if (n.example && fits(n.example.value)) out.example = n.example.value
}
