/**
 * @module runtime/property-mapping
 * Applies the connector's safe property names at the REST boundary, only where a schema has unsafe names:
 * most vendor schemas have none, and skipping the walk keeps the request hot path cheap.
 */
import type { JsonSchema } from '../catalog/types.js'
import { isSafePropertyName } from '../swagger/property-names.js'
import { applyConnectorPropertyNames, restoreVendorPropertyNames } from '../swagger/property-restore.js'

const cache = new WeakMap<object, boolean>()

/** True when any `properties` key anywhere in the schema is not connector-safe (memoized per schema object). */
export function hasUnsafePropertyNames(schema: JsonSchema): boolean {
  let known = cache.get(schema)
  if (known === undefined) {
    known = scan(schema)
    cache.set(schema, known)
  }
  return known
}

function scan(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(scan)
  if (!node || typeof node !== 'object') return false
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'properties' || key === 'patternProperties') && value && typeof value === 'object' && !Array.isArray(value)) {
      if (Object.keys(value).some((name) => !isSafePropertyName(name))) return true
    }
    if (scan(value)) return true
  }
  return false
}

/** Request body from the connector's names to the vendor's names. */
export function toVendorNames(inputSchema: JsonSchema, body: Record<string, unknown>): Record<string, unknown> {
  return hasUnsafePropertyNames(inputSchema) ? (restoreVendorPropertyNames(inputSchema, body) as Record<string, unknown>) : body
}

/** Structured output from the vendor's names to the connector's names. */
export function toConnectorNames(outputSchema: JsonSchema | undefined, data: unknown): unknown {
  return outputSchema && hasUnsafePropertyNames(outputSchema) ? applyConnectorPropertyNames(outputSchema, data) : data
}
