/**
 * @module runtime/server-runtime
 * Everything the facade keeps for one upstream server: its catalog, vendor sessions, jobs and documents.
 * The HTTP layer only translates requests into calls on this object.
 */
import { readFileSync } from 'node:fs'
import { forwardRules, forwardedHeaders, outboundHeaders, type ForwardRules } from '../auth/outbound.js'
import { authenticate } from '../auth/inbound.js'
import type { Config, ServerConfig } from '../config/schema.js'
import { ApiError } from '../errors/api-error.js'
import { fromUpstream } from '../errors/from-upstream.js'
import type { Logger } from '../log.js'
import type { IdentityHasher } from '../sessions/identity.js'
import { SessionManager, type ActiveSession, type CallerContext } from '../sessions/manager.js'
import type { SessionStore } from '../sessions/types.js'
import { NegotiationCache, UpstreamError, UpstreamHttp, UpstreamSession } from '../upstream/index.js'
import type { ConnectionSettings, ElicitationAsk, ElicitationReply, InputRequiredAnswer, SessionPolicy, ToolResult, UpstreamConnection, UpstreamTarget, VendorLogMessage } from '../upstream/index.js'
import { INTERACTION_DEFAULTS } from '../config/schema.js'
import { InteractionCoordinator, type InteractionSettings } from '../interaction/coordinator.js'
import { interactiveRunner } from './tool-invocation.js'
import { InteractiveSessions } from './interactive-sessions.js'
import type { CatalogTool } from '../catalog/types.js'
import { paramHeaderValues } from '../catalog/param-headers.js'
import { CatalogManager, type CatalogState } from './catalog-manager.js'
import type { JobStore } from '../sessions/job-store.js'
import { JobRegistry } from './jobs.js'
import { ReadinessProbe } from './readiness.js'
import { measureVendorCall } from '../metrics/vendor-call.js'
import { recordSessionRenewal } from '../metrics/instruments.js'
import { retryWithBackoff } from './retry.js'
import { JwtVerifier } from '../identity/jwt-verifier.js'
import type { ChallengeParams } from '../security/challenge.js'
import type { DelegatedTokens } from '../identity/delegation/delegated-tokens.js'
import type { SessionCredentials } from '../sessions/types.js'
import { NO_LIMITS, type ServerLimits } from '../limits/caller-limits.js'
import { MemoryTtlTable } from '../sessions/ttl-table.js'
import { IdempotencyStore, type IdempotencyRecord } from '../sessions/idempotency-store.js'

/** Which vendor session a call runs on. */
export type SessionSelector = { kind: 'pooled' } | { kind: 'existing'; id: string } | { kind: 'new' }

/** The outcome of a tool call. */
export interface ToolCallOutcome {
  result: ToolResult
  renewed: boolean
  /** The caller session used (when one was selected or opened). */
  sessionId?: string
}

/** Extra dependencies a runtime can be given (outbound OAuth token source, etc.). */
export interface RuntimeExtras {
  /**
   * Outbound OAuth token source, when the server config has `oauth`. One instance per server, shared by every
   * connection (catalog, pooled and caller sessions), so all of them use one cached token.
   */
  tokenSource?: ConnectionSettings['tokenSource']
  /** Where 202 job records live (shared by every server of the facade); in-process when absent. */
  jobStore?: JobStore
  /** Delegated vendor tokens per caller (config `oauth.delegation`); the caller's own token then never reaches the vendor. */
  delegation?: DelegatedTokens
  /** Limits per caller and per server (shared through the store); none when absent. */
  limits?: ServerLimits
  /** Where Idempotency-Key records live (shared by every server of the facade); in-process when absent. */
  idempotency?: IdempotencyStore
}

