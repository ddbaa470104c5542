/**
 * @module swagger/check-api-properties
 * Rulebook checks on `apiProperties.json` (§4.2, §5, C-16), against the document it ships with:
 *
 * | Rule | Checked |
 * |---|---|
 * | P-01 | `properties` is an object; `capabilities` (if present) is an array of strings |
 * | C-16 | `iconBrandColor` present as `#RRGGBB` (missing is an error), not `#007ee5`/`#ffffff`; `publisher` and `stackOwner` for certification |
 * | P-02 | connection parameter names match `^[0-9a-zA-Z_]+(:[0-9a-zA-Z_]+)?$` (a `name:Sub` parameter belongs to an existing `name`), types are known |
 * | P-03 | connection parameters match the security definitions: apiKey ↔ `api_key` securestring, oauth2 ↔ `token` oauthSetting, basic ↔ `username` + `password`, none ↔ no credential parameters |
 * | P-04 | `oAuthSettings`: identityProvider and clientId present, redirectMode `Global`/`Direct`/`GlobalPerConnector`, https `redirectUrl`; `aad`: `loginUri`, `tenantId`, `resourceUri` custom parameters (`AzureActiveDirectoryResourceId` the same resource), `enableOnbehalfOfLogin` a string `"true"`/`"false"` that agrees with `IsOnbehalfofLoginSupported`; `oauth2`: https `authorizationUrl` and `tokenUrl` |
 * | P-05 | no `clientSecret` in the file (paconn `--secret` supplies it) |
 * | P-06 | policy templates name operations that exist in the document |
 */

import { isRecord, METHODS, pointer, ViolationSink, type CheckOptions } from './check-context.js'
import type { Violation } from './types.js'

const PARAM_TYPES = new Set(['string', 'securestring', 'int', 'bool', 'oauthSetting', 'gatewaySetting'])
const REDIRECT_MODES = new Set(['Global', 'Direct', 'GlobalPerConnector'])

/**
 * Checks `apiProperties.json` against the rulebook and the swagger document it ships with.
 * @param props the parsed `apiProperties.json`
 * @param doc the parsed `apiDefinition.swagger.json`
 * @returns every violation found
 */
export function checkApiProperties(props: unknown, doc: unknown, options: CheckOptions = {}): Violation[] {
  const sink = new ViolationSink(options.certification ?? false)
  const p = isRecord(props) && isRecord(props.properties) ? props.properties : undefined
  if (!p) {
    sink.add('P-01', '/properties', 'apiProperties.json needs a properties object.')
    return sink.violations
  }
  if (p.capabilities !== undefined && (!Array.isArray(p.capabilities) || !p.capabilities.every((c) => typeof c === 'string'))) {
    sink.add('P-01', '/properties/capabilities', 'capabilities must be an array of strings.')
  }

  const color = p.iconBrandColor
  if (typeof color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(color)) {
    sink.add('C-16', '/properties/iconBrandColor', 'iconBrandColor is required as #RRGGBB.', 'error')
  } else if (['#007ee5', '#ffffff'].includes(color.toLowerCase())) {
    sink.add('C-16', '/properties/iconBrandColor', `iconBrandColor must not be ${color}.`)
  }
  if (typeof p.publisher !== 'string') sink.add('C-16', '/properties', 'publisher is required for certification.')
  if (typeof p.stackOwner !== 'string') sink.add('C-16', '/properties', 'stackOwner is required for certification (remove it for paconn update).')

  const params = isRecord(p.connectionParameters) ? p.connectionParameters : {}
  if (p.connectionParameters !== undefined && !isRecord(p.connectionParameters)) {
    sink.add('P-02', '/properties/connectionParameters', 'connectionParameters must be an object.')
  }
  for (const [name, param] of Object.entries(params)) {
    const path = pointer('/properties/connectionParameters', name)
    if (!/^[0-9a-zA-Z_]+(?::[0-9a-zA-Z_]+)?$/.test(name)) sink.add('P-02', path, `Connection parameter name '${name}' is not valid.`)
    const owner = name.split(':')[0]!
    if (owner !== name && !(owner in params)) sink.add('P-02', path, `Connection parameter '${name}' belongs to '${owner}', which does not exist.`)
    if (!isRecord(param) || typeof param.type !== 'string' || !PARAM_TYPES.has(param.type)) {
      sink.add('P-02', path, `Connection parameter '${name}' needs a type of ${[...PARAM_TYPES].join(', ')}.`)
      continue
    }
    if (param.type === 'oauthSetting') checkOAuthSettings(param.oAuthSettings, pointer(path, 'oAuthSettings'), sink)
  }

  checkSecurityMatch(params, isRecord(doc) ? doc : {}, sink)
  checkPolicies(p.policyTemplateInstances, isRecord(doc) ? doc : {}, sink)
  return sink.violations
}

