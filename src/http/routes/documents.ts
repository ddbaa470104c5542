/**
 * @module http/routes/documents
 * `GET /openapi.json` (OpenAPI 3.1), `GET /swagger.json` (Swagger 2.0 for Power
 * Platform) and the connector's internal helper operations. Documents are cached per catalog version, so
 * they follow the catalog without a restart; repeated requests copy cached bytes (gzip when
 * accepted) or answer 304 to `If-None-Match`.
 */
import type { OpenAPIHono } from "@hono/zod-openapi"
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import { buildOpenApiDocument } from '../openapi-document.js'
import { cachedDocument } from '../cached-document.js'
import { problemContextOf } from '../openapi-components.js'

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
        // The security scheme follows the inbound mode: a key in its own header, a bearer credential, or (passthrough
        // with a described provider) the vendor's OAuth authorization-code flow.
        apiKeyHeader: 'header' in auth && auth.header.toLowerCase() !== 'authorization' ? auth.header : undefined,
        bearer: (auth.mode === 'jwt' || ('header' in auth && auth.header.toLowerCase() === 'authorization')) && !(auth.mode === 'passthrough' && auth.oauth),
        oauth2: auth.mode === 'passthrough' && auth.oauth ? auth.oauth : undefined,
      }),
    ),
  )
  app.get('/openapi.json', (c) => openapi.serve(c, runtime.requireCatalog().catalog))

  // The exact bytes the export writes: the limits were checked on them (see connector/swagger-options). The
  // emitter and its rule checks are loaded on the first request, not at start-up.
  const swagger = cachedDocument(async (catalog) => (await import('../../connector/swagger-options.js')).swaggerFor(runtime, catalog).text)
  app.get('/swagger.json', (c) => swagger.serve(c, runtime.requireCatalog().catalog))
}
