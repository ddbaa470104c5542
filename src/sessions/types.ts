/**
 * @module sessions/types
 * The session store contract. Records hold only serializable data, so a shared store (Redis) lets any
 * replica re-attach to the vendor session with the transport's `sessionId` + `protocolVersion` options. Also the
 * in-memory credentials a vendor session's requests read, as a plain type that identity/ can use without the manager.
 */

/**
 * The latest credentials of one vendor session's caller. A session outlives the token it was opened with (a
 * refreshed token keeps the identity), so every use of the session stores the caller's current values here and
 * every later vendor request reads them.
 */
export interface SessionCredentials {
  readonly identity: string
  headers: Record<string, string>
  token?: string
}

/** A caller session as stored. Never holds credentials: `identity` is a keyed hash. */
export interface SessionRecord {
  /** Which upstream server (config name) the session belongs to. */
  server: string
  /** Keyed hash of the credential that created the session; the session is usable only with the same one. */
  identity: string
  /** The vendor's `mcp-session-id` (absent for stateless vendors, stdio and 2026-07-28). */
  vendorSessionId?: string
  /** Negotiated MCP protocol version, needed to re-attach (`MCP-Protocol-Version` header). */
  protocolVersion?: string
  era?: 'legacy' | 'modern'
  transport?: 'streamable-http' | 'sse' | 'stdio'
  createdAt: number
  lastUsedAt: number
  expiresAt: number
}

/**
 * Where caller session records live. Keys are opaque strings derived from session ids. A shared store's failures
 * reject with ApiError 503 `store_unavailable` (see store-unavailable), never with a raw connection error.
 */
export interface SessionStore {
  get(key: string): Promise<SessionRecord | undefined>
  /** Stores (or replaces) a record that expires after `ttlSeconds` of idleness. */
  set(key: string, record: SessionRecord, ttlSeconds: number): Promise<void>
  /**
   * Records a use of a stored session: the record with its new use time (and any renewed vendor facts). A store
   * may defer the write of a mere expiry slide (see redis-cached-store), never a change of facts.
   */
  slide(key: string, record: SessionRecord, ttlSeconds: number): Promise<void>
  delete(key: string): Promise<void>
  /** Resolves when the store answers now; rejects with 503 `store_unavailable` otherwise (for /readyz). */
  ping(): Promise<void>
  /** Releases connections and timers. */
  close(): Promise<void>
  /** True when several replicas may share the records (vendor sessions must then outlive this process). */
  readonly shared: boolean
}
