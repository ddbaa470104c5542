/**
 * @module swagger/property-restore
 * Moves JSON data between the vendor's property names and the connector's safe names (see
 * {@link safePropertyNames}), by walking the vendor schema and the data together. Each object position is
 * normalized with the same code and the same recursion stack as the down-converter, so both sides compute the
 * same name map for every object the connector describes.
 *
 * - Requests: {@link restoreVendorPropertyNames} turns safe keys back into vendor keys before the tool call.
 * - Responses: {@link applyConnectorPropertyNames} turns vendor keys into safe keys in `structuredContent`, so the
 *   data matches the output schema the connector was given.
 *
 * A key is only renamed when it is not itself a property of that object, so data that already uses the target
 * spelling passes unchanged. Where the down-converter cut a recursive reference, the walk stops too (the connector
 * treats that part as free-form JSON). Below a depth cut the walk continues, which only matters for keys that
 * are not vendor property names; the vendor schema still validates the result.
 */

import type { JsonSchema } from '../catalog/types.js'
import { safePropertyNames } from './property-names.js'
import { isObject } from './ref-resolver.js'
import { normalizeSchema } from './schema-normalize.js'

type Direction = 'to-vendor' | 'to-connector'

/**
 * Renames connector-safe keys in a request body back to the vendor's original property names.
 * Pure: returns a new value and never mutates `body`.
 * @param vendorSchema the tool's original `inputSchema`
 * @param body the JSON body received from the connector
 * @example restoreVendorPropertyNames({ properties: { 'a.b': { type: 'string' } } }, { a_b: 'x' }) // { 'a.b': 'x' }
 */
export function restoreVendorPropertyNames(vendorSchema: JsonSchema, body: unknown): unknown {
  return walk(vendorSchema, vendorSchema, body, new Set(['#']), 'to-vendor')
}

/**
 * Renames the vendor's property names in tool output (`structuredContent`) to the connector-safe names used by
 * the output schema. Pure: returns a new value.
 * @param vendorSchema the tool's original `outputSchema`
 * @param data the tool's `structuredContent`
 */
export function applyConnectorPropertyNames(vendorSchema: JsonSchema, data: unknown): unknown {
  return walk(vendorSchema, vendorSchema, data, new Set(['#']), 'to-connector')
}

function walk(root: JsonSchema, schema: unknown, value: unknown, stack: ReadonlySet<string>, direction: Direction): unknown {
  if (!Array.isArray(value) && !isObject(value)) return value
  const n = normalizeSchema(schema, { root, stack, note: () => {} })
  const childStack = new Set([...stack, ...n.refs])
  if (Array.isArray(value)) {
    if (n.kind !== 'array') return structuredClone(value)
    return value.map((item) => walk(root, n.items, item, childStack, direction))
  }
  if (n.kind !== 'object') return structuredClone(value)
  const names = safePropertyNames(n.properties.keys())
  // key as it appears in the data → vendor property name
  const lookup = new Map<string, string>()
  for (const [vendor, safe] of names) {
    if (vendor !== safe) lookup.set(direction === 'to-vendor' ? safe : vendor, vendor)
  }
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(value)) {
    let vendorName = key
    let target = key
    const isDefined = direction === 'to-vendor' ? n.properties.has(key) : isSafeTarget(names, key)
    if (!isDefined && lookup.has(key)) {
      vendorName = lookup.get(key)!
      target = direction === 'to-vendor' ? vendorName : names.get(vendorName)!
      // never overwrite a key the data spells out itself
      if (Object.prototype.hasOwnProperty.call(value, target)) {
        vendorName = key
        target = key
      }
    }
    const childSchema = n.properties.get(vendorName) ?? (isObject(n.additionalProperties) ? n.additionalProperties : undefined)
    out[target] = walk(root, childSchema, child, childStack, direction)
  }
  return out
}

/** True when `key` is already a connector name of this object (a safe name that a vendor name maps to). */
function isSafeTarget(names: Map<string, string>, key: string): boolean {
  return names.get(key) === key
}
