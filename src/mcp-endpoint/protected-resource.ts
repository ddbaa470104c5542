/**
 * @module mcp-endpoint/protected-resource
 * RFC 9728 OAuth protected-resource metadata for the facade's MCP endpoint, so MCP clients discover where users
 * sign in: `GET /.well-known/oauth-protected-resource{mount}/mcp` names the endpoint (`resource`) and the token
 * issuers the facade accepts (`authorization_servers`); a 401 from the endpoint points at it with
 * `WWW-Authenticate: Bearer resource_metadata="…"` (§5.1). Served only with `auth.mode: "jwt"`: in the other modes
 * the facade knows no issuer to name.
 */
import type { Hono } from 'hono'
import type { ServerRuntime } from '../runtime/server-runtime.js'
import { MCP_ENDPOINT_PATH } from './route.js'

const WELL_KNOWN = '/.well-known/oauth-protected-resource'

/** The metadata URL for an MCP endpoint request (the public URL's origin when configured, else the request's). */
export function resourceMetadataUrl(requestUrl: string, publicUrl: string | undefined): string {
  const request = new URL(requestUrl)
  const base = publicUrl ? new URL(publicUrl) : request
  const prefix = publicUrl ? base.pathname.replace(/\/+$/, '') : ''
  return `${base.origin}${WELL_KNOWN}${prefix}${request.pathname}`
}

/** The endpoint's resource identifier: its absolute URL. */
function resourceOf(requestUrl: string, publicUrl: string | undefined, mountPath: string): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '') + mountPath + MCP_ENDPOINT_PATH
  return new URL(requestUrl).origin + mountPath + MCP_ENDPOINT_PATH
}

/** Registers the metadata document of every server whose MCP endpoint validates tokens, on the root app. */
export function registerProtectedResourceMetadata(app: Hono, runtimes: ServerRuntime[]): void {
  for (const runtime of runtimes) {
    const auth = runtime.config.auth
    if (auth.mode !== 'jwt' || !runtime.config.mcpEndpoint.enabled) continue
    const publicUrl = runtime.global.publicUrl
    const publicPrefix = publicUrl ? new URL(publicUrl).pathname.replace(/\/+$/, '') : ''
    // Behind a public URL with a path the facade still receives the path without that prefix: serve both forms.
    const paths = new Set([`${WELL_KNOWN}${runtime.mountPath}${MCP_ENDPOINT_PATH}`, `${WELL_KNOWN}${publicPrefix}${runtime.mountPath}${MCP_ENDPOINT_PATH}`])
    for (const path of paths)
      app.get(path, (c) =>
        c.json(
          {
            resource: resourceOf(c.req.url, publicUrl, runtime.mountPath),
            authorization_servers: Array.isArray(auth.issuer) ? auth.issuer : [auth.issuer],
            bearer_methods_supported: ['header'],
            ...(auth.oauth && Object.keys(auth.oauth.scopes).length ? { scopes_supported: Object.keys(auth.oauth.scopes) } : {}),
            resource_name: runtime.config.connector.title ?? runtime.name,
          },
          200,
          { 'Cache-Control': 'max-age=300' },
        ),
      )
  }
}
