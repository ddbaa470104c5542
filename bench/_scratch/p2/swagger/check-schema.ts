/**
 * @module swagger/check-schema
 * Rulebook checks on one Swagger schema tree (a body parameter's or a response's schema): the §1.6 keyword rules
 * (`S-01`…`S-08`), no `$ref` (H-63), internal fields with defaults (H-51), duplicate enum values (H-10), property
 * names (H-71), property labels (C-09), schema count and depth (H-12, H-13). Dynamic extensions found on the way
 * are handed back for the C-19 checks.
 */

import { isRecord, isValidLabel, pointer, type ViolationSink } from './check-context.js'
import { ALLOWED_FORMATS } from './format-map.js'
import { countSchemas, MAX_SCHEMAS_PER_BODY, schemaDepth } from './schema-count.js'
import { matchesType } from './schema-normalize.js'

/** Standard Swagger 2.0 schema keywords (S-SCHEMA whitelist, rulebook §1.6). */
const SCHEMA_KEYS = new Set([
  'format',
  'title',
  'description',
  'default',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'enum',
  'additionalProperties',
  'type',
  'items',
  'allOf',
  'properties',
  'discriminator',
  'readOnly',
  'xml',
  'externalDocs',
  'example',
])

/** `x-ms-*` keys that are valid on a schema (S-SCHEMA plus the ones merged connectors use, rulebook §3). */
const SCHEMA_MS_KEYS = new Set([
  'x-ms-summary',
  'x-ms-visibility',
  'x-ms-dynamic-schema',
  'x-ms-dynamic-properties',
  'x-ms-dynamic-values',
  'x-ms-dynamic-list',
  'x-ms-dynamic-tree',
  'x-ms-enum-values',
  'x-ms-test-value',
  'x-ms-media-kind',
  'x-ms-editor',
  'x-ms-localizeDefaultValue',
  'x-ms-notification-url',
  'x-ms-property-name-alias',
  'x-ms-capabilities',
])

const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean'])
const VISIBILITY = new Set(['important', 'advanced', 'internal'])
const SAFE_PROPERTY = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** A dynamic extension found on a schema, for the C-19 checks. */
export interface FoundDynamic {
  key: string
  value: unknown
  path: string
}

/**
 * Checks one body or response schema tree.
 * @param schema the schema object
 * @param path JSON pointer of `schema` in the document
 * @param sink where violations go
 * @param maxDepth deepest nesting tolerated (H-13)
 * @returns the schema count (for the per-operation total) and the dynamic extensions found
 */
export function checkSchemaTree(
  schema: unknown,
  path: string,
  sink: ViolationSink,
  maxDepth: number,
): { count: number; dynamics: FoundDynamic[] } {
  const dynamics: FoundDynamic[] = []
  walk(schema, path, sink, dynamics, false)
  const count = countSchemas(schema)
  if (count > MAX_SCHEMAS_PER_BODY) sink.add('H-12', path, `The total number of schemas in the object (${count}) exceeds the max schema count allowed value of '${MAX_SCHEMAS_PER_BODY}'.`)
  const depth = schemaDepth(schema)
  if (depth > maxDepth) sink.add('H-13', path, `Schema nesting depth ${depth} exceeds ${maxDepth}.`)
  return { count, dynamics }
}

