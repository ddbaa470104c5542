/**
 * @module mcp-endpoint/mcp-server
 * Builds the SDK `Server` that answers one MCP request on the facade's endpoint (the SDK's handler creates one
 * per request in both eras). Handlers only translate: the catalog answers the lists; tool calls, resource reads
 * and prompt renders go through the runtime port exactly like REST calls (validation against the vendor's
 * original schema, session healing, no-double-execution rules, timeouts), with vendor progress passed on as
 * `notifications/progress`.
 *
 * Errors: a tool call that fails for any reason after the tool was found (bad arguments, vendor down, vendor
 * broke its output schema, timeout) is answered as a tool result with `isError: true` and a text naming the
 * facade's problem code, so an agent sees why and can retry; an unknown tool, prompt or resource is JSON-RPC
 * `-32602`; anything else is `-32603` with `data.code` (the facade's problem code). Never a stack trace.
 *
 * Elicitation: a caller that declared `elicitation` (2025: at `initialize`, remembered per conversation;
 * 2026-07-28: per request) gets the vendor's questions relayed ({@link ./elicitation-relay}); for other callers the
 * vendor is never told it may ask. Sampling is never declared.
 */
import { LOG_LEVEL_META_KEY, ProtocolError, ProtocolErrorCode, Server } from '@modelcontextprotocol/server'
import type { CatalogTool } from '../catalog/types.js'
import { ApiError } from '../errors/api-error.js'
import { PROBLEMS } from '../errors/codes.js'
import { toVendorNames } from '../runtime/property-mapping.js'
import { checkOutput, validateInput } from '../runtime/tool-invocation.js'
import { listTools } from './copilot-schema.js'
import type { Conversations } from './conversations.js'
import { elicitationModes, type DownstreamElicitation, type WatchedTransport } from './downstream-elicitation.js'
import { relayApplies, relayLegacy, relayModern, RelayProtocolError, type RelayCall } from './elicitation-relay.js'
import type { CallerContext, McpRuntimePort, Progress, SessionSelector, VendorLogMessage } from './runtime-port.js'
import { offersSubscriptions, registerSubscriptionHandlers, type UpdateStreams } from './subscriptions.js'

/** What one request's server needs to know about the request. */
export interface RequestScope {
  port: McpRuntimePort
  conversations: Conversations
  /** Standalone GET streams, where resource updates go. */
  streams: UpdateStreams
  caller: CallerContext
  /** `modern` (2026-07-28, no sessions) or `legacy` (2025 revisions). */
  era: 'legacy' | 'modern'
  /** The `Mcp-Session-Id` the caller presented (2025 revisions only). */
  sessionId?: string
  /** Questions relayed to 2025 callers: their declared modes and the way their answers come back. */
  downstream: DownstreamElicitation
}

