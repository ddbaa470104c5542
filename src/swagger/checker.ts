/**
 * @module swagger/checker
 * Our own rulebook checker, as code (rulebook §9, layers 1-3 and 4 for schemas): it reports every mechanically
 * checkable import rule (§1) and certification rule (§2) of `power-platform.md` on a Swagger document. It takes
 * `unknown` so it can check any document, including broken ones; it never throws.
 *
 * | Rule | Checked |
 * |---|---|
 * | H-01 | `swagger` is `"2.0"` |
 * | H-02 | serialized size <= `maxBytes` (the emitter's serialization) |
 * | H-03 | only allowed keys (or `x-`) at the root, in path items, operations, parameters and responses |
 * | H-04, H-05 | `info.title`, `info.version`, `info.description` are strings |
 * | H-06 | `info.contact.email` is an ASCII e-mail; contact/license/externalDocs URLs are absolute |
 * | H-07, H-08, H-09 | bare `host[:port]`; `basePath` starts with `/`; `schemes` non-empty, http/https only |
 * | H-10 | no duplicates in schemes, consumes, produces, tags, enum, required |
 * | H-11 | <= `maxOperations` operations |
 * | H-12 | <= 512 schemas per body/response, <= 16 384 per operation |
 * | H-13 | (warning) schema depth <= `maxSchemaDepth` |
 * | H-20, H-21 | path keys start with `/`, no `?#*`; `{var}` templates well formed, one per segment, no defaults |
 * | H-22 | paths unique case-insensitively and templates distinguishable |
 * | H-23 | no `$ref` on a path item |
 * | H-24 | `{var}` ↔ `in: path` parameters, which are `required: true` |
 * | H-30, H-31, H-32 | operationId present and unique; (warning) PascalCase; <= 64 chars |
 * | H-37, H-49 | `#/responses/…` and `#/parameters/…` references resolve; shared entries are not references |
 * | H-34 | responses present, keys 3-digit or `default`, a 2xx exists, each has a description |
 * | H-35 | (warning) only one response carries a schema |
 * | H-36 | `default` has no schema |
 * | H-40 … H-47 | one body; no body+formData; body has `schema` only, others a primitive `type` only; no body on GET; unique (name, in), no parameter named like a top-level body property; no `connectionId`; no `Authorization` header; no `collectionFormat: multi` |
 * | H-50, H-51 | `x-ms-url-encoding` only on path parameters; internal parameters/properties with a default are required |
 * | H-52 | operations with a body have a supported `consumes` |
 * | H-63 | no `$ref` in schemas (tool schemas are inlined) |
 * | H-71 | (warning) property names match `^[A-Za-z_][A-Za-z0-9_-]*$` |
 * | S-01 … S-08 | §1.6: keyword whitelist; single type; boolean exclusive bounds next to min/max; `required` on objects, non-empty, naming properties; enum non-empty and typed; default typed; `items` on arrays; (warning) format whitelist |
 * | C-01 … C-04 | title, description, contact, `x-ms-connector-metadata` |
 * | C-06, C-07 | operation summary and description |
 * | C-08, C-09 | `x-ms-summary` and `description` on every parameter and every property |
 * | C-10 | ASCII-only strings (a warning for `x-mcp-*` values); no product names in summaries or descriptions |
 * | C-12 | a 2xx response with a schema (unless all successes are 202/204 or the schema is dynamic) |
 * | C-13 | `x-ms-visibility` on every operation; values `important`/`advanced`/`internal` (an invalid value is an error) |
 * | C-14 | path parameters carry `x-ms-url-encoding` |
 * | C-19 | dynamic extensions: on schemas, not on the body parameter; targets, parameters, paths, pairs |
 * | C-20 | security requirements name existing definitions and scopes |
 */

import { checkDynamicUses, type DynamicUse, type OperationIndexEntry } from './check-dynamic.js'
import { isRecord, isValidLabel, METHODS, pointer, PRODUCT_NAMES, ViolationSink, type CheckOptions } from './check-context.js'
import { checkSchemaTree } from './check-schema.js'
import { CONNECTOR_CATEGORIES } from './document-info.js'
import { MAX_SCHEMAS_PER_OPERATION } from './schema-count.js'
import { serializedBytes } from './serialize.js'
import type { Violation } from './types.js'

export { checkApiProperties } from './check-api-properties.js'
export type { CheckOptions } from './check-context.js'

