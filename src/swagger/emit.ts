/**
 * @module swagger/emit
 * The Power Platform connector emitter: catalog → Swagger 2.0 document + report. Pure (no I/O, no HTTP, no SDK);
 * the same catalog and options always give the same document, whatever the order of `catalog.tools`.
 *
 * Limits (rulebook H-02, H-11), applied to typed tool operations only, every omission in the report:
 * 1. Tools are considered in code-unit order of their vendor name (the order `nameTools` uses).
 * 2. Tools with `typed: false`, or whose slug/operationId is invalid or collides case-insensitively with an
 *    operation or path already taken, are omitted (`not-typed`, `name-conflict`).
 * 3. Operation limit: the fixed operations always stay; the first `maxOperations - 6` tools in name order keep
 *    their operation, the rest are omitted (`max-operations`). Name order keeps the choice predictable: which tools
 *    are typed never depends on the size of their schemas.
 * 4. Size limit: while the final file text ({@link serializeDefinition}: indented, or compact when indentation
 *    alone would cross the limit) exceeds `maxBytes`, the typed operations with the largest serialized size are
 *    dropped (ties: the later name) (`max-bytes`), which keeps as many tools as possible. The document measured is
 *    complete: shared parameters and responses, the tool-call headers and the extra operations are in it.
 * 5. Sharing ({@link shareSuccessResponses}): a 200 response several typed operations have is a document-level
 *    response they reference, before the size is measured; an operation's size for step 4 is its size as written
 *    (a shared 200 costs its reference).
 * Omitted tools stay callable through `InvokeTool`, whose tool list and schemas are served at run time.
 */

import type { Catalog, CatalogTool } from '../catalog/types.js'
import { buildConnectorMetadata, buildInfo, buildSecurity, parsePublicUrl } from './document-info.js'
import { FIXED_OPERATION_IDS, fixedOperations, freeFormToolResult, sharedParameters, sharedResponses, toolOperation, type ToolCallShape, type ToolOperation } from './operations.js'
import { shareSuccessResponses } from './shared-results.js'
import { serializeDefinition, serializedBytes } from './serialize.js'
import { compare } from './tool-schemas.js'
import type { EmitReport, OmitReason, Swagger2Document, Swagger2Options, Swagger2PathItem } from './types.js'
import { addIdentityProblems } from './identity-problems.js'

export { serializeDefinition, serializeSwagger2, serializedBytes } from './serialize.js'
export { connectorInputSchema, connectorOutputSchema, connectorToolList } from './tool-schemas.js'

/** Default operation limit (rulebook H-11). */
export const DEFAULT_MAX_OPERATIONS = 256

/** Default size limit in bytes of the serialized document (rulebook H-02, with a margin below 1 MiB). */
export const DEFAULT_MAX_BYTES = 1_000_000

/** Operation count and size above which the report warns (rulebook §8.9: big documents slow the designer). */
const SOFT_OPERATIONS = 100
const SOFT_BYTES = 700_000

const SLUG = /^[A-Za-z0-9._~-]+$/
const OPERATION_ID = /^[A-Z][A-Za-z0-9]{0,63}$/

/**
 * Emits the connector's `apiDefinition.swagger.json` for a catalog.
 * @returns the document and a report of its size, omitted tools, conversion notes and warnings
 */
