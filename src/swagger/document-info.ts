/**
 * @module swagger/document-info
 * The document-level parts of the connector: `info`, `host`/`basePath`/`schemes`, `x-ms-connector-metadata` and
 * `securityDefinitions`/`security` (rulebook §1.1, C-01…C-05, §5). Each function returns its values plus the
 * warnings for anything it had to default or repair.
 */

import type { Catalog } from '../catalog/types.js'
import { toConnectorDescription, toConnectorTitle, toSentence } from './text-rules.js'
import type { ConnectorMetadataEntry, InboundAuth, Swagger2Document, Swagger2Options, Swagger2SecurityScheme } from './types.js'

/** Public URL used when none is configured. */
export const DEFAULT_PUBLIC_URL = 'https://localhost'

/** Categories that certification accepts (rulebook C-04). */
export const CONNECTOR_CATEGORIES = [
  'AI',
  'Business Management',
  'Business Intelligence',
  'Collaboration',
  'Commerce',
  'Communication',
  'Content and Files',
  'Finance',
  'Data',
  'Human Resources',
  'Internet of Things',
  'IT Operations',
  'Lifestyle and Entertainment',
  'Marketing',
  'Productivity',
  'Sales and CRM',
  'Security',
  'Social Media',
  'Website',
] as const

/** `host` and `basePath` of the document, from the facade's public URL. */
export interface HostParts {
  host: string
  basePath: string
  warnings: string[]
}

/**
 * Splits the public URL into a bare `host[:port]` (rulebook H-07) and a `basePath` starting with `/` (H-08); the
 * server's mount path follows the URL's own path, with or without a configured URL (the operations of a mounted
 * server live under `/{server}` either way).
 * @example parsePublicUrl('https://facade.example.com/crm/') // { host: 'facade.example.com', basePath: '/crm' }
 * @example parsePublicUrl(undefined, '/crm') // { host: 'localhost', basePath: '/crm', warnings: [...] }
 */
export function parsePublicUrl(publicUrl: string | undefined, mountPath = ''): HostParts {
  const warnings: string[] = []
  if (publicUrl === undefined) {
    warnings.push(`publicUrl is not set; the document points at ${DEFAULT_PUBLIC_URL}, set it to the facade's public https URL before importing`)
  }
  let url: URL
  try {
    url = new URL(publicUrl ?? DEFAULT_PUBLIC_URL)
  } catch {
    warnings.push(`publicUrl "${publicUrl}" is not a valid URL; using ${DEFAULT_PUBLIC_URL}`)
    url = new URL(DEFAULT_PUBLIC_URL)
  }
  if (url.protocol !== 'https:') warnings.push(`publicUrl uses ${url.protocol.replace(':', '')}; the connector always calls https`)
  if (url.username || url.password) warnings.push('publicUrl credentials were ignored')
  if (url.search || url.hash) warnings.push('publicUrl query and fragment were ignored')
  // URL.host drops the default port and keeps an explicit one
  let host = url.host
  if (!/^[^{}/ :\\]+(?::\d+)?$/.test(host)) {
    warnings.push(`host "${host}" cannot be expressed in Swagger 2.0 (IPv6 literal?); using localhost`)
    host = 'localhost'
  }
  const path = url.pathname.replace(/\/+$/, '') + mountPath.replace(/\/+$/, '')
  return { host, basePath: path === '' ? '/' : path, warnings }
}

/**
 * The name people see for a server: its `title`, else its `name` in words when it is a package-style id
 * (`secure-filesystem-server` → `Secure Filesystem Server`, `mcp_server_memory` → `MCP Server Memory`).
 */
