/**
 * @module scripts/start
 * `npm start`, `npm run cli` and `npm run start:prod` (`--no-build` first): makes sure `dist/` is there and up to
 * date (scripts/ensure-build.mjs: a build only when the sources changed, never with `--no-build`), then runs the CLI,
 * `dist/cli.js`, in this same process with the remaining arguments. One Node start instead of two (a `prestart`
 * script would be a process of its own): a restart pays npm and the facade, nothing more.
 */
import { ensureBuilt } from './ensure-build.mjs'

// Ours only in first place, where npm puts the script's own arguments; the CLI has no such flag.
const noBuild = process.argv[2] === '--no-build'
if (noBuild) process.argv.splice(2, 1)
await ensureBuilt({ noBuild })
await import('../dist/cli.js')