function checkOAuthSettings(settings: unknown, path: string, sink: ViolationSink): void {
  if (!isRecord(settings)) {
    sink.add('P-04', path, 'An oauthSetting parameter needs oAuthSettings.')
    return
  }
  if (typeof settings.identityProvider !== 'string') sink.add('P-04', path, 'oAuthSettings.identityProvider is required.')
  if (typeof settings.clientId !== 'string' || settings.clientId === '') sink.add('P-04', path, 'oAuthSettings.clientId is required.')
  if (settings.redirectMode !== undefined && !REDIRECT_MODES.has(String(settings.redirectMode))) {
    sink.add('P-04', pointer(path, 'redirectMode'), 'redirectMode must be Global, Direct or GlobalPerConnector.')
  }
  if (settings.clientSecret !== undefined) sink.add('P-05', pointer(path, 'clientSecret'), 'Never commit a clientSecret; paconn --secret supplies it.')
  if (settings.redirectUrl !== undefined && !isHttpsUrl(settings.redirectUrl)) sink.add('P-04', pointer(path, 'redirectUrl'), 'redirectUrl must be an https URL.')
  const custom = isRecord(settings.customParameters) ? settings.customParameters : {}
  const value = (name: string) => (isRecord(custom[name]) ? (custom[name] as Record<string, unknown>).value : undefined)
  const properties = isRecord(settings.properties) ? settings.properties : {}
  const customPath = pointer(path, 'customParameters')
  if (settings.identityProvider === 'aad') {
    if (!isHttpsUrl(value('loginUri'))) sink.add('P-04', pointer(customPath, 'loginUri'), 'The aad provider needs customParameters.loginUri, an https URL such as https://login.microsoftonline.com.')
    for (const name of ['tenantId', 'resourceUri']) {
      const v = value(name)
      if (typeof v !== 'string' || v === '') sink.add('P-04', pointer(customPath, name), `The aad provider needs customParameters.${name} as { "value": "..." }.`)
    }
    const resourceId = properties.AzureActiveDirectoryResourceId
    if (resourceId !== undefined && typeof value('resourceUri') === 'string' && resourceId !== value('resourceUri'))
      sink.add('P-04', pointer(path, 'properties', 'AzureActiveDirectoryResourceId'), 'AzureActiveDirectoryResourceId must name the same resource as customParameters.resourceUri.')
    const obo = value('enableOnbehalfOfLogin')
    if (custom.enableOnbehalfOfLogin !== undefined && obo !== 'true' && obo !== 'false')
      sink.add('P-04', pointer(customPath, 'enableOnbehalfOfLogin'), 'enableOnbehalfOfLogin must be { "value": "true" } or { "value": "false" } (a string).')
    else if ((obo === 'true') !== (properties.IsOnbehalfofLoginSupported === true))
      sink.add('P-04', pointer(path, 'properties', 'IsOnbehalfofLoginSupported'), 'On-behalf-of login needs both customParameters.enableOnbehalfOfLogin "true" and properties.IsOnbehalfofLoginSupported true.')
  } else if (settings.identityProvider === 'oauth2') {
    for (const name of ['authorizationUrl', 'tokenUrl'])
      if (!isHttpsUrl(value(name))) sink.add('P-04', pointer(customPath, name), `The oauth2 provider needs customParameters.${name}, an https URL.`)
  }
}

function isHttpsUrl(value: unknown): boolean {
  return typeof value === 'string' && URL.canParse(value) && new URL(value).protocol === 'https:'
}

/** P-03: each security definition has its connection parameter, and credential parameters have a definition. */
function checkSecurityMatch(params: Record<string, unknown>, doc: Record<string, unknown>, sink: ViolationSink): void {
  const definitions = isRecord(doc.securityDefinitions) ? Object.values(doc.securityDefinitions).filter(isRecord) : []
  const typeOf = (name: string) => (isRecord(params[name]) ? (params[name] as Record<string, unknown>).type : undefined)
  const path = '/properties/connectionParameters'
  const expected = new Set<string>()
  for (const def of definitions) {
    if (def.type === 'apiKey') {
      expected.add('api_key')
      if (typeOf('api_key') !== 'securestring') sink.add('P-03', path, 'An apiKey security definition needs the api_key securestring connection parameter.')
    } else if (def.type === 'oauth2') {
      expected.add('token')
      if (typeOf('token') !== 'oauthSetting') sink.add('P-03', path, 'An oauth2 security definition needs the token oauthSetting connection parameter.')
      if (def.flow !== 'accessCode') sink.add('P-03', '/securityDefinitions', 'Only the OAuth accessCode flow is supported.')
    } else if (def.type === 'basic') {
      expected.add('username').add('password')
      if (typeOf('username') === undefined || typeOf('password') === undefined) sink.add('P-03', path, 'A basic security definition needs username and password connection parameters.')
    }
  }
  for (const [name, param] of Object.entries(params)) {
    const type = isRecord(param) ? param.type : undefined
    const isCredential = type === 'oauthSetting' || ['api_key', 'token', 'username', 'password'].includes(name)
    if (isCredential && !expected.has(name)) sink.add('P-03', pointer(path, name), `Connection parameter '${name}' has no matching security definition.`)
  }
}

/** P-06: operation names in policy templates exist in the document. */
function checkPolicies(policies: unknown, doc: Record<string, unknown>, sink: ViolationSink): void {
  if (policies === undefined) return
  if (!Array.isArray(policies)) {
    sink.add('P-06', '/properties/policyTemplateInstances', 'policyTemplateInstances must be an array.')
    return
  }
  const ids = new Set<string>()
  const paths = isRecord(doc.paths) ? doc.paths : {}
  for (const item of Object.values(paths)) {
    if (!isRecord(item)) continue
    for (const m of METHODS) {
      const op = item[m]
      if (isRecord(op) && typeof op.operationId === 'string') ids.add(op.operationId)
    }
  }
  policies.forEach((policy, i) => {
    const path = pointer('/properties/policyTemplateInstances', i)
    if (!isRecord(policy) || typeof policy.templateId !== 'string') {
      sink.add('P-06', path, 'A policy template instance needs a templateId.')
      return
    }
    const parameters = isRecord(policy.parameters) ? policy.parameters : {}
    const names = parameters['x-ms-apimTemplate-operationName']
    for (const name of Array.isArray(names) ? names : names === undefined ? [] : [names]) {
      if (!ids.has(String(name))) sink.add('P-06', path, `Policy targets unknown operation '${String(name)}'.`)
    }
  })
}