const ROOT_KEYS = new Set([
  'swagger',
  'info',
  'host',
  'basePath',
  'schemes',
  'consumes',
  'produces',
  'paths',
  'definitions',
  'parameters',
  'responses',
  'security',
  'securityDefinitions',
  'tags',
  'externalDocs',
])
const PATH_ITEM_KEYS = new Set([...METHODS, 'parameters', '$ref'])
const OPERATION_KEYS = new Set([
  'tags',
  'summary',
  'description',
  'externalDocs',
  'operationId',
  'consumes',
  'produces',
  'parameters',
  'responses',
  'schemes',
  'deprecated',
  'security',
])
const PARAMETER_KEYS = new Set([
  'name',
  'in',
  'description',
  'required',
  'schema',
  'type',
  'format',
  'allowEmptyValue',
  'items',
  'collectionFormat',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'enum',
  'multipleOf',
  '$ref',
])
const RESPONSE_KEYS = new Set(['description', 'schema', 'headers', 'examples'])
const PRIMITIVE_PARAM_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array'])
const REQUEST_MIME_TYPES = new Set(['application/json', 'text/plain', 'multipart/form-data', 'application/x-www-form-urlencoded'])
const VISIBILITY = new Set(['important', 'advanced', 'internal'])
const DYNAMIC_KEYS = ['x-ms-dynamic-values', 'x-ms-dynamic-list', 'x-ms-dynamic-schema', 'x-ms-dynamic-properties'] as const

/**
 * Checks a connector document against the rulebook.
 * @param doc the parsed `apiDefinition.swagger.json`
 * @param options certification mode and limits
 * @returns every violation found, errors and warnings, in document order
 */
export function checkConnectorDocument(doc: unknown, options: CheckOptions = {}): Violation[] {
  const sink = new ViolationSink(options.certification ?? false)
  if (!isRecord(doc)) {
    sink.add('H-01', '', 'The document must be a JSON object.')
    return sink.violations
  }
  checkRoot(doc, sink, options)
  const paths = isRecord(doc.paths) ? resolveSharedRefs(doc, doc.paths, sink) : {}
  if (!isRecord(doc.paths)) sink.add('H-03', '/paths', 'paths is required.')

  const index = new Map<string, OperationIndexEntry>()
  const operations: { entry: OperationIndexEntry; path: string; method: string; pointerPath: string }[] = []
  const seenPaths = new Map<string, string>()
  const seenTemplates = new Map<string, string>()
  for (const [route, item] of Object.entries(paths)) {
    const itemPath = pointer('/paths', route)
    checkPathKey(route, itemPath, seenPaths, seenTemplates, item, sink)
    if (!isRecord(item)) continue
    for (const key of Object.keys(item)) {
      if (key === '$ref') sink.add('H-23', pointer(itemPath, key), 'A path item may not use $ref.')
      else if (!key.startsWith('x-') && !PATH_ITEM_KEYS.has(key)) {
        sink.add('H-03', pointer(itemPath, key), `The property '${key}' is not valid. If this property is an extension, its name must begin with "x-".`)
      }
    }
    for (const method of METHODS) {
      const operation = item[method]
      if (operation === undefined) continue
      const opPath = pointer(itemPath, method)
      if (!isRecord(operation)) {
        sink.add('H-03', opPath, 'An operation must be an object.')
        continue
      }
      const entry: OperationIndexEntry = { path: route, operation, parameters: new Map() }
      for (const p of Array.isArray(operation.parameters) ? operation.parameters : []) {
        if (isRecord(p) && typeof p.name === 'string' && p.in !== 'body') entry.parameters.set(p.name, p)
      }
      const id = operation.operationId
      if (typeof id !== 'string' || id === '') sink.add('H-30', opPath, 'operationId is required.')
      else if (index.has(id)) sink.add('H-30', pointer(opPath, 'operationId'), `operationId '${id}' is not unique.`)
      else index.set(id, entry)
      operations.push({ entry, path: route, method, pointerPath: opPath })
    }
  }

  const maxOperations = options.maxOperations ?? 256
  if (operations.length > maxOperations) sink.add('H-11', '/paths', `${operations.length} operations exceed the limit of ${maxOperations}.`)

  const dynamicUses: DynamicUse[] = []
  const maxDepth = options.maxSchemaDepth ?? 10
  const hasGlobalConsumes = Array.isArray(doc.consumes) && doc.consumes.some((c) => REQUEST_MIME_TYPES.has(String(c)))
  for (const { entry, path, method, pointerPath } of operations) {
    checkOperation(entry, path, method, pointerPath, sink, dynamicUses, maxDepth, hasGlobalConsumes)
  }
  checkDynamicUses(dynamicUses, index, sink)
  checkSecurity(doc, sink)
  checkStrings(doc, '', sink, undefined)
  return sink.violations
}

