/**
 * @module http/routes/documents
 * `GET /openapi.json` (OpenAPI 3.1), `GET /swagger.json` (Swagger 2.0 for Power
 * Platform) and the connector's internal helper operations. Documents are cached per catalog version, so
 * they follow the catalog without a restart and cost nothing on repeated requests.
 */
import type { Hono } from 'hono'
import type { Catalog } from '../../catalog/types.js'
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import { buildOpenApiDocument } from '../openapi-document.js'
import { baseUrl } from '../base-url.js'
import { serializeDefinition, swaggerFor } from '../../connector/swagger-options.js'

/** Caches one derived value per catalog version. */
function perVersion<T>(build: (catalog: Catalog, key: string) => T) {
  let cached: { version: number; key: string; value: T } | undefined
  return (catalog: Catalog, key = '') => {
    if (!cached || cached.version !== catalog.version || cached.key !== key) cached = { version: catalog.version, key, value: build(catalog, key) }
    return cached.value
  }
}

/** Registers the document routes. */
export function registerDocumentRoutes(app: Hono, runtime: ServerRuntime) {
  const auth = runtime.config.auth
  const openapi = perVersion((catalog, serverUrl) =>
    JSON.stringify(
      buildOpenApiDocument(catalog, {
        title: runtime.config.connector.title ?? `${catalog.server.title ?? catalog.server.name} (REST)`,
        version: `${catalog.server.version ?? '0'}+catalog.${catalog.version}`,
        serverUrl,
        // The security scheme follows the inbound mode: a key in its own header, a bearer credential, or (passthrough
        // with a described provider) the vendor's OAuth authorization-code flow.
        apiKeyHeader: auth.mode !== 'none' && auth.header.toLowerCase() !== 'authorization' ? auth.header : undefined,
        bearer: auth.mode !== 'none' && auth.header.toLowerCase() === 'authorization' && !(auth.mode === 'passthrough' && auth.oauth),
        oauth2: auth.mode === 'passthrough' && auth.oauth ? auth.oauth : undefined,
      }),
    ),
  )
  app.get('/openapi.json', (c) => {
    const { catalog } = runtime.requireCatalog()
    c.header('ETag', `"${catalog.etag}"`)
    return c.body(openapi(catalog, baseUrl(c, runtime.global.publicUrl, runtime.mountPath)), 200, { 'content-type': 'application/json' })
  })

  const swagger = perVersion((catalog) => serializeDefinition(swaggerFor(runtime, catalog).document))
  app.get('/swagger.json', (c) => {
    const { catalog } = runtime.requireCatalog()
    c.header('ETag', `"${catalog.etag}"`)
    return c.body(swagger(catalog), 200, { 'content-type': 'application/json' })
  })
}