type CallResult = { content: { type: 'text'; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean; [k: string]: unknown }
/** Runs a validated call through the elicitation relay. */
type Relay = (args: Record<string, unknown>) => Promise<unknown>
/** The per-request client capabilities key of the 2026-07-28 `_meta` envelope. */
const CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities'
type RelayAsk = Parameters<typeof relayLegacy>[1]['send']

/** Creates the SDK server for one request. */
export function createEndpointServer(scope: RequestScope): Server {
  const { port } = scope
  const state = port.catalog()
  const supports = state.catalog.server.supports ?? {}
  const server = new Server(
    {
      name: `mcp-rest-facade/${port.server}`,
      version: '1.0.0',
      ...(state.catalog.server.title ? { title: state.catalog.server.title } : {}),
      ...(state.catalog.server.description ? { description: state.catalog.server.description } : {}),
    },
    {
      // Completions and logging are passed on only when the vendor declared them.
      capabilities: {
        tools: { listChanged: false },
        // Resource subscriptions need the 2025 GET stream on both sides (see ./subscriptions).
        resources: offersSubscriptions(supports, scope.era) ? { subscribe: true } : {},
        prompts: {},
        ...(supports.completions ? { completions: {} } : {}),
        ...(offersLogging(supports, scope.era) ? { logging: {} } : {}),
      },
      ...(state.catalog.server.instructions ? { instructions: state.catalog.server.instructions } : {}),
    },
  )
  // 2026-07-28 has no sessions: every modern request runs on the identity's pooled vendor session.
  const selector = (): Promise<SessionSelector> =>
    scope.era === 'modern' ? Promise.resolve({ kind: 'pooled' }) : scope.conversations.select(scope.sessionId, scope.caller)

  server.setRequestHandler('tools/list', () => ({ tools: listTools(port.catalog().catalog, port.config.mcpEndpoint.copilotSafeSchemas) as never }))

  server.setRequestHandler('tools/call', async (request, ctx) => {
    const { catalog, validators } = port.catalog()
    const tool = catalog.tools.find((t) => t.name === request.params.name)
    if (!tool) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${request.params.name} not found`)
    const listed = listTools(catalog, port.config.mcpEndpoint.copilotSafeSchemas).find((t) => t.name === tool.name)
    const token = ctx.mcpReq._meta?.progressToken
    const onProgress =
      token === undefined
        ? undefined
        : (p: Progress) => void ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, ...p } }).catch(() => {})
    // The vendor's log messages go on the call's stream, filtered by the vendor: at the level the 2025 conversation
    // set (logging/setLevel is forwarded to its vendor session), or at the level this 2026-07-28 request names in
    // its `_meta` (passed on in the vendor request's `_meta`; none named, none sent).
    const logLevel = scope.era === 'modern' ? requestLogLevel(ctx.mcpReq, request.params) : undefined
    const onLog =
      offersLogging(supports, scope.era) && (scope.era === 'legacy' || logLevel !== undefined)
        ? (message: VendorLogMessage) => void ctx.mcpReq.notify({ method: 'notifications/message', params: message as never }).catch(() => {})
        : undefined
    // A caller that can answer questions gets the vendor's relayed (2025: remembered from its initialize).
    const modes = relayApplies(
      port,
      scope.era === 'modern' ? elicitationModes((ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES]) : scope.downstream.modes(scope.caller.identity, scope.sessionId),
    )
    const relay: Relay | undefined = modes
      ? async (args) => {
          const call: RelayCall = { port, caller: scope.caller, tool, args, selector: await selector(), modes, signal: ctx.mcpReq.signal, observers: { onProgress, onLog, ...(onLog && logLevel !== undefined ? { logLevel } : {}) } }
          if (scope.era === 'modern') return relayModern(call, ctx.mcpReq.requestState(), ctx.mcpReq.inputResponses)
          const send = ctx.mcpReq.send as unknown as RelayAsk
          return relayLegacy(call, { downstream: scope.downstream, sessionId: scope.sessionId!, transport: server.transport as unknown as WatchedTransport, send })
        }
      : undefined
    const result = await callTool(scope, tool, request.params.arguments ?? {}, validators, selector, onProgress, onLog, onLog && logLevel, relay)
    if ((result as { resultType?: unknown }).resultType === 'input_required') return result as never
    return server.projectCallToolResult(result as never, listed?.outputSchema)
  })

  server.setRequestHandler('resources/list', () => ({ resources: port.catalog().catalog.resources as never }))
  server.setRequestHandler('resources/templates/list', () => ({ resourceTemplates: port.catalog().catalog.resourceTemplates as never }))
  server.setRequestHandler('resources/read', async (request) => {
    // SEP-2164: an unknown URI is -32602 with the URI in `data`.
    const outcome = await protocolErrors(async () => port.readResource(request.params.uri, scope.caller, await selector()), { uri: request.params.uri })
    return { contents: (outcome.result.contents ?? []) as never }
  })
  server.setRequestHandler('prompts/list', () => ({ prompts: port.catalog().catalog.prompts.map(({ slug, operationId, ...p }) => (void slug, void operationId, p)) as never }))
  server.setRequestHandler('prompts/get', async (request) => {
    const args = (request.params.arguments ?? {}) as Record<string, string>
    const prompt = port.catalog().catalog.prompts.find((p) => p.name === request.params.name)
    if (!prompt) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Prompt ${request.params.name} not found`, { code: 'prompt_not_found' })
    const missing = (prompt.arguments ?? []).filter((a) => a.required && typeof args[a.name] !== 'string').map((a) => ({ pointer: `/${a.name}`, message: 'is required' }))
    if (missing.length) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `The arguments do not match prompt "${prompt.name}".`, { code: 'invalid_arguments', errors: missing })
    const outcome = await protocolErrors(async () => port.getPrompt(request.params.name, args, scope.caller, await selector()))
    const { description, messages } = outcome.result as { description?: string; messages?: unknown[] }
    return { ...(description !== undefined ? { description } : {}), messages: (messages ?? []) as never }
  })
  if (supports.completions)
    server.setRequestHandler('completion/complete', async (request) => {
      const { ref, argument, context } = request.params
      const outcome = await protocolErrors(async () => port.complete({ ref, argument, ...(context ? { context } : {}) }, scope.caller, await selector()))
      return outcome.result as never
    })
  // 2025 revisions: the level is set on the conversation's vendor session, which keeps it for its later requests.
  if (supports.logging && scope.era === 'legacy')
    server.setRequestHandler('logging/setLevel', async (request) => {
      await protocolErrors(async () => port.setLoggingLevel(request.params.level, scope.caller, await selector()))
      return {}
    })
  if (offersSubscriptions(supports, scope.era)) registerSubscriptionHandlers(server, scope, selector, protocolErrors)
  return server
}

