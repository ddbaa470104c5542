import { describe, expect, it } from 'vitest'

import { buildApiProperties, buildSettingsJson, CLIENT_ID_PLACEHOLDER } from '../../src/swagger/api-properties.js'
import { checkApiProperties } from '../../src/swagger/checker.js'
import { emitSwagger2 } from '../../src/swagger/emit.js'
import type { InboundAuth, Violation } from '../../src/swagger/types.js'
import { demoCatalog } from './catalog-fixtures.js'

const oauth: InboundAuth = {
  mode: 'passthrough',
  scheme: 'oauth2',
  authorizationUrl: 'https://id.example.com/authorize',
  tokenUrl: 'https://id.example.com/token',
  scopes: { 'tools.write': 'Write', 'tools.read': 'Read' },
}

const modes: [string, InboundAuth][] = [
  ['none', { mode: 'none' }],
  ['facade API key', { mode: 'apiKey', header: 'X-API-Key' }],
  ['passthrough API key', { mode: 'passthrough', scheme: 'apiKey', header: 'Authorization' }],
  ['passthrough OAuth', oauth],
]

describe('buildApiProperties', () => {
  it('defaults to no connection parameters, the independent-publisher colour and actions', () => {
    expect(buildApiProperties()).toEqual({
      properties: { iconBrandColor: '#da3b01', capabilities: ['actions'], connectionParameters: {}, policyTemplateInstances: [] },
    })
  })

  it('uses an api_key securestring for API keys', () => {
    const props = buildApiProperties({ inboundAuth: { mode: 'apiKey', header: 'X-API-Key' }, iconBrandColor: '#123456', publisher: 'Contoso', stackOwner: 'Contoso' })
    expect(props.properties).toMatchObject({ iconBrandColor: '#123456', publisher: 'Contoso', stackOwner: 'Contoso' })
    expect(props.properties.connectionParameters).toEqual({
      api_key: {
        type: 'securestring',
        uiDefinition: {
          displayName: 'API Key',
          description: 'The API key of the facade, sent in the X-API-Key header.',
          tooltip: 'Provide your key',
          constraints: { tabIndex: 2, clearText: false, required: 'true' },
        },
      },
    })
  })

  it('asks for the full header value when the key travels in Authorization (no setheader policy)', () => {
    const props = buildApiProperties({ inboundAuth: { mode: 'passthrough', scheme: 'apiKey', header: 'Authorization' } })
    expect(props.properties.policyTemplateInstances).toEqual([])
    expect(JSON.stringify(props.properties.connectionParameters)).toContain('Bearer <token>')
  })

  it('uses a token oauthSetting for OAuth pass-through', () => {
    expect(buildApiProperties({ inboundAuth: oauth }).properties.connectionParameters).toEqual({
      token: {
        type: 'oauthSetting',
        oAuthSettings: {
          identityProvider: 'oauth2',
          clientId: CLIENT_ID_PLACEHOLDER,
          scopes: ['tools.read', 'tools.write'],
          redirectMode: 'GlobalPerConnector',
          redirectUrl: 'https://global.consent.azure-apim.net/redirect',
          properties: { IsFirstParty: 'False' },
          customParameters: {
            authorizationUrl: { value: 'https://id.example.com/authorize' },
            tokenUrl: { value: 'https://id.example.com/token' },
            refreshUrl: { value: 'https://id.example.com/token' },
          },
        },
        uiDefinition: {
          displayName: 'Login with your credentials',
          description: 'Login with your credentials',
          tooltip: 'Login with your credentials',
          constraints: { required: 'true' },
        },
      },
    })
    expect(buildApiProperties({ inboundAuth: oauth, oauthClientId: 'abc' }).properties.connectionParameters).toMatchObject({ token: { oAuthSettings: { clientId: 'abc' } } })
  })

  it.each(modes)('matches the emitted security definitions (%s)', (_name, inboundAuth) => {
    const { document } = emitSwagger2(demoCatalog(), { inboundAuth })
    const props = buildApiProperties({ inboundAuth, publisher: 'Contoso', stackOwner: 'Contoso' })
    expect(checkApiProperties(props, document, { certification: true })).toEqual([])
  })
})

