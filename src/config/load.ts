/**
 * @module config/load
 * One precedence chain: defaults < config file < environment < command-line flags.
 * Every problem is collected and reported together; nothing is half-applied.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fromMcpServers } from './mcp-servers.js'
import { ConfigSchema, type Config } from './schema.js'

/** Thrown when the configuration is invalid. `problems` lists every issue, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

/** Flags the CLI understands (already parsed). */
export interface CliFlags {
  upstream?: string
  upstreamCommand?: string
  /** `--upstream-env NAME` (repeatable): variables of the facade's environment passed to the stdio child. */
  upstreamEnv?: string[]
  port?: string
  host?: string
  config?: string
  publicUrl?: string
}

/** Splits a command line into words, honouring single and double quotes and backslash escapes. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = []
  let current = ''
  let quote: '"' | "'" | undefined
  let inWord = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quote) {
      if (ch === quote) quote = undefined
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) current += line[++i]
      else current += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line[++i]
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current)
      current = ''
      inWord = false
    } else {
      current += ch
      inWord = true
    }
  }
  if (quote) throw new Error('unterminated quote in command')
  if (inWord) words.push(current)
  return words
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** Replaces `${VAR}` in every string of `value`; missing variables are reported as problems with their path. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string, problems: string[]): unknown {
  if (typeof value === 'string')
    return value.replace(ENV_REF, (_, name: string) => {
      const v = env[name]
      if (v === undefined) {
        problems.push(`${path}: environment variable ${name} is not set`)
        return ''
      }
      return v
    })
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`, problems))
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, path ? `${path}.${k}` : k, problems)]))
  return value
}

function toInt(value: string, name: string, problems: string[]): number | undefined {
  if (!/^\d+$/.test(value)) {
    problems.push(`${name}: expected a whole number, got "${value}"`)
    return undefined
  }
  return Number(value)
}

/**
 * Loads and validates the configuration.
 * @param flags parsed command-line flags
 * @param env the environment (`process.env`)
 * @throws ConfigError listing every problem
 */
