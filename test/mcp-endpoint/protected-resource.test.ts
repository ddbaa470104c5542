/**
 * RFC 9728 protected-resource metadata of the facade's MCP endpoints (`auth.mode: "jwt"`), with several servers
 * mounted under `/{server}` and behind a public URL with a path: each endpoint's metadata document names that
 * endpoint as `resource` and the accepted issuers as `authorization_servers`; a 401 from the endpoint points at it
 * with `WWW-Authenticate: Bearer … resource_metadata="…"` (§5.1), and an MCP client can follow that URL to the
 * issuer's OpenID configuration. Servers that validate no tokens serve no metadata. Real parts: a token issuer of
 * our own and the sessionful vendor, on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { startTokenIssuer, type TokenIssuer } from '../fixtures/token-issuer.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }
const MCP_HEADERS = { Accept: 'application/json, text/event-stream' }
const KEY = 'protected-resource-test-key-0123'

describe('RFC 9728 metadata for /{server}/mcp', () => {
  let issuer: TokenIssuer
  let vendor: SessionfulVendor
  let facade: TestFacade
  let behindProxy: TestFacade

  const servers = () => ({
    crm: {
      url: vendor.url,
      connector: { title: 'Contoso CRM' },
      auth: {
        mode: 'jwt',
        issuer: [issuer.issuer, `${issuer.origin}/v1-tenant/`],
        audience: 'api://facade',
        oauth: { identityProvider: 'aad', clientId: 'connector-app', tenantId: 'contoso', scopes: { 'api://facade/access_as_user': 'Call the tools' } },
      },
    },
    hr: { url: vendor.url, auth: { mode: 'jwt', issuer: issuer.issuer, audience: 'api://facade' } },
    open: { url: vendor.url, auth: { mode: 'apiKey', keys: [KEY] } },
  })

  beforeAll(async () => {
    issuer = await startTokenIssuer()
    vendor = await startSessionfulVendor()
    facade = await startTestFacade(servers())
    behindProxy = await startTestFacade(servers(), { publicUrl: 'https://facade.example.com/api/' })
  })
  afterAll(async () => {
    await facade?.close()
    await behindProxy?.close()
    await vendor?.close()
    await issuer?.close()
  })

  it('serves one document per jwt server, naming its endpoint, the issuers and the sign-in scopes', async () => {
    const crm = await facade.call('/.well-known/oauth-protected-resource/crm/mcp')
    expect(crm.status).toBe(200)
    expect(crm.headers.get('content-type')).toContain('application/json')
    expect(await jsonOf(crm)).toEqual({
      resource: `${facade.url}/crm/mcp`,
      authorization_servers: [issuer.issuer, `${issuer.origin}/v1-tenant/`],
      bearer_methods_supported: ['header'],
      scopes_supported: ['api://facade/access_as_user'],
      resource_name: 'Contoso CRM',
    })
    // Without a described sign-in there are no scopes to name.
    expect(await jsonOf(await facade.call('/.well-known/oauth-protected-resource/hr/mcp'))).toEqual({
      resource: `${facade.url}/hr/mcp`,
      authorization_servers: [issuer.issuer],
      bearer_methods_supported: ['header'],
      resource_name: 'hr',
    })
  })

  it('serves nothing for a server that validates no tokens, nor at the root when no server is mounted there', async () => {
    expect((await facade.call('/.well-known/oauth-protected-resource/open/mcp')).status).toBe(404)
    expect((await facade.call('/.well-known/oauth-protected-resource/mcp')).status).toBe(404)
    expect((await facade.call('/.well-known/oauth-protected-resource')).status).toBe(404)
  })

  it('a 401 from /{server}/mcp names the metadata; a client follows it to the issuer (no token: no error code)', async () => {
    const res = await facade.call('/crm/mcp', { method: 'POST', json: INITIALIZE, headers: MCP_HEADERS })
    expect(res.status).toBe(401)
    const challenge = res.headers.get('www-authenticate')!
    expect(challenge).toBe(`Bearer realm="mcp-rest-facade", resource_metadata="${facade.url}/.well-known/oauth-protected-resource/crm/mcp"`)
    expect((await jsonOf(res)).code).toBe('unauthorized')

    // What an MCP client does next: metadata → authorization server → its OpenID configuration.
    const metadata = await jsonOf(await fetch(/resource_metadata="([^"]+)"/.exec(challenge)![1]!))
    const configuration = await jsonOf(await fetch(`${metadata.authorization_servers[0]}/.well-known/openid-configuration`))
    expect(configuration.issuer).toBe(issuer.issuer)

    // An invalid token: the same pointer, with RFC 6750's error.
    const bad = await facade.call('/hr/mcp', { method: 'POST', json: INITIALIZE, headers: { ...MCP_HEADERS, Authorization: `Bearer ${await issuer.sign({ aud: 'api://someone-else' })}` } })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer realm="mcp-rest-facade", error="invalid_token", error_description="[^"]+", resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/hr\/mcp"$/)
    expect((await jsonOf(bad)).code).toBe('invalid_token')

    // A valid token opens the conversation.
    const ok = await facade.call('/crm/mcp', { method: 'POST', json: INITIALIZE, headers: { ...MCP_HEADERS, Authorization: `Bearer ${await issuer.sign()}` } })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('mcp-session-id')).toBeTruthy()
  })

  it('a REST 401 carries no resource_metadata (the metadata describes the MCP endpoint only)', async () => {
    const res = await facade.call('/crm/tools/echo', { method: 'POST', json: { message: 'x' } })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mcp-rest-facade"')
  })

  it('behind a public URL with a path: the challenge and the resource use the public URL, and both paths answer', async () => {
    const res = await behindProxy.call('/crm/mcp', { method: 'POST', json: INITIALIZE, headers: MCP_HEADERS })
    expect(res.status).toBe(401)
    const url = /resource_metadata="([^"]+)"/.exec(res.headers.get('www-authenticate')!)![1]!
    expect(url).toBe('https://facade.example.com/.well-known/oauth-protected-resource/api/crm/mcp')
    // The proxy strips /api before the facade: the facade serves the metadata under both paths, with the public resource.
    for (const path of ['/.well-known/oauth-protected-resource/api/crm/mcp', '/.well-known/oauth-protected-resource/crm/mcp']) {
      const metadata = await behindProxy.call(path)
      expect(metadata.status, path).toBe(200)
      expect((await jsonOf(metadata)).resource, path).toBe('https://facade.example.com/api/crm/mcp')
    }
  })
})