function checkRoot(doc: Record<string, unknown>, sink: ViolationSink, options: CheckOptions): void {
  if (doc.swagger !== '2.0') sink.add('H-01', '/swagger', 'swagger must be "2.0".')
  const bytes = serializedBytes(doc)
  const maxBytes = options.maxBytes ?? 1_000_000
  if (bytes > maxBytes) sink.add('H-02', '', `The document is ${bytes} bytes; the limit is ${maxBytes}.`)
  for (const key of Object.keys(doc)) {
    if (!key.startsWith('x-') && !ROOT_KEYS.has(key)) {
      sink.add('H-03', pointer('', key), `The property '${key}' is not valid. If this property is an extension, its name must begin with "x-".`)
    }
  }

  const info = isRecord(doc.info) ? doc.info : undefined
  if (!info) sink.add('H-04', '/info', 'info is required.')
  if (typeof info?.title !== 'string') sink.add('H-04', '/info/title', 'info.title is required.')
  if (typeof info?.version !== 'string') sink.add('H-04', '/info/version', 'info.version is required.')
  if (typeof info?.description !== 'string') sink.add('H-05', '/info', "The 'description' property is required. ValuePath: /info")
  checkTitle(info?.title, sink)
  checkConnectorDescription(info?.description, sink)
  checkContact(info?.contact, sink)
  checkUrl(isRecord(info?.license) ? info.license.url : undefined, '/info/license/url', sink)
  checkUrl(isRecord(doc.externalDocs) ? doc.externalDocs.url : undefined, '/externalDocs/url', sink)

  if (typeof doc.host !== 'string' || !/^[^{}/ :\\]+(?::\d+)?$/.test(doc.host)) {
    sink.add('H-07', '/host', 'host must be a bare host name with an optional port (no scheme, path or braces).')
  }
  if (typeof doc.basePath !== 'string' || !doc.basePath.startsWith('/')) sink.add('H-08', '/basePath', 'basePath must start with "/".')
  const schemes = doc.schemes
  if (!Array.isArray(schemes) || schemes.length === 0) sink.add('H-09', '/schemes', 'schemes must be a non-empty array.')
  else schemes.forEach((s, i) => s !== 'http' && s !== 'https' && sink.add('H-09', pointer('/schemes', i), `scheme ${JSON.stringify(s)} is not supported.`))
  for (const key of ['schemes', 'consumes', 'produces']) {
    const list = doc[key]
    if (Array.isArray(list) && new Set(list.map((v) => JSON.stringify(v))).size !== list.length) sink.add('H-10', pointer('', key), `${key} contains duplicates.`)
  }
  if (Array.isArray(doc.tags)) {
    const names = doc.tags.map((t) => (isRecord(t) ? t.name : t))
    if (new Set(names).size !== names.length) sink.add('H-10', '/tags', 'tags are not unique by name.')
  }
  checkConnectorMetadata(doc['x-ms-connector-metadata'], sink)
}

function checkTitle(title: unknown, sink: ViolationSink): void {
  if (typeof title !== 'string') return
  if (title.length > 30) sink.add('C-01', '/info/title', "The 'title' value goes over the character limit '30' ValuePath: /info/title")
  if (/\b(?:api|connector)\b/i.test(title) || PRODUCT_NAMES.test(title)) {
    sink.add('C-01', '/info/title', "The value 'title' contains at least one of the restricted words: 'api, connector'.")
  }
  if (!/[A-Za-z0-9]$/.test(title)) sink.add('C-01', '/info/title', 'The title must end with an alphanumeric character.')
}

function checkConnectorDescription(description: unknown, sink: ViolationSink): void {
  if (typeof description !== 'string') return
  if (description.length < 30 || description.length > 500) {
    sink.add('C-02', '/info/description', "The 'description' value must be between '30' and '500' characters.")
  }
  if (PRODUCT_NAMES.test(description)) {
    sink.add('C-02', '/info/description', "The value 'description' contains at least one of the restricted words: 'power apps, power automate, logic apps'.")
  }
  if (/\bapis?\b/i.test(description)) sink.add('C-02', '/info/description', "The description can't include the word 'API'.")
}