export function loadConfig(flags: CliFlags, env: NodeJS.ProcessEnv): Config {
  const problems: string[] = []
  let raw: Record<string, unknown> = {}
  const file = flags.config ?? env.MCP_FACADE_CONFIG
  if (file) {
    try {
      raw = JSON.parse(readFileSync(resolve(file), 'utf8')) as Record<string, unknown>
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('the file must hold a JSON object')
    } catch (error) {
      throw new ConfigError([`config file ${file}: ${(error as Error).message}`])
    }
  }
  // Editors' pointer to schema/config.schema.json: no setting.
  delete raw.$schema
  raw = interpolate(raw, env, '', problems) as Record<string, unknown>
  if (raw.mcpServers !== undefined) {
    // The file other MCP clients use: one map or the other, so no server is silently defined twice.
    if (raw.servers !== undefined) problems.push('(root): set either servers or mcpServers, not both')
    else {
      raw.servers = fromMcpServers(raw.mcpServers, problems)
      // Each entry under /{name}/ even when it is the only one (README; what mcpo does).
      raw.mountServers ??= 'byName'
    }
    delete raw.mcpServers
  }

  // Environment, then flags: each layer overwrites the one before.
  const layer = (src: { url?: string; command?: string; envNames?: string[]; port?: string; host?: string; publicUrl?: string }, label: string) => {
    if (src.port !== undefined) raw.port = toInt(src.port, `${label} port`, problems)
    if (src.host !== undefined) raw.host = src.host
    if (src.publicUrl !== undefined) raw.publicUrl = src.publicUrl
    if (src.envNames?.length) {
      const servers = (raw.servers as Record<string, Record<string, unknown>> | undefined) ?? {}
      const names = Object.keys(servers)
      if (names.length > 1) problems.push(`${label} upstream env: the config file names several servers; set envPassthrough per server in the file`)
      else {
        const name = names[0] ?? 'default'
        const server = servers[name] ?? {}
        const before = Array.isArray(server.envPassthrough) ? (server.envPassthrough as unknown[]) : []
        raw.servers = { ...servers, [name]: { ...server, envPassthrough: [...new Set([...before, ...src.envNames])] } }
      }
    }
    if (src.url !== undefined || src.command !== undefined) {
      const servers = { ...((raw.servers as Record<string, Record<string, unknown>>) ?? {}) }
      const names = Object.keys(servers)
      if (names.length > 1) {
        problems.push(`${label} upstream: the config file names several servers; set their url/command in the file`)
        return
      }
      const name = names[0] ?? 'default'
      const server = { ...(servers[name] ?? {}) }
      delete server.url
      delete server.command
      delete server.args
      if (src.url !== undefined) server.url = src.url
      if (src.command !== undefined) {
        try {
          const [command, ...args] = splitCommandLine(src.command)
          if (!command) problems.push(`${label} upstream command is empty`)
          server.command = command
          server.args = args
        } catch (error) {
          problems.push(`${label} upstream command: ${(error as Error).message}`)
        }
      }
      servers[name] = server
      raw.servers = servers
    }
  }
  layer(
    {
      url: env.MCP_UPSTREAM_URL,
      command: env.MCP_UPSTREAM_COMMAND,
      envNames: env.MCP_UPSTREAM_ENV?.split(',').map((n) => n.trim()).filter(Boolean),
      port: env.PORT,
      host: env.HOST,
      publicUrl: env.PUBLIC_URL,
    },
    'environment',
  )
  if (env.SESSION_IDLE_TTL_SECONDS !== undefined) {
    const ttl = toInt(env.SESSION_IDLE_TTL_SECONDS, 'SESSION_IDLE_TTL_SECONDS', problems)
    raw.sessions = { ...((raw.sessions as object) ?? {}), idleTtlSeconds: ttl }
  }
  // REDIS_URL alone is enough to share state between replicas; only a config that explicitly asks for the memory
  // store keeps it (e.g. a single-replica install whose environment happens to carry REDIS_URL).
  if (env.REDIS_URL !== undefined && env.REDIS_URL !== '' && (raw.sessions as { store?: string } | undefined)?.store !== 'memory')
    raw.sessions = { ...((raw.sessions as object) ?? {}), store: 'redis', redisUrl: env.REDIS_URL }
  if (env.FACADE_IDENTITY_SECRET !== undefined) raw.identitySecret = env.FACADE_IDENTITY_SECRET
  if (env.LOG_LEVEL !== undefined) raw.logLevel = env.LOG_LEVEL
  if (env.METRICS_PORT !== undefined || env.METRICS_KEY !== undefined) {
    const metrics: Record<string, unknown> = { ...((raw.metrics as object) ?? {}) }
    if (env.METRICS_PORT !== undefined) metrics.port = toInt(env.METRICS_PORT, 'METRICS_PORT', problems)
    if (env.METRICS_KEY !== undefined) metrics.key = env.METRICS_KEY
    raw.metrics = metrics
  }
  if (env.CORS_ORIGINS !== undefined) {
    const origins = env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)
    raw.cors = origins.length ? { ...((raw.cors as object) ?? {}), origins } : undefined
  }
  layer({ url: flags.upstream, command: flags.upstreamCommand, envNames: flags.upstreamEnv, port: flags.port, host: flags.host, publicUrl: flags.publicUrl }, '--flag')

  const parsed = ConfigSchema.safeParse(raw)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // Record-key failures carry the real reason (e.g. "not a valid HTTP header name") one level down.
      const inner = (issue as { issues?: { message: string }[] }).issues?.[0]?.message
      const message = issue.code === 'invalid_key' && inner ? `${inner} (key "${String(issue.path.at(-1))}")` : issue.message
      problems.push(`${issue.path.length ? issue.path.join('.') : '(root)'}: ${message}`)
    }
  }
  if (parsed.success) passEnvThrough(parsed.data, env, problems)
  if (problems.length) throw new ConfigError(problems)
  return parsed.data!
}

/**
 * Copies each stdio server's `envPassthrough` variables from the facade's environment into its `env` (an explicit
 * `env` entry of the same name wins). A listed variable that is unset is a problem: the child would start without
 * its API key and fail later, far from the cause.
 */
function passEnvThrough(config: Config, env: NodeJS.ProcessEnv, problems: string[]): void {
  for (const [name, server] of Object.entries(config.servers)) {
    server.envPassthrough.forEach((variable, i) => {
      const value = env[variable]
      if (value === undefined) problems.push(`servers.${name}.envPassthrough[${i}]: environment variable ${variable} is not set`)
      else if (!(variable in server.env)) server.env[variable] = value
    })
  }
}
