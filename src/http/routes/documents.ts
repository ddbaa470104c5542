/**
 * @module http/routes/documents
 * `GET /openapi.json` (OpenAPI 3.1), `GET /swagger.json` (Swagger 2.0 for Power
 * Platform) and the connector's internal helper operations. Documents are cached per catalog version, so
 * they follow the catalog without a restart; repeated requests copy cached bytes (gzip when
 * accepted) or answer 304 to `If-None-Match`.
 */
import type { OpenAPIHono } from "@hono/zod-openapi"
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import { discoveryUrlOf, signInOf } from '../../auth/sign-in.js'
import type { InboundAuth } from '../../config/schema.js'
import { buildOpenApiDocument, type OpenApiOptions } from '../openapi-document.js'
import { cachedDocument } from '../cached-document.js'
import { problemContextOf } from '../openapi-components.js'

/**
 * The security schemes follow the inbound mode: a key in its own header, a bearer credential, the vendor's OAuth
 * authorization-code flow (passthrough with a described provider), or, for validated tokens (`jwt`), a bearer token
 * plus where users sign in: the configured sign-in's authorization-code flow, else the issuer's OpenID Connect
 * discovery (see auth/sign-in).
 */
function securityOptions(auth: InboundAuth): Pick<OpenApiOptions, 'apiKeyHeader' | 'bearer' | 'oauth2' | 'openIdConnectUrl'> {
  if (auth.mode === 'none') return {}
  if (auth.mode === 'jwt') {
    const signIn = signInOf(auth)
    return { bearer: true, ...(signIn ? { oauth2: signIn } : { openIdConnectUrl: discoveryUrlOf(auth) }) }
  }
  const bearer = auth.header.toLowerCase() === 'authorization'
  if (auth.mode === 'passthrough' && auth.oauth) return { oauth2: auth.oauth }
  return bearer ? { bearer: true } : { apiKeyHeader: auth.header }
}

/** Registers the document routes. */
export function registerDocumentRoutes(app: OpenAPIHono, runtime: ServerRuntime) {
  const auth = runtime.config.auth
  const publicBase = runtime.global.publicUrl ? runtime.global.publicUrl.replace(/\/+$/, '') + runtime.mountPath : undefined
  const openapi = cachedDocument((catalog) =>
    JSON.stringify(
      buildOpenApiDocument(catalog, {
        title: runtime.config.connector.title ?? `${catalog.server.title ?? catalog.server.name} (REST)`,
        version: `${catalog.server.version ?? '0'}+catalog.${catalog.version}`,
        // The relative base first: "Try it out" then works behind any host name; the public URL when configured.
        servers: [runtime.mountPath || '/', ...(publicBase ? [publicBase] : [])],
        // Read at build time, after every route of the app is registered.
        fixed: app.openAPIRegistry.definitions,
        problems: problemContextOf(runtime),
        ...securityOptions(auth),
      }),
    ),
  )
  app.get('/openapi.json', (c) => openapi.serve(c, runtime.requireCatalog().catalog))

  // The exact bytes the export writes: the limits were checked on them (see connector/swagger-options). The
  // emitter and its rule checks are loaded on the first request, not at start-up.
  const swagger = cachedDocument(async (catalog) => (await import('../../connector/swagger-options.js')).swaggerFor(runtime, catalog).text)
  app.get('/swagger.json', (c) => swagger.serve(c, runtime.requireCatalog().catalog))
}
