/**
 * @module catalog/build
 * Builds a {@link Catalog} snapshot from what the vendor listed: names, filters, stable order, an etag.
 */
import { createHash } from 'node:crypto'
import { namePrompts, nameTools } from './naming.js'
import { scanParamHeaders, type ParamHeader } from './param-headers.js'
import type { Catalog, CatalogPrompt, CatalogResource, CatalogResourceTemplate, CatalogTool, ExcludedTool, JsonSchema, ServerInfo } from './types.js'

/** What the vendor listed, untyped. */
export interface RawListing {
  server: ServerInfo
  tools: Record<string, unknown>[]
  prompts: Record<string, unknown>[]
  resources: Record<string, unknown>[]
  resourceTemplates: Record<string, unknown>[]
}

/** The config's tool lists. */
export interface ToolFilter {
  include?: string[]
  exclude: string[]
  deny: string[]
}

/** How the vendor connection treats tool definitions. */
export interface BuildOptions {
  /**
   * True when calls mirror SEP-2243 `x-mcp-header` arguments into `Mcp-Param-*` headers (2026-07-28 over Streamable
   * HTTP). Then tools with an invalid annotation are excluded, as the spec requires of such clients; other
   * connections ignore the annotations ("Clients using other transports MAY ignore `x-mcp-header`").
   */
  paramHeaders?: boolean
}

/** Matches a name against a glob where `*` is any run of characters. */
export function matchesGlob(name: string, pattern: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('.*') + '$')
  return re.test(name)
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const obj = (v: unknown): JsonSchema | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonSchema) : undefined)

/** Stable JSON (sorted keys) so the etag does not depend on the vendor's key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map(stableJson).join(',') + ']'
  if (value && typeof value === 'object')
    return '{' + Object.keys(value).sort().map((k) => JSON.stringify(k) + ':' + stableJson((value as Record<string, unknown>)[k])).join(',') + '}'
  return JSON.stringify(value) ?? 'null'
}

/**
 * Builds a catalog snapshot. Tools are sorted by name; slugs and operation ids are derived from the sorted
 * list, so they are stable for the same tool set.
 * @param previous the snapshot being replaced; its version is kept when nothing changed
 */
export function buildCatalog(listing: RawListing, filter: ToolFilter, previous?: Catalog, options: BuildOptions = {}): Catalog {
  const seen = new Set<string>()
  const excluded: ExcludedTool[] = []
  const paramHeaders = new Map<string, ParamHeader[]>()
  const rawTools = listing.tools
    .filter((t) => typeof t.name === 'string' && t.name.length > 0)
    .filter((t) => {
      // A vendor listing the same name twice is broken; keep the first so routing stays deterministic.
      if (seen.has(t.name as string)) return false
      seen.add(t.name as string)
      return !filter.deny.some((p) => matchesGlob(t.name as string, p))
    })
    .filter((t) => {
      if (!options.paramHeaders) return true
      // Excluded before naming, so an excluded tool takes no slug or operation id from the others.
      const scan = scanParamHeaders(obj(t.inputSchema) ?? {})
      if (!scan.valid) excluded.push({ name: t.name as string, reason: scan.reason })
      else if (scan.headers.length) paramHeaders.set(t.name as string, scan.headers)
      return scan.valid
    })
    .sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : 1))
  const names = nameTools(rawTools.map((t) => t.name as string))
  const tools: CatalogTool[] = rawTools.map((t) => {
    const name = t.name as string
    const typed =
      (!filter.include || filter.include.some((p) => matchesGlob(name, p))) && !filter.exclude.some((p) => matchesGlob(name, p))
    const annotations = obj(t.annotations)
    return {
      name,
      title: str(t.title) ?? str(annotations?.title),
      description: str(t.description),
      inputSchema: obj(t.inputSchema) ?? { type: 'object' },
      outputSchema: obj(t.outputSchema),
      annotations: annotations as CatalogTool['annotations'],
      slug: names.get(name)!.slug,
      operationId: names.get(name)!.operationId,
      typed,
      ...(paramHeaders.has(name) ? { paramHeaders: paramHeaders.get(name) } : {}),
    }
  })
  const rawPrompts = listing.prompts.filter((p) => typeof p.name === 'string')
  const promptNames = namePrompts(rawPrompts.map((p) => p.name as string))
  const prompts: CatalogPrompt[] = rawPrompts.map((p) => ({
    name: p.name as string,
    title: str(p.title),
    description: str(p.description),
    arguments: Array.isArray(p.arguments)
      ? (p.arguments as Record<string, unknown>[]).map((a) => ({
          name: String(a.name),
          description: str(a.description),
          required: a.required === true,
        }))
      : [],
    slug: promptNames.get(p.name as string)!.slug,
    operationId: promptNames.get(p.name as string)!.operationId,
  }))
  const resources: CatalogResource[] = listing.resources
    .filter((r) => typeof r.uri === 'string')
    .map((r) => ({ uri: r.uri as string, name: str(r.name) ?? (r.uri as string), title: str(r.title), description: str(r.description), mimeType: str(r.mimeType) }))
  const resourceTemplates: CatalogResourceTemplate[] = listing.resourceTemplates
    .filter((r) => typeof r.uriTemplate === 'string')
    .map((r) => ({
      uriTemplate: r.uriTemplate as string,
      name: str(r.name) ?? (r.uriTemplate as string),
      title: str(r.title),
      description: str(r.description),
      mimeType: str(r.mimeType),
    }))
  const etag = createHash('sha256')
    .update(stableJson({ tools, excluded, prompts, resources, resourceTemplates }))
    .digest('base64url')
    .slice(0, 22)
  const changed = previous?.etag !== etag
  return {
    version: previous ? (changed ? previous.version + 1 : previous.version) : 1,
    etag,
    loadedAt: changed || !previous ? new Date().toISOString() : previous.loadedAt,
    server: listing.server,
    tools,
    excluded: excluded.sort((a, b) => (a.name < b.name ? -1 : 1)),
    prompts,
    resources,
    resourceTemplates,
  }
}

/** Finds a tool by slug, or by its original name (percent-decoded path segment). */
export function findTool(catalog: Catalog, segment: string): CatalogTool | undefined {
  return catalog.tools.find((t) => t.slug === segment) ?? catalog.tools.find((t) => t.name === segment)
}
