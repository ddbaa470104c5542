/**
 * @module upstream
 * The only module that talks MCP. Everything else uses these plain types and classes.
 */
export { UpstreamConnection, NegotiationCache } from './connection.js'
export { UpstreamSession } from './session.js'
export type { SessionRun, RunOptions, SessionPolicy } from './session.js'
export { UpstreamHttp } from './http-pool.js'
export type { HttpPoolOptions } from './http-pool.js'
export { UpstreamError } from './errors.js'
export type { UpstreamErrorCode } from './errors.js'
export type * from './types.js'
