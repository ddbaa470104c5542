/**
 * @module swagger/shared-results
 * Shares the 200 responses that several typed tool operations have in common. A vendor's tools without an output
 * schema all answer the same envelope (about 2.2 KB with its descriptions), and tools can share an output schema:
 * inline, a 235-tool vendor such as @azure/mcp spends 44 % of its document on copies of one response. Swagger 2.0
 * allows document-level `responses` referenced as `#/responses/{name}` (rulebook H-37, the mechanism the error
 * responses and the 202 answer already use); schemas stay inline (H-63: no `$ref` inside schemas).
 *
 * Names are stable: `ToolResult` for the free-form envelope of tools without an output schema, else
 * `ToolResult{OperationId}` after the first tool (in name order) that has the response.
 */
import type { Swagger2PathItem, Swagger2Ref, Swagger2Response } from './types.js'

/** A typed tool operation: its path and its path item (only `post` is used). */
export interface TypedOperation {
  path: string
  item: Swagger2PathItem
}

/** Name of the shared free-form envelope. */
export const FREE_FORM_RESULT = 'ToolResult'

/**
 * Replaces every 200 response that at least two of `operations` have, byte for byte, with a reference.
 * Pure: the operations are copied where they change.
 * @param freeForm the 200 response of a tool without an output schema (named {@link FREE_FORM_RESULT})
 * @returns the path items in the given order, and the document-level responses they reference
 */
export function shareSuccessResponses(operations: readonly TypedOperation[], freeForm?: Swagger2Response): { paths: TypedOperation[]; responses: Record<string, Swagger2Response> } {
  const keyOf = (op: TypedOperation) => {
    const ok = op.item.post?.responses['200']
    return ok && !('$ref' in ok) ? JSON.stringify(ok) : undefined
  }
  const users = new Map<string, TypedOperation[]>()
  for (const op of operations) {
    const key = keyOf(op)
    if (key !== undefined) users.set(key, [...(users.get(key) ?? []), op])
  }
  const freeFormKey = freeForm ? JSON.stringify(freeForm) : undefined
  const names = new Map<string, string>()
  const responses: Record<string, Swagger2Response> = {}
  for (const [key, ops] of users) {
    if (ops.length < 2) continue
    const name = key === freeFormKey ? FREE_FORM_RESULT : `${FREE_FORM_RESULT}${ops[0]!.item.post!.operationId}`
    names.set(key, name)
    responses[name] = JSON.parse(key) as Swagger2Response
  }
  const paths = operations.map((op) => {
    const key = keyOf(op)
    const name = key === undefined ? undefined : names.get(key)
    if (!name) return op
    const post = op.item.post!
    const ref: Swagger2Ref = { $ref: `#/responses/${name}` }
    return { path: op.path, item: { ...op.item, post: { ...post, responses: { ...post.responses, '200': ref } } } }
  })
  return { paths, responses }
}
