/**
 * @module scripts/config-schema
 * `npm run config:schema`: the configuration reference, generated from the zod schema (src/config/schema.ts) so it
 * cannot say something the loader does not do:
 * - `schema/config.schema.json`: JSON Schema (draft 2020-12) of the config file, published in the package; a config
 *   file with `"$schema": "./node_modules/mcp-rest-facade/schema/config.schema.json"` (or the repo's raw URL) gets
 *   completion and checks in editors;
 * - `docs/configuration.md`: one table row per setting (type, default, description).
 * test/config/config-schema.test.ts fails when either file differs from what this writes (`--check` does the same).
 *
 * Descriptions: a zod `.describe()`/`.meta()` wins; otherwise the JSDoc comment above the property in the schema
 * source is used (the project documents its schema that way). Each JSON Schema object is matched to the `z.object({…})`
 * literal with the most similar key set among the files schema.ts imports, so settings added later (new auth modes,
 * new sections) are picked up without touching this script.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { z } from 'zod'
import { ConfigSchema } from '../src/config/schema.js'

type JsonSchema = { [key: string]: unknown } & {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  additionalProperties?: JsonSchema | boolean
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  enum?: unknown[]
  const?: unknown
  default?: unknown
  description?: string
  required?: string[]
  $ref?: string
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const SCHEMA_FILE = 'schema/config.schema.json'
export const DOCS_FILE = 'docs/configuration.md'
const SCHEMA_SOURCE = join(root, 'src/config/schema.ts')

/** A documented `z.object({…})` literal: its keys and the JSDoc of each key that has one. */
interface ObjectDocs {
  keys: Set<string>
  docs: Map<string, string>
}

function jsDocOf(node: ts.Node, text: string): string | undefined {
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []
  const last = ranges.filter((r) => text.startsWith('/**', r.pos)).at(-1)
  if (!last) return undefined
  return text
    .slice(last.pos + 3, last.end - 2)
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .filter((line) => !line.startsWith('@'))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim()
}

/** The identifier a chain like `OutboundOAuthSchema.optional()` starts from. */
function rootIdentifier(node: ts.Expression): string | undefined {
  let current: ts.Expression = node
  while (true) {
    if (ts.isIdentifier(current)) return current.text
    if (ts.isCallExpression(current)) current = current.expression
    else if (ts.isPropertyAccessExpression(current)) current = current.expression
    else return undefined
  }
}

/** Every `z.object({…})` literal (with its keys' JSDoc) in schema.ts and the project files it imports, recursively. */
function collectObjectDocs(): ObjectDocs[] {
  const objects: ObjectDocs[] = []
  const constDocs = new Map<string, string>()
  const pending: { literal: ts.ObjectLiteralExpression; text: string }[] = []
  const seen = new Set<string>()
  const visitFile = (file: string) => {
    if (seen.has(file) || !existsSync(file)) return
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
    const visit = (node: ts.Node) => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text.startsWith('.'))
        visitFile(resolve(dirname(file), node.moduleSpecifier.text.replace(/\.js$/, '.ts')))
      if (ts.isVariableStatement(node)) {
        const doc = jsDocOf(node, text)
        for (const d of node.declarationList.declarations) if (doc && ts.isIdentifier(d.name)) constDocs.set(d.name.text, doc)
      }
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        ['object', 'strictObject', 'looseObject'].includes(node.expression.name.text) &&
        node.arguments[0] &&
        ts.isObjectLiteralExpression(node.arguments[0])
      )
        pending.push({ literal: node.arguments[0], text })
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  visitFile(SCHEMA_SOURCE)
  for (const { literal, text } of pending) {
    const keys = new Set<string>()
    const docs = new Map<string, string>()
    for (const p of literal.properties) {
      if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue
      keys.add(p.name.text)
      const own = jsDocOf(p, text)
      const viaConst = ts.isPropertyAssignment(p) ? constDocs.get(rootIdentifier(p.initializer) ?? '') : undefined
      const doc = own ?? viaConst
      if (doc) docs.set(p.name.text, doc)
    }
    objects.push({ keys, docs })
  }
  return objects
}

/** The literal whose key set is most like `keys` (Jaccard similarity of at least one half), if any. */
function bestMatch(objects: ObjectDocs[], keys: string[]): ObjectDocs | undefined {
  let best: ObjectDocs | undefined
  let bestScore = 0.5
  for (const o of objects) {
    const shared = keys.filter((k) => o.keys.has(k)).length
    const score = shared / new Set([...keys, ...o.keys]).size
    if (score > bestScore || (score === bestScore && !best)) [best, bestScore] = [o, score]
  }
  return best
}

/** Walks every subschema, parents first. */
function walk(schema: JsonSchema, visit: (s: JsonSchema) => void): void {
  visit(schema)
  for (const s of Object.values(schema.properties ?? {})) walk(s, visit)
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, visit)
  if (schema.items) walk(schema.items, visit)
  for (const s of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) walk(s, visit)
  for (const s of Object.values((schema.$defs as Record<string, JsonSchema> | undefined) ?? {})) walk(s, visit)
}

