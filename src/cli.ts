#!/usr/bin/env node
/**
 * @module cli
 * `mcp-rest-facade [flags]` serves the facade; `mcp-rest-facade export --out <dir>` writes the Power Platform
 * connector folder. The only file that calls `process.exit`.
 */
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig, type CliFlags } from './config/load.js'
import { ServerConfigSchema, type Config } from './config/schema.js'
import { credentialConfigProblems } from './auth/config-checks.js'
import { createLogger } from './log.js'
import { startFacade } from './server.js'

const HELP = `mcp-rest-facade: typed REST (OpenAPI 3.1 and Power Platform Swagger 2.0) in front of an MCP server

Usage:
  mcp-rest-facade [options]                 serve the facade
  mcp-rest-facade export --out <dir>        write the Power Platform connector folder (paconn layout)

Options:
  --upstream <url>              MCP server URL (Streamable HTTP; falls back to legacy HTTP+SSE)   env MCP_UPSTREAM_URL
  --upstream-command "<cmd> …"  MCP server as a stdio child process                               env MCP_UPSTREAM_COMMAND
  --port <n>                    listen port (default 8080)                                         env PORT
  --host <addr>                 listen address (default 127.0.0.1)                                 env HOST
  --public-url <url>            public https URL (Swagger host, async Location headers)            env PUBLIC_URL
  --config <file>               JSON config file (several servers, headers, auth, timeouts)        env MCP_FACADE_CONFIG
  --out <dir>                   export: target folder
  --allow-http                  export: accept an http:// public URL (local tests only)
  -h, --help                    show this help

Precedence: defaults < config file < environment < flags.
With no upstream configured, a built-in demo vendor is started and fronted.`

async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        upstream: { type: 'string' },
        'upstream-command': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'public-url': { type: 'string' },
        'allow-http': { type: 'boolean' },
        config: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  const command = positionals[0] ?? 'serve'
  if (!['serve', 'export'].includes(command) || positionals.length > 1) {
    process.stderr.write(`unknown command: ${positionals.join(' ')}\n\n${HELP}\n`)
    return 2
  }
  const flags: CliFlags = {
    upstream: values.upstream,
    upstreamCommand: values['upstream-command'],
    port: values.port,
    host: values.host,
    config: values.config,
    publicUrl: values['public-url'],
  }
  let config: Config
  try {
    config = loadConfig(flags, process.env)
    const problems = Object.entries(config.servers).flatMap(([name, s]) => credentialConfigProblems(name, s))
    if (problems.length) throw new ConfigError(problems)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.message + '\n')
      return 1
    }
    throw error
  }
  const log = createLogger(config.logLevel)

  let demo: { url: string; close(): Promise<void> } | undefined
  if (Object.keys(config.servers).length === 0) {
    const { startDemoVendor } = await import('./demo/vendor.js')
    demo = await startDemoVendor()
    config.servers = { default: ServerConfigSchema.parse({ url: demo.url }) }
    log.info('no upstream configured: started the built-in demo vendor', { url: demo.url })
  }

  if (command === 'export') {
    const { exportConnector } = await import('./connector/export.js')
    if (!values.out) {
      process.stderr.write('export needs --out <dir>\n')
      await demo?.close()
      return 2
    }
    try {
      const report = await exportConnector(config, values.out, log, { allowHttp: values['allow-http'] === true })
      process.stdout.write(report + '\n')
    } catch (error) {
      if ((error as Error).name !== 'ExportError') throw error
      process.stderr.write(`export failed: ${(error as Error).message}\n`)
      return 1
    } finally {
      await demo?.close()
    }
    return 0
  }

  const facade = await startFacade(config, log)
  const lines = facade.runtimes.map((r) => {
    const base = facade.url + r.mountPath
    return `  ${r.name}: docs ${base}/docs | OpenAPI 3.1 ${base}/openapi.json | Swagger 2.0 ${base}/swagger.json`
  })
  process.stdout.write(`mcp-rest-facade listening on ${facade.url}\n${lines.join('\n')}\n`)

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info('shutting down', { signal })
      resolve()
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
  await facade.close()
  await demo?.close()
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fatal: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
