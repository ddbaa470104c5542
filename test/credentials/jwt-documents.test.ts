/**
 * The documents of a facade that validates tokens (`auth.mode: "jwt"`): what `/swagger.json`, the exported
 * `apiProperties.json` and `/openapi.json` say about signing users in (Microsoft Entra ID with on-behalf-of login, a
 * generic OAuth 2.0 provider, no described sign-in), which identity problem codes they declare, and that the
 * rulebook checker and swagger-parser accept them. Real parts: a token issuer of our own on 127.0.0.1 (the
 * delegation's token endpoint, so the catalog loads with client credentials), the sessionful vendor, the real
 * export path.
 */
import SwaggerParser from '@apidevtools/swagger-parser'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importErrors, writeConnectorFolder } from '../../src/connector/export.js'
import { buildApiProperties } from '../../src/swagger/api-properties.js'
import { checkApiProperties } from '../../src/swagger/check-api-properties.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTokenIssuer, type TokenIssuer } from '../fixtures/token-issuer.js'
import { jsonOf, startTestFacade } from '../support/facade.js'

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const CONNECTOR_APP = '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9'
const FACADE_APP = 'api://mcp-facade'
const SCOPE = `${FACADE_APP}/access_as_user`
const SECRET = 'delegation-client-secret-do-not-leak'

interface Documents {
  openapi: Record<string, any>
  swagger: Record<string, any>
  apiProperties: Record<string, any>
  raw: string
}