function walk(schema: unknown, path: string, sink: ViolationSink, dynamics: FoundDynamic[], isProperty: boolean): void {
  if (!isRecord(schema)) {
    sink.add('S-01', path, 'A schema must be an object.')
    return
  }
  for (const key of Object.keys(schema)) {
    if (key === '$ref') sink.add('H-63', pointer(path, key), 'Tool schemas must be fully inlined; no $ref.')
    else if (key === 'allOf') sink.add('S-01', pointer(path, key), 'allOf is not rendered by the designer; flatten it.', 'warning')
    else if (key.startsWith('x-ms-') ? !SCHEMA_MS_KEYS.has(key) : !key.startsWith('x-') && !SCHEMA_KEYS.has(key)) {
      sink.add('S-01', pointer(path, key), `The property '${key}' is not valid in a Swagger 2.0 schema.`)
    }
    if (key.startsWith('x-ms-dynamic-')) dynamics.push({ key, value: schema[key], path: pointer(path, key) })
  }

  const type = schema.type
  if (type !== undefined && (typeof type !== 'string' || !TYPES.has(type))) {
    sink.add('S-02', pointer(path, 'type'), `type must be one of ${[...TYPES].join(', ')} (a single string), got ${JSON.stringify(type)}.`)
  }
  const typeName = typeof type === 'string' ? type : undefined

  for (const [bound, plain] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (schema[bound] === undefined) continue
    if (typeof schema[bound] !== 'boolean') sink.add('S-03', pointer(path, bound), `${bound} must be a boolean (draft-04 form).`)
    else if (typeof schema[plain] !== 'number') sink.add('S-03', pointer(path, bound), `${bound} requires ${plain}.`)
  }

  const properties = isRecord(schema.properties) ? schema.properties : undefined
  if (schema.required !== undefined) {
    const req = schema.required
    if (!Array.isArray(req)) sink.add('S-04', pointer(path, 'required'), 'required must be an array of property names.')
    else if (req.length === 0) sink.add('S-04', pointer(path, 'required'), 'required must not be empty.')
    else if (typeName !== 'object') sink.add('S-04', pointer(path, 'required'), 'required is only allowed on objects.')
    else {
      for (const name of req) {
        if (typeof name !== 'string' || !properties || !(name in properties)) {
          sink.add('S-04', pointer(path, 'required'), `required names '${String(name)}', which is not a defined property.`)
        }
      }
      if (new Set(req).size !== req.length) sink.add('H-10', pointer(path, 'required'), 'required contains duplicates.')
    }
  }

  if (schema.enum !== undefined) {
    const values = schema.enum
    if (!Array.isArray(values) || values.length === 0) sink.add('S-05', pointer(path, 'enum'), 'enum must be a non-empty array.')
    else {
      if (typeName) {
        values.forEach((v, i) => {
          if (!matchesType(v, typeName)) sink.add('S-05', pointer(path, 'enum', i), `enum value ${JSON.stringify(v)} is not of type ${typeName}.`)
        })
      }
      if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length) sink.add('H-10', pointer(path, 'enum'), 'enum contains duplicates.')
    }
  }

  if (schema.default !== undefined && typeName && !matchesType(schema.default, typeName)) {
    sink.add('S-06', pointer(path, 'default'), `default ${JSON.stringify(schema.default)} does not match type ${typeName}.`)
  }

  if (typeName === 'array' && !isRecord(schema.items)) sink.add('S-07', path, 'An array schema must define items.')

  if (schema.format !== undefined && (typeof schema.format !== 'string' || !ALLOWED_FORMATS.includes(schema.format))) {
    sink.add('S-08', pointer(path, 'format'), `format ${JSON.stringify(schema.format)} is not one of ${ALLOWED_FORMATS.join(', ')}.`)
  }

  const visibility = schema['x-ms-visibility']
  if (visibility !== undefined && (typeof visibility !== 'string' || !VISIBILITY.has(visibility))) {
    sink.add('C-13', pointer(path, 'x-ms-visibility'), `x-ms-visibility must be important, advanced or internal.`, 'error')
  }

  if (isProperty) {
    const label = schema['x-ms-summary']
    if (typeof label !== 'string') sink.add('C-09', path, "The 'x-ms-summary' property is required.")
    else if (!isValidLabel(label)) sink.add('C-09', pointer(path, 'x-ms-summary'), 'x-ms-summary must be at most 80 letters, digits, spaces or parentheses.')
    const description = schema.description
    if (typeof description !== 'string' || description.trim() === '') sink.add('C-09', path, "The 'description' property is required.")
    else if (!description.trimEnd().endsWith('.')) sink.add('C-09', pointer(path, 'description'), 'A property description is a sentence ending with a period.')
  }

  if (properties) {
    const required = Array.isArray(schema.required) ? schema.required : []
    for (const [name, child] of Object.entries(properties)) {
      const childPath = pointer(path, 'properties', name)
      if (!SAFE_PROPERTY.test(name)) sink.add('H-71', childPath, `Property name '${name}' should match ${SAFE_PROPERTY.source}.`)
      if (isRecord(child) && child['x-ms-visibility'] === 'internal' && child.default !== undefined && !required.includes(name)) {
        sink.add('H-51', childPath, 'An internal property with a default must be required.')
      }
      walk(child, childPath, sink, dynamics, true)
    }
  } else if (schema.properties !== undefined) {
    sink.add('S-01', pointer(path, 'properties'), 'properties must be an object.')
  }
  if (schema.items !== undefined) walk(schema.items, pointer(path, 'items'), sink, dynamics, false)
  if (isRecord(schema.additionalProperties)) walk(schema.additionalProperties, pointer(path, 'additionalProperties'), sink, dynamics, false)
  if (Array.isArray(schema.allOf)) schema.allOf.forEach((part, i) => walk(part, pointer(path, 'allOf', i), sink, dynamics, false))
}
