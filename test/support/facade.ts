/**
 * Test harness: starts a real facade (real HTTP on 127.0.0.1 port 0) in front of a fixture vendor.
 */
import { ConfigSchema, type Config } from '../../src/config/schema.js'
import { createLogger, type LogLevel } from '../../src/log.js'
import { startFacade, type RunningFacade } from '../../src/server.js'

/** A running facade plus helpers for tests. */
export interface TestFacade extends RunningFacade {
  /** Log lines captured (JSON strings). */
  logs: string[]
  /** fetch relative to the facade URL. */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>
}

/**
 * Starts a facade with a config built from `servers` and `overrides` (validated like a real config).
 * @example const f = await startTestFacade({ default: { url: vendor.url } })
 */
export async function startTestFacade(servers: Record<string, Record<string, unknown>>, overrides: Record<string, unknown> = {}, logLevel: LogLevel = 'debug'): Promise<TestFacade> {
  const config: Config = ConfigSchema.parse({ port: 0, host: '127.0.0.1', shutdownGraceMs: 2000, ...overrides, servers })
  const logs: string[] = []
  const facade = await startFacade(config, createLogger(logLevel, (l) => logs.push(l)))
  return {
    ...facade,
    logs,
    call(path, init = {}) {
      const { json, ...rest } = init
      const headers = new Headers(rest.headers)
      if (json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json')
      return fetch(facade.url + path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body })
    },
  }
}

/** Reads a JSON body and fails with the body text when it is not JSON (so assertion errors show the response). */
export async function jsonOf<T = Record<string, any>>(res: Response): Promise<T> {
  const text = await res.text()
  try {
    return JSON.parse(text) as T
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 500)}`)
  }
}
