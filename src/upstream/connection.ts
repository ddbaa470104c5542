/**
 * @module upstream/connection
 * One live MCP client connection to a vendor: transport selection (Streamable HTTP, legacy SSE, stdio),
 * era negotiation (2025 `initialize` or 2026-07-28 `server/discover`), and thin typed wrappers around the
 * SDK calls the facade uses. Every SDK error is classified into an {@link UpstreamError} here.
 */
import { explainConnectFailure } from './connect-errors.js'
import { CLIENT_CAPABILITIES_META_KEY, Client, LOG_LEVEL_META_KEY, PROTOCOL_VERSION_META_KEY, SSEClientTransport, SdkHttpError, StreamableHTTPClientTransport, isInputRequiredResult } from '@modelcontextprotocol/client'
import type { Transport } from '@modelcontextprotocol/client'
import { redactSecrets, secretsOf } from '../security/redact.js'
import { UpstreamError, classifyUpstreamError } from './errors.js'
import { markTransportSignal, type ConnectionFetch } from './http-pool.js'
import { resultValidator } from './result-validators.js'
import { guardStreamEnds } from './stream-guard.js'
import type { CallOptions, ConnectionFacts, ConnectionSettings, InputRequiredAnswer, InteractiveCallOptions, RawTool, ToolResult, VendorLogMessage } from './types.js'

const CLIENT_INFO = { name: 'mcp-rest-facade', version: '0.1.0' }

/**
 * Remembers, per vendor, what worked last time (transport and era), so later connects skip the probes.
 * A legacy verdict is dated: an upgraded vendor would still answer `initialize` forever (mcp-client.md §3.2).
 */
export class NegotiationCache {
  #transport?: 'streamable-http' | 'sse'
  #prior?: { kind: 'legacy'; at: number } | { kind: 'modern'; discover: unknown }
  constructor(private readonly legacyVerdictTtlMs = 10 * 60_000) {}
  get transport() {
    return this.#transport
  }
  set transport(t) {
    this.#transport = t
  }
  prior(): { kind: 'legacy' } | { kind: 'modern'; discover: unknown } | undefined {
    const p = this.#prior
    if (!p) return undefined
    if (p.kind === 'legacy') return Date.now() - p.at < this.legacyVerdictTtlMs ? { kind: 'legacy' } : undefined
    return p
  }
  remember(client: Client) {
    const era = client.getProtocolEra()
    if (era === 'modern') {
      const discover = client.getDiscoverResult()
      if (discover) this.#prior = { kind: 'modern', discover }
    } else if (era === 'legacy') this.#prior = { kind: 'legacy', at: Date.now() }
  }
  forget() {
    this.#prior = undefined
  }
  /** Records that only the 2025 `initialize` handshake works with this vendor. */
  rememberLegacy() {
    this.#prior = { kind: 'legacy', at: Date.now() }
  }
}

/** Lists the secrets a connection sends (header values, the current token), read when an error needs scrubbing. */
type SecretList = () => string[]

/**
 * Classifies an SDK error with every secret the connection sent removed from the vendor's text. The raw error's
 * message and body are scrubbed before classification, because classification truncates vendor text and a
 * truncated secret would no longer match.
 */
function classifyScrubbed(error: unknown, sessionHeld: boolean, secrets: SecretList): UpstreamError {
  const list = secrets()
  const scrub = (text: string) => redactSecrets(text, list)
  if (error instanceof Error && !(error instanceof UpstreamError)) {
    try {
      error.message = scrub(error.message)
      const data = (error as { data?: { text?: unknown } }).data
      if (data && typeof data.text === 'string') data.text = scrub(data.text)
    } catch {
      // A frozen error: the classified message below is still scrubbed.
    }
  }
  const classified = classifyUpstreamError(error, sessionHeld)
  const message = scrub(classified.message)
  return message === classified.message ? classified : new UpstreamError(classified.code, message, classified.details)
}

/**
 * Starts a re-attached client's JSON-RPC ids at a random point. A resumed vendor session may have seen ids from
 * 0 upwards from an earlier connection (here or on another replica); JSON-RPC ids must not repeat within a
 * session, and a fresh client would count from 0 again. A random start below 2^31 keeps ids small integers.
 */
