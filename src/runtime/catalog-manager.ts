/**
 * @module runtime/catalog-manager
 * Keeps the current catalog of one vendor: loads it through the facade's own vendor session, refreshes it on
 * `notifications/*\/list_changed` (debounced) and on demand, and compiles validators once per version.
 */
import { buildCatalog, type ToolFilter } from '../catalog/build.js'
import type { Catalog } from '../catalog/types.js'
import { CatalogValidators } from '../catalog/validator.js'
import type { Logger } from '../log.js'
import type { UpstreamSession } from '../upstream/index.js'

/** A catalog version with its compiled validators. */
export interface CatalogState {
  catalog: Catalog
  validators: CatalogValidators
}

/** Loads and refreshes one vendor's catalog. */
export class CatalogManager {
  #state?: CatalogState
  #refreshing?: Promise<CatalogState>
  #debounce?: NodeJS.Timeout
  #listeners = new Set<(state: CatalogState) => void>()
  #lastError?: string

  constructor(
    private readonly session: UpstreamSession,
    private readonly filter: ToolFilter,
    private readonly log: Logger,
  ) {}

  /** The current catalog, if loaded. */
  get state(): CatalogState | undefined {
    return this.#state
  }
  /** Why the last load failed (no secrets: classified upstream messages only). */
  get lastError() {
    return this.#lastError
  }

  /** Subscribes to catalog changes. */
  onChange(listener: (state: CatalogState) => void) {
    this.#listeners.add(listener)
  }

  /** Loads (or reloads) the catalog now. Concurrent callers share one load. */
  refresh(): Promise<CatalogState> {
    this.#refreshing ??= this.#load().finally(() => {
      this.#refreshing = undefined
    })
    return this.#refreshing
  }

  /** Schedules a refresh shortly (vendors often send several list_changed in a burst). */
  refreshSoon(delayMs = 100) {
    clearTimeout(this.#debounce)
    this.#debounce = setTimeout(() => {
      this.refresh().catch(() => {})
    }, delayMs)
    this.#debounce.unref()
  }

  async #load(): Promise<CatalogState> {
    try {
      const { value: loaded } = await this.session.run(async (conn) => {
        const [tools, prompts, resources, resourceTemplates] = await Promise.all([
          conn.listTools(),
          conn.listPrompts(),
          conn.listResources(),
          conn.listResourceTemplates(),
        ])
        const info = conn.facts.server
        // SEP-2243 header mirroring is a 2026-07-28 Streamable HTTP feature (only that era and transport carry it).
        const paramHeaders = conn.facts.era === 'modern' && conn.facts.transport === 'streamable-http'
        return { listing: { server: info ?? { name: 'mcp-server' }, tools, prompts, resources, resourceTemplates }, paramHeaders }
      })
      const previous = this.#state?.catalog
      const catalog = buildCatalog(loaded.listing, this.filter, previous, { paramHeaders: loaded.paramHeaders })
      if (this.#lastError !== undefined) this.log.info('catalog load recovered', { previousError: this.#lastError })
      this.#lastError = undefined
      if (previous && previous.etag === catalog.etag) return this.#state!
      const state = { catalog, validators: new CatalogValidators() }
      this.#state = state
      this.log.info('catalog loaded', { version: catalog.version, tools: catalog.tools.length, prompts: catalog.prompts.length })
      // The spec asks for a warning naming the tool and the reason; a reason names a schema location, never a value.
      for (const { name, reason } of catalog.excluded) this.log.warn('tool excluded', { tool: name, reason })
      for (const listener of this.#listeners) listener(state)
      return state
    } catch (error) {
      const message = (error as Error).message
      // One warning per change of state: a vendor down for an hour is one line, not one per retry.
      if (message !== this.#lastError) this.log.warn('catalog load failed', { error: message })
      else this.log.debug('catalog load failed again', { error: message })
      this.#lastError = message
      throw error
    }
  }

  /** Stops timers. */
  stop() {
    clearTimeout(this.#debounce)
  }
}
