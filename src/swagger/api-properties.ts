/**
 * @module swagger/api-properties
 * `apiProperties.json` and paconn's `settings.json` for the connector folder (rulebook §4, §5). Pure builders.
 *
 * Connection parameters per inbound auth mode (they must match the document's single security definition):
 * | Mode | Swagger `securityDefinitions` | `connectionParameters` |
 * |---|---|---|
 * | none | (none) | `{}` |
 * | apiKey (facade key) | `api_key`: apiKey in header `H` | `api_key` securestring |
 * | passthrough apiKey | `api_key`: apiKey in header `H` | `api_key` securestring |
 * | passthrough oauth2, jwt with a generic sign-in | `oauth2`: accessCode flow | `token` oauthSetting, identityProvider `oauth2`, redirectMode `GlobalPerConnector` |
 * | jwt with Microsoft Entra ID | `oauth2`: accessCode flow on the tenant's endpoints | `token` oauthSetting, identityProvider `aad`, redirectMode `Global`; hidden `token:TenantId` |
 * | jwt without a sign-in | `api_key`: apiKey in header `Authorization` | `api_key` securestring (`Bearer <token>`) |
 *
 * Policies: none are emitted (`policyTemplateInstances: []`). The security definition already makes the platform
 * send the credential: an API key goes out in header `H` with exactly the value the user typed, and OAuth tokens go
 * out as `Authorization: Bearer`. When `H` is `Authorization`, the user types the whole value (`Bearer <token>`), as
 * in Microsoft's MCP samples; the connection parameter's description says so. We deliberately do not add a
 * `setheader` policy that prefixes `Bearer `: it would break users who paste a full header value, and the runtime
 * sees the same header either way.
 */

import type { AadConnection, InboundAuth } from './types.js'

/** Default brand colour (the independent-publisher colour, rulebook C-16). */
export const DEFAULT_ICON_BRAND_COLOR = '#da3b01'

/** The redirect URL of Power Platform connections: the connector's OAuth client must allow it (rulebook C-17). */
export const CONSENT_REDIRECT_URL = 'https://global.consent.azure-apim.net/redirect'

/** Placeholder written where the OAuth client id must be filled in before import. */
export const CLIENT_ID_PLACEHOLDER = '[[OAUTH_CLIENT_ID]]'

/** Options of {@link buildApiProperties}. */
export interface ApiPropertiesOptions {
  /** Default `{ mode: 'none' }`; must be the same value the document was emitted with. */
  inboundAuth?: InboundAuth
  /** `#RRGGBB`, default `#da3b01`. */
  iconBrandColor?: string
  /** OAuth client id registered with the vendor; default the connection's own (`jwt`), else a placeholder to replace before import. */
  oauthClientId?: string
  /** Certification fields (rulebook C-16); `stackOwner` breaks `paconn update`, so it is opt-in. */
  publisher?: string
  stackOwner?: string
}

/** The `apiProperties.json` object. */
export interface ApiProperties {
  properties: {
    iconBrandColor: string
    capabilities: string[]
    connectionParameters: Record<string, unknown>
    policyTemplateInstances: unknown[]
    publisher?: string
    stackOwner?: string
  }
}

/**
 * Builds `apiProperties.json` for the inbound auth mode (see the module table).
 * @returns the object to serialize with `serializeSwagger2`
 */
export function buildApiProperties(options: ApiPropertiesOptions = {}): ApiProperties {
  const auth = options.inboundAuth ?? { mode: 'none' }
  const properties: ApiProperties['properties'] = {
    iconBrandColor: options.iconBrandColor ?? DEFAULT_ICON_BRAND_COLOR,
    capabilities: ['actions'],
    connectionParameters: connectionParameters(auth, options.oauthClientId),
    policyTemplateInstances: [],
  }
  if (options.publisher !== undefined) properties.publisher = options.publisher
  if (options.stackOwner !== undefined) properties.stackOwner = options.stackOwner
  return { properties }
}

