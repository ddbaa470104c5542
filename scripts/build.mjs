/**
 * @module scripts/build
 * `npm run build`: the facade in `dist/` (esbuild only: type checking is `npm run typecheck`, part of `npm test` and
 * CI, so that a start does not wait for it). Writes `dist/.build-stamp`, the fingerprint of its inputs
 * (scripts/build-inputs.mjs), by which `npm start` (scripts/ensure-build.mjs) skips a build that is up to date.
 *
 * Why a bundle: Node's loader resolves, reads and compiles each file on its own, and the facade's dependency tree
 * is several hundred files; a bundle starts in a fraction of the time and keeps less source text in memory (V8
 * keeps every loaded script's source).
 *
 * Why this layout: the entries `dist/cli.js` and `dist/demo-vendor.js` are small CommonJS files that parse flags at
 * once (`--help` and `--version` answer without loading anything large), then run the large part, `dist/app.cjs`
 * (src/app.ts, with the demo vendor that `npm start` serves in the same process) or
 * `dist/demo-app.cjs` (src/demo/vendor.ts), through launch/code-cache. Those two are CommonJS because Node 20
 * has a V8 code cache API for scripts only (`vm.Script` with `cachedData`), none for ES modules; with it, a start
 * skips compiling what the previous start ran. Code that only some deployments run (the connector export, the
 * Swagger 2.0 emitter, the server SDK behind the MCP endpoint and the demo vendor) sits in the same bundle behind lazy module
 * initialisers: parsed lazily by V8, evaluated on first use. Packages needed only when configured (ioredis,
 * the OpenTelemetry SDK) stay external: they are read from node_modules, so a production install keeps them. The docs
 * page's files (four of swagger-ui-dist's, with its licence) are copied to `dist/swagger-ui/`: the package itself,
 * 12 MB of bundles and source maps, is a dev dependency only.
 *
 * Stack traces of the minified code map back to `src/` with `NODE_OPTIONS=--enable-source-maps` (maps are written
 * beside the bundles; Node reads them only with that flag). `BUILD_METAFILE=meta.json` also writes what each
 * bundle holds.
 */
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { buildFingerprint, STAMP_FILE } from './build-inputs.mjs'

/** The head of a pre-wrapped bundle; src/launch/code-cache.ts recognises the same text. */
const CODE_CACHE_WRAPPER = '(function (exports, require, module, __filename, __dirname) {'

/**
 * zod's namespace re-exports all of its ~60 message locales (about a sixth of the start-up code), and the SDK's
 * `import * as z` keeps them from being tree-shaken. Nothing here switches zod's locale (zod itself configures
 * English), so the bundle's `locales` namespace holds English alone; `z.locales.en` still works.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](core|classic)[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '../locales/index.js'), namespace: 'zod-locales' } : undefined,
    )
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))}`,
      resolveDir: dirname(args.path),
    }))
  },
}

/**
 * The MCP SDK's `@modelcontextprotocol/{server,client}/_shims` module exports the default JSON Schema validator, and
 * importing it evaluates all of the Ajv copy the SDK bundles (Ajv with its 2019 and 2020 dialects, ajv-formats:
 * 150 KB, some 5–10 ms of every start in each process) although the SDK builds an engine only on the validator's
 * first `getValidator()`. Neither process needs one to start: the facade's client uses it for a tool's
 * outputSchema on the first call of that tool, the demo vendor for `create_order`'s input. So the bundles get a
 * stand-in `_shims` whose `DefaultJsonSchemaValidator` loads the SDK's own module (through `require`, which
 * esbuild turns into a lazy initialiser in a CommonJS bundle) and builds the SDK's validator on its first
 * `getValidator()`; validation itself is the SDK's, unchanged. The other exports are restated: a new one in a
 * later SDK fails this build ("No matching export"), not a start.
 */
const lazySdkValidator = {
  name: 'lazy-sdk-validator',
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/(server|client)\/_shims$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined
      const real = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'real' })
      if (real.errors.length) return { errors: real.errors }
      return { path: real.path, namespace: 'lazy-sdk-validator', pluginData: args.path.includes('/server/') ? 'server' : 'client' }
    })
    b.onLoad({ filter: /.*/, namespace: 'lazy-sdk-validator' }, (args) => ({
      resolveDir: dirname(args.path),
      contents: `
        let Real
        const load = () => (Real ??= require(${JSON.stringify(args.path)}).DefaultJsonSchemaValidator)
        export class DefaultJsonSchemaValidator {
          #args
          #real
          constructor(...args) { this.#args = args }
          #validator() { return (this.#real ??= new (load())(...this.#args)) }
          get ajv() { return this.#validator().ajv }
          getValidator(schema) { return this.#validator().getValidator(schema) }
        }
        ${args.pluginData === 'server' ? "export { default as process } from 'node:process'" : 'export const CORS_IS_POSSIBLE = false'}
      `,
    }))
  },
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'dist')