function seedRequestIds(client: Client) {
  const internal = client as unknown as { _requestMessageId?: unknown }
  if (typeof internal._requestMessageId === 'number') internal._requestMessageId = 1 + Math.floor(Math.random() * 2 ** 30)
}

/** An open connection to a vendor. Safe for many concurrent calls (one JSON-RPC id counter per connection). */
export class UpstreamConnection {
  #closed = false
  /** Requests running on this connection (a retired connection closes when this reaches 0). */
  #inFlight = 0
  private constructor(
    private readonly client: Client,
    private readonly transport: Transport,
    readonly facts: ConnectionFacts,
    private readonly secrets: SecretList,
    private readonly fetcher?: ConnectionFetch,
  ) {}

  /** True once the connection was closed or the transport reported its end. */
  get closed() {
    return this.#closed
  }
  /** Requests running on this connection now. */
  get inFlight() {
    return this.#inFlight
  }

  /** Counts a request as running for its whole duration, so retirement can wait for it. */
  async #counted<T>(work: () => Promise<T>): Promise<T> {
    this.#inFlight++
    try {
      return await work()
    } finally {
      this.#inFlight--
    }
  }

  /**
   * Opens a connection: picks the transport, negotiates the era, and runs `initialize` unless resuming.
   * @throws UpstreamError
   */
  static async open(settings: ConnectionSettings, cache: NegotiationCache): Promise<UpstreamConnection> {
    const { target } = settings
    if (target.kind === 'stdio') return UpstreamConnection.#openWith(settings, cache, 'stdio')
    const preferred = target.transport === 'auto' ? (cache.transport ?? 'streamable-http') : target.transport
    try {
      const conn = await UpstreamConnection.#openWith(settings, cache, preferred)
      if (target.transport === 'auto') cache.transport = preferred
      return conn
    } catch (error) {
      // Legacy HTTP+SSE servers answer a Streamable HTTP POST with 400, 404 or 405 (spec fallback rule).
      const fallback =
        target.transport === 'auto' &&
        preferred === 'streamable-http' &&
        !settings.resume &&
        error instanceof UpstreamError &&
        [400, 404, 405].includes(error.details.httpStatus ?? 0)
      if (!fallback) throw error
      const conn = await UpstreamConnection.#openWith(settings, cache, 'sse')
      cache.transport = 'sse'
      return conn
    }
  }

  static async #openWith(
    settings: ConnectionSettings,
    cache: NegotiationCache,
    kind: 'streamable-http' | 'sse' | 'stdio',
  ): Promise<UpstreamConnection> {
    const { target } = settings
    const tokenSource = settings.tokenSource
    // The last token this connection sent: a 401 invalidates that one only, so a token another connection already
    // refreshed is not thrown away by a late 401 on this one.
    let lastToken: string | undefined
    const authProvider = tokenSource
      ? {
          token: async () => (lastToken = await tokenSource.token()),
          onUnauthorized: async () => tokenSource.invalidate(lastToken),
        }
      : undefined
    const secrets: SecretList = () => secretsOf([...Object.values(settings.headers()), lastToken])
    let transport: Transport
    let fetcher: ConnectionFetch | undefined
    if (target.kind === 'stdio') {
      // Loaded on first use: it pulls in cross-spawn and node:child_process (with dgram and the socket list), some
      // ten modules that an HTTP vendor's facade never needs at start.
      const { StdioClientTransport, getDefaultEnvironment } = await import('@modelcontextprotocol/client/stdio')
      transport = new StdioClientTransport({
        command: target.command,
        args: target.args,
        env: { ...getDefaultEnvironment(), ...(target.env ?? {}) },
        cwd: target.cwd,
        stderr: 'pipe',
      })
    } else if (kind === 'sse') {
      // Legacy HTTP+SSE delivers every answer on the GET stream: it always listens.
      fetcher = settings.http!.connectionFetch(settings.headers, true)
      transport = new SSEClientTransport(new URL(target.url), { fetch: fetcher.fetch, authProvider })
    } else {
      // Interactive sessions listen too: a 2025 vendor may send its elicitation on the standalone GET stream.
      // So do sessions holding resource subscriptions: a 2025 vendor sends `notifications/resources/updated` there.
      fetcher = settings.http!.connectionFetch(settings.headers, !!settings.onListChanged || !!settings.interactive || !!settings.keepStream)
      transport = new StreamableHTTPClientTransport(new URL(target.url), {
        fetch: fetcher.fetch,
        authProvider,
        sessionId: settings.resume?.vendorSessionId,
        protocolVersion: settings.resume?.protocolVersion,
        // Resumption, not replay: the SDK resumes a cut stream that carried an event id with GET + Last-Event-ID
        // (honouring the server's `retry` field) and never POSTs a request twice. Without an event id the stream
        // guard answers the call at once and the no-replay rule decides.
        reconnectionOptions: {
          maxRetries: settings.sseResumeAttempts ?? 3,
          initialReconnectionDelay: 500,
          maxReconnectionDelay: 5_000,
          reconnectionDelayGrowFactor: 2,
        },
      })
      skipEnvelopeProbe(transport)
      const start = transport.start.bind(transport)
      const http = transport
      transport.start = async () => {
        await start()
        markTransportSignal((http as unknown as { _abortController?: AbortController })._abortController?.signal)
      }
    }
    // SSE and stdio only speak the 2025 era; the modern probe would cost a request (or a second child process).
    const protocol = kind === 'streamable-http' ? settings.protocol : 'legacy'
    const interactive = settings.interactive
    const client = new Client(CLIENT_INFO, {
      // Only an interactive session (a call that opted in) declares anything; sampling never.
      capabilities: interactive ? interactiveCapabilities(interactive.roots) : {},
      versionNegotiation:
        protocol === 'modern' ? { mode: { pin: '2026-07-28' } } : protocol === 'auto' ? { mode: 'auto' } : { mode: 'legacy' },
    })
    if (interactive) {
      client.setRequestHandler('elicitation/create', (request, ctx) =>
        interactive.elicit(request.params as never, (ctx as { mcpReq: { signal: AbortSignal } }).mcpReq.signal) as never,
      )
      if (interactive.roots?.length) client.setRequestHandler('roots/list', () => ({ roots: interactive.roots! }) as never)
    }
    const onListChanged = settings.onListChanged
    if (onListChanged) {
      for (const method of [
        'notifications/tools/list_changed',
        'notifications/prompts/list_changed',
        'notifications/resources/list_changed',
      ] as const) {
        client.setNotificationHandler(method, () => onListChanged())
      }
    }
    const onResourceUpdated = settings.onResourceUpdated
    if (onResourceUpdated) client.setNotificationHandler('notifications/resources/updated', (notification) => onResourceUpdated(notification.params.uri))
    const prior = settings.resume ? undefined : protocol === 'auto' ? cache.prior() : undefined
    try {
      await client.connect(transport, { timeout: settings.connectTimeoutMs, ...(prior ? { prior: prior as never } : {}) })
    } catch (error) {
      await client.close().catch(() => {})
      fetcher?.close()
      // No credential could be had for the vendor: nothing was sent, and negotiating again would only ask again.
      if (error instanceof UpstreamError && error.code === 'CREDENTIAL') throw error
      if (prior) {
        // A stale verdict: forget it and negotiate from scratch once.
        cache.forget()
        return UpstreamConnection.#openWith(settings, cache, kind)
      }
      const classified = classifyScrubbed(error, false, secrets)
      // Strict 2025 vendors refuse the session-less `server/discover` probe itself (403, 400, 404, 405);
      // such a refusal says nothing about `initialize`, so fall back to the plain 2025 handshake once.
      if (protocol === 'auto' && !settings.resume && [400, 403, 404, 405].includes(classified.details.httpStatus ?? 0)) {
        const conn = await UpstreamConnection.#openWith({ ...settings, protocol: 'legacy' }, cache, kind)
        cache.rememberLegacy()
        return conn
      }
      throw explainConnectFailure(classified, error, target)
    }
    if (protocol === 'auto' && !settings.resume) cache.remember(client)
    const info = client.getServerVersion()
    const caps = client.getServerCapabilities()
    const httpTransport = transport instanceof StreamableHTTPClientTransport ? transport : undefined
    const facts: ConnectionFacts = {
      era: client.getProtocolEra() === 'modern' ? 'modern' : 'legacy',
      transport: kind,
      vendorSessionId: httpTransport?.sessionId,
      protocolVersion: client.getNegotiatedProtocolVersion() ?? settings.resume?.protocolVersion,
      server: info
        ? {
            name: info.name,
            version: info.version,
            title: info.title,
            description: info.description,
            instructions: client.getInstructions(),
            // logging/setLevel and resources/subscribe exist only in the 2025 revisions (2026-07-28 sets the level per
            // request and replaces subscriptions with subscriptions/listen).
            supports: {
              completions: !!caps?.completions,
              logging: !!caps?.logging && client.getProtocolEra() !== 'modern',
              requestLogLevel: !!caps?.logging && client.getProtocolEra() === 'modern',
              subscribe: !!caps?.resources?.subscribe && client.getProtocolEra() !== 'modern',
            },
          }
        : undefined,
    }
    if (httpTransport) {
      guardStreamEnds(httpTransport)
      if (settings.resume) seedRequestIds(client)
    }
    if (facts.era === 'modern') completeUntypedResults(transport)
    const conn = new UpstreamConnection(client, transport, facts, secrets, fetcher)
    conn.#listensForUpdates = !httpTransport || !!settings.keepStream || !!settings.onListChanged || !!settings.interactive
    // Vendor log messages go to the calls running on this connection that asked for them (see CallOptions.onLog).
    client.setNotificationHandler('notifications/message', (notification) => conn.#relayLog(notification.params as VendorLogMessage))
    const prevOnClose = transport.onclose
    transport.onclose = () => {
      conn.#closed = true
      fetcher?.close()
      prevOnClose?.()
    }
    if (settings.resume && (settings.onListChanged || settings.keepStream) && httpTransport) {
      // A resumed session has no standalone GET stream; open it so list_changed and resource updates still arrive.
      httpTransport.resumeStream('').catch(() => {})
    }
    return conn
  }

  #classify(error: unknown): UpstreamError {
    return classifyScrubbed(error, this.facts.era === 'legacy' && !!this.facts.vendorSessionId, this.secrets)
  }

  /** Every tool across all pagination cursors, unknown fields kept. */
  async listTools(maxPages = 200): Promise<RawTool[]> {
    return this.#listAll('tools/list', 'tools', maxPages) as Promise<RawTool[]>
  }

  /** Every prompt across all pages (empty when the vendor has no prompts capability). */
  async listPrompts(): Promise<Record<string, unknown>[]> {
    return this.#optionalList('prompts', 'prompts/list', 'prompts')
  }

  /** Every static resource across all pages. */
  async listResources(): Promise<Record<string, unknown>[]> {
    return this.#optionalList('resources', 'resources/list', 'resources')
  }

  /** Every resource template across all pages. */
  async listResourceTemplates(): Promise<Record<string, unknown>[]> {
    return this.#optionalList('resources', 'resources/templates/list', 'resourceTemplates')
  }

  async #optionalList(capability: 'prompts' | 'resources', method: string, key: string) {
    const caps = this.client.getServerCapabilities()
    // Skip methods the vendor did not advertise; a resumed connection knows no capabilities, so it asks anyway.
    if (caps && !caps[capability]) return []
    try {
      return await this.#listAll(method, key, 200)
    } catch (error) {
      const e = this.#classify(error)
      if (e.code === 'NOT_FOUND' || e.details.rpcCode === -32601) return []
      throw e
    }
  }

  async #listAll(method: string, key: string, maxPages: number): Promise<Record<string, unknown>[]> {
    return this.#counted(() => this.#listPages(method, key, maxPages))
  }

  async #listPages(method: string, key: string, maxPages: number): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = []
    let cursor: string | undefined
    for (let page = 0; page < maxPages; page++) {
      let result: Record<string, unknown>
      try {
        // Raw request: no SDK cache, no capability short-circuit, unknown fields kept.
        result = await this.#request({ method, params: cursor ? { cursor } : {} })
      } catch (error) {
        throw this.#classify(error)
      }
      const list = result[key]
      if (!Array.isArray(list)) throw new UpstreamError('PROTOCOL', `vendor answered ${method} without a ${key} array`)
      items.push(...(list as Record<string, unknown>[]))
      cursor = typeof result.nextCursor === 'string' && result.nextCursor ? result.nextCursor : undefined
      if (!cursor) return items
    }
    throw new UpstreamError('PROTOCOL', `vendor ${method} pagination exceeded ${maxPages} pages`)
  }

  /**
   * A raw request for a spec method with the SDK's own result validation, its era probe done once per method
   * (upstream/result-validators) rather than on every request.
   */
  #request(request: { method: string; params: Record<string, unknown> }, options?: { timeout: number }): Promise<Record<string, unknown>> {
    const validator = resultValidator(this.client, request.method)
    const sent = validator ? this.client.request(request as never, validator as never, options as never) : this.client.request(request as never, options as never)
    return sent as Promise<Record<string, unknown>>
  }

  /** The SDK request options of a tool call: its timeout (reset by progress), signal, headers and progress. */
  #callOptions(options: CallOptions) {
    return {
      timeout: options.timeoutMs,
      resetTimeoutOnProgress: true,
      signal: options.signal,
      headers: this.facts.era === 'modern' ? options.headers : undefined,
      onprogress: options.onProgress ? (p: { progress: number; total?: number; message?: string }) => options.onProgress!(p) : undefined,
    }
  }

  /**
   * Calls a tool. Progress notifications reset the timeout.
   * @throws UpstreamError
   */
  async callTool(name: string, args: Record<string, unknown>, options: CallOptions): Promise<ToolResult> {
    this.#inFlight++
    try {
      if (options.onLog) this.#logListeners.add(options.onLog)
      // 2026-07-28 sets the log level per request; the SDK lets our `_meta` key stand beside its own envelope keys.
      const modernLevel = this.facts.era === 'modern' && options.logLevel !== undefined
      const params = { name, arguments: args, ...(modernLevel ? { _meta: { [LOG_LEVEL_META_KEY]: options.logLevel } } : {}) }
      const requestOptions = this.#callOptions(options)
      // Outside the 2026-07-28 era, `Client.callTool` adds only an output-validator lookup in the SDK's response
      // cache (two async store reads per call), and that cache is always empty here: we list tools with raw
      // requests and check output ourselves (runtime/tool-invocation). So the call goes straight to `request()`
      // with the SDK's own result validator, built once (upstream/result-validators). The modern era keeps
      // `callTool`, whose Mcp-Param header mismatch retry we rely on.
      const validator = this.client.getProtocolEra() === 'modern' ? undefined : resultValidator(this.client, 'tools/call')
      const result = validator
        ? await this.client.request({ method: 'tools/call', params } as never, validator as never, requestOptions as never)
        : await this.client.callTool(params, requestOptions)
      return toolResult(result)
    } catch (error) {
      throw this.#classify(error)
    } finally {
      this.#inFlight--
      // The call's sink goes with the call: the connection outlives it, and a later call's messages are not its.
      if (options.onLog) this.#logListeners.delete(options.onLog)
    }
  }

  /**
   * Calls a tool for a caller that opted in to questions (`Prefer: input-required`). On a 2026-07-28 connection the
   * request declares elicitation (form and url) in its own `_meta` client capabilities and an `input_required`
   * result comes back as it is (the SDK's manual mode), to be resumed with `options.resume` on any connection;
   * on a 2025 connection the session itself must be interactive (see {@link ConnectionSettings.interactive}) and
   * the questions are answered while the request runs.
   * @throws UpstreamError
   */
  async callToolInteractive(name: string, args: Record<string, unknown>, options: InteractiveCallOptions): Promise<ToolResult | InputRequiredAnswer> {
    if (this.facts.era !== 'modern') return this.callTool(name, args, options)
    this.#inFlight++
    try {
      if (options.onLog) this.#logListeners.add(options.onLog)
      const params: Record<string, unknown> = {
        name,
        arguments: args,
        ...(options.resume ? { inputResponses: options.resume.inputResponses } : {}),
        ...(options.resume?.requestState !== undefined ? { requestState: options.resume.requestState } : {}),
        _meta: {
          [CLIENT_CAPABILITIES_META_KEY]: interactiveCapabilities(options.roots),
          ...(options.logLevel !== undefined ? { [LOG_LEVEL_META_KEY]: options.logLevel } : {}),
        },
      }
      const result = await this.client.callTool(params as never, { ...this.#callOptions(options), allowInputRequired: true } as never)
      if (isInputRequiredResult(result)) {
        const r = result as unknown as { inputRequests?: InputRequiredAnswer['inputRequests']; requestState?: string }
        return { resultType: 'input_required', inputRequests: r.inputRequests ?? {}, ...(r.requestState !== undefined ? { requestState: r.requestState } : {}) }
      }
      return toolResult(result)
    } catch (error) {
      throw this.#classify(error)
    } finally {
      this.#inFlight--
      if (options.onLog) this.#logListeners.delete(options.onLog)
    }
  }

  #logListeners = new Set<(message: VendorLogMessage) => void>()

  #relayLog(message: VendorLogMessage): void {
    for (const listener of this.#logListeners) listener(message)
  }

  /** Reads a resource. @throws UpstreamError */
  async readResource(uri: string, timeoutMs: number): Promise<Record<string, unknown>> {
    try {
      return await this.#counted(async () => this.#request({ method: 'resources/read', params: { uri } }, { timeout: timeoutMs }))
    } catch (error) {
      throw this.#classify(error)
    }
  }

  /** Renders a prompt. @throws UpstreamError */
  async getPrompt(name: string, args: Record<string, string>, timeoutMs: number): Promise<Record<string, unknown>> {
    try {
      return await this.#counted(async () => this.#request({ method: 'prompts/get', params: { name, arguments: args } }, { timeout: timeoutMs }))
    } catch (error) {
      throw this.#classify(error)
    }
  }

  /**
   * Asks the vendor to complete a prompt or resource-template argument (`completion/complete`).
   * @throws UpstreamError
   */
  async complete(params: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>> {
    try {
      return await this.#counted(async () => this.#request({ method: 'completion/complete', params }, { timeout: timeoutMs }))
    } catch (error) {
      throw this.#classify(error)
    }
  }

  /**
   * Sets the vendor's log level for this session (`logging/setLevel`, 2025 revisions).
   * @throws UpstreamError
   */
  async setLoggingLevel(level: string, timeoutMs: number): Promise<void> {
    try {
      await this.#counted(async () => this.#request({ method: 'logging/setLevel', params: { level } }, { timeout: timeoutMs }))
    } catch (error) {
      throw this.#classify(error)
    }
  }

  /**
   * Subscribes to (or, `subscribe` false, unsubscribes from) a resource's updates (`resources/subscribe`, 2025
   * revisions); the notifications go to {@link ConnectionSettings.onResourceUpdated}.
   * @throws UpstreamError
   */
  async subscribeResource(uri: string, subscribe: boolean, timeoutMs: number): Promise<void> {
    try {
      const method = subscribe ? 'resources/subscribe' : 'resources/unsubscribe'
      await this.#counted(async () => this.#request({ method, params: { uri } }, { timeout: timeoutMs }))
    } catch (error) {
      throw this.#classify(error)
    }
  }

  /** True when this connection keeps the standalone GET stream for resource updates. */
  get listensForUpdates(): boolean {
    return this.#listensForUpdates
  }
  #listensForUpdates = false

  /**
   * Cheap liveness probe in the connection's era: `ping` on 2025 connections, `server/discover` on 2026-07-28
   * ones (which have no `ping`).
   */
  async probe(timeoutMs: number): Promise<void> {
    try {
      await this.#counted(() => (this.facts.era === 'modern' ? this.client.discover({ timeout: timeoutMs }) : this.client.ping({ timeout: timeoutMs })))
    } catch (error) {
      throw this.#classify(error)
    }
  }

  /**
   * Ends the vendor session (HTTP DELETE where the vendor has sessions) and closes the connection.
   * Never throws: termination is best effort (a vendor may answer 405 or already be gone).
   */
  async terminate(timeoutMs = 5_000): Promise<void> {
    if (this.transport instanceof StreamableHTTPClientTransport && this.transport.sessionId && !this.#closed) {
      await Promise.race([
        this.transport.terminateSession().catch((e: unknown) => {
          if (!(e instanceof SdkHttpError)) throw e
        }),
        new Promise((r) => setTimeout(r, timeoutMs).unref()),
      ]).catch(() => {})
    }
    await this.close()
  }

  /** Closes the connection without ending the vendor session (it may be re-attached later, here or elsewhere). */
  async close(): Promise<void> {
    this.#closed = true
    await this.client.close().catch(() => {})
    this.fetcher?.close()
  }

  /**
   * Ends a vendor session that has no live connection (HTTP DELETE with its session id), without a client or an
   * `initialize`. Never throws; a vendor may answer 405 or already be gone.
   */
  static async terminateRecorded(settings: ConnectionSettings, facts: ConnectionFacts, timeoutMs = 5_000): Promise<void> {
    const { target } = settings
    if (target.kind !== 'http' || facts.transport !== 'streamable-http' || !facts.vendorSessionId || !settings.http) return
    const headers: Record<string, string> = { ...settings.headers(), 'mcp-session-id': facts.vendorSessionId }
    if (facts.protocolVersion) headers['mcp-protocol-version'] = facts.protocolVersion
    const token = await settings.tokenSource?.token().catch(() => undefined)
    if (token) headers.authorization = `Bearer ${token}`
    await settings.http.deleteSession(target.url, headers, timeoutMs)
  }

}

/** A tool result as the facade reads it: it must carry a content array. */
function toolResult(result: unknown): ToolResult {
  const r = result as ToolResult
  if (!Array.isArray(r?.content)) throw new UpstreamError('PROTOCOL', 'vendor answered tools/call without a content array')
  return r
}

/** The client capabilities of an interactive call: elicitation in both modes, roots only when configured. */
function interactiveCapabilities(roots: { uri: string }[] | undefined): Record<string, unknown> {
  return { elicitation: { form: {}, url: {} }, ...(roots?.length ? { roots: {} } : {}) }
}

/**
 * A 2026-07-28 result without `resultType` is a complete one: the conformance suite expects clients to read it so
 * (`sep-2322-client-request-state`, conformance issue #475), while the SDK 2.4.0 rejects it as an invalid result.
 * Only responses (never requests or notifications) are touched, before the SDK decodes them.
 */
function completeUntypedResults(transport: Transport) {
  const deliver = transport.onmessage
  if (!deliver) return
  transport.onmessage = ((message: unknown, extra: unknown) => {
    const m = message as { id?: unknown; result?: Record<string, unknown> }
    if (m && m.id !== undefined && m.result && typeof m.result === 'object' && !Array.isArray(m.result) && !('resultType' in m.result))
      m.result = { ...m.result, resultType: 'complete' }
    return (deliver as (a: unknown, b: unknown) => void)(message, extra)
  }) as typeof transport.onmessage
}

/**
 * Spares every outgoing message the SDK transport's zod check when it cannot change anything.
 *
 * `StreamableHTTPClientTransport._applyBodyDerivedHeaders` (SDK 2.4) first runs `isJSONRPCRequest(message)`, a zod
 * `safeParse` of the whole message, and then sets headers only when the message's `params._meta` carries a string
 * protocol-version claim (the 2026-07-28 envelope). A message without that claim leaves the method with nothing
 * done whatever the parse says, so the claim is looked at first; a message with it takes the SDK's own path, parse
 * included. When a later SDK drops the method, nothing is wrapped.
 */
function skipEnvelopeProbe(transport: Transport) {
  const internal = transport as unknown as { _applyBodyDerivedHeaders?: (headers: unknown, message: unknown) => void }
  const apply = internal._applyBodyDerivedHeaders
  if (typeof apply !== 'function') return
  internal._applyBodyDerivedHeaders = function (headers, message) {
    const meta = (message as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta
    if (Array.isArray(message) || typeof meta?.[PROTOCOL_VERSION_META_KEY] !== 'string') return
    apply.call(this, headers, message)
  }
}
