/** @module config */
export { ConfigSchema, ServerConfigSchema, InboundAuthSchema } from './schema.js'
export type { Config, ServerConfig, InboundAuth } from './schema.js'
export { loadConfig, ConfigError, splitCommandLine } from './load.js'
export type { CliFlags } from './load.js'