// Taken before building, so that a source edited during the build makes the next start rebuild.
const fingerprint = buildFingerprint(root)
rmSync(outdir, { recursive: true, force: true })
const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  // @opentelemetry/api is bundled, not external: prom-client requires it at load time (for exemplars), and from
  // node_modules that is some fifty files resolved and compiled on every start. The SDK packages, loaded only when
  // tracing is on, use their own copy from node_modules; the API keeps its state in one global, so both agree.
  external: ['ioredis', '@opentelemetry/sdk-trace-node', '@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/resources'],
  plugins: [zodEnglishOnly],
  logLevel: 'warning',
  metafile: Boolean(process.env.BUILD_METAFILE),
}
const [entries, bundles] = await Promise.all([
  build({
    ...common,
    entryPoints: { cli: 'src/cli.ts', 'demo-vendor': 'src/demo/main.ts' },
    // CommonJS (dist/package.json says so): an ES module entry makes Node set up its ES module loader before the
    // first line runs, some 19 million instructions of every start (`--version` counted with callgrind: 557M as an
    // ES module, 538M as CommonJS).
    format: 'cjs',
    // Where each entry finds its bundle (undefined under tsx, which imports the sources instead).
    define: { FACADE_APP_BUNDLE: '"./app.cjs"', FACADE_DEMO_BUNDLE: '"./demo-app.cjs"', 'import.meta.url': '__facadeEntryUrl' },
    banner: { js: "var __facadeEntryUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
  build({
    ...common,
    entryPoints: { app: 'src/app.ts', 'demo-app': 'src/demo/vendor.ts' },
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    // import() inside a vm.Script needs a loader callback; as require() it needs nothing (the externals ship CommonJS).
    supported: { 'dynamic-import': false },
    plugins: [zodEnglishOnly, lazySdkValidator],
    define: { 'import.meta.url': '__facadeImportMetaUrl', FACADE_SWAGGER_UI_DIR: '"swagger-ui"' },
    // The file is the function that launch/code-cache compiles (CODE_CACHE_WRAPPER): with the wrapper written here,
    // its text is handed to V8 as read, where wrapping it at start built a second 1.7 MB string (V8 flattens the
    // concatenation), some 470 page faults and a few milliseconds of every start. Strict mode first in the body, as
    // the directive must be: the sources are ES modules and ran strict as such; esbuild's own "use strict" comes
    // after the banner, where it is no directive.
    banner: { js: `${CODE_CACHE_WRAPPER}'use strict'; var __facadeImportMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
    footer: { js: '})' },
  }),
])

// The entries are CommonJS in a package that is an ES module one (package.json "type": "module").
writeFileSync(join(outdir, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n')

// The docs page's files (http/routes/docs-page: ASSETS), with the licence and notice they ship under.
const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
mkdirSync(join(outdir, 'swagger-ui'))
for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png', 'LICENSE', 'NOTICE', 'swagger-ui-bundle.js.LICENSE.txt'])
  cpSync(join(swaggerUi, file), join(outdir, 'swagger-ui', file))

// The entries must stay small: everything they import is compiled on every start, without the code cache.
for (const name of ['cli.js', 'demo-vendor.js']) {
  const bytes = statSync(join(outdir, name)).size
  if (bytes > 32_000) throw new Error(`dist/${name} is ${bytes} bytes: something large is imported statically by its entry (move it behind app.ts or demo/vendor.ts)`)
}
// BUILD_METAFILE=path writes esbuild's metafiles, merged: what each output holds (for esbuild's bundle analyzer).
if (process.env.BUILD_METAFILE) {
  const merged = { inputs: { ...entries.metafile.inputs, ...bundles.metafile.inputs }, outputs: { ...entries.metafile.outputs, ...bundles.metafile.outputs } }
  writeFileSync(process.env.BUILD_METAFILE, JSON.stringify(merged))
}
if (fingerprint) writeFileSync(join(outdir, STAMP_FILE), fingerprint + '\n')
