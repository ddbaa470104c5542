/**
 * @module telemetry/start
 * OpenTelemetry tracing, on only when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set:
 * the SDK packages are imported here, lazily, so a facade without tracing never loads them. Spans go to the OTLP/HTTP
 * endpoint (the exporter reads the standard `OTEL_*` variables itself). Every HTTP request to a vendor gets a client
 * span and its `traceparent` from the pool itself (`startHttpSpan` in telemetry/spans, called by upstream/http-pool):
 * no HTTP instrumentation package is loaded.
 */
import type { Logger } from '../log.js'
import { redactUrl } from '../log.js'
import { enableSpans } from './spans.js'

/** A running tracer provider. */
export interface Telemetry {
  /** Flushes pending spans and stops. */
  shutdown(): Promise<void>
}

/**
 * Starts tracing if the environment asks for it.
 * @returns undefined when no OTLP endpoint is configured
 */
export async function startTelemetry(env: NodeJS.ProcessEnv, log: Logger, version: string): Promise<Telemetry | undefined> {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT
  if (!endpoint) return undefined
  const [api, { NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ])
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'mcp-rest-facade', 'service.version': version }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  })
  // Registers the AsyncLocalStorage context manager and the W3C trace-context propagator globally.
  provider.register()
  enableSpans(api)
  log.info('tracing on: spans go to the OTLP/HTTP endpoint', { endpoint: redactUrl(endpoint) })
  return {
    async shutdown() {
      await provider.shutdown().catch(() => {})
    },
  }
}
