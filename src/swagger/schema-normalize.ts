/**
 * @module swagger/schema-normalize
 * Reduces ONE node of a vendor JSON Schema to a single shape (object, array, scalar, any, null, or a recursion
 * cut): `$ref`s are followed, `allOf` parts are intersected, `anyOf`/`oneOf`/type-array unions are collapsed.
 * Child schemas (properties, items) are returned raw, so callers recurse with their own policy (depth cuts, data
 * walks). Both the Swagger down-converter and {@link restoreVendorPropertyNames} normalize through this module,
 * which is what guarantees they see the same property names at every object position.
 *
 * Union collapse (anyOf / oneOf / `type: [...]`), after removing `null` branches (they only set `nullable`):
 * | branches                                 | result                                                                  |
 * |------------------------------------------|-------------------------------------------------------------------------|
 * | one                                      | that branch                                                             |
 * | all objects                              | one object: properties united, required = required in every branch     |
 * | all arrays                               | one array whose items are the union of the branches' items             |
 * | scalars of one type                      | that type; `enum` united when every branch has one                      |
 * | integer and number only                  | number                                                                  |
 * | scalars of one type T + arrays of T      | array of T (the array form also accepts one value)                      |
 * | objects and scalars                      | the object (objects merged as above); the scalar forms in the description |
 * | other scalars                            | string; the variants listed in the description                          |
 * | anything else, or an unconstrained branch | any (free-form); the variants listed in the description                |
 *
 * Intersection (`allOf`, and `$ref` with sibling keywords): objects merge properties (a property defined twice
 * becomes `allOf` of both) and unite `required`; arrays intersect items; integer with number is integer;
 * annotations (description, title, default, example) come from the first part that has them, the node's own
 * keywords first, so a `{ "$ref": …, "description": … }` keeps its own description.
 */

import type { JsonSchema } from '../catalog/types.js'
import { isObject, resolveRef } from './ref-resolver.js'

/** JSON types that survive as a Swagger scalar. */
export type ScalarType = 'string' | 'number' | 'integer' | 'boolean'

interface Common {
  description?: string
  title?: string
  defaultValue?: { value: unknown }
  example?: { value: unknown }
  /** The node also accepts `null`. */
  nullable: boolean
  /** Sentences for the description (union variants, deprecation, dropped constructs). */
  extra: string[]
  /** Canonical keys of the `$ref`s expanded to build this node (children inherit them as the recursion stack). */
  refs: string[]
  /** Raw validation keywords (bounds, lengths, pattern, format, …) as the vendor wrote them, first part wins. */
  keywords: Record<string, unknown>
}

/** One vendor schema node reduced to a single shape. */
export type NormalSchema = Common &
  (
    | { kind: 'object'; properties: Map<string, unknown>; required: string[]; additionalProperties?: unknown }
    | { kind: 'array'; items?: unknown }
    | { kind: 'scalar'; type: ScalarType; enumValues?: unknown[] }
    | { kind: 'null' }
    | { kind: 'any'; /** True when a union of incompatible branches produced it (not a schema without type). */ mixed?: boolean }
    | { kind: 'cut'; target: string; declaredObject: boolean }
  )

/** Context of one normalization. */
export interface NormalizeContext {
  /** The whole vendor schema document (refs resolve against it). */
  root: JsonSchema
  /** Refs expanded by the ancestors of this node: meeting one again is recursion and yields a `cut`. */
  stack: ReadonlySet<string>
  /** Receives a message for every construct that was dropped or approximated. */
  note: (message: string) => void
}

/** Validation keywords carried in `keywords` (everything else is structure or annotation). */
const KEYWORDS = [
  'format',
  'multipleOf',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
] as const

