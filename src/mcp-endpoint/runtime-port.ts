/**
 * @module mcp-endpoint/runtime-port
 * The ONLY place the MCP endpoint touches the server runtime. Everything the endpoint needs from the upstream
 * engine (catalog, caller identity, tool/resource/prompt calls, caller sessions) goes through this narrow port,
 * so re-pointing the endpoint at a reworked runtime means editing this one file.
 */
import type { CatalogTool } from '../catalog/types.js'
import type { ServerConfig } from '../config/schema.js'
import { ApiError } from '../errors/api-error.js'
import type { Logger } from '../log.js'
import type { CatalogState } from '../runtime/catalog-manager.js'
import type { InteractionCoordinator } from '../interaction/coordinator.js'
import type { HostGuardSettings } from './host-guard.js'
import type { ServerRuntime, SessionSelector, ToolCallOutcome } from '../runtime/server-runtime.js'
import type { CallerContext } from '../sessions/manager.js'
import type { VendorLogMessage } from '../upstream/types.js'

export type { SessionSelector, ToolCallOutcome, CallerContext, CatalogState, VendorLogMessage }

/** Progress of a running tool call, as the vendor reported it. */
export type Progress = { progress: number; total?: number; message?: string }

/** What the MCP endpoint needs from one server's runtime. */
export interface McpRuntimePort {
  /** Config name of the server (for logs and counters). */
  readonly server: string
  readonly config: ServerConfig
  readonly log: Logger
  readonly bodyLimitBytes: number
  /** The facade's public URL, when configured. */
  readonly publicUrl?: string
  /** What the DNS-rebinding guard compares `Host` and `Origin` with. */
  readonly hostGuard: HostGuardSettings
  /** Current catalog and validators, or ApiError `not_ready`. */
  catalog(): CatalogState
  /**
   * Authenticates the request; ApiError `unauthorized` / `invalid_token` (401 + WWW-Authenticate, with `challenge`'s
   * parameters such as RFC 9728 `resource_metadata`) when the credential is missing or not valid.
   */
  caller(headers: Headers, challenge?: Record<string, string>): Promise<CallerContext>
  callTool(
    tool: CatalogTool,
    args: Record<string, unknown>,
    caller: CallerContext,
    selector: SessionSelector,
    onProgress?: (p: Progress) => void,
    onLog?: (message: VendorLogMessage) => void,
    /** 2026-07-28: the level the caller asked for in its request's `_meta`, passed on to the vendor. */
    logLevel?: string,
  ): Promise<ToolCallOutcome>
  readResource(uri: string, caller: CallerContext, selector: SessionSelector): Promise<{ result: Record<string, unknown>; renewed: boolean }>
  getPrompt(name: string, args: Record<string, string>, caller: CallerContext, selector: SessionSelector): Promise<{ result: Record<string, unknown>; renewed: boolean }>
  complete(params: Record<string, unknown>, caller: CallerContext, selector: SessionSelector): Promise<{ result: Record<string, unknown>; renewed: boolean }>
  setLoggingLevel(level: string, caller: CallerContext, selector: SessionSelector): Promise<unknown>
  /** `resources/subscribe` (`subscribe` true) or `unsubscribe` on the selected session; updates go to `onUpdated`. */
  subscribeResource(uri: string, subscribe: boolean, caller: CallerContext, selector: SessionSelector, onUpdated?: (uri: string) => void): Promise<unknown>
  /** Interactive jobs: the `/mcp` relay of vendor questions runs on them (see ./elicitation-relay). */
  readonly interactions: InteractionCoordinator
  /** The era the vendor speaks (undefined before the catalog loaded). */
  vendorEra(): 'legacy' | 'modern' | undefined
  /** Timeout of a tool call. */
  toolTimeoutMs(tool: CatalogTool): number
  /** Opens a caller session (one vendor session) bound to the caller's identity; returns its id. */
  openSession(caller: CallerContext): Promise<string>
  /** True when `id` is a live caller session of this caller (unknown, expired and foreign ids are all false). */
  hasSession(id: string, caller: CallerContext): Promise<boolean>
  /** Ends a caller session; unknown ids are ignored. */
  endSession(id: string, caller: CallerContext): Promise<void>
}

/** The port over the current {@link ServerRuntime}. */
export function runtimePort(runtime: ServerRuntime): McpRuntimePort {
  return {
    server: runtime.name,
    config: runtime.config,
    log: runtime.log,
    bodyLimitBytes: runtime.global.bodyLimitBytes,
    publicUrl: runtime.global.publicUrl,
    hostGuard: {
      listenHost: runtime.global.host,
      publicUrl: runtime.global.publicUrl,
      allowedHosts: runtime.config.mcpEndpoint.allowedHosts,
      allowedOrigins: runtime.config.mcpEndpoint.allowedOrigins,
      corsOrigins: runtime.global.cors?.origins ?? [],
    },
    catalog: () => runtime.requireCatalog(),
    caller: (headers, challenge) => runtime.callerFrom(headers, challenge),
    callTool: (tool, args, caller, selector, onProgress, onLog, logLevel) => runtime.callTool(tool, args, caller, selector, onProgress, onLog, undefined, logLevel),
    readResource: (uri, caller, selector) => runtime.readResource(uri, caller, selector),
    getPrompt: (name, args, caller, selector) => runtime.getPrompt(name, args, caller, selector),
    complete: (params, caller, selector) => runtime.complete(params, caller, selector),
    setLoggingLevel: (level, caller, selector) => runtime.setLoggingLevel(level, caller, selector),
    subscribeResource: (uri, subscribe, caller, selector, onUpdated) => runtime.subscribeResource(uri, subscribe, caller, selector, onUpdated),
    interactions: runtime.interactions,
    vendorEra: () => runtime.vendorEra,
    toolTimeoutMs: (tool) => runtime.timeoutFor(tool),
    openSession: async (caller) => (await runtime.openSession(caller)).id,
    async hasSession(id, caller) {
      try {
        await runtime.sessions.resolve(id, caller)
        return true
      } catch (error) {
        if (error instanceof ApiError && error.code === 'session_not_found') return false
        throw error
      }
    },
    async endSession(id, caller) {
      try {
        await runtime.sessions.end(id, caller)
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'session_not_found')) throw error
      }
    },
  }
}