function checkContact(contact: unknown, sink: ViolationSink): void {
  if (contact === undefined) {
    sink.add('C-03', '/info', "The 'contact' property is required. ValuePath: /info")
    return
  }
  if (!isRecord(contact)) {
    sink.add('C-03', '/info/contact', 'contact must be an object.')
    return
  }
  for (const key of ['name', 'url', 'email']) {
    if (typeof contact[key] !== 'string' || contact[key] === '') sink.add('C-03', pointer('/info/contact', key), `contact.${key} is required.`)
  }
  if (typeof contact.email === 'string' && contact.email !== '' && !/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/.test(contact.email)) {
    sink.add('H-06', '/info/contact/email', 'contact.email must be a valid ASCII e-mail address.')
  }
  checkUrl(contact.url, '/info/contact/url', sink)
}

function checkUrl(url: unknown, path: string, sink: ViolationSink): void {
  if (url === undefined || url === '') return
  if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+/.test(url)) sink.add('H-06', path, 'The URL must be absolute (http or https).')
}

function checkConnectorMetadata(metadata: unknown, sink: ViolationSink): void {
  const path = '/x-ms-connector-metadata'
  if (metadata === undefined) {
    sink.add('C-04', '', "The 'x-ms-connector-metadata' property is required.")
    return
  }
  if (!Array.isArray(metadata)) {
    sink.add('C-04', path, 'x-ms-connector-metadata must be an array of {propertyName, propertyValue}.')
    return
  }
  const byName = new Map<string, unknown>()
  metadata.forEach((m, i) => {
    if (!isRecord(m) || typeof m.propertyName !== 'string') sink.add('C-04', pointer(path, i), 'Each entry needs propertyName and propertyValue.')
    else byName.set(m.propertyName, m.propertyValue)
  })
  for (const name of ['Website', 'Privacy policy', 'Categories']) {
    if (!byName.has(name)) sink.add('C-04', path, `x-ms-connector-metadata needs '${name}'.`)
  }
  for (const name of ['Website', 'Privacy policy']) {
    const value = byName.get(name)
    if (value !== undefined && (typeof value !== 'string' || !/^https?:\/\/\S+$/.test(value))) sink.add('C-04', path, `'${name}' must be an absolute URL.`)
  }
  const categories = byName.get('Categories')
  if (typeof categories === 'string') {
    const list = categories.split(';').map((c) => c.trim()).filter(Boolean)
    if (list.length === 0 || list.length > 2) sink.add('C-04', path, 'Categories must list one or two categories.')
    for (const c of list) if (!(CONNECTOR_CATEGORIES as readonly string[]).includes(c)) sink.add('C-04', path, `'${c}' is not a valid connector category.`)
  }
}