const OBJECT_HINTS = [
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'dependentRequired',
  'dependentSchemas',
  'unevaluatedProperties',
]
const ARRAY_HINTS = ['items', 'prefixItems', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains']
const STRING_HINTS = ['minLength', 'maxLength', 'pattern', 'contentEncoding', 'contentMediaType']
const NUMBER_HINTS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']

/** Normalizes one node. Never throws; unresolvable or contradictory input degrades to `any` with a note. */
export function normalizeSchema(node: unknown, ctx: NormalizeContext): NormalSchema {
  return normalize(node, ctx, new Set())
}

function normalize(node: unknown, ctx: NormalizeContext, visiting: ReadonlySet<string>): NormalSchema {
  if (node === false) {
    ctx.note('a `false` schema (no value is valid) became free-form')
    return make('any')
  }
  if (!isObject(node)) return make('any')
  const parts: NormalSchema[] = [normalizeOwn(node, ctx, visiting)]
  const ref = typeof node.$ref === 'string' ? node.$ref : typeof node.$dynamicRef === 'string' ? node.$dynamicRef : undefined
  if (ref !== undefined) parts.push(followRef(ref, ctx, visiting))
  if (Array.isArray(node.allOf)) {
    for (const part of node.allOf) parts.push(normalize(part, ctx, visiting))
  }
  return parts.length === 1 ? parts[0]! : conjoin(parts, ctx)
}

function followRef(ref: string, ctx: NormalizeContext, visiting: ReadonlySet<string>): NormalSchema {
  const resolved = resolveRef(ctx.root, ref)
  if (!resolved) {
    ctx.note(`unresolvable $ref "${ref}" became free-form`)
    return make('any')
  }
  if (ctx.stack.has(resolved.key) || visiting.has(resolved.key)) {
    return make('cut', { target: resolved.key, declaredObject: declaresObject(resolved.target) })
  }
  const inner = normalize(resolved.target, ctx, new Set([...visiting, resolved.key]))
  return { ...inner, refs: [resolved.key, ...inner.refs] }
}

function declaresObject(target: unknown): boolean {
  if (!isObject(target)) return false
  const t = target.type
  return t === 'object' || (Array.isArray(t) && t.includes('object')) || isObject(target.properties)
}

/** The node's own keywords (everything except `$ref` and `allOf`), including its unions. */
function normalizeOwn(node: Record<string, unknown>, ctx: NormalizeContext, visiting: ReadonlySet<string>): NormalSchema {
  let nullable = false
  let enumValues: unknown[] | undefined
  if (Array.isArray(node.enum)) {
    nullable ||= node.enum.includes(null)
    enumValues = node.enum.filter((v) => v !== null)
  }
  let constDefault: { value: unknown } | undefined
  if ('const' in node) {
    if (node.const === null) nullable = true
    else {
      enumValues = [node.const]
      constDefault = { value: node.const }
    }
  }

  let types: string[]
  if (typeof node.type === 'string') types = [node.type]
  else if (Array.isArray(node.type)) types = node.type.filter((t): t is string => typeof t === 'string')
  else types = inferTypes(node, enumValues)
  if (types.includes('null')) nullable = true
  types = [...new Set(types.filter((t) => t !== 'null'))]

  let own: NormalSchema
  if (types.length === 0) {
    // only null allowed (type "null", const null, enum [null]) or nothing known about the value
    own = nullable && (node.type !== undefined || 'const' in node || enumValues?.length === 0) ? make('null') : make('any')
  } else if (types.length === 1) {
    own = typed(types[0]!, node, enumValues, ctx)
  } else {
    own = collapseUnion(
      types.map((t) => typed(t, node, enumValues, ctx)),
      ctx,
      visiting,
    )
  }
  own.nullable ||= nullable
  annotate(own, node, constDefault)

  const unions: NormalSchema[] = []
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = node[key]
    if (Array.isArray(branches) && branches.length > 0) {
      unions.push(
        collapseUnion(
          branches.map((b) => normalize(b, ctx, visiting)),
          ctx,
          visiting,
        ),
      )
    }
  }
  if (node.not !== undefined) ctx.note('`not` was dropped (Swagger 2.0 cannot express it)')
  if (node.if !== undefined) ctx.note('`if`/`then`/`else` was dropped (Swagger 2.0 cannot express it)')
  return unions.length === 0 ? own : conjoin([own, ...unions], ctx)
}

/** Types implied by the keywords when `type` is absent. */
function inferTypes(node: Record<string, unknown>, enumValues: unknown[] | undefined): string[] {
  if (enumValues !== undefined) return [...new Set(enumValues.map(jsonType))]
  if (OBJECT_HINTS.some((k) => k in node)) return ['object']
  if (ARRAY_HINTS.some((k) => k in node)) return ['array']
  if (STRING_HINTS.some((k) => k in node)) return ['string']
  if (NUMBER_HINTS.some((k) => k in node)) return ['number']
  if (typeof node.format === 'string') return [/^(?:int32|int64)$/.test(node.format) ? 'integer' : /^(?:float|double)$/.test(node.format) ? 'number' : 'string']
  return []
}

