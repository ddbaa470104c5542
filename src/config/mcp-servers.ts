/**
 * @module config/mcp-servers
 * Reads the `mcpServers` map that MCP clients already use (Claude Desktop, Cursor, open-webui/mcpo, Cline) and turns
 * it into our `servers` map, so an operator can point the facade at the file they have. Entry fields:
 * `command`/`args`/`env`/`cwd` (stdio), `url`/`type`/`headers` (HTTP), `disabledTools` (→ `tools.deny`),
 * `disabled: true` (skipped). Client-only fields (`autoApprove`, `alwaysAllow`, `timeout`) mean nothing to a REST
 * facade and are ignored; anything else is left in place so the normal validation reports it. Every entry is mounted
 * under `/{name}/`, a single one included (config/load sets `mountServers: byName`).
 */

/** Client fields with no meaning here. */
const IGNORED = new Set(['autoApprove', 'alwaysAllow', 'timeout', 'description'])

/** `type` values seen in the wild → our transport. */
const TRANSPORTS: Record<string, string> = {
  http: 'streamable-http',
  'streamable-http': 'streamable-http',
  streamableHttp: 'streamable-http',
  'streamable_http': 'streamable-http',
  sse: 'sse',
}

/** A server name our routes accept (`/{server}/`): lowercase letters, digits and `-`. */
export function serverNameOf(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
}

/**
 * Converts an `mcpServers` map to a `servers` map.
 * @param problems receives one line per entry that cannot be converted
 */
export function fromMcpServers(mcpServers: unknown, problems: string[]): Record<string, Record<string, unknown>> {
  const servers: Record<string, Record<string, unknown>> = {}
  if (!mcpServers || typeof mcpServers !== 'object' || Array.isArray(mcpServers)) {
    problems.push('mcpServers: expected an object of servers')
    return servers
  }
  for (const [key, value] of Object.entries(mcpServers as Record<string, unknown>)) {
    const path = `mcpServers.${key}`
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${path}: expected an object`)
      continue
    }
    const { type, disabledTools, disabled, ...rest } = value as Record<string, unknown>
    if (disabled === true) continue
    const name = serverNameOf(key)
    if (!name) {
      problems.push(`${path}: the name has no letters or digits to build a route from`)
      continue
    }
    if (servers[name]) {
      problems.push(`${path}: becomes server "${name}", which another entry already uses`)
      continue
    }
    const server: Record<string, unknown> = {}
    for (const [field, v] of Object.entries(rest)) if (!IGNORED.has(field)) server[field] = v
    if (type !== undefined && type !== 'stdio') {
      const transport = typeof type === 'string' ? TRANSPORTS[type] : undefined
      if (!transport) problems.push(`${path}.type: "${String(type)}" is not one of stdio, http, streamable-http, sse`)
      else server.transport = transport
    }
    if (disabledTools !== undefined) {
      if (!Array.isArray(disabledTools) || disabledTools.some((t) => typeof t !== 'string')) problems.push(`${path}.disabledTools: expected a list of tool names`)
      else server.tools = { ...((server.tools as object) ?? {}), deny: disabledTools }
    }
    servers[name] = server
  }
  return servers
}
