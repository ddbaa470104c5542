/**
 * The documents follow the inbound mode: the OpenAPI 3.1 security scheme, the Swagger 2.0 `securityDefinitions`
 * and `security` the facade serves, and the `apiProperties.json` connection parameters of the exported connector
 * folder (written by the real export path, `writeConnectorFolder`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeConnectorFolder } from '../../src/connector/export.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { jsonOf, startTestFacade } from '../support/facade.js'

const KEY = 'doc-test-facade-key-1234567'
const OAUTH = {
  authorizationUrl: 'https://login.vendor.example/authorize',
  tokenUrl: 'https://login.vendor.example/token',
  scopes: { 'tools.read': 'Read tools', 'tools.call': 'Call tools' },
}

interface Documents {
  openapi: Record<string, any>
  swagger: Record<string, any>
  apiProperties: Record<string, any>
  raw: string
}

describe('documents per inbound mode', () => {
  let vendor: SessionfulVendor
  const out = mkdtempSync(join(tmpdir(), 'mrf-docs-'))

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
  })
  afterAll(async () => {
    await vendor?.close()
    rmSync(out, { recursive: true, force: true })
  })

  /** Starts a facade with `auth`, reads both served documents and exports the connector folder. */
  async function documentsFor(name: string, auth: Record<string, unknown>): Promise<Documents> {
    const facade = await startTestFacade({ default: { url: vendor.url, auth } }, { publicUrl: 'https://facade.example.com' })
    try {
      const headers: Record<string, string> = auth.mode === 'apiKey' ? { [String(auth.header ?? 'X-API-Key')]: auth.header === 'Authorization' ? `Bearer ${KEY}` : KEY } : {}
      const openapiRes = await facade.call('/openapi.json', { headers })
      const swaggerRes = await facade.call('/swagger.json', { headers })
      expect(openapiRes.status, `${name} openapi`).toBe(200)
      expect(swaggerRes.status, `${name} swagger`).toBe(200)
      const dir = join(out, name)
      writeConnectorFolder(facade.runtimes[0]!, dir)
      const rawProps = readFileSync(join(dir, 'apiProperties.json'), 'utf8')
      const rawSwagger = readFileSync(join(dir, 'apiDefinition.swagger.json'), 'utf8')
      const openapi = await jsonOf(openapiRes)
      const swagger = await jsonOf(swaggerRes)
      return { openapi, swagger, apiProperties: JSON.parse(rawProps), raw: [JSON.stringify(openapi), JSON.stringify(swagger), rawProps, rawSwagger].join('\n') }
    } finally {
      await facade.close()
    }
  }

  // Security is declared once at the root (tool operations inherit it); Health and Ready opt out with [].
  const echoSecurity = (d: Documents) => {
    expect(d.openapi.paths['/tools/echo'].post.security).toBeUndefined()
    expect(d.openapi.paths['/healthz'].get.security).toEqual([])
    return d.openapi.security
  }

  it('none: no security scheme, no connection parameters', async () => {
    const d = await documentsFor('none', { mode: 'none' })
    expect(d.openapi.components.securitySchemes).toBeUndefined()
    // the empty requirement: anonymous access, stated explicitly
    expect(echoSecurity(d)).toEqual([{}])
    expect(d.swagger.securityDefinitions).toBeUndefined()
    expect(d.swagger.security).toBeUndefined()
    expect(d.apiProperties.properties.connectionParameters).toEqual({})
  })

  it('apiKey in X-API-Key: apiKey scheme in that header, api_key securestring', async () => {
    const d = await documentsFor('api-key', { mode: 'apiKey', keys: [KEY] })
    expect(d.openapi.components.securitySchemes).toEqual({ apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } })
    expect(echoSecurity(d)).toEqual([{ apiKey: [] }])
    expect(d.swagger.securityDefinitions).toEqual({ api_key: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }) })
    expect(d.swagger.security).toEqual([{ api_key: [] }])
    expect(d.apiProperties.properties.connectionParameters).toEqual({
      api_key: expect.objectContaining({ type: 'securestring', uiDefinition: expect.objectContaining({ constraints: expect.objectContaining({ required: 'true', clearText: false }) }) }),
    })
    expect(d.raw).not.toContain(KEY)
  })

  it('apiKey as Authorization: Bearer: http bearer in OpenAPI, an Authorization api_key the user fills as "Bearer <key>"', async () => {
    const d = await documentsFor('api-key-bearer', { mode: 'apiKey', keys: [KEY], header: 'Authorization' })
    expect(d.openapi.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } })
    expect(echoSecurity(d)).toEqual([{ bearer: [] }])
    expect(d.swagger.securityDefinitions.api_key).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' })
    expect(d.apiProperties.properties.connectionParameters.api_key.type).toBe('securestring')
    expect(d.apiProperties.properties.connectionParameters.api_key.uiDefinition.description).toContain('Bearer')
    expect(d.raw).not.toContain(KEY)
  })

  it('passthrough of a vendor key header: apiKey scheme in that header everywhere', async () => {
    const d = await documentsFor('pass-key', { mode: 'passthrough', header: 'X-Vendor-Token' })
    expect(d.openapi.components.securitySchemes).toEqual({ apiKey: { type: 'apiKey', in: 'header', name: 'X-Vendor-Token' } })
    expect(d.swagger.securityDefinitions.api_key).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Vendor-Token' })
    expect(Object.keys(d.apiProperties.properties.connectionParameters)).toEqual(['api_key'])
  })

  it('passthrough of an OAuth bearer: oauth2 everywhere, and the connection sends the token as Authorization', async () => {
    const d = await documentsFor('pass-oauth', { mode: 'passthrough', oauth: OAUTH })
    expect(d.openapi.components.securitySchemes).toEqual({
      oauth2: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: OAUTH.authorizationUrl, tokenUrl: OAUTH.tokenUrl, scopes: OAUTH.scopes } } },
    })
    expect(echoSecurity(d)).toEqual([{ oauth2: ['tools.call', 'tools.read'] }])
    expect(d.swagger.securityDefinitions).toEqual({
      oauth2: expect.objectContaining({ type: 'oauth2', flow: 'accessCode', authorizationUrl: OAUTH.authorizationUrl, tokenUrl: OAUTH.tokenUrl, scopes: OAUTH.scopes }),
    })
    expect(d.swagger.security).toEqual([{ oauth2: ['tools.call', 'tools.read'] }])
    const token = d.apiProperties.properties.connectionParameters.token
    expect(token.type).toBe('oauthSetting')
    expect(token.oAuthSettings).toMatchObject({
      identityProvider: 'oauth2',
      scopes: ['tools.call', 'tools.read'],
      customParameters: { authorizationUrl: { value: OAUTH.authorizationUrl }, tokenUrl: { value: OAUTH.tokenUrl } },
    })
    expect(d.apiProperties.properties.connectionParameters.api_key).toBeUndefined()
  })

  it('passthrough of a plain Authorization value: bearer in OpenAPI, an Authorization api_key in the connector', async () => {
    const d = await documentsFor('pass-bearer', { mode: 'passthrough' })
    expect(d.openapi.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } })
    expect(d.swagger.securityDefinitions.api_key).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' })
  })
})
