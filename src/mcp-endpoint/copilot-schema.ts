/**
 * @module mcp-endpoint/copilot-schema
 * The tool list the MCP endpoint serves. With `mcpEndpoint.copilotSafeSchemas` (default) every input schema goes
 * through the connector's Swagger down-converter ({@link buildInputSchema}; no second converter), which already
 * applies Copilot Studio's rules: `$ref` inlined, `type` arrays and unions collapsed to one type, numeric
 * `exclusiveMinimum`/`exclusiveMaximum` rewritten to the boolean form next to `minimum`/`maximum`, and every loss
 * written into the descriptions. This module only adapts the result to an MCP tool definition: it drops the
 * `x-*` display keys (an `x-ms-summary` becomes the `title`), spells enum values out in the description (Copilot
 * Studio reads enums as plain strings), and leaves out an output schema that still contains a `$ref` (Copilot
 * Studio drops such tools). Calls are still validated against the vendor's ORIGINAL schema.
 */
import type { Catalog, CatalogTool, JsonSchema } from '../catalog/types.js'
import { buildInputSchema } from '../swagger/tool-schemas.js'

/** One tool as `tools/list` returns it. */
export interface ListedTool {
  name: string
  title?: string
  description?: string
  inputSchema: JsonSchema & { type: 'object' }
  outputSchema?: JsonSchema & { type: 'object' }
  annotations?: Record<string, unknown>
}

const cache = new WeakMap<Catalog, { safe: boolean; tools: ListedTool[] }>()

/** The tool list for a catalog, computed once per catalog version and mode. */
export function listTools(catalog: Catalog, copilotSafe: boolean): ListedTool[] {
  const hit = cache.get(catalog)
  if (hit && hit.safe === copilotSafe) return hit.tools
  // `tools.include`/`tools.exclude` decide what is listed (like the typed operations of the documents); a tool
  // left out stays callable by name, and `tools.deny` already removed denied tools from the catalog.
  const tools = catalog.tools.filter((tool) => tool.typed).map((tool) => (copilotSafe ? copilotSafeTool(tool) : originalTool(tool)))
  cache.set(catalog, { safe: copilotSafe, tools })
  return tools
}

function base(tool: CatalogTool): Omit<ListedTool, 'inputSchema'> {
  return {
    name: tool.name,
    ...(tool.title !== undefined ? { title: tool.title } : {}),
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    ...(tool.annotations ? { annotations: tool.annotations } : {}),
  }
}

/** The vendor's definition unchanged (switch off). */
function originalTool(tool: CatalogTool): ListedTool {
  const out: ListedTool = { ...base(tool), inputSchema: { type: 'object', ...tool.inputSchema } as ListedTool['inputSchema'] }
  if (objectSchema(tool.outputSchema)) out.outputSchema = tool.outputSchema as ListedTool['outputSchema']
  return out
}

/** The Copilot-safe definition of a tool. */
export function copilotSafeTool(tool: CatalogTool): ListedTool {
  const input = toMcpSchema(buildInputSchema(tool).schema as JsonSchema) as ListedTool['inputSchema']
  const out: ListedTool = { ...base(tool), inputSchema: input }
  if (objectSchema(tool.outputSchema) && !JSON.stringify(tool.outputSchema).includes('"$ref"')) out.outputSchema = tool.outputSchema as ListedTool['outputSchema']
  return out
}

function objectSchema(schema: JsonSchema | undefined): boolean {
  return !!schema && schema.type === 'object'
}

/** Swagger 2.0 schema node (from the down-converter) → plain JSON Schema node Copilot Studio accepts. */
function toMcpSchema(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {}
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-')) continue
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, toMcpSchema(v)]))
    } else if ((key === 'items' || key === 'additionalProperties') && value && typeof value === 'object') {
      out[key] = toMcpSchema(value as JsonSchema)
    } else out[key] = value
  }
  const summary = node['x-ms-summary']
  if (typeof summary === 'string' && out.title === undefined) out.title = summary
  if (Array.isArray(out.enum) && out.enum.length) {
    const values = `Allowed values: ${out.enum.map((v) => JSON.stringify(v)).join(', ')}.`
    const description = typeof out.description === 'string' ? out.description : ''
    if (!description.includes(values)) out.description = description ? `${description} ${values}` : values
  }
  return out
}