function connectionParameters(auth: InboundAuth, clientIdOption: string | undefined): Record<string, unknown> {
  if (auth.mode === 'none') return {}
  if (auth.mode === 'apiKey' || auth.scheme === 'apiKey') {
    const bearer = auth.header.toLowerCase() === 'authorization'
    const [what, displayName] = {
      apiKey: ['The API key of the facade', 'API Key'],
      passthrough: ['Your credential for the vendor service', 'Vendor Credential'],
      jwt: ['An access token from the identity provider the facade trusts (it expires)', 'Access Token'],
    }[auth.mode]
    return {
      api_key: {
        type: 'securestring',
        uiDefinition: {
          displayName,
          description: bearer ? `${what}, as the full header value (Bearer <token>).` : `${what}, sent in the ${auth.header} header.`,
          tooltip: bearer ? 'Enter Bearer followed by your token' : 'Provide your key',
          constraints: { tabIndex: 2, clearText: false, required: 'true' },
        },
      },
    }
  }
  const clientId = clientIdOption ?? auth.clientId ?? CLIENT_ID_PLACEHOLDER
  if (auth.aad) return entraParameters(auth.aad, clientId, Object.keys(auth.scopes).sort())
  return {
    token: {
      type: 'oauthSetting',
      oAuthSettings: {
        identityProvider: 'oauth2',
        clientId,
        scopes: Object.keys(auth.scopes).sort(),
        redirectMode: 'GlobalPerConnector',
        redirectUrl: CONSENT_REDIRECT_URL,
        properties: { IsFirstParty: 'False' },
        customParameters: {
          authorizationUrl: { value: auth.authorizationUrl },
          tokenUrl: { value: auth.tokenUrl },
          refreshUrl: { value: auth.refreshUrl ?? auth.tokenUrl },
        },
      },
      uiDefinition: {
        displayName: 'Login with your credentials',
        description: 'Login with your credentials',
        tooltip: 'Login with your credentials',
        constraints: { required: 'true' },
      },
    },
  }
}

/**
 * Microsoft Entra ID sign-in, as real Entra connectors write it (microsoft/PowerPlatformConnectors, e.g.
 * `AADInvitationManager`): the `aad` provider with `loginUri`, `tenantId` and `resourceUri`, the resource repeated
 * as `AzureActiveDirectoryResourceId`, the global redirect URL, and the hidden `token:TenantId` parameter the
 * platform fills with the signed-in user's tenant. On-behalf-of login is both a custom parameter (a string
 * `"true"`/`"false"`) and the `IsOnbehalfofLoginSupported` property.
 */
function entraParameters(aad: AadConnection, clientId: string, scopes: string[]): Record<string, unknown> {
  return {
    token: {
      type: 'oauthSetting',
      oAuthSettings: {
        identityProvider: 'aad',
        clientId,
        scopes,
        redirectMode: 'Global',
        redirectUrl: CONSENT_REDIRECT_URL,
        properties: {
          IsFirstParty: 'False',
          AzureActiveDirectoryResourceId: aad.resourceUri,
          ...(aad.onBehalfOfLogin ? { IsOnbehalfofLoginSupported: true } : {}),
        },
        customParameters: {
          loginUri: { value: aad.loginUri },
          tenantId: { value: aad.tenantId },
          resourceUri: { value: aad.resourceUri },
          enableOnbehalfOfLogin: { value: aad.onBehalfOfLogin ? 'true' : 'false' },
        },
      },
      uiDefinition: {
        displayName: 'Sign in with Microsoft Entra ID',
        description: 'Sign in with your Microsoft Entra ID work or school account',
        tooltip: 'Sign in with your Microsoft Entra ID account',
        constraints: { required: 'true' },
      },
    },
    'token:TenantId': {
      type: 'string',
      metadata: { sourceType: 'AzureActiveDirectoryTenant' },
      uiDefinition: { constraints: { required: 'false', hidden: 'true' } },
    },
  }
}

/** Options of {@link buildSettingsJson}. */
export interface SettingsOptions {
  /** Required by paconn for update and download, not for create. */
  connectorId?: string
  /** Power Platform environment GUID. */
  environment?: string
  /** Icon file name, when the folder has one (independent publishers submit none). */
  icon?: string
  /** Script file name, when the folder has one. */
  script?: string
}

/**
 * paconn's `settings.json` (rulebook §4.1; file names are relative to the connector folder).
 * @returns the object to serialize with `serializeSwagger2`
 */
export function buildSettingsJson(options: SettingsOptions = {}): Record<string, string> {
  const settings: Record<string, string> = {}
  if (options.connectorId !== undefined) settings.connectorId = options.connectorId
  if (options.environment !== undefined) settings.environment = options.environment
  settings.apiProperties = 'apiProperties.json'
  settings.apiDefinition = 'apiDefinition.swagger.json'
  if (options.icon !== undefined) settings.icon = options.icon
  if (options.script !== undefined) settings.script = options.script
  settings.powerAppsApiVersion = '2016-11-01'
  settings.powerAppsUrl = 'https://api.powerapps.com'
  return settings
}
