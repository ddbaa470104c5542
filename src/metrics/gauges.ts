/**
 * @module metrics/gauges
 * Gauges that read live state when Prometheus scrapes (nothing is updated on the hot path): pooled vendor sessions,
 * caller sessions, live connections, running jobs, catalog version and tool count, HTTP/2 sessions and streams to
 * the vendor, per server.
 */
import { Gauge, Registry } from 'prom-client'
import { instrumentRegistry } from './instruments.js'

/**
 * What the gauges read from a runtime: a structural view (a `ServerRuntime` fits it), so metrics/ stays below
 * runtime/, and tests and the runtime's rework stay free.
 */
interface RuntimeView {
  readonly name: string
  readonly sessions: { readonly pooledCount: number; readonly liveCount: number }
  readonly jobs: { readonly running: number }
  readonly catalog: { readonly state?: { readonly catalog: { readonly version: number; readonly tools: readonly unknown[] } } }
  /** HTTP/2 sessions and streams in flight to the vendor; undefined without a socket pool (stdio). */
  h2Stats(): { readonly sessions: number; readonly streams: number } | undefined
}

/** Live connections, when the session manager offers a count (it may not yet: then the gauge is absent). */
function connectionCount(runtime: RuntimeView): number | undefined {
  const value = (runtime.sessions as unknown as { connectionCount?: unknown }).connectionCount
  return typeof value === 'number' ? value : undefined
}

/** The facade's metrics: process-wide counters plus gauges over these runtimes. */
export class FacadeMetrics {
  readonly #gauges = new Registry()

  constructor(runtimes: readonly RuntimeView[]) {
    const gauge = (name: string, help: string, read: (r: RuntimeView) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['server'] as const,
        registers: [this.#gauges],
        collect() {
          this.reset()
          for (const r of runtimes) {
            const value = read(r)
            if (value !== undefined) this.set({ server: r.name }, value)
          }
        },
      })
    gauge('mcp_facade_pooled_sessions', 'Pooled vendor sessions (one per caller identity) held by this process.', (r) => r.sessions.pooledCount)
    gauge('mcp_facade_caller_sessions', 'Caller sessions with a live vendor session in this process.', (r) => r.sessions.liveCount)
    gauge('mcp_facade_live_connections', 'Open connections to the vendor.', connectionCount)
    gauge('mcp_facade_running_jobs', 'Long-running (202) calls still running in this process.', (r) => r.jobs.running)
    gauge('mcp_facade_catalog_version', 'Version of the loaded vendor catalog (0 until loaded).', (r) => r.catalog.state?.catalog.version ?? 0)
    gauge('mcp_facade_catalog_tools', 'Tools in the loaded vendor catalog.', (r) => r.catalog.state?.catalog.tools.length ?? 0)
    // Both 0 while the vendor has not picked h2 (an http: URL, or http/1.1 by ALPN); absent for stdio servers.
    gauge('mcp_facade_vendor_h2_sessions', 'Open HTTP/2 connections (sessions) to the vendor.', (r) => r.h2Stats()?.sessions)
    gauge('mcp_facade_vendor_h2_streams', 'HTTP/2 streams (requests, open event streams included) in flight to the vendor.', (r) => r.h2Stats()?.streams)
  }

  /** Content type of {@link render}. */
  get contentType(): string {
    return this.#gauges.contentType
  }

  /** The Prometheus text exposition of everything. */
  async render(): Promise<string> {
    return (await instrumentRegistry.metrics()) + '\n' + (await this.#gauges.metrics())
  }
}