describe('buildSettingsJson', () => {
  it('writes the paconn settings with the standard file names', () => {
    expect(buildSettingsJson()).toEqual({
      apiProperties: 'apiProperties.json',
      apiDefinition: 'apiDefinition.swagger.json',
      powerAppsApiVersion: '2016-11-01',
      powerAppsUrl: 'https://api.powerapps.com',
    })
    expect(buildSettingsJson({ connectorId: 'c1', environment: 'e1', icon: 'icon.png', script: 'script.csx' })).toEqual({
      connectorId: 'c1',
      environment: 'e1',
      apiProperties: 'apiProperties.json',
      apiDefinition: 'apiDefinition.swagger.json',
      icon: 'icon.png',
      script: 'script.csx',
      powerAppsApiVersion: '2016-11-01',
      powerAppsUrl: 'https://api.powerapps.com',
    })
  })
})

describe('checkApiProperties', () => {
  const keyAuth: InboundAuth = { mode: 'apiKey', header: 'X-API-Key' }
  const doc = emitSwagger2(demoCatalog(), { inboundAuth: keyAuth }).document
  const good = () => structuredClone(buildApiProperties({ inboundAuth: keyAuth, publisher: 'Contoso', stackOwner: 'Contoso' })) as { properties: Record<string, any> }
  const rules = (props: unknown, d: unknown = doc): Violation[] => checkApiProperties(props, d, { certification: true })
  const caught = (rule: string, props: unknown, d: unknown = doc) => rules(props, d).filter((v) => v.rule === rule)

  it('P-01 a properties object', () => {
    expect(caught('P-01', {})).toHaveLength(1)
    const p = good()
    p.properties.capabilities = 'actions'
    expect(caught('P-01', p)).toHaveLength(1)
  })
  it('C-16 iconBrandColor is present and not #007ee5/#ffffff; publisher and stackOwner for certification', () => {
    const missing = good()
    delete missing.properties.iconBrandColor
    expect(caught('C-16', missing)).toEqual([expect.objectContaining({ severity: 'error' })])
    const blue = good()
    blue.properties.iconBrandColor = '#007EE5'
    expect(caught('C-16', blue)).toHaveLength(1)
    const anonymous = good()
    delete anonymous.properties.publisher
    delete anonymous.properties.stackOwner
    expect(caught('C-16', anonymous)).toHaveLength(2)
    expect(checkApiProperties(anonymous, doc).filter((v) => v.rule === 'C-16').every((v) => v.severity === 'warning')).toBe(true)
  })
  it('P-02 connection parameter names and types', () => {
    const p = good()
    p.properties.connectionParameters['bad-name'] = { type: 'string' }
    p.properties.connectionParameters.other = { type: 'password' }
    expect(caught('P-02', p)).toHaveLength(2)
  })
  it('P-03 connection parameters match the security definitions', () => {
    const none = good()
    none.properties.connectionParameters = {}
    expect(caught('P-03', none)).toHaveLength(1)
    const noAuthDoc = emitSwagger2(demoCatalog(), {}).document
    expect(caught('P-03', good(), noAuthDoc)).toHaveLength(1)
    const oauthDoc = emitSwagger2(demoCatalog(), { inboundAuth: oauth }).document
    expect(caught('P-03', good(), oauthDoc)).toHaveLength(2)
  })
  it('P-04 OAuth settings are complete and use a known redirect mode', () => {
    const p = buildApiProperties({ inboundAuth: oauth }) as { properties: Record<string, any> }
    p.properties.connectionParameters.token.oAuthSettings.redirectMode = 'Somewhere'
    delete p.properties.connectionParameters.token.oAuthSettings.clientId
    expect(caught('P-04', p, emitSwagger2(demoCatalog(), { inboundAuth: oauth }).document)).toHaveLength(2)
  })
  it('P-05 no client secret in the file', () => {
    const p = buildApiProperties({ inboundAuth: oauth }) as { properties: Record<string, any> }
    p.properties.connectionParameters.token.oAuthSettings.clientSecret = 's3cr3t'
    expect(caught('P-05', p, emitSwagger2(demoCatalog(), { inboundAuth: oauth }).document)).toHaveLength(1)
  })
  it('P-06 policy templates target existing operations', () => {
    const p = good()
    p.properties.policyTemplateInstances = [
      { templateId: 'setheader', title: 'x', parameters: { 'x-ms-apimTemplate-operationName': ['InvokeTool', 'Missing'] } },
      { title: 'no template id' },
    ]
    expect(caught('P-06', p)).toHaveLength(2)
  })
})