export function emitSwagger2(catalog: Catalog, options: Swagger2Options = {}): { document: Swagger2Document; report: EmitReport; text: string } {
  const warnings: string[] = []
  const omitted: { name: string; reason: OmitReason }[] = []
  const maxOperations = options.maxOperations ?? DEFAULT_MAX_OPERATIONS
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES

  const hostParts = parsePublicUrl(options.publicUrl, options.mountPath)
  const { info, warnings: infoWarnings } = buildInfo(catalog, options)
  const { metadata, warnings: metaWarnings } = buildConnectorMetadata(options)
  warnings.push(...hostParts.warnings, ...infoWarnings, ...metaWarnings)
  const auth = options.inboundAuth
  if (auth?.mode === 'jwt' && auth.scheme === 'apiKey')
    warnings.push('auth.mode "jwt" without auth.oauth: the connection asks users to paste a bearer token, which expires; describe the sign-in with auth.oauth')

  const shape: ToolCallShape = { parameters: Object.keys(options.toolParameters ?? {}), toolErrorProblems: options.toolErrorProblems ?? false }
  const fixed = { ...fixedOperations(shape), ...(options.extraOperations ?? {}) }
  const fixedCount = countOperations({ paths: fixed })
  const candidates = typedCandidates(catalog.tools, omitted, warnings, shape, fixed)

  const budget = Math.max(0, maxOperations - fixedCount)
  if (maxOperations < fixedCount) {
    warnings.push(`maxOperations ${maxOperations} is below the ${fixedCount} fixed operations`)
  }
  const kept = candidates.slice(0, budget)
  for (const c of candidates.slice(budget)) omitted.push({ name: c.tool.name, reason: 'max-operations' })
  if (candidates.length > budget) {
    warnings.push(`${candidates.length - budget} typed tool operations exceed the ${maxOperations}-operation limit; those tools are reachable through InvokeTool`)
  }

  const freeForm = freeFormToolResult()
  const build = (ops: Candidate[]): Swagger2Document => {
    const paths: Record<string, Swagger2PathItem> = {}
    const shared = shareSuccessResponses(ops.map((c) => c.op), freeForm)
    for (const op of shared.paths) paths[op.path] = op.item
    Object.assign(paths, fixed)
    const document: Swagger2Document = {
      swagger: '2.0',
      info,
      host: hostParts.host,
      basePath: hostParts.basePath,
      schemes: ['https'],
      consumes: ['application/json'],
      produces: ['application/json'],
      paths,
      parameters: sharedParameters(options.toolParameters),
      responses: { ...sharedResponses(), ...shared.responses },
      ...buildSecurity(options.inboundAuth ?? { mode: 'none' }),
    }
    if (metadata) document['x-ms-connector-metadata'] = metadata
    addIdentityProblems(document.responses!, { token: options.inboundAuth?.mode === 'jwt', delegation: options.delegation })
    return document
  }

  let document = build(kept)
  let text = serializeDefinition(document, maxBytes)
  let bytes = Buffer.byteLength(text)
  if (bytes > maxBytes) {
    // Sizes as the operations appear in the document: a shared 200 costs its reference, not its schema.
    const asShared = shareSuccessResponses(kept.map((c) => c.op), freeForm).paths
    const sizes = new Map(kept.map((c, i) => [c, serializedBytes({ [c.op.path]: asShared[i]!.item })]))
    // largest first; among equals the later name goes first, so the earlier names are kept
    const byCost = [...kept].sort((a, b) => sizes.get(b)! - sizes.get(a)! || compare(b.tool.name, a.tool.name))
    const dropped = new Set<Candidate>()
    while (bytes > maxBytes && dropped.size < kept.length) {
      // drop enough for the estimated overshoot, then measure exactly again
      let overshoot = bytes - maxBytes
      for (const c of byCost) {
        if (overshoot <= 0) break
        if (dropped.has(c)) continue
        dropped.add(c)
        overshoot -= sizes.get(c)!
      }
      document = build(kept.filter((c) => !dropped.has(c)))
      text = serializeDefinition(document, maxBytes)
      bytes = Buffer.byteLength(text)
    }
    for (const c of kept) if (dropped.has(c)) omitted.push({ name: c.tool.name, reason: 'max-bytes' })
    warnings.push(`${dropped.size} typed tool operations were dropped to stay within ${maxBytes} bytes; those tools are reachable through InvokeTool`)
    if (bytes > maxBytes) warnings.push(`the document is ${bytes} bytes even without typed tool operations, above the ${maxBytes}-byte limit`)
  }

  if (!text.startsWith('{\n')) warnings.push(`the indented file would be over ${maxBytes} bytes; it is written compact (${bytes} bytes)`)

  const operations = countOperations(document)
  if (operations > SOFT_OPERATIONS) warnings.push(`${operations} operations: large connectors are slow in the designer; consider tools.include`)
  if (bytes > SOFT_BYTES && bytes <= maxBytes) warnings.push(`the document is ${bytes} bytes, close to the ${maxBytes}-byte limit`)

  const typedNames = new Set(Object.values(document.paths).flatMap((item) => (item.post?.['x-mcp-tool'] !== undefined ? [item.post['x-mcp-tool']] : [])))
  const schemaNotes = candidates
    .filter((c) => typedNames.has(c.tool.name))
    .map((c) => ({ name: c.tool.name, notes: [...c.op.input.notes.map((n) => `input ${n}`), ...c.op.output.notes.map((n) => `output ${n}`)] }))
    .filter((entry) => entry.notes.length > 0)
  for (const c of candidates) {
    if (typedNames.has(c.tool.name) && [...c.op.input.notes, ...c.op.output.notes].some((n) => n.includes('expansion depth lowered'))) {
      warnings.push(`tool "${c.tool.name}": schema depth was reduced to stay within 512 schemas per body`)
    }
  }

  omitted.sort((a, b) => compare(a.name, b.name))
  return { document, text, report: { operations, bytes, omittedTools: omitted, warnings, schemaNotes } }
}

interface Candidate {
  tool: CatalogTool
  op: ToolOperation
}

/** Typed tools in name order with their operations; invalid or colliding names are omitted with a warning. */
function typedCandidates(
  tools: readonly CatalogTool[],
  omitted: { name: string; reason: OmitReason }[],
  warnings: string[],
  shape: ToolCallShape,
  fixed: Record<string, Swagger2PathItem>,
): Candidate[] {
  const fixedIds = Object.values(fixed).flatMap((item) => Object.values(item).map((op) => op!.operationId))
  const takenIds = new Set<string>([...FIXED_OPERATION_IDS, ...fixedIds].map((id) => id.toLowerCase()))
  const takenSlugs = new Set<string>()
  const out: Candidate[] = []
  for (const tool of [...tools].sort((a, b) => compare(a.name, b.name))) {
    if (!tool.typed) {
      omitted.push({ name: tool.name, reason: 'not-typed' })
      continue
    }
    const id = tool.operationId.toLowerCase()
    const slug = tool.slug.toLowerCase()
    if (!OPERATION_ID.test(tool.operationId) || !SLUG.test(tool.slug) || /^\.+$/.test(tool.slug) || takenIds.has(id) || takenSlugs.has(slug)) {
      omitted.push({ name: tool.name, reason: 'name-conflict' })
      warnings.push(`tool "${tool.name}": operationId "${tool.operationId}" or slug "${tool.slug}" is invalid or already taken`)
      continue
    }
    takenIds.add(id)
    takenSlugs.add(slug)
    out.push({ tool, op: toolOperation(tool, shape) })
  }
  return out
}

function countOperations(document: Pick<Swagger2Document, 'paths'>): number {
  return Object.values(document.paths).reduce((n, item) => n + Object.keys(item).length, 0)
}
