/**
 * @module scripts/build
 * `npm run build`: the facade as a few minified ES modules in `dist/` (esbuild), after a type check.
 *
 * Why a bundle: Node's ESM loader resolves, reads and compiles each file on its own, and the facade's dependency
 * tree is several hundred files; one bundle with code splitting starts in a fraction of the time and keeps less
 * source text in memory (V8 keeps every loaded script's source). Code that only some deployments use stays in
 * chunks loaded on first use (the connector export, the Swagger 2.0 emitter, the server SDK behind the MCP endpoint
 * and the demo vendor). Packages needed only when configured (ioredis, OpenTelemetry) and the docs page's static
 * files (swagger-ui-dist) stay external: they are read from node_modules, so a production install keeps them.
 *
 * Stack traces of the minified code map back to `src/` with `NODE_OPTIONS=--enable-source-maps` (maps are written
 * beside the chunks; Node reads them only with that flag). `BUILD_METAFILE=meta.json` also writes what each chunk
 * holds.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

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

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'dist')

rmSync(outdir, { recursive: true, force: true })
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts', 'demo-vendor': 'src/demo/main.ts' },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  external: ['ioredis', '@opentelemetry/*', 'swagger-ui-dist'],
  plugins: [zodEnglishOnly],
  // Bundled CommonJS packages (pino, prom-client, ajv …) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __facadeRequire } from 'node:module'; const require = __facadeRequire(import.meta.url);" },
  logLevel: 'warning',
  metafile: Boolean(process.env.BUILD_METAFILE),
})
// BUILD_METAFILE=path writes esbuild's metafile: what each chunk holds (for esbuild's bundle analyzer).
if (process.env.BUILD_METAFILE) writeFileSync(process.env.BUILD_METAFILE, JSON.stringify(result.metafile))