/** Client-only or bridge fields an `mcpServers` entry may carry on top of a server's settings (src/config/mcp-servers.ts). */
const MCP_SERVER_EXTRAS: Record<string, JsonSchema> = {
  type: { type: 'string', enum: ['stdio', 'http', 'streamable-http', 'streamableHttp', 'streamable_http', 'sse'], description: 'Transport, as other MCP clients write it: `http`/`streamable-http` → Streamable HTTP, `sse` → legacy HTTP+SSE, `stdio` or none with `command`.' },
  disabledTools: { type: 'array', items: { type: 'string' }, description: 'Becomes `tools.deny`: these tools are not callable.' },
  disabled: { type: 'boolean', description: '`true` skips the entry.' },
  autoApprove: { description: 'Client-only field, ignored.' },
  alwaysAllow: { description: 'Client-only field, ignored.' },
  timeout: { description: 'Client-only field, ignored.' },
  description: { description: 'Client-only field, ignored.' },
}

/** The JSON Schema of the config file. */
export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(ConfigSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonSchema
  const objects = collectObjectDocs()
  walk(schema, (s) => {
    // zod's bounds for "any safe integer" say nothing a reader needs.
    if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum
    if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum
    if (!s.properties) return
    const match = bestMatch(objects, Object.keys(s.properties))
    for (const [key, property] of Object.entries(s.properties)) {
      const doc = match?.docs.get(key)
      if (doc && !property.description) property.description = doc
    }
  })
  const properties = schema.properties!
  // One server's settings, shared by `servers` and (with the bridge fields) `mcpServers`.
  const servers = properties.servers!
  const server = servers.additionalProperties as JsonSchema
  server.oneOf = [{ required: ['url'] }, { required: ['command'] }]
  servers.additionalProperties = { $ref: '#/$defs/server' }
  const mcpServer: JsonSchema = { ...server, properties: { ...server.properties, ...MCP_SERVER_EXTRAS } }
  delete mcpServer.oneOf
  const { servers: _servers, ...rest } = properties
  schema.properties = {
    $schema: { type: 'string', description: 'This JSON Schema (for editors); ignored by the facade.' },
    ...rest,
    servers: { ...servers, description: servers.description ?? 'The MCP servers to front, by name (the route prefix `/{name}/` when mounted by name).' },
    mcpServers: {
      type: 'object',
      description: 'Instead of `servers`: the map Claude Desktop, Cursor or mcpo read. Each entry is mounted under `/{name}/` (the name lowercased, other characters turned into `-`).',
      additionalProperties: { $ref: '#/$defs/mcpServer' },
    },
  }
  schema.not = { required: ['servers', 'mcpServers'] }
  schema.title = 'mcp-rest-facade configuration'
  schema.description = 'The JSON config file of mcp-rest-facade (--config or MCP_FACADE_CONFIG). Strings may hold ${ENV_VAR}, read from the environment when the file loads. Generated from src/config/schema.ts by `npm run config:schema`.'
  schema.$defs = { server, mcpServer }
  return schema
}

function typeOf(s: JsonSchema, defs: Record<string, JsonSchema>): string {
  if (s.$ref) return s.$ref.endsWith('/server') ? 'server' : s.$ref.endsWith('/mcpServer') ? 'mcpServers entry' : s.$ref
  if (s.const !== undefined) return JSON.stringify(s.const)
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ')
  if (s.anyOf ?? s.oneOf) return [...new Set((s.anyOf ?? s.oneOf)!.map((x) => typeOf(x, defs)))].join(' \\| ')
  if (s.type === 'array') return `array of ${s.items ? typeOf(s.items, defs) : 'any'}`
  if (s.type === 'object' && !s.properties && s.additionalProperties && typeof s.additionalProperties === 'object')
    return `map of ${typeOf(s.additionalProperties, defs)}`
  if (s.type === 'string' && s.format) return `string (${String(s.format)})`
  return Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any')
}