/** The JSON type of a value (integers are `integer`). */
export function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** True when `value` is valid for the scalar/object/array `type`. */
export function matchesType(value: unknown, type: string): boolean {
  const actual = jsonType(value)
  return actual === type || (type === 'number' && actual === 'integer')
}

/** A node of one declared type built from the node's keywords. */
function typed(type: string, node: Record<string, unknown>, enumValues: unknown[] | undefined, ctx: NormalizeContext): NormalSchema {
  const keywords = pickKeywords(node)
  if (type === 'object') {
    const properties = new Map<string, unknown>()
    if (isObject(node.properties)) for (const [k, v] of Object.entries(node.properties)) properties.set(k, v)
    const required = Array.isArray(node.required) ? node.required.filter((r): r is string => typeof r === 'string') : []
    for (const dropped of ['patternProperties', 'propertyNames', 'dependencies', 'dependentRequired', 'dependentSchemas', 'unevaluatedProperties']) {
      if (dropped in node) ctx.note(`\`${dropped}\` was dropped`)
    }
    // without patternProperties the object would refuse keys the vendor accepts, so `false` goes with it
    const additionalProperties = node.additionalProperties === false && isObject(node.patternProperties) ? undefined : node.additionalProperties
    return make('object', { properties, required: [...new Set(required)], additionalProperties, keywords })
  }
  if (enumValues !== undefined && (type === 'object' || type === 'array')) ctx.note(`enum on an ${type} was dropped`)
  if (type === 'array') return make('array', { items: arrayItems(node, ctx), keywords })
  if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') {
    const typedValues = enumValues?.filter((v) => matchesType(v, type))
    if (enumValues && typedValues!.length < enumValues.length) ctx.note(`enum values that are not ${type} were dropped`)
    let values = typedValues && dedupe(typedValues)
    if (values?.length === 0) values = undefined
    return make('scalar', { type, enumValues: values, keywords })
  }
  ctx.note(`unknown type "${type}" became free-form`)
  return make('any')
}

/**
 * The single items schema of an array: `items` (object form), or the union of a tuple (`prefixItems`, draft-07
 * array `items`) with its additional items; `undefined` when nothing constrains the items.
 */
function arrayItems(node: Record<string, unknown>, ctx: NormalizeContext): unknown {
  const tuple = Array.isArray(node.prefixItems) ? node.prefixItems : Array.isArray(node.items) ? node.items : undefined
  if (!tuple) return node.items === true ? undefined : node.items
  const rest = Array.isArray(node.prefixItems) ? node.items : node.additionalItems
  const variants = [...tuple]
  if (rest !== undefined && rest !== false) variants.push(rest)
  ctx.note('a tuple array became an array of the union of its item schemas')
  const distinct = dedupe(variants)
  return distinct.length === 1 ? distinct[0] : { anyOf: distinct }
}

function pickKeywords(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of KEYWORDS) if (node[k] !== undefined) out[k] = node[k]
  return out
}

/** Copies the annotations of the raw node (the node's own values win over what unions produced). */
function annotate(target: NormalSchema, node: Record<string, unknown>, constDefault: { value: unknown } | undefined): void {
  if (typeof node.description === 'string' && node.description.trim() !== '') target.description = node.description
  if (typeof node.title === 'string' && node.title.trim() !== '') target.title = node.title
  if ('default' in node) target.defaultValue = { value: node.default }
  else if (constDefault) target.defaultValue = constDefault
  if ('example' in node) target.example = { value: node.example }
  else if (Array.isArray(node.examples) && node.examples.length > 0) target.example = { value: node.examples[0] }
  if (node.deprecated === true) target.extra.push('Deprecated.')
}

function make<K extends NormalSchema['kind']>(
  kind: K,
  fields: Partial<Omit<Extract<NormalSchema, { kind: K }>, 'kind'>> = {},
): NormalSchema {
  return { nullable: false, extra: [], refs: [], keywords: {}, ...fields, kind } as NormalSchema
}