describe('documents of a jwt-mode facade', () => {
  let vendor: SessionfulVendor
  let issuer: TokenIssuer
  const out = mkdtempSync(join(tmpdir(), 'mrf-jwt-docs-'))

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    issuer = await startTokenIssuer({ client: { clientId: 'facade-app', clientSecret: SECRET } })
  })
  afterAll(async () => {
    await vendor?.close()
    await issuer?.close()
    rmSync(out, { recursive: true, force: true })
  })

  const jwtAuth = (extra: Record<string, unknown> = {}) => ({ mode: 'jwt', issuer: issuer.issuer, audience: [FACADE_APP, 'facade-guid'], identityClaims: ['tid', 'oid'], ...extra })
  /** On-behalf-of toward the vendor at the fixture issuer: the catalog signs in with client credentials there. */
  const delegation = () => ({ tokenUrl: issuer.tokenUrl, clientId: 'facade-app', clientSecret: SECRET, scope: 'api://vendor/.default', delegation: { grant: 'on_behalf_of' } })

  /** Starts a facade, reads both served documents, exports the connector folder (which runs the import checks). */
  async function documentsFor(name: string, server: Record<string, unknown>): Promise<Documents> {
    const facade = await startTestFacade({ default: { url: vendor.url, ...server } }, { publicUrl: 'https://facade.example.com' })
    try {
      const openapiRes = await facade.call('/openapi.json')
      const swaggerRes = await facade.call('/swagger.json')
      expect(openapiRes.status, `${name} openapi`).toBe(200)
      expect(swaggerRes.status, `${name} swagger`).toBe(200)
      const dir = join(out, name)
      const summary = writeConnectorFolder(facade.runtimes[0]!, dir)
      // Only a connection without a described sign-in is worth a warning.
      expect(summary.includes('without auth.oauth'), `${name} export warning`).toBe(!(server.auth as { oauth?: unknown }).oauth)
      const rawProps = readFileSync(join(dir, 'apiProperties.json'), 'utf8')
      const openapi = await jsonOf(openapiRes)
      const swagger = await jsonOf(swaggerRes)
      // The served definition is the exported one, and both pass swagger-parser and the rulebook's import checks.
      expect(JSON.parse(readFileSync(join(dir, 'apiDefinition.swagger.json'), 'utf8'))).toEqual(swagger)
      await SwaggerParser.validate(structuredClone(swagger) as never)
      expect(importErrors(swagger, JSON.parse(rawProps))).toEqual([])
      return { openapi, swagger, apiProperties: JSON.parse(rawProps), raw: [JSON.stringify(openapi), JSON.stringify(swagger), rawProps].join('\n') }
    } finally {
      await facade.close()
    }
  }

  /** The problem codes an operation's response for `status` can carry (resolving the component). */
  const codesOf = (openapi: Record<string, any>, operation: Record<string, any>, status: number): string[] => {
    const ref: string | undefined = operation.responses[String(status)]?.$ref
    if (!ref) return []
    const component = openapi.components.responses[ref.split('/').pop()!]
    return component.content['application/problem+json'].schema.allOf[1].properties.code.enum
  }

  it('Entra ID with on-behalf-of login: aad oauthSetting, accessCode on the tenant endpoints, oauth2 + bearer in OpenAPI, identity codes declared', async () => {
    const d = await documentsFor('aad-obo', {
      auth: jwtAuth({ oauth: { identityProvider: 'aad', clientId: CONNECTOR_APP, tenantId: TENANT, resourceUri: FACADE_APP, scopes: { [SCOPE]: 'Call the tools as you' }, onBehalfOfLogin: true } }),
      oauth: delegation(),
    })
    const authorizationUrl = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`
    const tokenUrl = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`

    // Swagger 2.0: one oauth2 accessCode definition, required with the scope.
    expect(d.swagger.securityDefinitions).toEqual({
      oauth2: { type: 'oauth2', flow: 'accessCode', authorizationUrl, tokenUrl, scopes: { [SCOPE]: 'Call the tools as you' }, description: 'Sign-in with Microsoft Entra ID; the facade validates the access token.' },
    })
    expect(d.swagger.security).toEqual([{ oauth2: [SCOPE] }])

    // apiProperties.json: exactly what Entra ID connectors with on-behalf-of login carry.
    expect(d.apiProperties.properties.connectionParameters).toEqual({
      token: {
        type: 'oauthSetting',
        oAuthSettings: {
          identityProvider: 'aad',
          clientId: CONNECTOR_APP,
          scopes: [SCOPE],
          redirectMode: 'Global',
          redirectUrl: 'https://global.consent.azure-apim.net/redirect',
          properties: { IsFirstParty: 'False', AzureActiveDirectoryResourceId: FACADE_APP, IsOnbehalfofLoginSupported: true },
          customParameters: {
            loginUri: { value: 'https://login.microsoftonline.com' },
            tenantId: { value: TENANT },
            resourceUri: { value: FACADE_APP },
            enableOnbehalfOfLogin: { value: 'true' },
          },
        },
        uiDefinition: {
          displayName: 'Sign in with Microsoft Entra ID',
          description: 'Sign in with your Microsoft Entra ID work or school account',
          tooltip: 'Sign in with your Microsoft Entra ID account',
          constraints: { required: 'true' },
        },
      },
      'token:TenantId': { type: 'string', metadata: { sourceType: 'AzureActiveDirectoryTenant' }, uiDefinition: { constraints: { required: 'false', hidden: 'true' } } },
    })

    // OpenAPI: a bearer token is accepted as is, and the oauth2 scheme says where users sign in.
    expect(d.openapi.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer' },
      oauth2: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl, tokenUrl, scopes: { [SCOPE]: 'Call the tools as you' } } } },
    })
    expect(d.openapi.security).toEqual([{ bearer: [] }, { oauth2: [SCOPE] }])

    // Identity problem codes where the routes can answer them: the token check everywhere a caller is
    // authenticated, the exchange's verdicts (401/403, 502/503) where the vendor is called.
    const call = d.openapi.paths['/tools/echo'].post
    expect(codesOf(d.openapi, call, 401)).toEqual(['delegation_failed', 'insufficient_claims', 'invalid_token', 'unauthorized', 'vendor_unauthorized'])
    expect(codesOf(d.openapi, call, 403)).toEqual(['delegation_failed', 'vendor_forbidden'])
    expect(codesOf(d.openapi, call, 502)).toContain('idp_unavailable')
    expect(codesOf(d.openapi, call, 503)).toContain('idp_unavailable')
    const list = d.openapi.paths['/connector/tools'].get
    expect(codesOf(d.openapi, list, 401)).toEqual(['invalid_token', 'unauthorized'])
    expect(codesOf(d.openapi, list, 403)).toEqual([])
    expect(codesOf(d.openapi, list, 502)).toEqual([])
    expect(codesOf(d.openapi, list, 503)).toContain('idp_unavailable')
    // 401 answers carry the challenge (claims for insufficient_claims).
    expect(d.openapi.components.responses[call.responses['401'].$ref.split('/').pop()].headers['WWW-Authenticate']).toBeDefined()

    // Swagger 2.0 names the same codes in its shared error responses.
    expect(d.swagger.responses.Unauthorized.description).toMatch(/invalid_token.*insufficient_claims.*delegation_failed/)
    expect(d.swagger.responses.Forbidden.description).toContain('delegation_failed')
    expect(d.swagger.responses.BadGateway.description).toContain('idp_unavailable')
    expect(d.swagger.responses.ServiceUnavailable.description).toContain('idp_unavailable')
    expect(d.raw).not.toContain(SECRET)
  })

  it('Entra ID without on-behalf-of login, resource defaulting to the first audience: enableOnbehalfOfLogin "false", no IsOnbehalfofLoginSupported', async () => {
    const d = await documentsFor('aad-plain', { auth: jwtAuth({ oauth: { identityProvider: 'aad', clientId: CONNECTOR_APP, tenantId: TENANT, scopes: { [SCOPE]: 'Call the tools' } } }) })
    const settings = d.apiProperties.properties.connectionParameters.token.oAuthSettings
    expect(settings.properties).toEqual({ IsFirstParty: 'False', AzureActiveDirectoryResourceId: FACADE_APP })
    expect(settings.customParameters.resourceUri).toEqual({ value: FACADE_APP })
    expect(settings.customParameters.enableOnbehalfOfLogin).toEqual({ value: 'false' })
    // No delegation: the exchange's codes are not declared, the token check's are.
    const call = d.openapi.paths['/tools/echo'].post
    expect(codesOf(d.openapi, call, 401)).toEqual(['invalid_token', 'unauthorized', 'vendor_unauthorized'])
    expect(codesOf(d.openapi, call, 403)).toEqual(['vendor_forbidden'])
    expect(codesOf(d.openapi, call, 502)).not.toContain('idp_unavailable')
    expect(d.swagger.responses.Unauthorized.description).not.toContain('delegation_failed')
    expect(d.swagger.responses.Forbidden.description).not.toContain('delegation_failed')
  })

  it('a generic OAuth 2.0 provider: oauth2 oauthSetting with the configured client and URLs, oauth2 + bearer in OpenAPI', async () => {
    const oauth = {
      identityProvider: 'oauth2',
      clientId: 'facade-connector',
      authorizationUrl: 'https://idp.example.com/oauth2/authorize',
      tokenUrl: 'https://idp.example.com/oauth2/token',
      refreshUrl: 'https://idp.example.com/oauth2/refresh',
      scopes: { 'mcp.tools': 'Call the tools', openid: 'Sign in' },
    }
    const d = await documentsFor('generic', { auth: jwtAuth({ oauth }) })
    expect(d.swagger.securityDefinitions).toEqual({
      oauth2: { type: 'oauth2', flow: 'accessCode', authorizationUrl: oauth.authorizationUrl, tokenUrl: oauth.tokenUrl, scopes: oauth.scopes, description: 'OAuth 2.0 sign-in; the facade validates the access token.' },
    })
    expect(d.swagger.security).toEqual([{ oauth2: ['mcp.tools', 'openid'] }])
    expect(d.apiProperties.properties.connectionParameters).toEqual({
      token: {
        type: 'oauthSetting',
        oAuthSettings: {
          identityProvider: 'oauth2',
          clientId: 'facade-connector',
          scopes: ['mcp.tools', 'openid'],
          redirectMode: 'GlobalPerConnector',
          redirectUrl: 'https://global.consent.azure-apim.net/redirect',
          properties: { IsFirstParty: 'False' },
          customParameters: { authorizationUrl: { value: oauth.authorizationUrl }, tokenUrl: { value: oauth.tokenUrl }, refreshUrl: { value: oauth.refreshUrl } },
        },
        uiDefinition: expect.objectContaining({ constraints: { required: 'true' } }),
      },
    })
    expect(d.openapi.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer' },
      oauth2: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: oauth.authorizationUrl, tokenUrl: oauth.tokenUrl, refreshUrl: oauth.refreshUrl, scopes: oauth.scopes } } },
    })
  })

  it('no described sign-in: the connection asks for Bearer <token> in Authorization; OpenAPI names the issuer through OpenID Connect discovery', async () => {
    const d = await documentsFor('no-sign-in', { auth: jwtAuth() })
    expect(d.swagger.securityDefinitions).toEqual({ api_key: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'Authorization' }) })
    expect(d.swagger.securityDefinitions.api_key.description).toContain('Bearer')
    expect(Object.keys(d.apiProperties.properties.connectionParameters)).toEqual(['api_key'])
    expect(d.apiProperties.properties.connectionParameters.api_key.uiDefinition).toMatchObject({
      displayName: 'Access Token',
      description: 'An access token from the identity provider the facade trusts (it expires), as the full header value (Bearer <token>).',
    })
    expect(d.openapi.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer' },
      openIdConnect: { type: 'openIdConnect', openIdConnectUrl: `${issuer.issuer}/.well-known/openid-configuration` },
    })
    expect(d.openapi.security).toEqual([{ bearer: [] }, { openIdConnect: [] }])
    // The discovery URL is real: it is the document the facade itself reads the issuer's keys from.
    const discovery = await jsonOf(await fetch(d.openapi.components.securitySchemes.openIdConnect.openIdConnectUrl))
    expect(discovery.issuer).toBe(issuer.issuer)
  })

  it('keys pinned with jwksUri: bearer only (the issuer may publish no discovery document)', async () => {
    const d = await documentsFor('pinned-keys', { auth: jwtAuth({ jwksUri: issuer.jwksUri }) })
    expect(d.openapi.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } })
    expect(d.openapi.security).toEqual([{ bearer: [] }])
  })
})

