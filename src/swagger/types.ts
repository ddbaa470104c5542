/**
 * @module swagger/types
 * Shapes of the Swagger 2.0 document (with the Power Platform `x-ms-*` extensions we emit), of the emitter's
 * options and report, and of the checker's findings. Plain data only: every value here is JSON-serializable.
 */

/** A JSON type that Swagger 2.0 allows in a schema (`null` does not exist in Swagger 2.0). */
export type Swagger2Type = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean'

/** `x-ms-visibility` values (absent means "normal"). */
export type Visibility = 'important' | 'advanced' | 'internal'

/** `x-ms-dynamic-schema` (version 1 of the dynamic schema extension). */
export interface DynamicSchema {
  operationId: string
  parameters?: Record<string, string | { parameter: string }>
  'value-path'?: string
}

/** `x-ms-dynamic-properties` (version 2 of the dynamic schema extension). */
export interface DynamicProperties {
  operationId: string
  parameters?: Record<string, { value: unknown } | { parameterReference: string }>
  itemValuePath?: string
}

/** `x-ms-dynamic-values` (version 1 of the dynamic values extension). */
export interface DynamicValues {
  operationId: string
  'value-collection'?: string
  'value-path': string
  'value-title'?: string
  parameters?: Record<string, string | { parameter: string }>
}

/** `x-ms-dynamic-list` (version 2 of the dynamic values extension). */
export interface DynamicList {
  operationId: string
  itemsPath?: string
  itemValuePath: string
  itemTitlePath?: string
  parameters?: Record<string, { value: unknown } | { parameterReference: string }>
}

/** A Swagger 2.0 Schema Object restricted to the keywords Power Platform accepts (rulebook §1.6). */
export interface Swagger2Schema {
  type?: Swagger2Type
  format?: string
  'x-ms-summary'?: string
  description?: string
  'x-ms-visibility'?: Visibility
  enum?: unknown[]
  default?: unknown
  multipleOf?: number
  minimum?: number
  exclusiveMinimum?: boolean
  maximum?: number
  exclusiveMaximum?: boolean
  minLength?: number
  maxLength?: number
  pattern?: string
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  minProperties?: number
  maxProperties?: number
  properties?: Record<string, Swagger2Schema>
  required?: string[]
  additionalProperties?: boolean | Swagger2Schema
  items?: Swagger2Schema
  'x-nullable'?: boolean
  example?: unknown
  'x-ms-dynamic-schema'?: DynamicSchema
  'x-ms-dynamic-properties'?: DynamicProperties
}

/** An `in: body` parameter. */
export interface BodyParameter {
  name: string
  in: 'body'
  required?: boolean
  'x-ms-summary': string
  description: string
  schema: Swagger2Schema
}

/** A path, query or header parameter (primitive `type`, never a `schema`). */
export interface NonBodyParameter {
  name: string
  in: 'path' | 'query' | 'header'
  type: 'string' | 'number' | 'integer' | 'boolean'
  format?: string
  required: boolean
  'x-ms-summary': string
  description: string
  'x-ms-visibility'?: Visibility
  'x-ms-url-encoding'?: 'single' | 'double'
  'x-ms-dynamic-values'?: DynamicValues
  'x-ms-dynamic-list'?: DynamicList
  default?: string
  enum?: string[]
}

/** Any parameter we emit. */
export type Swagger2Parameter = BodyParameter | NonBodyParameter

/** A reference to a document-level `parameters` or `responses` entry (rulebook H-37, H-49). */
export interface Swagger2Ref {
  $ref: string
  // Absent members, so code can read `name`/`in`/`schema`/`description` of a parameter or response without narrowing.
  name?: undefined
  in?: undefined
  schema?: undefined
  description?: undefined
  headers?: undefined
}

/** A response header. */
export interface Swagger2Header {
  type: 'string' | 'integer'
  description: string
  format?: string
}

/** A response object. */
export interface Swagger2Response {
  description: string
  schema?: Swagger2Schema
  headers?: Record<string, Swagger2Header>
}

/** An operation object. */
export interface Swagger2Operation {
  operationId: string
  summary: string
  description: string
  'x-ms-visibility'?: Visibility
  parameters?: (Swagger2Parameter | Swagger2Ref)[]
  responses: Record<string, Swagger2Response | Swagger2Ref>
  /** The vendor's original MCP tool name (tool operations only). */
  'x-mcp-tool'?: string
}

/** A path item: one operation per HTTP method. */
export type Swagger2PathItem = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', Swagger2Operation>>

/** A security scheme. */
export type Swagger2SecurityScheme =
  | { type: 'apiKey'; in: 'header' | 'query'; name: string; description?: string }
  | {
      type: 'oauth2'
      flow: 'accessCode'
      authorizationUrl: string
      tokenUrl: string
      scopes: Record<string, string>
      description?: string
    }

/** One `x-ms-connector-metadata` entry. */
export interface ConnectorMetadataEntry {
  propertyName: 'Website' | 'Privacy policy' | 'Categories'
  propertyValue: string
}

/** The whole `apiDefinition.swagger.json` document. */
export interface Swagger2Document {
  swagger: '2.0'
  info: {
    title: string
    description: string
    version: string
    contact?: { name: string; url: string; email: string }
  }
  host: string
  basePath: string
  schemes: ['https']
  consumes: ['application/json']
  produces: ['application/json']
  paths: Record<string, Swagger2PathItem>
  /** Shared parameters, referenced as `#/parameters/{name}`. */
  parameters?: Record<string, NonBodyParameter>
  /** Shared responses, referenced as `#/responses/{name}`. */
  responses?: Record<string, Swagger2Response>
  securityDefinitions?: Record<string, Swagger2SecurityScheme>
  security?: Record<string, string[]>[]
  'x-ms-connector-metadata'?: ConnectorMetadataEntry[]
}

