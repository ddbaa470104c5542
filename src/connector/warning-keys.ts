/**
 * @module connector/warning-keys
 * The Swagger 2.0 emitter warns in terms of its own options ("contact is not set"); a maker fixes the config file.
 * This adds the config keys (and flags) that set each option to the emitter's warnings, for the export's report,
 * the connector README and `GET /connector/package`.
 */

/** Emitter warning (by its start) → the settings that change it; `<server>` is replaced by the server's name. */
const KEYS: [RegExp, string][] = [
  [/^publicUrl\b/, 'publicUrl, PUBLIC_URL or --public-url'],
  [/^title\b/, 'servers.<server>.connector.title'],
  [/^description\b/, 'servers.<server>.connector.description'],
  [/^contact\b/, 'servers.<server>.connector.contact: { name, url, email }'],
  [/^connectorMetadata\b/, 'servers.<server>.connector.website, .privacyPolicy and .categories'],
  [/^(category|only the first two categories|no valid category)\b/, 'servers.<server>.connector.categories'],
  [/(operation limit|-operation limit|typed tool operations were dropped|operations: large connectors)/, 'servers.<server>.tools.include / tools.exclude'],
  [/^mcpEndpoint\.enabled\b/, 'servers.<server>.mcpEndpoint.enabled'],
]

/** The warning with the config keys that address it, when known: `… (config: servers.crm.connector.contact: …)`. */
export function withConfigKeys(warning: string, server: string): string {
  const keys = KEYS.find(([pattern]) => pattern.test(warning))?.[1]
  return keys ? `${warning} (config: ${keys.replaceAll('<server>', server)})` : warning
}

/** `1 operation`, `2 operations`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
