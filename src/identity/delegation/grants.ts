/**
 * @module identity/delegation/grants
 * The three ways a caller's token becomes a token for the vendor, as token requests on the wire:
 * - Entra ID On-Behalf-Of: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, `requested_token_use=
 *   on_behalf_of`, `assertion` = the caller's token, `scope` (or `resource` on v1 endpoints and AD FS);
 * - RFC 8693 token exchange: `subject_token` + `subject_token_type`, the vendor named by `audience`/`resource`, and
 *   the answer's `issued_token_type` checked;
 * - Enterprise-Managed Authorization (SEP-990, ID-JAG): an RFC 8693 exchange at the enterprise IdP for an
 *   `id-jag`, then a JWT-bearer grant with it at the vendor's authorization server.
 * Each returns the token response the vendor's token comes from; nothing here caches (see ./delegated-tokens).
 */
import type { DelegationConfig } from '../../config/schema.js'
import { requestToken, TokenRequestError, type ClientAuthentication, type TokenResponse } from './token-endpoint.js'

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_TOKEN_TYPES = ['urn:ietf:params:oauth:token-type:access_token', 'urn:ietf:params:oauth:token-type:jwt']
const ID_JAG = 'urn:ietf:params:oauth:token-type:id-jag'

/** The vendor's authorization server, as configured or discovered (RFC 9728 + RFC 8414). */
export interface VendorAuthorization {
  issuer: string
  tokenUrl: string
  /** The vendor's protected-resource identifier, when it publishes one. */
  resource?: string
}

/** What the grants need besides the caller's token. */
export interface GrantSettings {
  delegation: DelegationConfig
  /** The facade's client at the token endpoint (`oauth` block). */
  client: ClientAuthentication
  /** `oauth.tokenUrl`: the IdP's endpoint for OBO and token exchange, the vendor's for ID-JAG. */
  tokenUrl?: string
  scope?: string
  resource?: string
  /** The vendor's MCP URL (the ID-JAG `resource` when nothing better is known). */
  vendorUrl: string
  /** Finds the vendor's authorization server (ID-JAG without `tokenUrl`/`audience`). */
  discover: () => Promise<VendorAuthorization>
  timeoutMs?: number
}

/**
 * Exchanges a caller's token for a vendor token.
 * @throws TokenRequestError
 */
export async function exchangeToken(settings: GrantSettings, subjectToken: string): Promise<TokenResponse> {
  const { delegation } = settings
  switch (delegation.grant) {
    case 'on_behalf_of':
      return bearer(
        await requestToken({
          tokenUrl: settings.tokenUrl!,
          client: settings.client,
          timeoutMs: settings.timeoutMs,
          params: { grant_type: JWT_BEARER, assertion: subjectToken, requested_token_use: 'on_behalf_of', scope: settings.scope, resource: settings.resource },
        }),
      )
    case 'token_exchange': {
      const answer = await requestToken({
        tokenUrl: settings.tokenUrl!,
        client: settings.client,
        timeoutMs: settings.timeoutMs,
        params: {
          grant_type: TOKEN_EXCHANGE,
          subject_token: subjectToken,
          subject_token_type: delegation.subjectTokenType,
          requested_token_type: delegation.requestedTokenType,
          audience: delegation.audience,
          resource: delegation.resource ?? settings.resource,
          scope: settings.scope,
        },
      })
      // RFC 8693 §2.2.1: issued_token_type is required; anything but an access token cannot go into Authorization.
      const issued = answer.issued_token_type
      if (!issued || !(delegation.requestedTokenType ? [delegation.requestedTokenType] : ACCESS_TOKEN_TYPES).includes(issued))
        throw new TokenRequestError('protocol', `the token exchange issued ${issued ? 'a token of another type' : 'no issued_token_type'}`)
      return bearer(answer)
    }
    case 'id_jag': {
      const idp = delegation.idp
      const needsDiscovery = !settings.tokenUrl || !delegation.audience || !(delegation.resource ?? settings.resource)
      const found = needsDiscovery ? await settings.discover() : undefined
      const audience = delegation.audience ?? found!.issuer
      const resource = delegation.resource ?? settings.resource ?? found?.resource ?? settings.vendorUrl
      const grant = await requestToken({
        tokenUrl: idp.tokenUrl,
        client: idp.clientSecret ? { method: 'client_secret_post', clientId: idp.clientId, clientSecret: idp.clientSecret } : { method: 'none', clientId: idp.clientId },
        timeoutMs: settings.timeoutMs,
        params: {
          grant_type: TOKEN_EXCHANGE,
          requested_token_type: ID_JAG,
          audience,
          resource,
          subject_token: subjectToken,
          subject_token_type: idp.subjectTokenType,
          scope: idp.scope,
        },
      })
      if (grant.issued_token_type !== ID_JAG) throw new TokenRequestError('protocol', 'the identity provider issued no ID-JAG (issued_token_type)')
      return bearer(
        await requestToken({
          tokenUrl: settings.tokenUrl ?? found!.tokenUrl,
          client: settings.client,
          timeoutMs: settings.timeoutMs,
          params: { grant_type: JWT_BEARER, assertion: grant.access_token, scope: settings.scope },
        }),
      )
    }
  }
}

/** The vendor token must be a bearer token: it goes into `Authorization: Bearer`. */
function bearer(answer: TokenResponse): TokenResponse {
  if (answer.token_type.toLowerCase() !== 'bearer') throw new TokenRequestError('protocol', 'the issued token is not a Bearer token')
  return answer
}
