/**
 * @module auth/sign-in
 * How the documents tell a client where users sign in, derived once from `auth` (mode `jwt`), so the OpenAPI
 * document, the Swagger 2.0 connector and its `apiProperties.json` say the same thing:
 * - `auth.oauth` with `identityProvider: "aad"`: Microsoft Entra ID. The authorization-code URLs are the tenant's v2.0
 *   endpoints (`https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize|token`), which take the full scope
 *   names (`api://<facade-app>/access_as_user`) the config lists; Power Platform's own `aad` provider uses
 *   `loginUri`, `tenantId` and `resourceUri` instead (v1 style, resource-based). The resource defaults to the first
 *   accepted audience: the token the connection gets must be one the facade accepts.
 * - `auth.oauth` with `identityProvider: "oauth2"`: the configured URLs, a generic OAuth 2.0 connection.
 * - no `auth.oauth`: nothing to sign in with (a generic connection needs URLs and a client); the documents ask for
 *   the bearer token itself, and OpenAPI clients can discover the issuer through OpenID Connect discovery.
 */
import type { InboundAuth } from '../config/schema.js'

/** Where Microsoft Entra ID users sign in (the host real Microsoft connectors name as `loginUri`). */
export const ENTRA_LOGIN_URI = 'https://login.microsoftonline.com'

/** Microsoft Entra ID specifics of a sign-in (Power Platform's `aad` identity provider). */
export interface EntraSignIn {
  loginUri: string
  tenantId: string
  /** The facade's App ID URI or client id: the audience of the tokens the connection gets. */
  resourceUri: string
  /** Power Platform on-behalf-of login (Copilot Studio end-user sign-in without a second prompt). */
  onBehalfOfLogin: boolean
}

/** An authorization-code sign-in the documents describe. */
export interface SignIn {
  authorizationUrl: string
  tokenUrl: string
  refreshUrl?: string
  /** Scope name → description. */
  scopes: Record<string, string>
  /** The connector's client id (its own app registration). */
  clientId: string
  /** Set for Microsoft Entra ID. */
  aad?: EntraSignIn
}

/** The sign-in `auth` describes, or undefined (other modes, or `jwt` without `auth.oauth`). */
export function signInOf(auth: InboundAuth): SignIn | undefined {
  if (auth.mode !== 'jwt' || !auth.oauth) return undefined
  const o = auth.oauth
  if (o.identityProvider === 'aad') {
    // The schema requires tenantId for aad; the fallback only keeps the type honest.
    const tenantId = o.tenantId ?? 'common'
    const base = `${ENTRA_LOGIN_URI}/${encodeURIComponent(tenantId)}/oauth2/v2.0`
    const audiences = Array.isArray(auth.audience) ? auth.audience : [auth.audience]
    return {
      authorizationUrl: o.authorizationUrl ?? `${base}/authorize`,
      tokenUrl: o.tokenUrl ?? `${base}/token`,
      ...(o.refreshUrl ? { refreshUrl: o.refreshUrl } : {}),
      scopes: o.scopes,
      clientId: o.clientId,
      aad: { loginUri: ENTRA_LOGIN_URI, tenantId, resourceUri: o.resourceUri ?? audiences[0]!, onBehalfOfLogin: o.onBehalfOfLogin },
    }
  }
  return {
    authorizationUrl: o.authorizationUrl!,
    tokenUrl: o.tokenUrl!,
    ...(o.refreshUrl ? { refreshUrl: o.refreshUrl } : {}),
    scopes: o.scopes,
    clientId: o.clientId,
  }
}

/**
 * The OpenID Connect discovery URL of the first accepted issuer (OIDC Discovery §4: issuer without a trailing slash,
 * plus `/.well-known/openid-configuration`), or undefined when the keys are pinned with `jwksUri` (the issuer may
 * then publish no discovery document) or the mode is not `jwt`.
 */
export function discoveryUrlOf(auth: InboundAuth): string | undefined {
  if (auth.mode !== 'jwt' || auth.jwksUri) return undefined
  const issuer = Array.isArray(auth.issuer) ? auth.issuer[0]! : auth.issuer
  return issuer.replace(/\/+$/, '') + '/.well-known/openid-configuration'
}
