/**
 * @module http/routes/docs-page
 * `GET /docs`: Swagger UI served entirely by the facade from the pinned `swagger-ui-dist` package (its few files are
 * copied into `dist/swagger-ui/` by the build, so an install does not carry the whole 12 MB package), so the page works
 * without internet access and loads nothing from another host (a Content-Security-Policy says so to the browser).
 * Every URL on the page is relative, so it works under `/{server}/` and behind a proxy that adds a path prefix.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { OpenAPIHono } from '@hono/zod-openapi'
import { CONNECTOR_CLIENT_HEADER } from '../../connector/client-header.js'
import { ApiError } from '../../errors/api-error.js'

/** Set by scripts/build.mjs in the bundles: the folder beside them that holds the page's files; undefined under tsx. */
declare const FACADE_SWAGGER_UI_DIR: string | undefined

const distDir =
  typeof FACADE_SWAGGER_UI_DIR === 'string'
    ? fileURLToPath(new URL(`./${FACADE_SWAGGER_UI_DIR}/`, import.meta.url))
    : dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

/**
 * Our initializer: the document the page names (`data-openapi`, relative: this server's own `openapi.json`), resolved
 * against the page URL, in the plain layout (no URL bar to wander to other hosts). The connector's internal
 * `X-Facade-Client` parameter stays in the document (it is part of the contract) but not on the page: a developer
 * trying a call has nothing to put there (Swagger UI's `wrapComponents` plugin API, on the parameter row).
 */
const INIT_SCRIPT = `window.onload = function () {
  var root = document.getElementById('swagger-ui')
  window.ui = SwaggerUIBundle({
    url: new URL(root.getAttribute('data-openapi'), document.baseURI).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [function () {
      return { wrapComponents: { parameterRow: function (Original, system) {
        return function (props) {
          var param = props.param
          if (param && param.get && String(param.get('name')).toLowerCase() === ${JSON.stringify(CONNECTOR_CLIENT_HEADER.toLowerCase())}) return null
          return system.React.createElement(Original, props)
        }
      } } }
    }],
    layout: 'BaseLayout'
  })
}
`

/** The files the page may load: name → content type. Nothing else from the package is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
  'init.js': 'text/javascript; charset=utf-8',
}

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>mcp-rest-facade</title>
    <link rel="stylesheet" href="docs/assets/swagger-ui.css">
    <link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="docs/assets/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui" data-openapi="openapi.json"></div>
    <script src="docs/assets/swagger-ui-bundle.js" charset="utf-8"></script>
    <script src="docs/assets/init.js" charset="utf-8"></script>
  </body>
</html>
`

// Swagger UI sets inline styles and shows data: images; scripts and requests stay on this origin.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:"

/** Asset bytes, read once on first request (the bundle is ~1.5 MB: no need to hold it before anyone asks). */
const cache = new Map<string, Uint8Array<ArrayBuffer>>()
function asset(name: string): Uint8Array<ArrayBuffer> {
  let bytes = cache.get(name)
  if (!bytes) {
    bytes = name === 'init.js' ? new Uint8Array(new TextEncoder().encode(INIT_SCRIPT)) : new Uint8Array(readFileSync(join(distDir, name)))
    cache.set(name, bytes)
  }
  return bytes
}

/** Registers `GET /docs` (and `/docs/`, redirected: the page's relative URLs resolve from `/docs`) and its assets. */
export function registerDocsPageRoutes(app: OpenAPIHono) {
  app.get('/docs', (c) => c.body(PAGE, 200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP }))
  app.get('/docs/', (c) => c.redirect('../docs', 301))
  app.get('/docs/assets/:file', (c) => {
    const name = c.req.param('file')
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined
    if (!type) throw new ApiError('not_found', { detail: `No docs asset ${name}.` })
    return c.body(asset(name), 200, { 'content-type': type, 'cache-control': 'public, max-age=3600' })
  })
}
