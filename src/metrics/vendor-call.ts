/**
 * @module metrics/vendor-call
 * Measures one vendor tool call in one place: duration and outcome for Prometheus, a span for OpenTelemetry when
 * tracing is on. The runtime wraps its call in {@link measureVendorCall} and knows nothing else about metrics.
 */
import { ApiError } from '../errors/api-error.js'
import { tracingEnabled, withVendorSpan } from '../telemetry/spans.js'
import { recordVendorCall } from './instruments.js'

/**
 * Runs `call`, recording its outcome: `ok`, `tool_error` (the tool said `isError`), or the problem code it failed with.
 * Without tracing the call is awaited here directly: the span wrapper's two async layers would cost every call
 * their promises and microtask turns for nothing.
 * @param call the vendor call; its result says whether the tool reported an error
 */
export function measureVendorCall<T extends { result: { isError?: boolean } }>(server: string, tool: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now()
  return tracingEnabled() ? withVendorSpan(server, tool, () => measured(server, tool, call, started)) : measured(server, tool, call, started)
}

async function measured<T extends { result: { isError?: boolean } }>(server: string, tool: string, call: () => Promise<T>, started: number): Promise<T> {
  try {
    const outcome = await call()
    recordVendorCall(server, tool, outcome.result.isError ? 'tool_error' : 'ok', performance.now() - started)
    return outcome
  } catch (error) {
    recordVendorCall(server, tool, error instanceof ApiError ? error.code : 'error', performance.now() - started)
    throw error
  }
}