/** Microsoft Entra ID specifics of a connection (Power Platform's `aad` identity provider, paconn `customParameters`). */
export interface AadConnection {
  /** `https://login.microsoftonline.com` (or `https://login.windows.net`, as older connectors write it). */
  loginUri: string
  tenantId: string
  /** The App ID URI (or client id) the connection asks tokens for. */
  resourceUri: string
  /** Power Platform on-behalf-of login (`enableOnbehalfOfLogin`, `IsOnbehalfofLoginSupported`). */
  onBehalfOfLogin: boolean
}

/** An OAuth 2.0 authorization-code connection (Swagger `oauth2` accessCode, paconn `token` oauthSetting). */
export interface OAuthConnection {
  scheme: 'oauth2'
  authorizationUrl: string
  tokenUrl: string
  refreshUrl?: string
  scopes: Record<string, string>
  /** The connector's client id; default a placeholder to fill in before import. */
  clientId?: string
  /** Set when users sign in with Microsoft Entra ID. */
  aad?: AadConnection
}

/**
 * How callers authenticate to the facade through the connector.
 * - `none`: no credentials.
 * - `apiKey`: the facade's own key, sent by the platform in `header`.
 * - `passthrough`: the caller's vendor credential, forwarded by the facade to the MCP server (OAuth access token
 *   as `Authorization: Bearer`, or an API key header).
 * - `jwt`: an access token the facade validates: the connection signs users in (OAuth, Microsoft Entra ID), or,
 *   without a described sign-in, the user pastes `Bearer <token>` into an `Authorization` key.
 */
export type InboundAuth =
  | { mode: 'none' }
  | { mode: 'apiKey'; header: string }
  | ({ mode: 'passthrough' | 'jwt' } & OAuthConnection)
  | { mode: 'passthrough' | 'jwt'; scheme: 'apiKey'; header: string }

/** Certification metadata (`x-ms-connector-metadata`). */
export interface ConnectorMetadataOptions {
  website: string
  privacyPolicy: string
  /** At most two of the categories listed in rulebook C-04. */
  categories: string[]
}

/** Options of {@link emitSwagger2}. */
export interface Swagger2Options {
  /** Public base URL of the facade, e.g. `https://facade.example.com/crm`. Default `https://localhost` (warned). */
  publicUrl?: string
  /** Where the server's routes live under the base URL (`/{server}` with several servers); appended to its path. */
  mountPath?: string
  /** Connector title (sanitized to <= 30 chars, no "API"/"Connector"). Default: the vendor's server title/name. */
  title?: string
  /** Connector description (sanitized to 30-500 chars). Default: the server's `description`, else a sentence naming its title (never its instructions to the model). */
  description?: string
  /** `info.version`. Default: the vendor's server version, else `1.0.0`. */
  version?: string
  contact?: { name: string; url: string; email: string }
  connectorMetadata?: ConnectorMetadataOptions
  /** Default `{ mode: 'none' }`. */
  inboundAuth?: InboundAuth
  /** Default 256 (rulebook H-11). */
  maxOperations?: number
  /** Default 1 000 000 bytes of the final file (`serializeDefinition`, rulebook H-02). */
  maxBytes?: number
  /**
   * Header parameters every tool call (typed tools and InvokeTool) carries, by shared-parameter name; part of the
   * document before the limits are checked.
   */
  toolParameters?: Record<string, NonBodyParameter>
  /** More operations (e.g. the MCP endpoint), always kept, counted in the limits like the fixed ones. */
  extraOperations?: Record<string, Swagger2PathItem>
  /** True when tool errors are 422 problems (`toolErrors: problem`), so the 422 response is declared. */
  toolErrorProblems?: boolean
  /** True when calls exchange the caller's token first (`oauth.delegation`): the error responses name its codes. */
  delegation?: boolean
}

/** Why a tool has no typed operation of its own (it stays reachable through `InvokeTool`). */
export type OmitReason =
  /** `typed: false` in the catalog (filtered by the config's include/exclude lists). */
  | 'not-typed'
  /** Its slug or operationId is invalid or collides case-insensitively with another operation or path. */
  | 'name-conflict'
  /** Keeping it would exceed `maxOperations`. */
  | 'max-operations'
  /** Keeping it would exceed `maxBytes`. */
  | 'max-bytes'

/** What the emitter did, so nothing is dropped silently. */
export interface EmitReport {
  /** Number of operations in the document. */
  operations: number
  /** Size of the final file text (`serializeDefinition`): what is served and exported, the measure of the size limit. */
  bytes: number
  /** Tools without their own operation, in tool-name order. */
  omittedTools: { name: string; reason: OmitReason }[]
  /** Human-readable warnings (defaults applied, limits hit, schemas reduced). */
  warnings: string[]
  /** Per tool, the losses of the JSON Schema to Swagger 2.0 down-conversion (only tools with notes). */
  schemaNotes: { name: string; notes: string[] }[]
}

/** One finding of the rulebook checker. */
export interface Violation {
  /** Rulebook id, e.g. `H-22`, `C-06`; `S-*` for the §1.6 schema rows; `P-*` for apiProperties rows. */
  rule: string
  severity: 'error' | 'warning'
  /** JSON pointer into the checked document (`/paths/~1tools~1x/post`). */
  path: string
  message: string
}
