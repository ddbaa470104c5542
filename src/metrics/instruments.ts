/**
 * @module metrics/instruments
 * The process-wide Prometheus counters and histograms (prom-client). One process serves one facade, so these live
 * in one registry; the gauges that read live state belong to each facade (see {@link module:metrics/gauges}).
 * Callers record facts through the small functions here and never touch prom-client themselves.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** Registry of the counters and histograms below (plus Node's process metrics). */
export const instrumentRegistry = new Registry()
collectDefaultMetrics({ register: instrumentRegistry, prefix: 'mcp_facade_' })

// Buckets in seconds, from a fast loopback call (~2 ms) to Power Platform's 120 s limit and beyond.
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

const httpRequests = new Counter({
  name: 'mcp_facade_http_requests_total',
  help: 'HTTP requests answered, by route template, method and status.',
  labelNames: ['route', 'method', 'status'] as const,
  registers: [instrumentRegistry],
})
const httpDuration = new Histogram({
  name: 'mcp_facade_http_request_duration_seconds',
  help: 'Time to answer an HTTP request, by route template, method and status.',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: BUCKETS,
  registers: [instrumentRegistry],
})
const vendorCalls = new Counter({
  name: 'mcp_facade_vendor_calls_total',
  help: 'Tool calls sent to a vendor, by server, tool and outcome (ok, tool_error, or the problem code).',
  labelNames: ['server', 'tool', 'outcome'] as const,
  registers: [instrumentRegistry],
})
const vendorDuration = new Histogram({
  name: 'mcp_facade_vendor_call_duration_seconds',
  help: 'Duration of tool calls to a vendor, by server, tool and outcome.',
  labelNames: ['server', 'tool', 'outcome'] as const,
  buckets: BUCKETS,
  registers: [instrumentRegistry],
})
const sessionRenewals = new Counter({
  name: 'mcp_facade_session_renewals_total',
  help: 'Vendor sessions re-initialized after the vendor forgot them, by server.',
  labelNames: ['server'] as const,
  registers: [instrumentRegistry],
})

const tokenExchanges = new Counter({
  name: 'mcp_facade_token_exchanges_total',
  help: 'Delegated token requests (on-behalf-of, token exchange, ID-JAG), by server, grant and outcome (ok or the problem code).',
  labelNames: ['server', 'grant', 'outcome'] as const,
  registers: [instrumentRegistry],
})

/** Records one delegated token request (cache hits are not requests). */
export function recordTokenExchange(server: string, grant: string, outcome: string): void {
  tokenExchanges.inc({ server, grant, outcome })
}

/** A counter and a histogram bound to one set of label values. */
interface Pair {
  inc: () => void
  observe: (seconds: number) => void
}

/**
 * The counter's and the histogram's children for one set of label values, made once and kept. Every request and
 * vendor call records both: handing prom-client a labels object each time makes it build a fresh object and, for
 * the histogram, a fresh closure per observation. Label sets are bounded (route templates, methods, statuses;
 * servers, tools, outcomes), so is this map; a child stays valid after `reset()` (prom-client looks its values up
 * by the labels' hash on every call).
 */
function pairs(counter: Counter<string>, histogram: Histogram<string>) {
  const made = new Map<string, Pair>()
  return (a: string, b: string, c: string): Pair => {
    const key = `${a}\u0000${b}\u0000${c}`
    let pair = made.get(key)
    if (!pair) made.set(key, (pair = { inc: counter.labels(a, b, c).inc, observe: histogram.labels(a, b, c).observe }))
    return pair
  }
}

const httpPair = pairs(httpRequests, httpDuration)
const vendorPair = pairs(vendorCalls, vendorDuration)

/** Records one answered HTTP request. `route` is the route template (e.g. `/tools/:tool{.+}`), never the raw path. */
export function recordHttpRequest(route: string, method: string, status: number, ms: number): void {
  const pair = httpPair(route, method, String(status))
  pair.inc()
  pair.observe(ms / 1000)
}

/** Records one tool call to a vendor. */
export function recordVendorCall(server: string, tool: string, outcome: string, ms: number): void {
  const pair = vendorPair(server, tool, outcome)
  pair.inc()
  pair.observe(ms / 1000)
}

/** Records a vendor session renewal. */
export function recordSessionRenewal(server: string): void {
  sessionRenewals.inc({ server })
}