/** Intersection of the parts of an `allOf` (and of a node with its `$ref` and unions). */
function conjoin(parts: NormalSchema[], ctx: NormalizeContext): NormalSchema {
  const typedParts = parts.filter((p) => p.kind !== 'any' && p.kind !== 'cut')
  let result: NormalSchema
  if (typedParts.length === 0) {
    // a cut, or a union that collapsed to free-form, says more than a part without any type information
    const informative = parts.find((p) => p.kind === 'cut') ?? parts.find((p) => p.kind === 'any' && p.mixed)
    result = informative ? { ...informative } : make('any')
  } else {
    if (parts.some((p) => p.kind === 'cut')) ctx.note('a recursive `allOf` part was cut')
    result = typedParts.slice(1).reduce<NormalSchema>((a, b) => intersect(a, b, ctx), { ...typedParts[0]! })
    result.nullable = typedParts.every((p) => p.nullable)
  }
  result.keywords = {}
  for (const p of parts) result.keywords = { ...p.keywords, ...result.keywords }
  for (const p of [...parts].reverse()) {
    if (p.description !== undefined) result.description = p.description
    if (p.title !== undefined) result.title = p.title
    if (p.defaultValue !== undefined) result.defaultValue = p.defaultValue
    if (p.example !== undefined) result.example = p.example
  }
  result.extra = [...new Set(parts.flatMap((p) => p.extra))]
  result.refs = [...new Set(parts.flatMap((p) => p.refs))]
  return result
}

function intersect(a: NormalSchema, b: NormalSchema, ctx: NormalizeContext): NormalSchema {
  if (a.kind === 'null' || b.kind === 'null') return a.kind === 'null' ? b : a
  if (a.kind === 'object' && b.kind === 'object') {
    const properties = new Map(a.properties)
    for (const [name, schema] of b.properties) {
      const existing = properties.get(name)
      properties.set(name, existing === undefined || sameJson(existing, schema) ? schema : { allOf: [existing, schema] })
    }
    const additionalProperties =
      a.additionalProperties === false || b.additionalProperties === false ? false : a.additionalProperties ?? b.additionalProperties
    return { ...a, properties, required: [...new Set([...a.required, ...b.required])], additionalProperties }
  }
  if (a.kind === 'array' && b.kind === 'array') {
    const items = a.items === undefined ? b.items : b.items === undefined || sameJson(a.items, b.items) ? a.items : { allOf: [a.items, b.items] }
    return { ...a, items }
  }
  if (a.kind === 'scalar' && b.kind === 'scalar') {
    const numeric = (t: ScalarType) => t === 'number' || t === 'integer'
    if (a.type === b.type || (numeric(a.type) && numeric(b.type))) {
      const type = a.type === b.type ? a.type : 'integer'
      let enumValues = a.enumValues ?? b.enumValues
      if (a.enumValues && b.enumValues) enumValues = a.enumValues.filter((v) => b.enumValues!.some((w) => sameJson(v, w)))
      return { ...a, type, enumValues: enumValues?.length ? enumValues : undefined }
    }
  }
  ctx.note(`\`allOf\` of incompatible types (${describeVariant(a)} and ${describeVariant(b)}) kept the first`)
  return a
}