/** Runtime state of one upstream server. */
export class ServerRuntime {
  readonly cache = new NegotiationCache()
  readonly sessions: SessionManager
  readonly catalog: CatalogManager
  readonly jobs: JobRegistry
  /** Idempotency-Key records of tool calls. */
  readonly idempotency: IdempotencyStore
  /** Interactive jobs (`Prefer: input-required`), in the same store as the other jobs. */
  readonly interactions: InteractionCoordinator
  /** 2025 vendor sessions of interactive calls (one idle per identity kept for the next call). */
  readonly #interactiveSessions: InteractiveSessions
  readonly #rules: ForwardRules
  readonly #catalogSession: UpstreamSession
  /** The vendor's shared socket pool (HTTP upstreams only). */
  readonly #http?: UpstreamHttp
  readonly #readiness: ReadinessProbe
  /** Validates caller tokens (`auth.mode: "jwt"`). */
  readonly #verifier?: JwtVerifier
  /** What the catalog session sends: static headers, and in `catalog: "caller"` mode the last caller's token. */
  readonly #catalogCredentials: SessionCredentials
  /** The catalog is loaded with a caller's delegated credential (vendors that admit only user tokens). */
  readonly #catalogFromCaller: boolean
  #stopping = false
  #stopRetry?: () => void
  readonly #store: SessionStore
  readonly #limits: ServerLimits

  /**
   * @param name the server's config name (`default` for a single upstream)
   * @param mountPath where its routes live (`''` at the root, `/{name}` with several servers)
   */
  constructor(
    readonly name: string,
    readonly mountPath: string,
    readonly config: ServerConfig,
    readonly global: Config,
    store: SessionStore,
    private readonly identities: IdentityHasher,
    readonly log: Logger,
    private readonly extras: RuntimeExtras = {},
  ) {
    this.#rules = forwardRules(config)
    this.#store = store
    this.#limits = extras.limits ?? NO_LIMITS
    // The socket's own connect timeout (TCP, TLS, HTTP/2 SETTINGS) is `timeouts.connectMs`, as the handshake's is:
    // otherwise the pool's 10 s default would cut a slower vendor the config allows, or outlast a shorter setting.
    if (config.url)
      this.#http = new UpstreamHttp({ ...config.pool, connectTimeoutMs: config.timeouts.connectMs, ca: config.tls?.caFile ? readCa(name, config.tls.caFile) : undefined })
    if (config.auth.mode === 'jwt') this.#verifier = new JwtVerifier(config.auth)
    const delegation = config.oauth?.delegation
    this.#catalogFromCaller = !!extras.delegation && (delegation?.catalog ?? (delegation?.grant === 'id_jag' ? 'caller' : 'client_credentials')) === 'caller'
    this.#catalogCredentials = { identity: 'catalog', headers: config.headers }
    const policy: SessionPolicy = {
      // stdio and legacy SSE sessions live in their connection: they are never released (see UpstreamSession).
      connectionIdleMs: global.sessions.connectionIdleMs,
      retryBudgetMs: config.retry.budgetMs,
    }
    this.sessions = new SessionManager({
      server: name,
      store,
      idleTtlSeconds: global.sessions.idleTtlSeconds,
      maxPooled: global.sessions.maxPooled,
      settingsFor: (credentials) => this.#settings(credentials, extras.delegation?.sourceFor(credentials)),
      cache: this.cache,
      policy,
      limits: this.#limits,
      // On a stdio server every vendor session is a child process.
      maxProcesses: config.command ? global.limits.processesPerServer : undefined,
    })
    // The catalog uses the facade's own vendor session with static headers only: no caller's credential
    // ever decides what the catalog (and so every caller's documents) contains.
    // It is the one session that listens (standalone GET stream) and keeps its connection attached.
    // With delegation, the catalog runs on the facade's own client credentials, or (catalog "caller") on the
    // delegated credential of the latest authenticated caller.
    const catalogTokens = this.#catalogFromCaller ? extras.delegation!.sourceFor(this.#catalogCredentials) : undefined
    this.#catalogSession = new UpstreamSession(
      { ...this.#settings(this.#catalogCredentials, catalogTokens), onListChanged: () => this.catalog.refreshSoon() },
      this.cache,
      // Its loads are retried by the catalog's own backoff (start()), so no in-call retry budget on top.
      { connectionIdleMs: 0, retryBudgetMs: 0 },
    )
    this.#readiness = new ReadinessProbe(
      () => this.#http?.health.lastGoodAt ?? 0,
      async () => void (await this.#catalogSession.run((conn) => conn.probe(2000), { retryBudgetMs: 0 })),
      config.readiness.probeIntervalMs,
    )
    this.catalog = new CatalogManager(this.#catalogSession, config.tools, log)
    this.idempotency = extras.idempotency ?? new IdempotencyStore(new MemoryTtlTable<IdempotencyRecord>())
    this.jobs = new JobRegistry(config.async.resultTtlSeconds * 1000, { store: extras.jobStore, server: name })
    const interaction = { ...INTERACTION_DEFAULTS, ...global.interaction, ...config.interaction } as InteractionSettings
    this.interactions = new InteractionCoordinator({
      store: this.jobs.store,
      server: name,
      settings: interaction,
      resultTtlSeconds: config.async.resultTtlSeconds,
      makeRunner: (call, caller) => interactiveRunner(this, call, caller),
      log,
    })
    this.#interactiveSessions = new InteractiveSessions(
      (credentials, elicit) =>
        new UpstreamSession(
          { ...this.#settings(credentials, extras.delegation?.sourceFor(credentials)), interactive: { elicit, roots: interaction.roots } },
          this.cache,
          // The lending decides when it ends: no idle release of its own.
          { connectionIdleMs: 0, retryBudgetMs: config.retry.budgetMs },
        ),
      global.sessions.connectionIdleMs,
      global.sessions.maxPooled,
    )
  }

  /** HTTP/2 sessions open to the vendor and streams in flight on them (undefined for a stdio server: no pool). */
  h2Stats(): { sessions: number; streams: number } | undefined {
    return this.#http?.h2Stats()
  }

  /** The era the vendor speaks, as the catalog session found it (undefined before the catalog loaded). */
  get vendorEra(): 'legacy' | 'modern' | undefined {
    return this.#catalogSession.facts?.era
  }

  #target(): UpstreamTarget {
    const c = this.config
    if (c.command) return { kind: 'stdio', command: c.command, args: c.args, env: c.env, cwd: c.cwd }
    return { kind: 'http', url: c.url!, transport: c.transport }
  }