describe('checker rules for Entra ID connections (P-02, P-04)', () => {
  const doc = {
    swagger: '2.0',
    securityDefinitions: { oauth2: { type: 'oauth2', flow: 'accessCode', authorizationUrl: 'https://a.example/authorize', tokenUrl: 'https://a.example/token', scopes: {} } },
    paths: {},
  }
  /** What the export builds for an Entra ID sign-in with on-behalf-of login, with `login.windows.net` as older connectors write it. */
  const good = () => {
    const props = buildApiProperties({
      inboundAuth: { mode: 'jwt', scheme: 'oauth2', authorizationUrl: 'https://a.example/authorize', tokenUrl: 'https://a.example/token', scopes: { [SCOPE]: 'x' }, clientId: CONNECTOR_APP, aad: { loginUri: 'https://login.windows.net', tenantId: 'common', resourceUri: FACADE_APP, onBehalfOfLogin: true } },
      publisher: 'Contoso',
      stackOwner: 'Contoso',
    })
    return structuredClone(props) as { properties: { connectionParameters: Record<string, any> } }
  }
  const rules = (props: unknown) => checkApiProperties(props, doc).map((v) => `${v.rule} ${v.path}`)

  it('accepts a complete aad connection (login.windows.net as older connectors write it, too)', () => {
    expect(rules(good())).toEqual([])
  })

  it.each([
    ['enableOnbehalfOfLogin as a boolean', (p: ReturnType<typeof good>) => (p.properties.connectionParameters.token.oAuthSettings.customParameters.enableOnbehalfOfLogin = { value: true }), 'customParameters/enableOnbehalfOfLogin'],
    ['on-behalf-of enabled without IsOnbehalfofLoginSupported', (p: ReturnType<typeof good>) => delete p.properties.connectionParameters.token.oAuthSettings.properties.IsOnbehalfofLoginSupported, 'properties/IsOnbehalfofLoginSupported'],
    ['no resourceUri', (p: ReturnType<typeof good>) => delete p.properties.connectionParameters.token.oAuthSettings.customParameters.resourceUri, 'customParameters/resourceUri'],
    ['a plain-http loginUri', (p: ReturnType<typeof good>) => (p.properties.connectionParameters.token.oAuthSettings.customParameters.loginUri = { value: 'http://login.windows.net' }), 'customParameters/loginUri'],
    ['another resource in AzureActiveDirectoryResourceId', (p: ReturnType<typeof good>) => (p.properties.connectionParameters.token.oAuthSettings.properties.AzureActiveDirectoryResourceId = 'api://other'), 'properties/AzureActiveDirectoryResourceId'],
  ])('refuses %s (P-04)', (_name, mutate, where) => {
    const props = good()
    mutate(props)
    expect(rules(props)).toEqual([`P-04 /properties/connectionParameters/token/oAuthSettings/${where}`])
  })

  it('refuses token:TenantId without a token parameter (P-02) and a generic oauth2 connection without https URLs (P-04)', () => {
    const orphan = good()
    delete orphan.properties.connectionParameters.token
    expect(rules(orphan)).toContain('P-02 /properties/connectionParameters/token:TenantId')
    const generic = good()
    generic.properties.connectionParameters.token.oAuthSettings = {
      identityProvider: 'oauth2',
      clientId: 'x',
      customParameters: { authorizationUrl: { value: 'http://idp.example/authorize' } },
    } as never
    expect(rules(generic)).toEqual([
      'P-04 /properties/connectionParameters/token/oAuthSettings/customParameters/authorizationUrl',
      'P-04 /properties/connectionParameters/token/oAuthSettings/customParameters/tokenUrl',
    ])
  })
})
