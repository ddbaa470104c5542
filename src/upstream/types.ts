/**
 * @module upstream/types
 * Plain data types the rest of the facade sees from the upstream module (never SDK classes).
 */
import type { UpstreamHttp } from './http-pool.js'

/** Where the vendor lives and how to reach it. */
export type UpstreamTarget =
  | {
      kind: 'http'
      url: string
      /** `auto` tries Streamable HTTP and falls back to legacy HTTP+SSE when the server only speaks that. */
      transport: 'auto' | 'streamable-http' | 'sse'
    }
  | { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string>; cwd?: string }

/** Which protocol generation to speak. `auto` probes with `server/discover` and falls back to `initialize`. */
export type ProtocolPreference = 'auto' | 'legacy' | 'modern'

/** A source of bearer tokens toward the vendor (OAuth client credentials). */
export interface TokenSource {
  /** Returns a valid access token, refreshing it when needed. */
  token(): Promise<string | undefined>
  /**
   * Called when the vendor answered 401: drop the cached token so the next `token()` fetches a new one.
   * @param rejected the token the failing request carried, when known; a source may keep a newer one
   */
  invalidate(rejected?: string): void
}

/** Everything needed to open one vendor connection. */
export interface ConnectionSettings {
  target: UpstreamTarget
  /** The server's shared HTTP pool (required for HTTP targets). */
  http?: UpstreamHttp
  /** How many times a cut SSE response stream that carried an event id is resumed (GET + Last-Event-ID). */
  sseResumeAttempts?: number
  protocol: ProtocolPreference
  /** Headers sent on every HTTP request of the connection, re-read on each request (so they can be updated). */
  headers: () => Record<string, string>
  tokenSource?: TokenSource
  connectTimeoutMs: number
  /**
   * Called when the vendor announces `notifications/tools/list_changed` (and prompts/resources). A connection with
   * it keeps the standalone GET stream those arrive on; the others never open it (one socket and ~90 KB per caller
   * session otherwise). Only the catalog session sets it.
   */
  onListChanged?: () => void
  /**
   * A 2025-era interactive session: the client declares `elicitation` (form and url) at `initialize`, keeps the
   * standalone GET stream open (a vendor may ask on it, as the SEP-1034 scenario does) and hands every
   * `elicitation/create` to `elicit`, whose answer goes back to the vendor. Never set on pooled or caller sessions:
   * only calls that opted in run on such a session.
   */
  interactive?: InteractiveHandlers
  /**
   * Called with the URI of every `notifications/resources/updated` the vendor sends (2025 revisions: on the
   * standalone GET stream; stdio and legacy SSE deliver everything anyway). Sessions always set it (see
   * {@link ./vendor-state}).
   */
  onResourceUpdated?: (uri: string) => void
  /**
   * Keep the standalone GET stream although nothing else asks for it: the session holds resource subscriptions.
   * One socket per subscribing conversation, for as long as it holds any.
   */
  keepStream?: boolean
  /** Re-attach to an existing vendor session instead of running `initialize` (another replica created it). */
  resume?: { vendorSessionId: string; protocolVersion?: string }
}

/** Serializable facts about an open connection (what a session record stores). */
export interface ConnectionFacts {
  era: 'legacy' | 'modern'
  transport: 'streamable-http' | 'sse' | 'stdio'
  vendorSessionId?: string
  protocolVersion?: string
  server?: { name: string; version?: string; title?: string; description?: string; instructions?: string; supports?: { completions?: boolean; logging?: boolean; requestLogLevel?: boolean; subscribe?: boolean } }
}

/** One content block of a tool result, as the vendor sent it. */
export type ContentBlock = { type: string; [key: string]: unknown }

/** A tool result, as the vendor sent it. */
export interface ToolResult {
  content: ContentBlock[]
  structuredContent?: unknown
  isError?: boolean
  _meta?: Record<string, unknown>
}

/** Raw tool definition from `tools/list` (unknown fields kept). */
export interface RawTool {
  name: string
  title?: string
  description?: string
  inputSchema: Record<string, unknown>
  outputSchema?: Record<string, unknown>
  annotations?: Record<string, unknown>
  [key: string]: unknown
}

/** Options for one tool call. */
/** A vendor log message (`notifications/message` params). */
export interface VendorLogMessage {
  level: string
  logger?: string
  data: unknown
}

export interface CallOptions {
  timeoutMs: number
  /** Called on every `notifications/progress` for this call; each one also resets the timeout. */
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void
  /**
   * Called on every `notifications/message` (vendor log message) the connection receives while this call runs.
   * The connection belongs to one caller (a caller session, or one identity's pooled session), so a message
   * reaches only that caller's calls.
   */
  onLog?: (message: VendorLogMessage) => void
  /**
   * 2026-07-28: the least severity of log messages the caller asked for in its own request (`_meta`
   * `io.modelcontextprotocol/logLevel`), passed on in this request's `_meta`; without it a 2026-07-28 vendor sends
   * none. Ignored on 2025 connections (their level is the session's, set with `logging/setLevel`).
   */
  logLevel?: string
  signal?: AbortSignal
  /**
   * SEP-2243 `Mcp-Param-*` headers, already encoded. Sent only on 2026-07-28 connections (the era that defines
   * them); other connections drop them.
   */
  headers?: Record<string, string>
}

/** An `elicitation/create` request as the vendor sent it (2025 push, or one entry of 2026-07-28 `inputRequests`). */
export interface ElicitationAsk {
  mode?: 'form' | 'url'
  message: string
  requestedSchema?: Record<string, unknown>
  url?: string
  elicitationId?: string
  [key: string]: unknown
}

/** The answer to an elicitation (the bare `ElicitResult`). */
export interface ElicitationReply {
  action: 'accept' | 'decline' | 'cancel'
  content?: Record<string, unknown>
}

/** What an interactive 2025 session does with the vendor's server→client requests. */
export interface InteractiveHandlers {
  /** Answers one `elicitation/create`; `signal` aborts when the vendor cancels or the connection ends. */
  elicit(ask: ElicitationAsk, signal: AbortSignal): Promise<ElicitationReply>
  /** Roots answered to `roots/list` (from configuration only); the capability is declared only when non-empty. */
  roots?: { uri: string; name?: string }[]
}

/** One server→client request embedded in a 2026-07-28 `input_required` result. */
export interface InputRequest {
  method: string
  params?: Record<string, unknown>
}

/** A 2026-07-28 `input_required` result (SEP-2322), as the vendor sent it. */
export interface InputRequiredAnswer {
  resultType: 'input_required'
  /** Never set: lets callers read `isError` on either kind of answer. */
  isError?: undefined
  inputRequests: Record<string, InputRequest>
  requestState?: string
}

/** Options of an interactive call (`Prefer: input-required`). */
export interface InteractiveCallOptions extends CallOptions {
  /** 2026-07-28 retry: the answers (bare results by key) and the vendor's `requestState`, echoed exactly. */
  resume?: { inputResponses: Record<string, unknown>; requestState?: string }
  /** Roots declared per request on 2026-07-28 (capability declared only when non-empty). */
  roots?: { uri: string; name?: string }[]
}