  /** Connection settings reading a session's current credentials; `delegated` replaces the facade's own token source. */
  #settings(credentials: SessionCredentials, delegated?: ConnectionSettings['tokenSource']): ConnectionSettings {
    return {
      target: this.#target(),
      http: this.#http,
      sseResumeAttempts: this.config.retry.sseResumeAttempts,
      protocol: this.config.command ? 'legacy' : this.config.protocol,
      headers: () => credentials.headers,
      tokenSource: delegated ?? this.extras.tokenSource,
      connectTimeoutMs: this.config.timeouts.connectMs,
    }
  }

  /** Current catalog, or 503 `not_ready`. */
  requireCatalog(): CatalogState {
    const state = this.catalog.state
    if (!state) throw new ApiError('not_ready', { detail: this.catalog.lastError ? `Catalog not loaded: ${this.catalog.lastError}` : undefined })
    return state
  }

  /**
   * Authenticates a request and derives the caller context (identity + headers for the vendor).
   * @throws ApiError `unauthorized` or `invalid_header`
   */
  async callerFrom(headers: Headers, challenge?: ChallengeParams): Promise<CallerContext> {
    const { credential, token } = await authenticate(this.config.auth, headers, this.#verifier, challenge)
    const forwarded = forwardedHeaders(this.#rules, headers)
    // A validated token is identified by its claims; forwarding it (when configured) must not make every refresh
    // a new caller: the session's later requests carry the newest token instead (see SessionManager).
    const names = Object.keys(forwarded)
      .filter((n) => !(this.#verifier && n.toLowerCase() === 'authorization'))
      .sort()
    const headersDigest = names.length ? this.identities.digest(JSON.stringify(names.map((n) => [n.toLowerCase(), forwarded[n]]))) : '-'
    // The identity covers the forwarded values too: a vendor session (pooled or caller) carries exactly one set of
    // forwarded credentials, so the same API key with another forwarded token is another caller, and a caller
    // session id presented with other forwarded values is someone else's session (404), not a credential switch.
    const identity =
      credential === undefined && !names.length
        ? this.identities.identify(undefined)
        : this.identities.identify(JSON.stringify([credential ?? null, headersDigest]))
    const caller = { identity, outboundHeaders: outboundHeaders(this.config.headers, forwarded), token }
    if (this.#catalogFromCaller) await this.#catalogAs(caller)
    return caller
  }

  /**
   * `catalog: "caller"`: the catalog session uses the latest caller's token, and the first caller loads it (the
   * vendor admits no credential of the facade's own). Its failure is that caller's answer (e.g. `delegation_failed`).
   */
  async #catalogAs(caller: CallerContext): Promise<void> {
    this.#catalogCredentials.token = caller.token
    if (!this.catalog.state) await this.#upstream(() => this.catalog.refresh())
  }

  /**
   * Runs an operation on the vendor session the selector names (pooled, existing or new caller session),
   * mapping upstream errors, and slides the caller session's idle expiry afterwards.
   */
  async #onSession<T>(
    caller: CallerContext,
    selector: SessionSelector,
    operation: (conn: UpstreamConnection, session: UpstreamSession) => Promise<T>,
    options: { replayable: boolean; notFound?: 'tool_not_found' | 'prompt_not_found' | 'resource_not_found' },
  ): Promise<{ result: T; renewed: boolean; sessionId?: string }> {
    if (this.#stopping) throw new ApiError('shutting_down')
    // Rate and concurrency limits first: a refused call opens no session and reaches no vendor.
    const starting = this.#limits.callStarting(caller.identity)
    const done = typeof starting === 'function' ? starting : await starting
    try {
      const active =
        selector.kind === 'pooled' ? undefined : selector.kind === 'new' ? await this.openSession(caller) : await this.sessions.resolve(selector.id, caller)
      const session = active?.session ?? this.sessions.pooled(caller)
      const run = await this.#upstream(() => session.run((conn) => operation(conn, session), { replayable: options.replayable }), options.notFound)
      if (active) {
        // The call ran: its answer must reach the caller even if the bookkeeping fails (an error here would make a
        // retrying caller run it twice). The expiry slides again on the next call that finds the store.
        await this.sessions.touch(active).catch((error: unknown) =>
          this.log.warn('session expiry not renewed; the call ran and is answered', { sessionStore: 'unavailable', error: (error as Error).message }),
        )
      }
      if (run.renewed) recordSessionRenewal(this.name)
      return { result: run.value, renewed: run.renewed, sessionId: active?.id }
    } finally {
      done()
    }
  }

  /** Runs upstream work, mapping upstream errors to API errors. */
  async #upstream<T>(work: () => Promise<T>, notFound: 'tool_not_found' | 'prompt_not_found' | 'resource_not_found' = 'tool_not_found'): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof UpstreamError) {
        if (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN') this.log.warn('vendor refused credentials', { server: this.name, code: error.code })
        throw fromUpstream(error, notFound)
      }
      throw error
    }
  }

  /** Timeout of a tool call (per-tool override, else the server default). */
  timeoutFor(tool: CatalogTool): number {
    return this.config.timeouts.tools[tool.name] ?? this.config.timeouts.callMs
  }

  /**
   * Calls a tool on the selected vendor session. Arguments must already be validated.
   * @throws ApiError
   */
  async callTool(
    tool: CatalogTool,
    args: Record<string, unknown>,
    caller: CallerContext,
    selector: SessionSelector,
    onProgress?: (p: { progress: number; total?: number; message?: string }) => void,
    onLog?: (message: VendorLogMessage) => void,
    signal?: AbortSignal,
    logLevel?: string,
  ): Promise<ToolCallOutcome> {
    const replayable = tool.annotations?.readOnlyHint === true || tool.annotations?.idempotentHint === true
    const { headers, problems } = paramHeaderValues(tool.paramHeaders ?? [], args)
    if (problems.length) throw new ApiError('invalid_arguments', { detail: `Some arguments of tool "${tool.name}" cannot be sent as Mcp-Param headers.`, errors: problems })
    return measureVendorCall(this.name, tool.name, () =>
      this.#onSession(caller, selector, (conn) => conn.callTool(tool.name, args, { timeoutMs: this.timeoutFor(tool), onProgress, onLog, logLevel, headers, signal }), { replayable }),
    )
  }

  /**
   * Calls a tool for a caller that opted in to questions. 2026-07-28: on the selected session, answering
   * `input_required` as it is (resume with `options.resume`). 2025: on a vendor session of its own that declared
   * elicitation and listens on its GET stream, ended when the call ends (pooled and caller sessions never declare
   * it, so their other calls are not asked anything).
   * @throws ApiError
   */
  async callToolInteractive(
    tool: CatalogTool,
    args: Record<string, unknown>,
    caller: CallerContext,
    selector: SessionSelector,
    options: {
      signal: AbortSignal
      onProgress?: (p: { progress: number; total?: number; message?: string }) => void
      onLog?: (message: VendorLogMessage) => void
      logLevel?: string
      elicit?: (ask: ElicitationAsk, signal: AbortSignal) => Promise<ElicitationReply>
      resume?: { inputResponses: Record<string, unknown>; requestState?: string }
    },
  ): Promise<{ result: ToolResult | InputRequiredAnswer; renewed: boolean; sessionId?: string }> {
    const replayable = tool.annotations?.readOnlyHint === true || tool.annotations?.idempotentHint === true
    const { headers, problems } = paramHeaderValues(tool.paramHeaders ?? [], args)
    if (problems.length) throw new ApiError('invalid_arguments', { detail: `Some arguments of tool "${tool.name}" cannot be sent as Mcp-Param headers.`, errors: problems })
    const { roots } = this.interactions.settings
    const call = (conn: UpstreamConnection) =>
      conn.callToolInteractive(tool.name, args, { timeoutMs: this.timeoutFor(tool), onProgress: options.onProgress, onLog: options.onLog, logLevel: options.logLevel, headers, signal: options.signal, resume: options.resume, roots })
    if (this.vendorEra === 'modern' || !options.elicit) return measureVendorCall(this.name, tool.name, () => this.#onSession(caller, selector, call, { replayable }))
    if (this.#stopping) throw new ApiError('shutting_down')
    const lent = this.#interactiveSessions.lend(caller, options.elicit)
    let clean = false
    try {
      const outcome = await measureVendorCall(this.name, tool.name, async () => {
        const run = await this.#upstream(() => lent.session.run(call, { replayable }))
        return { result: run.value, renewed: run.renewed }
      })
      clean = !options.signal.aborted
      return outcome
    } finally {
      this.#interactiveSessions.giveBack(lent, clean)
    }
  }

  /** Reads a resource through the caller's session. */
  async readResource(uri: string, caller: CallerContext, selector: SessionSelector) {
    try {
      return await this.#onSession(caller, selector, (conn) => conn.readResource(uri, this.config.timeouts.callMs), { replayable: true, notFound: 'resource_not_found' })
    } catch (error) {
      // SEP-2164: a vendor answers an unknown URI with -32602 (earlier revisions: -32002); the URI is the only
      // parameter, so either means "no such resource".
      if (error instanceof ApiError && error.code === 'invalid_arguments') throw new ApiError('resource_not_found', { detail: error.message, cause: error })
      throw error
    }
  }

  /**
   * Completes a prompt or resource-template argument through the caller's session (`completion/complete`).
   * @throws ApiError (`prompt_not_found`/`resource_not_found` for an unknown reference)
   */
  async complete(params: Record<string, unknown>, caller: CallerContext, selector: SessionSelector) {
    const notFound = (params.ref as { type?: string } | undefined)?.type === 'ref/resource' ? 'resource_not_found' : 'prompt_not_found'
    return this.#onSession(caller, selector, (conn) => conn.complete(params, this.config.timeouts.callMs), { replayable: true, notFound })
  }

  /** Sets the vendor's log level on the caller's session (`logging/setLevel`); a renewal of that session sets it again. */
  async setLoggingLevel(level: string, caller: CallerContext, selector: SessionSelector) {
    return this.#onSession(caller, selector, (conn, session) => session.setLoggingLevel(conn, level, this.config.timeouts.callMs), { replayable: true })
  }

  /**
   * Subscribes the caller's session to a resource's updates (`resources/subscribe`, 2025), or unsubscribes it;
   * `onUpdated` receives the vendor's `notifications/resources/updated`. A renewal subscribes again.
   */
  async subscribeResource(uri: string, subscribe: boolean, caller: CallerContext, selector: SessionSelector, onUpdated?: (uri: string) => void) {
    return this.#onSession(caller, selector, (conn, session) => session.subscribe(conn, uri, subscribe, this.config.timeouts.callMs, onUpdated), {
      replayable: true,
      notFound: 'resource_not_found',
    })
  }

  /** Renders a prompt through the caller's session. */
  async getPrompt(name: string, args: Record<string, string>, caller: CallerContext, selector: SessionSelector) {
    return this.#onSession(caller, selector, (conn) => conn.getPrompt(name, args, this.config.timeouts.callMs), { replayable: true, notFound: 'prompt_not_found' })
  }

  /** Opens a caller session (`POST /sessions`). */
  async openSession(caller: CallerContext): Promise<ActiveSession> {
    if (this.#stopping) throw new ApiError('shutting_down')
    return this.#upstream(() => this.sessions.create(caller))
  }

  /** Is the vendor reachable right now? Cheap and rate-limited (see runtime/readiness). */
  async ready(): Promise<boolean> {
    // Waiting for a first caller to load the catalog with: ready, or no caller would ever be routed here.
    if (!this.catalog.state) return this.#catalogFromCaller && !this.#catalogCredentials.token
    return this.#readiness.ready()
  }

  /**
   * Readiness for `/readyz`: the vendor (catalog loaded, reachable) and the shared store (one PING, bounded by the
   * store's command timeout). A store outage makes the replica not ready unless `sessions.readyRequiresStore` is
   * false: pooled calls keep working without the store, session-bound calls and jobs answer 503 meanwhile.
   */
  async readiness(): Promise<{ ready: boolean; reason?: string; store: 'ok' | 'unavailable' }> {
    const [vendor, store] = await Promise.all([
      this.ready(),
      this.#store.ping().then(
        () => 'ok' as const,
        () => 'unavailable' as const,
      ),
    ])
    const storeBlocks = store === 'unavailable' && this.global.sessions.readyRequiresStore
    const reason = !vendor ? (this.catalog.lastError ?? (this.catalog.state ? 'vendor not reachable' : 'catalog not loaded yet')) : storeBlocks ? 'state store unavailable' : undefined
    return { ready: vendor && !storeBlocks, reason, store }
  }

  /**
   * Loads the catalog; resolves after the first attempt, and when that fails keeps retrying in the background with
   * exponential backoff until the vendor answers. /healthz serves all along; /readyz says 503 until loaded.
   */
  async start(): Promise<void> {
    // Loaded by the first authenticated caller (see #catalogAs).
    if (this.#catalogFromCaller) return
    this.#stopRetry = await retryWithBackoff(() => this.catalog.refresh(), { stopped: () => this.#stopping || !!this.catalog.state })
  }

  /** Stops accepting work, drains, and ends every vendor session. */
  async shutdown(drainMs: number): Promise<void> {
    this.#stopping = true
    this.#stopRetry?.()
    this.catalog.stop()
    this.interactions.shutdown()
    await Promise.allSettled([this.jobs.shutdown(drainMs), this.sessions.shutdown(drainMs), this.#interactiveSessions.shutdown()])
    await this.#catalogSession.terminate(0)
    await this.#http?.close()
  }
}

/** Reads a server's `tls.caFile` at start, failing with a message that names the setting (not a bare ENOENT). */
function readCa(server: string, file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`servers.${server}.tls.caFile: cannot read ${file} (${(error as { code?: string }).code ?? 'error'})`)
  }
}