export function serverDisplayName(server: Catalog['server']): string {
  if (server.title?.trim()) return server.title.trim()
  const name = server.name.replace(/^@[^/]+\//, '').trim()
  if (!/[-_]/.test(name) && name !== name.toLowerCase()) return name
  return name
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => (/^mcp$/i.test(w) ? 'MCP' : w === w.toLowerCase() ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(' ')
}

/** The display name without an "MCP server" it already says, so a sentence can add its own once. */
function withoutServerWords(display: string): string {
  return display
    .replace(/^(?:mcp\s+)?server\s+(?:for\s+)?/i, '')
    .replace(/\s+(?:mcp\s+)?server$/i, '')
    .replace(/\s+mcp$/i, '')
    .trim()
}

/**
 * `info`, sanitized for certification (rulebook H-04, H-05, C-01, C-02, C-03). The description is the configured
 * one, else the server's own `description`, else a sentence naming the server; never the server's
 * `instructions`, which tell a model how to use the tools and are not written for the people choosing a connector.
 */
export function buildInfo(catalog: Catalog, options: Swagger2Options): { info: Swagger2Document['info']; warnings: string[] } {
  const warnings: string[] = []
  const display = serverDisplayName(catalog.server)
  const rawTitle = options.title ?? display
  const title = toConnectorTitle(rawTitle)
  if (options.title !== undefined && title !== options.title) warnings.push(`title "${options.title}" was changed to "${title}" (30 chars, no "API"/"Connector", ends alphanumeric)`)
  const filler = `Calls the tools of the ${toConnectorTitle(withoutServerWords(display), 'vendor')} MCP server as typed actions, with the MCP session kept by the facade.`
  const rawDescription = options.description ?? catalog.server.description
  const description = toConnectorDescription(rawDescription, filler)
  if (options.description !== undefined && description !== options.description) {
    warnings.push('description was adjusted (30-500 chars, English sentences, no "API" or product names)')
  }
  const version = options.version ?? catalog.server.version ?? '1.0.0'
  const info: Swagger2Document['info'] = { title, description, version }
  if (options.contact) info.contact = { ...options.contact }
  else warnings.push('contact (name, url, email) is not set; certification requires it')
  return { info, warnings }
}

/** `x-ms-connector-metadata` (rulebook C-04), or `undefined` with a warning when not configured. */
export function buildConnectorMetadata(options: Swagger2Options): { metadata?: ConnectorMetadataEntry[]; warnings: string[] } {
  const warnings: string[] = []
  const meta = options.connectorMetadata
  if (!meta) {
    warnings.push('connectorMetadata (website, privacy policy, categories) is not set; certification requires it')
    return { warnings }
  }
  const known = new Map(CONNECTOR_CATEGORIES.map((c) => [c.toLowerCase(), c]))
  const categories: string[] = []
  for (const c of meta.categories) {
    const canonical = known.get(c.trim().toLowerCase())
    if (!canonical) warnings.push(`category "${c}" is not a certification category and was dropped`)
    else if (!categories.includes(canonical)) categories.push(canonical)
  }
  if (categories.length > 2) warnings.push(`only the first two categories are kept (${categories.slice(2).join(', ')} dropped)`)
  if (categories.length === 0) {
    categories.push('AI')
    warnings.push('no valid category; "AI" was used')
  }
  return {
    metadata: [
      { propertyName: 'Website', propertyValue: meta.website },
      { propertyName: 'Privacy policy', propertyValue: meta.privacyPolicy },
      { propertyName: 'Categories', propertyValue: categories.slice(0, 2).join(';') },
    ],
    warnings,
  }
}

/** Security definition name for API keys (matches the `api_key` connection parameter, rulebook §4.2). */
export const API_KEY_SECURITY = 'api_key'

/** Security definition name for OAuth (matches the `token` connection parameter). */
export const OAUTH_SECURITY = 'oauth2'

/**
 * `securityDefinitions` and `security` for the inbound auth mode (rulebook §5): exactly one definition, since
 * the platform uses only the top one.
 */
export function buildSecurity(auth: InboundAuth): Pick<Swagger2Document, 'securityDefinitions' | 'security'> {
  if (auth.mode === 'none') return {}
  if (auth.mode === 'apiKey' || auth.scheme === 'apiKey') {
    const description =
      auth.mode === 'apiKey'
        ? toSentence(`API key of the facade, sent in the ${auth.header} header`, 'API key of the facade.')
        : auth.mode === 'jwt'
          ? 'Access token the facade validates, entered as Bearer followed by the token; it expires, so prefer a connection that signs users in.'
          : toSentence(`Vendor credential forwarded by the facade, sent in the ${auth.header} header`, 'Vendor credential.')
    const scheme: Swagger2SecurityScheme = { type: 'apiKey', in: 'header', name: auth.header, description }
    return { securityDefinitions: { [API_KEY_SECURITY]: scheme }, security: [{ [API_KEY_SECURITY]: [] }] }
  }
  const scheme: Swagger2SecurityScheme = {
    type: 'oauth2',
    flow: 'accessCode',
    authorizationUrl: auth.authorizationUrl,
    tokenUrl: auth.tokenUrl,
    scopes: { ...auth.scopes },
    description:
      auth.mode === 'passthrough'
        ? 'OAuth 2.0 sign-in with the vendor; the facade forwards the access token.'
        : auth.aad
          ? 'Sign-in with Microsoft Entra ID; the facade validates the access token.'
          : 'OAuth 2.0 sign-in; the facade validates the access token.',
  }
  return { securityDefinitions: { [OAUTH_SECURITY]: scheme }, security: [{ [OAUTH_SECURITY]: Object.keys(auth.scopes).sort() }] }
}