/** H-20, H-21, H-22 on one path key. */
function checkPathKey(
  route: string,
  path: string,
  seenPaths: Map<string, string>,
  seenTemplates: Map<string, string>,
  item: unknown,
  sink: ViolationSink,
): void {
  if (!route.startsWith('/')) sink.add('H-20', path, 'A path must start with "/".')
  if (/[?#*]/.test(route)) sink.add('H-20', path, 'A path must not contain "?", "#" or "*".')
  for (const segment of route.split('/')) {
    const stripped = segment.replace(/\{[^{}/=]+\}/g, '')
    if (/[{}]/.test(stripped)) sink.add('H-21', path, `Path segment '${segment}' has a malformed template (one {name} per variable, no defaults, no lone braces).`)
    if ((segment.match(/\{/g) ?? []).length > 1) sink.add('H-21', path, `Path segment '${segment}' holds more than one variable.`)
  }
  const lower = route.toLowerCase()
  const previous = seenPaths.get(lower)
  if (previous !== undefined) sink.add('H-22', path, `The path '${route}' is defined multiple times with different capitalization (also '${previous}').`)
  else seenPaths.set(lower, route)
  const shape = lower.replace(/\{[^}]*\}/g, '{}')
  if (shape !== lower && isRecord(item)) {
    for (const method of METHODS) {
      if (item[method] === undefined) continue
      const key = `${method} ${shape}`
      const other = seenTemplates.get(key)
      if (other !== undefined && other.toLowerCase() !== lower) sink.add('H-22', path, `The template '${route}' cannot be distinguished from '${other}' for ${method.toUpperCase()}.`)
      else seenTemplates.set(key, route)
    }
  }
}

/**
 * H-37, H-49: operations may reference document-level `parameters`/`responses` (`#/parameters/X`,
 * `#/responses/X`); the references must resolve and a shared entry may not itself be a reference. Returns the
 * paths with every such reference replaced by its target, so the per-operation rules see the real objects.
 */
function resolveSharedRefs(doc: Record<string, unknown>, paths: Record<string, unknown>, sink: ViolationSink): Record<string, unknown> {
  const shared = { parameters: isRecord(doc.parameters) ? doc.parameters : {}, responses: isRecord(doc.responses) ? doc.responses : {} }
  const rule = { parameters: 'H-49', responses: 'H-37' } as const
  for (const kind of ['parameters', 'responses'] as const)
    for (const [name, value] of Object.entries(shared[kind]))
      if (isRecord(value) && value.$ref !== undefined) sink.add(rule[kind], pointer(`/${kind}`, name), `A shared ${kind.slice(0, -1)} may not itself be a $ref.`)
  const resolve = (kind: 'parameters' | 'responses', value: unknown, at: string): unknown => {
    if (!isRecord(value) || value.$ref === undefined) return value
    const prefix = `#/${kind}/`
    const ref = value.$ref
    const target = typeof ref === 'string' && ref.startsWith(prefix) ? shared[kind][ref.slice(prefix.length).replace(/~1/g, '/').replace(/~0/g, '~')] : undefined
    if (!isRecord(target) || target.$ref !== undefined) {
      sink.add(rule[kind], at, `The reference ${String(ref)} must start with ${prefix} and resolve to a ${kind.slice(0, -1)}.`)
      return value
    }
    return target
  }
  const out: Record<string, unknown> = {}
  for (const [route, item] of Object.entries(paths)) {
    if (!isRecord(item)) {
      out[route] = item
      continue
    }
    const copy: Record<string, unknown> = { ...item }
    for (const method of METHODS) {
      const op = item[method]
      if (!isRecord(op)) continue
      const opPath = pointer(pointer('/paths', route), method)
      const resolved: Record<string, unknown> = { ...op }
      if (Array.isArray(op.parameters)) resolved.parameters = op.parameters.map((p, i) => resolve('parameters', p, pointer(opPath, 'parameters', i)))
      if (isRecord(op.responses))
        resolved.responses = Object.fromEntries(Object.entries(op.responses).map(([code, r]) => [code, resolve('responses', r, pointer(opPath, 'responses', code))]))
      copy[method] = resolved
    }
    out[route] = copy
  }
  return out
}

function checkOperation(
  entry: OperationIndexEntry,
  route: string,
  method: string,
  opPath: string,
  sink: ViolationSink,
  dynamicUses: DynamicUse[],
  maxDepth: number,
  hasGlobalConsumes: boolean,
): void {
  const op = entry.operation
  for (const key of Object.keys(op)) {
    if (!key.startsWith('x-') && !OPERATION_KEYS.has(key)) {
      sink.add('H-03', pointer(opPath, key), `The property '${key}' is not valid. If this property is an extension, its name must begin with "x-".`)
    }
  }
  const id = op.operationId
  if (typeof id === 'string' && id !== '') {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(id)) sink.add('H-31', pointer(opPath, 'operationId'), `operationId '${id}' should be PascalCase letters and digits.`)
    if (id.length > 64) sink.add('H-32', pointer(opPath, 'operationId'), `operationId '${id}' is longer than 64 characters.`)
  }

  // C-06 / C-07
  const summary = op.summary
  if (typeof summary !== 'string' || summary.trim() === '') sink.add('C-06', opPath, "The 'summary' property is required.")
  else {
    if (summary.length > 80) sink.add('C-06', pointer(opPath, 'summary'), 'The summary is longer than 80 characters.')
    if (/[/\\<>*%&?]/.test(summary)) sink.add('C-06', pointer(opPath, 'summary'), 'Summary string contains any of the restricted characters [/\\<>*%&?]')
    if (!/[A-Za-z0-9)]$/.test(summary)) sink.add('C-06', pointer(opPath, 'summary'), 'The summary must end with an alphanumeric character or ")".')
  }
  const description = op.description
  if (typeof description !== 'string' || description.trim() === '') sink.add('C-07', opPath, "The 'description' property is required.")
  else {
    if (!description.trimEnd().endsWith('.')) sink.add('C-07', pointer(opPath, 'description'), 'The description must be a full sentence ending with a period.')
    if (description === summary) sink.add('C-07', pointer(opPath, 'description'), 'The description must differ from the summary.')
  }
  const visibility = op['x-ms-visibility']
  if (visibility === undefined) sink.add('C-13', opPath, 'The operation has no x-ms-visibility.')
  else if (typeof visibility !== 'string' || !VISIBILITY.has(visibility)) {
    sink.add('C-13', pointer(opPath, 'x-ms-visibility'), 'x-ms-visibility must be important, advanced or internal.', 'error')
  }

  const opSchemaCount = checkParameters(entry, route, method, opPath, sink, dynamicUses, maxDepth, hasGlobalConsumes)
  const responseCount = checkResponses(entry, opPath, sink, dynamicUses, maxDepth)
  const total = opSchemaCount + responseCount
  if (total > MAX_SCHEMAS_PER_OPERATION) sink.add('H-12', opPath, `${total} schemas exceed ${MAX_SCHEMAS_PER_OPERATION} per operation.`)
}

