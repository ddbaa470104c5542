/**
 * @module swagger/schema-count
 * Size measures of an emitted Swagger schema, as Power Platform counts them: every schema node (the root, each
 * property, each `items`, each `additionalProperties` schema) is one schema (rulebook H-12: at most 512 per body,
 * 16 384 per operation), and depth is the number of property/items hops from the root (H-13, limit unpublished).
 */

/** Limit of schemas in one body or response object (rulebook H-12). */
export const MAX_SCHEMAS_PER_BODY = 512

/** Limit of schemas in one operation (rulebook H-12). */
export const MAX_SCHEMAS_PER_OPERATION = 16_384

/** Number of schema nodes in `schema`, itself included. Tolerates malformed input (the checker uses it too). */
export function countSchemas(schema: unknown): number {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return 0
  const node = schema as Record<string, unknown>
  let count = 1
  const props = node.properties
  if (typeof props === 'object' && props !== null) for (const child of Object.values(props)) count += countSchemas(child)
  count += countSchemas(node.items)
  count += countSchemas(node.additionalProperties)
  if (Array.isArray(node.allOf)) for (const part of node.allOf) count += countSchemas(part)
  return count
}

/** Deepest property/items hop count below `schema` (0 for a leaf). */
export function schemaDepth(schema: unknown): number {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return 0
  const node = schema as Record<string, unknown>
  const children: unknown[] = []
  const props = node.properties
  if (typeof props === 'object' && props !== null) children.push(...Object.values(props))
  children.push(node.items, node.additionalProperties)
  let deepest = -1
  for (const child of children) {
    if (typeof child === 'object' && child !== null && !Array.isArray(child)) deepest = Math.max(deepest, schemaDepth(child))
  }
  return deepest + 1
}
