/**
 * @module telemetry/spans
 * The facade's own spans (one per HTTP request, one per vendor tool call). Until {@link enableSpans} is called by
 * {@link module:telemetry/start} nothing here loads OpenTelemetry or does any work: each helper just runs its
 * function.
 */
import type * as OtelApi from '@opentelemetry/api'

let otel: typeof OtelApi | undefined

/** Turns span creation on (called once the SDK is registered). */
export function enableSpans(api: typeof OtelApi): void {
  otel = api
}

/** True when tracing is on. */
export function tracingEnabled(): boolean {
  return otel !== undefined
}

/**
 * Runs `work` in a server span continuing the caller's `traceparent`, so vendor calls made inside become its children.
 * @param finish called after `work`: the route template (known only once routed) and status that name the span
 */
export async function withServerSpan<T>(method: string, headers: Headers, work: () => Promise<T>, finish: () => { route: string; status: number }): Promise<T> {
  const api = otel
  if (!api) return work()
  const parent = api.propagation.extract(api.ROOT_CONTEXT, headers, {
    get: (carrier, key) => carrier.get(key) ?? undefined,
    keys: (carrier) => [...carrier.keys()],
  })
  const span = api.trace.getTracer('mcp-rest-facade').startSpan(`${method}`, { kind: api.SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent)
  try {
    return await api.context.with(api.trace.setSpan(parent, span), work)
  } finally {
    const { route, status } = finish()
    span.updateName(`${method} ${route}`)
    span.setAttributes({ 'http.route': route, 'http.response.status_code': status })
    if (status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR })
    span.end()
  }
}

/** Runs a vendor tool call in a client span; the HTTP request underneath ({@link startHttpSpan}) carries its `traceparent`. */
export async function withVendorSpan<T>(server: string, tool: string, work: () => Promise<T>): Promise<T> {
  const api = otel
  if (!api) return work()
  return api.trace
    .getTracer('mcp-rest-facade')
    .startActiveSpan(`tools/call ${tool}`, { kind: api.SpanKind.CLIENT, attributes: { 'mcp.server': server, 'mcp.tool': tool, 'mcp.method.name': 'tools/call' } }, async (span) => {
      try {
        return await work()
      } catch (error) {
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' })
        throw error
      } finally {
        span.end()
      }
    })
}

/**
 * Starts the client span of one HTTP request to a vendor, a child of the active span (the vendor call), and writes
 * its `traceparent` into `headers`. Returns the function that ends the span (first call wins), or undefined when
 * tracing is off, which costs nothing on the request path.
 * @param url the request URL; only origin and path are recorded (a query may carry a key)
 */
export function startHttpSpan(method: string, url: string, headers: Record<string, string>): ((status?: number, error?: unknown) => void) | undefined {
  const api = otel
  if (!api) return undefined
  const u = new URL(url)
  const span = api.trace.getTracer('mcp-rest-facade').startSpan(method, {
    kind: api.SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'url.full': u.origin + u.pathname,
      'server.address': u.hostname,
      'server.port': Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
    },
  })
  // Default setter: a plain record takes `traceparent` (and `tracestate`) as they are.
  api.propagation.inject(api.trace.setSpan(api.context.active(), span), headers)
  let ended = false
  return (status, error) => {
    if (ended) return
    ended = true
    if (status !== undefined) span.setAttribute('http.response.status_code', status)
    if (error !== undefined || (status ?? 0) >= 400)
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? ((error as { code?: string }).code ?? error.name) : undefined })
    span.end()
  }
}