function checkParameters(
  entry: OperationIndexEntry,
  route: string,
  method: string,
  opPath: string,
  sink: ViolationSink,
  dynamicUses: DynamicUse[],
  maxDepth: number,
  hasGlobalConsumes: boolean,
): number {
  const op = entry.operation
  const params = op.parameters
  if (params !== undefined && !Array.isArray(params)) {
    sink.add('H-42', pointer(opPath, 'parameters'), 'parameters must be an array.')
    return 0
  }
  const list = (params ?? []) as unknown[]
  const templateVars = [...route.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]!)
  const seen = new Set<string>()
  let bodies = 0
  let formData = 0
  let count = 0
  let bodyProperties: string[] = []
  const pathParams = new Set<string>()

  list.forEach((p, i) => {
    const path = pointer(opPath, 'parameters', i)
    if (!isRecord(p)) {
      sink.add('H-42', path, 'A parameter must be an object.')
      return
    }
    if (p.$ref !== undefined) {
      sink.add('H-63', path, 'Parameters must be inlined; no $ref.')
      return
    }
    for (const key of Object.keys(p)) {
      if (!key.startsWith('x-') && !PARAMETER_KEYS.has(key)) sink.add('H-03', pointer(path, key), `The property '${key}' is not valid in a parameter.`)
    }
    const name = p.name
    const where = p.in
    if (typeof name !== 'string' || !['path', 'query', 'header', 'body', 'formData'].includes(String(where))) {
      sink.add('H-42', path, 'A parameter needs a name and in: path, query, header, body or formData.')
      return
    }
    const key = `${String(where)}:${where === 'header' ? name.toLowerCase() : name}`
    if (seen.has(key)) sink.add('H-44', path, `Parameter '${name}' in ${String(where)} is defined twice.`)
    seen.add(key)
    if (name.toLowerCase() === 'connectionid') sink.add('H-45', path, "The parameter name 'connectionId' is reserved.")
    if (where === 'header' && name.toLowerCase() === 'authorization') sink.add('H-46', path, 'Authorization header is not allowed; use securityDefinitions.')
    if (p.collectionFormat === 'multi') sink.add('H-47', pointer(path, 'collectionFormat'), "The 'collectionFormat' keyword value 'Multi' is not supported.")
    if (p['x-ms-url-encoding'] !== undefined && where !== 'path') sink.add('H-50', pointer(path, 'x-ms-url-encoding'), 'x-ms-url-encoding is only allowed on path parameters.')
    if (p['x-ms-visibility'] === 'internal' && p.default !== undefined && p.required !== true) sink.add('H-51', path, 'An internal parameter with a default must be required.')
    if (p['x-ms-visibility'] !== undefined && !VISIBILITY.has(String(p['x-ms-visibility']))) {
      sink.add('C-13', pointer(path, 'x-ms-visibility'), 'x-ms-visibility must be important, advanced or internal.', 'error')
    }

    // C-08
    const label = p['x-ms-summary']
    if (typeof label !== 'string') sink.add('C-08', path, `The 'x-ms-summary' property is required. ValuePath: ${path}`)
    else if (!isValidLabel(label)) sink.add('C-08', pointer(path, 'x-ms-summary'), 'x-ms-summary must be at most 80 letters, digits, spaces or parentheses.')
    if (typeof p.description !== 'string' || p.description.trim() === '') sink.add('C-08', path, `The 'description' property is required. ValuePath: ${path}`)

    if (where === 'body') {
      bodies++
      for (const dyn of DYNAMIC_KEYS) {
        if (p[dyn] !== undefined) sink.add('C-19', pointer(path, dyn), 'Dynamic extensions are not allowed to be defined on the body parameter. It should be in the schema.')
      }
      if (!isRecord(p.schema)) sink.add('H-42', path, 'A body parameter requires a schema.')
      else {
        const result = checkSchemaTree(p.schema, pointer(path, 'schema'), sink, maxDepth)
        count += result.count
        for (const d of result.dynamics) dynamicUses.push({ ...d, owner: entry, siblings: siblingsOf(p.schema, d.path, pointer(path, 'schema')) })
        bodyProperties = isRecord(p.schema.properties) ? Object.keys(p.schema.properties) : []
      }
      if (p.type !== undefined) sink.add('H-42', pointer(path, 'type'), 'A body parameter may not use type; put it in the schema.')
    } else {
      if (where === 'formData') formData++
      if (p.schema !== undefined) sink.add('H-42', pointer(path, 'schema'), 'Only body parameters may have a schema.')
      const type = p.type
      const allowed = where === 'formData' ? [...PRIMITIVE_PARAM_TYPES, 'file'] : [...PRIMITIVE_PARAM_TYPES]
      if (typeof type !== 'string' || !allowed.includes(type)) sink.add('H-42', pointer(path, 'type'), 'A non-body parameter needs a primitive type.')
      if (Array.isArray(p.enum) && new Set(p.enum.map((v) => JSON.stringify(v))).size !== p.enum.length) sink.add('H-10', pointer(path, 'enum'), 'enum contains duplicates.')
      for (const dyn of DYNAMIC_KEYS) {
        if (p[dyn] !== undefined) dynamicUses.push({ key: dyn, value: p[dyn], path: pointer(path, dyn), owner: entry, siblings: p })
      }
    }
    if (where === 'path') {
      pathParams.add(name)
      if (p.required !== true) sink.add('H-24', pointer(path, 'required'), 'Path parameters must be required.')
      if (!templateVars.includes(name)) sink.add('H-24', path, `Path parameter '${name}' is not in the path template.`)
      if (p['x-ms-url-encoding'] === undefined) sink.add('C-14', path, 'Path parameters should declare x-ms-url-encoding.')
    }
  })

  for (const v of templateVars) if (!pathParams.has(v)) sink.add('H-24', opPath, `The path variable '{${v}}' has no path parameter.`)
  if (bodies > 1) sink.add('H-40', pointer(opPath, 'parameters'), 'An operation may have at most one body parameter.')
  if (bodies > 0 && formData > 0) sink.add('H-41', pointer(opPath, 'parameters'), 'body and formData parameters cannot be mixed.')
  if (method === 'get' && bodies + formData > 0) sink.add('H-43', pointer(opPath, 'parameters'), 'GET operations may not have a body or formData parameter.')
  if (bodies > 0) {
    const consumes = entry.operation.consumes
    const ok = Array.isArray(consumes) ? consumes.some((c) => REQUEST_MIME_TYPES.has(String(c))) : hasGlobalConsumes
    if (!ok) sink.add('H-52', opPath, 'An operation with a body must declare a supported consumes type.')
  }
  for (const name of bodyProperties) {
    if (list.some((p) => isRecord(p) && p.in !== 'body' && p.name === name)) {
      sink.add('H-44', pointer(opPath, 'parameters'), `Parameter '${name}' has the same name as a body property.`)
    }
  }
  return count
}

