/**
 * @module app
 * Everything the CLI loads after its first milliseconds, behind one module. The build turns it into the CommonJS
 * bundle `dist/app.cjs`, which cli.ts runs with V8's code cache (launch/code-cache); under tsx it is imported as
 * it is. cli.ts stays small: `--help`, `--version` and argument errors answer without loading any of this.
 */
// First: before any module below builds a zod schema (launch/zod-jitless).
import './launch/zod-jitless.js'
export { credentialConfigProblems } from './auth/config-checks.js'
export { ConfigError, loadConfig } from './config/load.js'
export { ServerConfigSchema } from './config/schema.js'
export { createLogger } from './log.js'
export { startFacade } from './server.js'
export { startTelemetry } from './telemetry/start.js'

/** The connector export, loaded only by `export` (the Swagger 2.0 emitter and checker are large). */
export const loadExporter = () => import('./connector/export.js')
/** `export --from <facade URL>`: the connector folder from a deployed facade (no config, no vendor). */
export const loadFacadeExporter = () => import('./connector/from-facade.js')
/** The built-in demo vendor, served in this process when no upstream is configured (`npm start`). */
export const loadDemoVendor = () => import('./demo/vendor.js')
