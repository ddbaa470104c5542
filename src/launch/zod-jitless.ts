/**
 * @module launch/zod-jitless
 * Turns off zod's JIT (`jitless: true`) before any schema is built; imported first by the entries (app.ts, and
 * server.ts for what imports it directly).
 *
 * Why: zod compiles a specialised parser (`new Function`) for every object schema on its first parse, and captures
 * the setting when the schema is built. A start parses hundreds of schemas once each (the config, the SDK's wire
 * schemas of both SDKs, the catalog's first answers), so it paid for hundreds of compilations that never paid back:
 * about 10 % of the time to ready, and 1–2 MB of resident memory for the generated code (bench/README.md,
 * start-up). On the per-call path the schemas that run are small, and the generic parser measured the same.
 */
import { config } from 'zod/v4/core'

config({ jitless: true })