function checkResponses(entry: OperationIndexEntry, opPath: string, sink: ViolationSink, dynamicUses: DynamicUse[], maxDepth: number): number {
  const responses = entry.operation.responses
  const path = pointer(opPath, 'responses')
  if (!isRecord(responses) || Object.keys(responses).length === 0) {
    sink.add('H-34', opPath, 'An operation must have at least one response.')
    return 0
  }
  let count = 0
  let withSchema = 0
  const codes = Object.keys(responses).filter((c) => !c.startsWith('x-'))
  const successes = codes.filter((c) => /^2\d\d$/.test(c))
  if (successes.length === 0) sink.add('H-34', path, 'An operation should have a successful (2xx) response.')
  let successWithSchema = false
  for (const code of codes) {
    const response = responses[code]
    const rPath = pointer(path, code)
    if (code !== 'default' && !/^[1-5]\d\d$/.test(code)) sink.add('H-34', rPath, 'Response keys must be HTTP status codes or default.')
    if (!isRecord(response)) {
      sink.add('H-34', rPath, 'A response must be an object.')
      continue
    }
    if (typeof response.description !== 'string') sink.add('H-34', rPath, 'A response needs a description.')
    for (const key of Object.keys(response)) {
      if (!key.startsWith('x-') && !RESPONSE_KEYS.has(key)) sink.add('H-03', pointer(rPath, key), `The property '${key}' is not valid in a response.`)
    }
    if (response.schema === undefined) continue
    withSchema++
    if (code === 'default') sink.add('H-36', rPath, "The 'default' response should not have schema definition. Schemas should be defined on expected responses only.")
    if (/^2\d\d$/.test(code)) successWithSchema = true
    const result = checkSchemaTree(response.schema, pointer(rPath, 'schema'), sink, maxDepth)
    count += result.count
    for (const d of result.dynamics) dynamicUses.push({ ...d, owner: entry, siblings: siblingsOf(response.schema, d.path, pointer(rPath, 'schema')) })
  }
  if (withSchema > 1) sink.add('H-35', path, 'Only one response should carry a schema; the designer uses one.')
  const noContentOnly = successes.every((c) => c === '202' || c === '204')
  if (!successWithSchema && successes.length > 0 && !noContentOnly) sink.add('C-12', path, 'Define a 2xx response with an exact schema.')
  return count
}

