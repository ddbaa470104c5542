/**
 * @module catalog/types
 * The facade's view of a vendor's MCP catalog: plain, serializable data with no SDK types, so the
 * HTTP layer, the document emitters and the session store can all use it without importing the SDK.
 */

/** A JSON Schema object exactly as the vendor sent it (draft-07, 2019-09 or 2020-12). */
export type JsonSchema = { [key: string]: unknown }

/** One valid annotation: the argument at `path` is mirrored into `Mcp-Param-{name}`. */
export interface ParamHeader {
  /** The annotation's value, the part after `Mcp-Param-`. */
  name: string
  /** Property names from the arguments' root to the annotated property (the chain of `properties` keys). */
  path: string[]
  type: 'string' | 'integer' | 'boolean'
}

/** MCP tool annotations (all hints are untrusted, see the MCP spec `server/tools`). */
export interface ToolAnnotations {
  title?: string
  readOnlyHint?: boolean
  destructiveHint?: boolean
  idempotentHint?: boolean
  openWorldHint?: boolean
  [key: string]: unknown
}

/** One vendor tool as the facade exposes it. */
export interface CatalogTool {
  /** The vendor's original tool name (may contain dots, slashes, non-ASCII). */
  name: string
  title?: string
  description?: string
  /** The vendor's original input schema; the runtime validates against it unchanged. */
  inputSchema: JsonSchema
  /** The vendor's original output schema, when the tool declares one. */
  outputSchema?: JsonSchema
  annotations?: ToolAnnotations
  /** URL-safe path segment: `POST {base}/tools/{slug}`. Unique within the catalog. */
  slug: string
  /** PascalCase, `[A-Za-z0-9]`, <= 64 chars, unique and stable for the same tool set. */
  operationId: string
  /**
   * True when the tool gets its own typed operation in the documents. False when the config's
   * `tools.include`/`tools.exclude` lists filtered it out: it stays callable (REST `POST /tools/{slug}` and the
   * connector's generic InvokeTool) but is not described as its own operation.
   */
  typed: boolean
  /**
   * SEP-2243 `x-mcp-header` annotations, when the tool has any and the vendor speaks 2026-07-28: the arguments
   * mirrored into `Mcp-Param-*` request headers on every call.
   */
  paramHeaders?: ParamHeader[]
}

/** A vendor tool left out of the catalog, with the reason (`GET /tools` lists these). */
export interface ExcludedTool {
  name: string
  reason: string
}

/** A static resource advertised by the vendor. */
export interface CatalogResource {
  uri: string
  name: string
  title?: string
  description?: string
  mimeType?: string
}

/** A resource template advertised by the vendor. */
export interface CatalogResourceTemplate {
  uriTemplate: string
  name: string
  title?: string
  description?: string
  mimeType?: string
}

/** A prompt argument. */
export interface CatalogPromptArgument {
  name: string
  description?: string
  required?: boolean
}

/** A prompt advertised by the vendor. */
export interface CatalogPrompt {
  name: string
  title?: string
  description?: string
  arguments?: CatalogPromptArgument[]
  slug: string
  operationId: string
}

/** Identity of the vendor, from `initialize` or `server/discover`. */
export interface ServerInfo {
  name: string
  version?: string
  title?: string
  /** The server's own description of itself (`serverInfo.description`, MCP 2025-11-25). */
  description?: string
  /** Guidance for the model using the server; never a description of it for people. */
  instructions?: string
  /**
   * Optional capabilities the vendor declared that the facade passes on (absent: not declared, or unknown); `logging` (`logging/setLevel`) and `subscribe` (resource subscriptions) only on a 2025 connection,
   * `requestLogLevel` (the level in each request's `_meta`) only on a 2026-07-28 one.
   */
  supports?: { completions?: boolean; logging?: boolean; requestLogLevel?: boolean; subscribe?: boolean }
}

/** A consistent snapshot of one vendor's catalog. Replaced, never mutated, on refresh. */
export interface Catalog {
  /** Increases by one on every refresh that changed anything. */
  version: number
  /** Stable hash of the tool list, for ETags and drift checks. */
  etag: string
  loadedAt: string
  server: ServerInfo
  /** Every callable tool (the config's `tools.deny` list removes a tool entirely). */
  tools: CatalogTool[]
  /** Tools the vendor listed that cannot be offered (an invalid SEP-2243 `x-mcp-header` annotation). */
  excluded: ExcludedTool[]
  resources: CatalogResource[]
  resourceTemplates: CatalogResourceTemplate[]
  prompts: CatalogPrompt[]
}