function limitsOf(s: JsonSchema): string {
  const parts: string[] = []
  if (s.minimum !== undefined) parts.push(`≥ ${String(s.minimum)}`)
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${String(s.exclusiveMinimum)}`)
  if (s.maximum !== undefined) parts.push(`≤ ${String(s.maximum)}`)
  if (s.minLength !== undefined) parts.push(`at least ${String(s.minLength)} characters`)
  if (s.maxLength !== undefined) parts.push(`at most ${String(s.maxLength)} characters`)
  if (s.minItems !== undefined) parts.push(`at least ${String(s.minItems)} items`)
  if (s.maxItems !== undefined) parts.push(`at most ${String(s.maxItems)} items`)
  // A format (email, uri) says it better than the regex zod derives from it.
  if (s.pattern !== undefined && s.format === undefined) parts.push(`matches \`\` ${String(s.pattern)} \`\``)
  return parts.join(', ')
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** Rows `path | type | default | description` for an object's properties, then its sub-objects' rows. */
function rowsOf(s: JsonSchema, path: string, defs: Record<string, JsonSchema>, out: string[]): void {
  for (const [key, property] of Object.entries(s.properties ?? {})) {
    const at = path ? `${path}.${key}` : key
    const resolved = property
    const isObject = resolved.type === 'object' && resolved.properties
    const dflt = resolved.default !== undefined && !isObject ? `\`${JSON.stringify(resolved.default)}\`` : ''
    const limits = limitsOf(resolved)
    const description = [s.required?.includes(key) ? '**required**.' : '', resolved.description ?? '', limits ? `(${limits})` : ''].filter(Boolean).join(' ')
    out.push(`| \`${at}\` | ${typeOf(resolved, defs)} | ${dflt} | ${cell(description)} |`)
    if (isObject) rowsOf(resolved, at, defs, out)
    const variants = resolved.anyOf ?? resolved.oneOf
    if (variants?.every((v) => v.type === 'object' && v.properties)) {
      // A discriminated union: the tag's row, then each variant's own settings.
      const tagKey = Object.entries(variants[0]!.properties!).find(([k, p]) => p.const !== undefined && variants.every((v) => v.properties![k]?.const !== undefined))?.[0]
      if (tagKey) out.push(`| \`${at}.${tagKey}\` | ${variants.map((v) => JSON.stringify(v.properties![tagKey]!.const)).join(' \\| ')} | | ${cell(variants.map((v) => v.properties![tagKey]!.description).filter(Boolean).join(' '))} |`)
      for (const v of variants) {
        const tag = Object.entries(v.properties!).find(([, p]) => p.const !== undefined)
        rowsOf({ ...v, properties: Object.fromEntries(Object.entries(v.properties!).filter(([, p]) => p !== tag?.[1])) }, tag ? `${at}{${tag[0]}=${JSON.stringify(tag[1].const)}}` : at, defs, out)
      }
    }
    if (resolved.items?.properties) rowsOf(resolved.items, `${at}[]`, defs, out)
  }
}

/** docs/configuration.md, from the JSON Schema. */
export function configMarkdown(schema: JsonSchema): string {
  const defs = schema.$defs as Record<string, JsonSchema>
  const table = (s: JsonSchema, path: string) => {
    const out = ['| setting | type | default | description |', '|---|---|---|---|']
    rowsOf(s, path, defs, out)
    return out.join('\n')
  }
  const extras = { properties: Object.fromEntries(Object.keys(MCP_SERVER_EXTRAS).map((k) => [k, defs.mcpServer!.properties![k]!])) }
  return `# Configuration reference

<!-- Generated by \`npm run config:schema\` from src/config/schema.ts: edit the schema (its JSDoc comments are the
descriptions), not this file. test/config/config-schema.test.ts fails when this file is out of date. -->

The config file is JSON, given with \`--config <file>\` or \`MCP_FACADE_CONFIG\`. Precedence: defaults < config file <
environment < flags (\`--help\` lists the environment variables and flags). Any string may hold \`\${ENV_VAR}\`, read from
the environment when the file loads; a missing variable is a config error. Every problem is reported at once, and
the facade does not start.

Editors check and complete the file with its JSON Schema, shipped in the package as \`${SCHEMA_FILE}\`:

\`\`\`json
{ "$schema": "./node_modules/mcp-rest-facade/schema/config.schema.json", "servers": { "default": { "url": "https://vendor.example.com/mcp" } } }
\`\`\`

(From a clone, point \`$schema\` at \`schema/config.schema.json\` in it.) Objects refuse unknown keys. \`{mode="apiKey"}\` in a
path means: these settings apply when \`mode\` is \`"apiKey"\`.

## Facade

${table({ properties: Object.fromEntries(Object.entries(schema.properties!).filter(([k]) => k !== 'servers' && k !== 'mcpServers')) }, '')}

## Servers (\`servers.<name>\`)

\`<name>\`: lowercase letters, digits and \`-\` (the route prefix \`/{name}/\` when mounted by name, see \`mountServers\`).
Each server sets exactly one of \`url\` (HTTP) and \`command\` (a stdio child process: [stdio.md](stdio.md)).

${table(defs.server!, 'servers.<name>')}

## \`mcpServers\` entries (\`mcpServers.<name>\`)

Instead of \`servers\` (not both): the map other MCP clients read. An entry takes every server setting above, plus:

${table(extras, 'mcpServers.<name>')}
`
}

/** The files this script writes, by path relative to the package root. */
export function generatedFiles(): Record<string, string> {
  const schema = configJsonSchema()
  return { [SCHEMA_FILE]: JSON.stringify(schema, null, 2) + '\n', [DOCS_FILE]: configMarkdown(schema) }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const check = process.argv.includes('--check')
  let stale = 0
  for (const [path, content] of Object.entries(generatedFiles())) {
    const full = join(root, path)
    const current = existsSync(full) ? readFileSync(full, 'utf8') : undefined
    if (current === content) continue
    if (check) {
      stale++
      process.stderr.write(`${path} is out of date: run npm run config:schema\n`)
    } else {
      mkdirSync(dirname(full), { recursive: true })
      writeFileSync(full, content)
      process.stdout.write(`wrote ${path}\n`)
    }
  }
  process.exit(stale ? 1 : 0)
}