/** The object that holds a dynamic extension found at `extPath` inside `schema` (rooted at `schemaPath`). */
function siblingsOf(schema: unknown, extPath: string, schemaPath: string): Record<string, unknown> {
  const tokens = extPath
    .slice(schemaPath.length)
    .split('/')
    .filter(Boolean)
    .slice(0, -1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
  let node: unknown = schema
  for (const t of tokens) node = isRecord(node) ? node[t] : Array.isArray(node) ? node[Number(t)] : undefined
  return isRecord(node) ? node : {}
}

/** C-20: security requirements name existing definitions, and OAuth scopes exist. */
function checkSecurity(doc: Record<string, unknown>, sink: ViolationSink): void {
  const definitions = isRecord(doc.securityDefinitions) ? doc.securityDefinitions : {}
  const requirements = doc.security
  if (requirements === undefined) return
  if (!Array.isArray(requirements)) {
    sink.add('C-20', '/security', 'security must be an array of requirements.')
    return
  }
  requirements.forEach((req, i) => {
    if (!isRecord(req)) return
    for (const [name, scopes] of Object.entries(req)) {
      const def = definitions[name]
      const path = pointer('/security', i, name)
      if (!isRecord(def)) {
        sink.add('C-20', path, `Security definition '${name}' does not exist.`)
        continue
      }
      if (!Array.isArray(scopes)) sink.add('C-20', path, 'Scopes must be an array.')
      else if (def.type !== 'oauth2' && scopes.length > 0) sink.add('C-20', path, 'Non-OAuth requirements must use [].')
      else if (def.type === 'oauth2') {
        const declared = isRecord(def.scopes) ? def.scopes : {}
        for (const s of scopes) if (!(String(s) in declared)) sink.add('C-20', path, `Scope '${String(s)}' is not declared.`)
      }
    }
  })
}

/** C-10 on every string (and key) of the document: ASCII only; no product names in text meant for people. */
function checkStrings(node: unknown, path: string, sink: ViolationSink, key: string | undefined): void {
  if (typeof node === 'string') {
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\x7f]/.test(node)) {
      const vendorEcho = path.split('/').some((t) => t.startsWith('x-mcp-'))
      sink.add('C-10', path, 'Any non-English characters are not allowed in any connector artifacts.', vendorEcho ? 'warning' : undefined)
    }
    if (key && ['summary', 'description', 'x-ms-summary', 'title'].includes(key) && !path.startsWith('/info/') && PRODUCT_NAMES.test(node)) {
      sink.add('C-10', path, "The value contains at least one of the restricted words: 'power apps, power automate, logic apps'.")
    }
    return
  }
  if (Array.isArray(node)) {
    node.forEach((child, i) => checkStrings(child, pointer(path, i), sink, undefined))
    return
  }
  if (!isRecord(node)) return
  for (const [k, child] of Object.entries(node)) {
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\x7f]/.test(k)) sink.add('C-10', pointer(path, k), 'Any non-English characters are not allowed in any connector artifacts.')
    checkStrings(child, pointer(path, k), sink, k)
  }
}
