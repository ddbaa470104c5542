#!/usr/bin/env node
/**
 * @module cli
 * `mcp-rest-facade [flags]` serves the facade; `mcp-rest-facade export --out <dir>` writes the Power Platform
 * connector folder. The only file that calls `process.exit`.
 */
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import type { CliFlags } from './config/load.js'
import type { Config } from './config/schema.js'
import { loadEntryModule } from './launch/code-cache.js'

/** Set by scripts/build.mjs to the CommonJS bundle of ./app.js (beside the built cli.js); undefined under tsx. */
declare const FACADE_APP_BUNDLE: string | undefined

// src/cli.ts and dist/cli.js both sit one level below package.json.
const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version

const HELP = `mcp-rest-facade: typed REST (OpenAPI 3.1 and Power Platform Swagger 2.0) in front of an MCP server

Usage:
  mcp-rest-facade [options]                 serve the facade
  mcp-rest-facade export --out <dir>        write the Power Platform connector folder (paconn layout)
  mcp-rest-facade export --out <dir> --mcp-only   connector with the InvokeMCP operation alone (Copilot Studio)
  mcp-rest-facade export --from <facade url> --out <dir>   the folder a deployed facade serves (GET /connector/package):
                                            no config or vendor secrets needed; its API key from FACADE_API_KEY

Options:
  --upstream <url>              MCP server URL (Streamable HTTP; falls back to legacy HTTP+SSE)   env MCP_UPSTREAM_URL
  --upstream-command "<cmd> …"  MCP server as a stdio child process                               env MCP_UPSTREAM_COMMAND
  --upstream-env <NAME>         pass this variable of the facade's environment to the stdio child    env MCP_UPSTREAM_ENV
                                (repeatable; the child gets only HOME, PATH, SHELL, TERM otherwise)  (comma-separated)
  --port <n>                    listen port (default 8080)                                         env PORT
  --host <addr>                 listen address (default 127.0.0.1)                                 env HOST
  --public-url <url>            public https URL (Swagger host, async Location headers)            env PUBLIC_URL
  --config <file>               JSON config file (several servers, headers, auth, timeouts)        env MCP_FACADE_CONFIG
  --out <dir>                   export: target folder
  --mcp-only                    export: only the InvokeMCP operation (x-ms-agentic-protocol)
  --from <url>                  export: from a running facade instead of the config (key: env FACADE_API_KEY)
  --key-header <name>           export --from: header of FACADE_API_KEY (default X-API-Key; Authorization → Bearer)
  -v, --version                 print the version
  --allow-http                  export: accept an http:// public URL (local tests only)
  -h, --help                    show this help

Environment only (no flag):
  LOG_LEVEL                     debug | info | warn | error | silent (default info)
  REDIS_URL                     Redis for sessions shared by replicas (redis://[user:pass@]host:6379)
  SESSION_IDLE_TTL_SECONDS      idle expiry of caller and pooled sessions (default 1800)
  FACADE_IDENTITY_SECRET        key of the caller-identity hash; the same on every replica (16+ chars)
  METRICS_PORT                  serve GET /metrics on this port only (not on the API port)
  METRICS_KEY                   require Authorization: Bearer <key> on GET /metrics (16+ chars)
  CORS_ORIGINS                  comma-separated origins allowed by CORS ("*" for any); off when unset
  OTEL_EXPORTER_OTLP_ENDPOINT   send OpenTelemetry traces to this OTLP/HTTP endpoint (off when unset);
                                the other standard OTEL_* variables (OTEL_SERVICE_NAME, …) apply
  NODE_EXTRA_CA_CERTS           extra CA certificates (PEM file) to trust a vendor's private TLS certificate
  FACADE_CODE_CACHE_DIR         where the V8 code cache that speeds up a start lives ("off" to disable;
                                default: a directory of this user's under the system temporary directory)

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
        'upstream-env': { type: 'string', multiple: true },
        port: { type: 'string' },
        host: { type: 'string' },
        'public-url': { type: 'string' },
        'allow-http': { type: 'boolean' },
        config: { type: 'string' },
        out: { type: 'string' },
        'mcp-only': { type: 'boolean' },
        from: { type: 'string' },
        'key-header': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
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
  if (values.version) {
    process.stdout.write(`mcp-rest-facade ${VERSION}\n`)
    return 0
  }
  const command = positionals[0] ?? 'serve'
  if (!['serve', 'export'].includes(command) || positionals.length > 1) {
    process.stderr.write(`unknown command: ${positionals.join(' ')}\n\n${HELP}\n`)
    return 2
  }
  if (command === 'export' && values.from !== undefined) return exportFrom(values.from, values)
  const flags: CliFlags = {
    upstream: values.upstream,
    upstreamCommand: values['upstream-command'],
    upstreamEnv: values['upstream-env'],
    port: values.port,
    host: values.host,
    config: values.config,
    publicUrl: values['public-url'],
  }
  const bundle = await loadApp()
  const { ConfigError, loadConfig, ServerConfigSchema, credentialConfigProblems, createLogger } = bundle.exports
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
  log.debug('code cache', { state: bundle.state })

  if (command === 'export' && !values.out) {
    process.stderr.write('export needs --out <dir>\n')
    return 2
  }

  let demo: { url: string; close(): Promise<void> } | undefined
  if (Object.keys(config.servers).length === 0) {
    // In this process, on loopback: a process of its own would cost a second Node start on the critical path, and
    // its memory on top of the facade's (see bench/README.md, start-up). It is still spoken to over HTTP, as a
    // vendor is, with its own sessions (docs/deploy.md).
    const { startDemoVendor } = await bundle.exports.loadDemoVendor()
    demo = await startDemoVendor({ host: '127.0.0.1', port: 0 })
    // The demo is a 2025-era vendor: no `server/discover` probe for it to refuse first.
    config.servers = { default: ServerConfigSchema.parse({ url: demo.url, protocol: 'legacy' }) }
    log.info('no upstream configured: started the built-in demo vendor', { url: demo.url })
  }

  if (command === 'export') {
    const { exportConnector } = await bundle.exports.loadExporter()
    try {
      const report = await exportConnector(config, values.out!, log, { mcpOnly: values['mcp-only'] === true, allowHttp: values['allow-http'] === true })
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

  const { startFacade, startTelemetry } = bundle.exports
  const telemetry = await startTelemetry(process.env, log, VERSION)
  // Listen first: /healthz answers at once, /readyz says 503 until the catalog is in (a slow vendor must not keep the
  // orchestrator from seeing a live process).
  const facade = await startFacade(config, log, { awaitCatalog: false })
  const metricsLine = facade.metricsUrl ? `\n  metrics: ${facade.metricsUrl}/metrics` : ''
  process.stdout.write(`mcp-rest-facade listening on ${facade.url}${metricsLine}\n`)
  // The document URLs once each catalog had its first try: they answer from then on (or say why not).
  void facade.catalogsAttempted.then(() => {
    const lines = facade.runtimes.map((r) => {
      const base = facade.url + r.mountPath
      const state = r.catalog.state ? '' : ' (catalog not loaded yet: retrying)'
      return `  ${r.name}${state}: docs ${base}/docs | OpenAPI 3.1 ${base}/openapi.json | Swagger 2.0 ${base}/swagger.json`
    })
    process.stdout.write(lines.join('\n') + '\n')
    // By then the functions a start runs are compiled; a little later the first probes' ones too.
    setTimeout(() => bundle.save(), 2000).unref()
  })

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info('shutting down', { signal })
      bundle.save() // for a process stopped before the timer above (does nothing when the cache is written)
      resolve()
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
  await facade.close()
  await telemetry?.shutdown()
  await demo?.close()
  return 0
}

/** ./app.js: from its bundle with the code cache once built, as a module under tsx. */
function loadApp() {
  // A specifier the bundler does not follow: app.js must not join cli.js (built, the bundle is loaded instead).
  const source = './app.js'
  return loadEntryModule<typeof import('./app.js')>(typeof FACADE_APP_BUNDLE === 'string' ? FACADE_APP_BUNDLE : undefined, import.meta.url, () => import(source))
}

/** `export --from <url>`: the connector folder of a running facade; no config is loaded and no vendor contacted. */
async function exportFrom(from: string, values: { out?: string; 'mcp-only'?: boolean; 'allow-http'?: boolean; 'key-header'?: string }): Promise<number> {
  if (!values.out) {
    process.stderr.write('export needs --out <dir>\n')
    return 2
  }
  const { exportFromFacade } = await (await loadApp()).exports.loadFacadeExporter()
  try {
    const options = { key: process.env.FACADE_API_KEY, keyHeader: values['key-header'], mcpOnly: values['mcp-only'] === true, allowHttp: values['allow-http'] === true }
    process.stdout.write((await exportFromFacade(from, values.out, options)) + '\n')
    return 0
  } catch (error) {
    if ((error as Error).name !== 'ExportError') throw error
    process.stderr.write(`export failed: ${(error as Error).message}\n`)
    return 1
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fatal: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
