/**
 * @module connector/swagger-options
 * Maps one server's runtime configuration to the Swagger 2.0 emitter's options, and applies the runtime
 * contract the emitter cannot know about: every tool operation sends an internal `X-Facade-Client` header, so
 * the facade knows a call comes from the connector and renames output properties to the connector-safe names
 * the document promised (direct REST callers keep the vendor's names).
 */
import type { Catalog } from '../catalog/types.js'
import type { InboundAuth as ConfigInboundAuth } from '../config/schema.js'
import type { ServerRuntime } from '../runtime/server-runtime.js'
import { emitSwagger2 } from '../swagger/emit.js'
import { addInvokeMcp } from '../swagger/invoke-mcp.js'
import { serializeSwagger2 } from '../swagger/serialize.js'
import type { EmitReport, InboundAuth, Swagger2Document, Swagger2Options } from '../swagger/types.js'

/** Header the connector sends on tool operations (internal, fixed value). */
export const CONNECTOR_CLIENT_HEADER = 'X-Facade-Client'
/** Its value. */
export const CONNECTOR_CLIENT_VALUE = 'power-platform'

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
  }
}

/** Emitter options for a server. */
export function swaggerOptionsFor(runtime: ServerRuntime): Swagger2Options {
  const c = runtime.config.connector
  const publicUrl = runtime.global.publicUrl ? runtime.global.publicUrl.replace(/\/+$/, '') + runtime.mountPath : undefined
  return {
    publicUrl,
    title: c.title,
    description: c.description,
    contact: c.contact,
    connectorMetadata: c.website && c.privacyPolicy ? { website: c.website, privacyPolicy: c.privacyPolicy, categories: c.categories } : undefined,
    inboundAuth: swaggerInboundAuth(runtime.config.auth),
  }
}

/** Adds the internal client header to the tool operations (`POST /tools/…` and `POST /invoke/{tool}`). */
function markConnectorCalls(document: Swagger2Document): Swagger2Document {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/tools/') && !path.startsWith('/invoke/')) continue
    const op = (item as Record<string, { parameters?: unknown[] }>).post
    if (!op) continue
    op.parameters = [
      ...(op.parameters ?? []),
      {
        name: CONNECTOR_CLIENT_HEADER,
        in: 'header',
        required: true,
        type: 'string',
        default: CONNECTOR_CLIENT_VALUE,
        'x-ms-visibility': 'internal',
        'x-ms-summary': 'Client',
        description: 'Identifies calls made by the connector so results use the property names of this definition.',
      },
    ]
  }
  return document
}

/** The Swagger 2.0 document of a server's current catalog, and what the emitter reported. */
export function swaggerFor(runtime: ServerRuntime, catalog: Catalog): { document: Swagger2Document; report: EmitReport } {
  const { document, report } = emitSwagger2(catalog, swaggerOptionsFor(runtime))
  markConnectorCalls(document)
  // Copilot Studio's native MCP path: one InvokeMCP operation on the facade's own MCP endpoint (issue 7).
  const mcp = runtime.config.mcpEndpoint
  if (mcp.enabled && mcp.connectorOperation) addInvokeMcp(document)
  return { document, report }
}

/**
 * The definition file's text: indented (certification asks for 4 spaces), or compact when indentation alone
 * would cross the 1 MB import limit (rulebook H-02; the emitter's byte budget is measured compact).
 */
export function serializeDefinition(document: Swagger2Document): string {
  const pretty = serializeSwagger2(document)
  return Buffer.byteLength(pretty) < 1_000_000 ? pretty : serializeSwagger2(document, 0)
}
