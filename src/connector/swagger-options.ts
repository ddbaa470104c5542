/**
 * @module connector/swagger-options
 * Maps one server's runtime configuration to the Swagger 2.0 emitter's options, including the runtime contract
 * the emitter cannot know about: every tool operation sends an internal `X-Facade-Client` header, so the facade
 * knows a call comes from the connector and renames output properties to the connector-safe names the document
 * promised (direct REST callers keep the vendor's names). The header is given to the emitter, so the operation
 * and size limits are checked with it in the document.
 */
import type { Catalog } from '../catalog/types.js'
import { signInOf } from '../auth/sign-in.js'
import type { InboundAuth as ConfigInboundAuth } from '../config/schema.js'
import type { ServerRuntime } from '../runtime/server-runtime.js'
import { emitSwagger2 } from '../swagger/emit.js'
import { invokeMcpOperation } from '../swagger/invoke-mcp.js'
import type { EmitReport, InboundAuth, NonBodyParameter, Swagger2Document, Swagger2Options } from '../swagger/types.js'
import { CONNECTOR_CLIENT_HEADER, CONNECTOR_CLIENT_VALUE } from './client-header.js'
import { interactionOperations, PREFER_PARAMETER } from './interaction-operations.js'
import { catalogOperations } from './catalog-operations.js'

/** The emitter's view of the inbound auth settings. */
export function swaggerInboundAuth(auth: ConfigInboundAuth): InboundAuth {
  switch (auth.mode) {
    case 'none':
      return { mode: 'none' }
    case 'apiKey':
      return { mode: 'apiKey', header: auth.header }
    case 'passthrough':
      return auth.oauth
        ? { mode: 'passthrough', scheme: 'oauth2', authorizationUrl: auth.oauth.authorizationUrl, tokenUrl: auth.oauth.tokenUrl, scopes: auth.oauth.scopes }
        : { mode: 'passthrough', scheme: 'apiKey', header: auth.header }
    case 'jwt': {
      // The connection signs users in as `auth.oauth` describes (Entra ID or a generic provider); without it there
      // is no sign-in to describe, so the connection asks for the bearer token itself (see auth/sign-in).
      const signIn = signInOf(auth)
      return signIn ? { mode: 'jwt', scheme: 'oauth2', ...signIn } : { mode: 'jwt', scheme: 'apiKey', header: 'Authorization' }
    }
  }
}

/**
 * Emitter options for a server.
 * @param publicRoot the facade's public URL when it is not configured (`GET /connector/package` uses the request's origin)
 */
export function swaggerOptionsFor(runtime: ServerRuntime, publicRoot = runtime.global.publicUrl): Swagger2Options {
  const c = runtime.config.connector
  const mcp = runtime.config.mcpEndpoint
  const interactive = runtime.interactions.settings.elicitation === 'ask'
  return {
    publicUrl: publicRoot,
    mountPath: runtime.mountPath,
    title: c.title,
    description: c.description,
    contact: c.contact,
    connectorMetadata: c.website && c.privacyPolicy ? { website: c.website, privacyPolicy: c.privacyPolicy, categories: c.categories } : undefined,
    inboundAuth: swaggerInboundAuth(runtime.config.auth),
    // Interactive servers: every tool call may answer questions (status input_required), answered with AnswerJob.
    toolParameters: { FacadeClient: CLIENT_PARAMETER, ...(interactive ? { Prefer: PREFER_PARAMETER } : {}) },
    toolErrorProblems: runtime.config.toolErrors === 'problem',
    delegation: !!runtime.config.oauth?.delegation,
    // Copilot Studio's native MCP path: one InvokeMCP operation on the facade's own MCP endpoint (issue 7),
    // counted in the limits like every fixed operation.
    extraOperations: {
      ...(interactive ? interactionOperations('FacadeClient') : {}),
      ...(mcp.enabled && mcp.connectorOperation ? { '/mcp': { post: invokeMcpOperation() } } : {}),
    },
  }
}

/** The internal client header, a shared parameter every tool call operation references. */
const CLIENT_PARAMETER: NonBodyParameter = {
  name: CONNECTOR_CLIENT_HEADER,
  in: 'header',
  required: true,
  type: 'string',
  default: CONNECTOR_CLIENT_VALUE,
  'x-ms-visibility': 'internal',
  'x-ms-summary': 'Client',
  description: 'Identifies calls made by the connector so results use the property names of this definition.',
}

/**
 * The Swagger 2.0 document of a server's current catalog, what the emitter reported, and the file text: the bytes
 * `/swagger.json` serves and the export writes, on which the limits were checked.
 */
export function swaggerFor(runtime: ServerRuntime, catalog: Catalog, publicRoot?: string): { document: Swagger2Document; report: EmitReport; text: string } {
  const options = swaggerOptionsFor(runtime, publicRoot ?? runtime.global.publicUrl)
  // The vendor's prompts and resource templates (and their argument suggestions) come from the catalog, like the tool operations.
  return emitSwagger2(catalog, { ...options, extraOperations: { ...catalogOperations(catalog), ...options.extraOperations } })
}