/** Collapses the branches of a union (see the table in the module comment). */
function collapseUnion(branches: NormalSchema[], ctx: NormalizeContext, visiting: ReadonlySet<string>): NormalSchema {
  const nullable = branches.some((b) => b.nullable || b.kind === 'null')
  const live = branches.filter((b) => b.kind !== 'null')
  const finish = (n: NormalSchema): NormalSchema => ({ ...n, nullable: n.nullable || nullable })
  if (live.length === 0) return make('null', { nullable: true })
  if (live.length === 1) return finish(live[0]!)
  const variants = `Accepts one of: ${live.map(describeVariant).join('; ')}.`
  const refs = [...new Set(live.flatMap((b) => b.refs))]
  const kinds = new Set(live.map((b) => b.kind))

  if (kinds.size === 1 && kinds.has('object')) {
    const objects = live as Extract<NormalSchema, { kind: 'object' }>[]
    const variantsByName = new Map<string, unknown[]>()
    for (const o of objects) {
      for (const [name, schema] of o.properties) variantsByName.set(name, [...(variantsByName.get(name) ?? []), schema])
    }
    const properties = new Map<string, unknown>()
    for (const [name, schemas] of variantsByName) {
      const distinct = dedupe(schemas)
      properties.set(name, distinct.length === 1 ? distinct[0] : { anyOf: distinct })
    }
    const required = objects[0]!.required.filter((r) => objects.every((o) => o.required.includes(r)))
    const closed = objects.every((o) => o.additionalProperties === false)
    ctx.note('a union of objects was merged into one object')
    return finish(make('object', { properties, required, additionalProperties: closed ? false : undefined, refs }))
  }
  if (kinds.size === 1 && kinds.has('array')) {
    const items = dedupe((live as Extract<NormalSchema, { kind: 'array' }>[]).map((a) => a.items ?? {}))
    ctx.note('a union of arrays was merged into one array')
    return finish(make('array', { items: items.length === 1 ? items[0] : { anyOf: items }, refs }))
  }
  const scalars = live.filter((b): b is Extract<NormalSchema, { kind: 'scalar' }> => b.kind === 'scalar')
  if (scalars.length === live.length) {
    const types = new Set(scalars.map((s) => s.type))
    const allEnums = scalars.every((s) => s.enumValues)
    if (types.size === 1 || (types.size === 2 && types.has('integer') && types.has('number'))) {
      const type = types.size === 1 ? scalars[0]!.type : 'number'
      const enumValues = allEnums ? dedupe(scalars.flatMap((s) => s.enumValues!)) : undefined
      const keywords = commonKeywords(scalars)
      // the merged node loses per-branch titles and keywords (e.g. two formats): keep them readable
      const lossy = scalars.some((s) => s.title) || scalars.some((s) => Object.keys(s.keywords).length > Object.keys(keywords).length)
      const extra = lossy ? [variants] : []
      return finish(make('scalar', { type, enumValues, keywords, refs, extra }))
    }
    ctx.note(`a union of ${[...types].join(', ')} became string`)
    return finish(make('scalar', { type: 'string', refs, extra: [variants] }))
  }
  // T | T[] (a value or a list of values): the array form carries both
  const arrays = live.filter((b): b is Extract<NormalSchema, { kind: 'array' }> => b.kind === 'array')
  if (scalars.length + arrays.length === live.length && scalars.length > 0 && arrays.length > 0) {
    const types = new Set(scalars.map((s) => s.type))
    const itemTypes = arrays.map((a) => normalize(a.items, { ...ctx, note: () => {} }, visiting))
    const t = [...types][0]!
    if (types.size === 1 && itemTypes.every((i) => i.kind === 'scalar' && i.type === t)) {
      ctx.note(`a union of ${t} and array of ${t} became array of ${t}`)
      const items = dedupe(arrays.map((a) => a.items))
      return finish(make('array', { items: items.length === 1 ? items[0] : { anyOf: items }, refs, extra: [variants] }))
    }
  }
  // object | scalar (Notion's "object or string"): the object form carries the structure makers need, and sending
  // it is valid for the vendor; the description names the other forms.
  const objects = live.filter((b): b is Extract<NormalSchema, { kind: 'object' }> => b.kind === 'object')
  if (objects.length > 0 && objects.length + scalars.length === live.length) {
    const object = objects.length === 1 ? objects[0]! : collapseUnion(objects, { ...ctx, note: () => {} }, visiting)
    ctx.note(`a union of object and ${[...new Set(scalars.map((s) => s.type))].join(', ')} kept the object's properties`)
    return finish({ ...object, refs, extra: [...object.extra, variants] })
  }
  ctx.note(`a union of ${live.map((b) => b.kind).join(', ')} became free-form`)
  return finish(make('any', { refs, extra: [variants], mixed: true }))
}

/** Keywords with the same value in every branch (a differing one does not apply to the merged type). */
function commonKeywords(branches: NormalSchema[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(branches[0]!.keywords)) {
    if (branches.every((b) => sameJson(b.keywords[k], v))) out[k] = v
  }
  return out
}

/** A short phrase for one union branch, for the description. */
export function describeVariant(n: NormalSchema): string {
  const label = n.title ? `"${n.title}" ` : ''
  switch (n.kind) {
    case 'scalar': {
      const format = typeof n.keywords.format === 'string' ? ` (${n.keywords.format})` : ''
      if (n.enumValues) {
        const shown = n.enumValues.slice(0, 5).map((v) => JSON.stringify(v))
        return `${label}${shown.join(' or ')}${n.enumValues.length > 5 ? ' or another listed value' : ''}`
      }
      return `${label}${n.type}${format}`.trim()
    }
    case 'array':
      return `${label}array`.trim()
    case 'object':
      return `${label}object`.trim()
    case 'null':
      return 'null'
    default:
      return `${label}any value`.trim()
  }
}

function dedupe(values: unknown[]): unknown[] {
  const seen = new Set<string>()
  return values.filter((v) => {
    const key = JSON.stringify(v)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
