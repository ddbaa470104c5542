/**
 * The identity settings as an operator writes them: what the schema accepts and refuses (with the config path in the
 * message), and the start-up check of a workload identity file.
 */
import { describe, expect, it } from 'vitest'
import { ConfigSchema } from '../../src/config/schema.js'
import { credentialConfigProblems } from '../../src/auth/config-checks.js'
import { forwardRules } from '../../src/auth/outbound.js'

const VENDOR = 'https://vendor.example.com/mcp'
const ENTRA = 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001'
const jwt = { mode: 'jwt', issuer: `${ENTRA}/v2.0`, audience: ['api://facade', '11111111-2222-3333-4444-555555555555'], identityClaims: ['tid', 'oid'] }
const obo = { tokenUrl: `${ENTRA}/oauth2/v2.0/token`, clientId: 'facade-app', clientSecret: 'a-secret', scope: 'api://vendor/.default', delegation: { grant: 'on_behalf_of' } }

/** The issue messages of a config that must not parse, as `path: message`. */
function problemsOf(server: Record<string, unknown>): string[] {
  const result = ConfigSchema.safeParse({ servers: { crm: { url: VENDOR, ...server } } })
  expect(result.success).toBe(false)
  return result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('identity configuration', () => {
  it('accepts the Entra ID shape of the docs, with defaults filled in', () => {
    const config = ConfigSchema.parse({ servers: { crm: { url: VENDOR, auth: jwt, oauth: obo } } })
    const server = config.servers.crm!
    expect(server.auth).toMatchObject({ mode: 'jwt', algorithms: ['RS256'], clockToleranceSeconds: 60 })
    expect(server.oauth?.delegation).toMatchObject({ grant: 'on_behalf_of', cacheSize: 10_000 })
  })

  it('refuses clear-text issuers and key sets except on loopback', () => {
    expect(problemsOf({ auth: { ...jwt, issuer: 'http://login.example.com/v2.0' } }).join('\n')).toContain('must be an https URL')
    expect(problemsOf({ auth: { ...jwt, jwksUri: 'http://keys.example.com/jwks' } }).join('\n')).toContain('must be an https URL')
    expect(ConfigSchema.safeParse({ servers: { crm: { url: VENDOR, auth: { ...jwt, issuer: 'http://127.0.0.1:8080/v2.0' } } } }).success).toBe(true)
  })

  it('never accepts alg none or HMAC for caller tokens', () => {
    expect(problemsOf({ auth: { ...jwt, algorithms: ['none'] } }).join('\n')).toMatch(/auth\.algorithms\.0/)
    expect(problemsOf({ auth: { ...jwt, algorithms: ['HS256'] } }).join('\n')).toMatch(/auth\.algorithms\.0/)
  })

  it('needs a caller token to delegate, a token endpoint for OBO, and one client authentication', () => {
    expect(problemsOf({ auth: { mode: 'apiKey', keys: ['0123456789abcdef0123'] }, oauth: obo }).join('\n')).toContain('oauth.delegation: delegation exchanges the caller\'s token')
    expect(problemsOf({ auth: jwt, oauth: { ...obo, tokenUrl: undefined } }).join('\n')).toContain('oauth.tokenUrl: delegation "on_behalf_of" needs tokenUrl')
    expect(problemsOf({ auth: jwt, oauth: { ...obo, clientAssertionFile: '/var/run/token' } }).join('\n')).toContain('set exactly one of clientSecret, privateKey or clientAssertionFile')
    expect(problemsOf({ oauth: { clientId: 'wif', grant: 'jwt_bearer' } }).join('\n')).toContain('oauth.clientAssertionFile: grant "jwt_bearer" needs clientAssertionFile')
  })

  it('with passthrough and delegation, never forwards the caller\'s Authorization', () => {
    const config = ConfigSchema.parse({ servers: { crm: { url: VENDOR, auth: { mode: 'passthrough' }, oauth: obo } } })
    expect([...forwardRules(config.servers.crm!).map.keys()]).not.toContain('authorization')
    expect(problemsOf({ auth: { mode: 'passthrough' }, forwardHeaders: { allow: ['Authorization'] }, oauth: obo }).join('\n')).toContain('the caller\'s own Authorization is never forwarded')
  })

  it('names a certificate that does not certify the private key', async () => {
    const { generateKeyPairSync } = await import('node:crypto')
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    const config = ConfigSchema.parse({ servers: { crm: { url: VENDOR, auth: jwt, oauth: { ...obo, clientSecret: undefined, privateKey: key, certificate: 'not a certificate' } } } })
    expect(credentialConfigProblems('crm', config.servers.crm!)).toEqual(['servers.crm.oauth.certificate: not a valid PEM certificate'])
    expect(problemsOf({ auth: jwt, oauth: { ...obo, certificate: 'x' } }).join('\n')).toContain('oauth.certificate: certificate goes with privateKey')
  })

  it('names a workload identity file that cannot be read at start', () => {
    const config = ConfigSchema.parse({ servers: { crm: { url: VENDOR, auth: jwt, oauth: { ...obo, clientSecret: undefined, clientAssertionFile: '/nonexistent/azure-identity-token' } } } })
    expect(credentialConfigProblems('crm', config.servers.crm!)).toEqual([
      'servers.crm.oauth.clientAssertionFile: cannot read the workload identity token file (check the volume mount and AZURE_FEDERATED_TOKEN_FILE)',
    ])
  })
})