/**
 * Logging is offered where the vendor's own mechanism matches the caller's era: `logging/setLevel` between 2025
 * sides, the per-request level between 2026-07-28 sides (the facade does not translate one into the other).
 */
function offersLogging(supports: { logging?: boolean; requestLogLevel?: boolean }, era: 'legacy' | 'modern'): boolean {
  return era === 'legacy' ? !!supports.logging : !!supports.requestLogLevel
}

/** The 2026-07-28 per-request log level (`_meta` `io.modelcontextprotocol/logLevel`), from the SDK's envelope or the params. */
function requestLogLevel(mcpReq: { envelope?: Record<string, unknown> }, params: { _meta?: Record<string, unknown> }): string | undefined {
  const level = mcpReq.envelope?.[LOG_LEVEL_META_KEY] ?? params._meta?.[LOG_LEVEL_META_KEY]
  return typeof level === 'string' ? level : undefined
}

/** A failed tool call as a tool result the agent can read. */
function failure(error: ApiError): CallResult {
  const lines = [`${PROBLEMS[error.code].title} (${error.code}): ${error.message}`]
  for (const e of error.options.errors ?? []) lines.push(`- ${e.pointer || '/'}: ${e.message}`)
  return { content: [{ type: 'text', text: lines.join('\n') }], isError: true }
}

async function callTool(
  scope: RequestScope,
  tool: CatalogTool,
  raw: Record<string, unknown>,
  validators: ReturnType<McpRuntimePort['catalog']>['validators'],
  selector: () => Promise<SessionSelector>,
  onProgress: ((p: Progress) => void) | undefined,
  onLog?: (message: VendorLogMessage) => void,
  logLevel?: string,
  relay?: Relay,
): Promise<CallResult> {
  const { port } = scope
  try {
    // The Copilot-safe listing may have renamed unsafe property names (like the connector); map them back.
    const named = port.config.mcpEndpoint.copilotSafeSchemas ? toVendorNames(tool.inputSchema, raw) : raw
    // An MCP caller sends real JSON: only `null` on an optional, non-nullable property is dropped (it means
    // "absent" for every caller), never Power Automate's empty strings.
    const args = validateInput(validators, tool, named, false)
    // The relay's job checked the output already (a broken one is a vendor_bad_output tool error).
    if (relay) return (await relay(args)) as CallResult
    const { result } = await port.callTool(tool, args, scope.caller, await selector(), onProgress, onLog, logLevel)
    if (!result.isError) checkOutput(validators, tool, result.structuredContent)
    return result as unknown as CallResult
  } catch (error) {
    if (error instanceof ApiError) return failure(error)
    if (error instanceof RelayProtocolError) throw new ProtocolError(error.code, error.message, error.data)
    port.log.error('mcp endpoint: tool call failed unexpectedly', { server: port.server, tool: tool.name, error: (error as Error).message })
    return failure(new ApiError('internal_error'))
  }
}

/**
 * Runs work, turning facade errors into JSON-RPC errors (not-found → -32602, others -32603 with the code);
 * `data` joins the error data of a -32602 (e.g. the resource's `uri`).
 */
async function protocolErrors<T>(work: () => Promise<T>, data: Record<string, unknown> = {}): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof ApiError)) throw new ProtocolError(ProtocolErrorCode.InternalError, PROBLEMS.internal_error.title, { code: 'internal_error' })
    const notFound = error.code === 'resource_not_found' || error.code === 'prompt_not_found' || error.code === 'invalid_arguments'
    throw new ProtocolError(notFound ? ProtocolErrorCode.InvalidParams : ProtocolErrorCode.InternalError, error.message, {
      ...(notFound ? data : {}),
      code: error.code,
      ...(error.options.errors ? { errors: error.options.errors } : {}),
    })
  }
}
