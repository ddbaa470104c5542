/**
 * @module swagger/invoke-mcp
 * The connector operation Copilot Studio uses to reach an MCP server natively: one `POST` on the facade's MCP
 * endpoint marked `x-ms-agentic-protocol: mcp-streamable-1.0` (the shape of Microsoft's sample,
 * microsoft/PowerPlatformConnectors `custom-connectors/MCP-Streamable-HTTP/apiDefinition.swagger.json`).
 * Copilot Studio speaks MCP itself through it; Power Automate does not show it as an action (internal visibility).
 * Pure: adds to, or cuts down, a document built by the emitter.
 */
import type { Swagger2Document, Swagger2Operation } from './types.js'

/** Its operationId, as in Microsoft's sample. */
export const INVOKE_MCP_OPERATION_ID = 'InvokeMCP'
/** The extension and value Copilot Studio looks for (`mcp-sse-1.0` is the retired SSE variant). */
export const AGENTIC_PROTOCOL_KEY = 'x-ms-agentic-protocol'
export const AGENTIC_PROTOCOL_STREAMABLE = 'mcp-streamable-1.0'

/** The `InvokeMCP` operation (path relative to the document's `basePath`). */
export function invokeMcpOperation(): Swagger2Operation & { [AGENTIC_PROTOCOL_KEY]: string } {
  return {
    operationId: INVOKE_MCP_OPERATION_ID,
    summary: 'Invoke the MCP server',
    description: 'Streamable HTTP endpoint of the MCP server, used by Copilot Studio agents; the session is kept by the facade.',
    'x-ms-visibility': 'internal',
    [AGENTIC_PROTOCOL_KEY]: AGENTIC_PROTOCOL_STREAMABLE,
    responses: { '200': { description: 'Success' } },
  }
}

/** Adds `POST {path}` = `InvokeMCP` to a document (in place) and returns it. */
export function addInvokeMcp(document: Swagger2Document, path = '/mcp'): Swagger2Document {
  document.paths[path] = { ...(document.paths[path] ?? {}), post: invokeMcpOperation() }
  return document
}

/** The same document with `InvokeMCP` as its only operation (for agents that need nothing else). */
export function mcpOnlyDocument(document: Swagger2Document, path = '/mcp'): Swagger2Document {
  const { paths: _paths, ...rest } = document
  void _paths
  return { ...rest, paths: { [path]: { post: invokeMcpOperation() } } }
}
