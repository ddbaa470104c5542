/**
 * @module swagger/check-dynamic
 * Rulebook C-19: dynamic extensions (`x-ms-dynamic-values`/`-list`/`-schema`/`-properties`) must sit on a
 * schema or a non-body parameter, call an operation that exists with parameters that exist (same type, same
 * required-ness), and point at an array/property that the target's success response declares; the v1 and v2 forms
 * come in pairs, and `itemValuePath` equals `value-path` without a trailing `/properties`. A v2 `parameterReference`
 * may name a property of the body (`body/<property>/…`, as D-EXT allows): it must exist in the body's schema.
 */

import { isRecord, pointer, type ViolationSink } from './check-context.js'

/** What the dynamic checks need to know about every operation. */
export interface OperationIndexEntry {
  path: string
  operation: Record<string, unknown>
  /** Non-body parameters by name. */
  parameters: Map<string, Record<string, unknown>>
}

/** One dynamic extension occurrence. */
export interface DynamicUse {
  key: string
  value: unknown
  /** Pointer of the extension itself. */
  path: string
  /** The operation that carries it. */
  owner: OperationIndexEntry
  /** The sibling keys of the extension (to check pairing). */
  siblings: Record<string, unknown>
}

const PAIRS: Record<string, string> = {
  'x-ms-dynamic-values': 'x-ms-dynamic-list',
  'x-ms-dynamic-schema': 'x-ms-dynamic-properties',
}

/** Checks every dynamic extension use against the operation index. */
export function checkDynamicUses(uses: DynamicUse[], index: Map<string, OperationIndexEntry>, sink: ViolationSink): void {
  for (const use of uses) {
    if (!isRecord(use.value)) {
      sink.add('C-19', use.path, `${use.key} must be an object.`)
      continue
    }
    const pair = PAIRS[use.key]
    if (pair && use.siblings[pair] === undefined) sink.add('C-19', use.path, `Add ${pair} next to ${use.key}.`, 'warning')
    const operationId = use.value.operationId
    if (typeof operationId !== 'string') {
      // builtInOperation / capability forms are not operations of this document
      if (use.value.builtInOperation === undefined && use.value.capability === undefined) sink.add('C-19', use.path, `${use.key} needs an operationId.`)
      continue
    }
    const target = index.get(operationId)
    if (!target) {
      sink.add('C-19', pointer(use.path, 'operationId'), `The operation '${operationId}' could not be found.`)
      continue
    }
    checkParameters(use, target, sink)
    const response = successSchema(target.operation)
    switch (use.key) {
      case 'x-ms-dynamic-values':
        checkCollection(response, use.value['value-collection'], use.value['value-path'], use, sink)
        break
      case 'x-ms-dynamic-list':
        checkCollection(response, use.value.itemsPath, use.value.itemValuePath, use, sink)
        break
      case 'x-ms-dynamic-schema':
        checkProperty(response, use.value['value-path'], use, sink)
        break
      case 'x-ms-dynamic-properties': {
        checkProperty(response, use.value.itemValuePath, use, sink)
        const v1 = use.siblings['x-ms-dynamic-schema']
        if (isRecord(v1) && typeof v1['value-path'] === 'string' && typeof use.value.itemValuePath === 'string') {
          const expected = v1['value-path'].replace(/\/properties$/, '')
          if (use.value.itemValuePath !== expected) {
            sink.add('C-19', pointer(use.path, 'itemValuePath'), `itemValuePath must be '${expected}' to match value-path.`)
          }
        }
        break
      }
    }
  }
}

/** The schema of the first 200/201 (else any 2xx) response that has one. */
function successSchema(operation: Record<string, unknown>): unknown {
  const responses = isRecord(operation.responses) ? operation.responses : {}
  const codes = Object.keys(responses).filter((c) => /^2\d\d$/.test(c)).sort()
  const preferred = [...codes.filter((c) => c === '200' || c === '201'), ...codes]
  for (const code of preferred) {
    const r = responses[code]
    if (isRecord(r) && isRecord(r.schema)) return r.schema
  }
  return undefined
}

/** Follows a `/`-separated path string through `properties`. */
function schemaAt(schema: unknown, path: string): unknown {
  let node = schema
  for (const segment of path.split('/').filter(Boolean)) {
    if (!isRecord(node) || !isRecord(node.properties)) return undefined
    node = node.properties[segment]
  }
  return node
}

function checkCollection(response: unknown, collection: unknown, valuePath: unknown, use: DynamicUse, sink: ViolationSink): void {
  const array = typeof collection === 'string' ? schemaAt(response, collection) : response
  if (!isRecord(array) || array.type !== 'array') {
    sink.add('C-19', use.path, `The operation's response does not declare an array at '${String(collection ?? '')}'.`)
    return
  }
  if (typeof valuePath !== 'string' || schemaAt(array.items, valuePath) === undefined) {
    sink.add('C-19', use.path, `The items of '${String(collection ?? '')}' do not declare the property '${String(valuePath)}'.`)
  }
}

function checkProperty(response: unknown, valuePath: unknown, use: DynamicUse, sink: ViolationSink): void {
  if (valuePath === undefined) return // the schema is the whole response
  if (typeof valuePath !== 'string' || schemaAt(response, valuePath) === undefined) {
    sink.add('C-19', use.path, `The operation's response does not declare the property '${String(valuePath)}'.`)
  }
}

/** The target's parameters must exist; referenced source parameters must exist with the same type and required-ness. */
function checkParameters(use: DynamicUse, target: OperationIndexEntry, sink: ViolationSink): void {
  const parameters = isRecord(use.value) && isRecord(use.value.parameters) ? use.value.parameters : {}
  for (const [name, spec] of Object.entries(parameters)) {
    const targetParam = target.parameters.get(name)
    if (!targetParam) {
      sink.add('C-19', pointer(use.path, 'parameters', name), `The parameter '${name}' could not be found in operation '${String(target.operation.operationId)}'.`)
      continue
    }
    const ref = isRecord(spec) ? (typeof spec.parameter === 'string' ? spec.parameter : typeof spec.parameterReference === 'string' ? spec.parameterReference : undefined) : undefined
    if (ref === undefined) continue
    const source = sourceOf(use.owner, ref)
    if (!source) {
      sink.add('C-19', pointer(use.path, 'parameters', name), `The referenced parameter '${ref}' does not exist in this operation.`)
      continue
    }
    if (source.type !== targetParam.type) sink.add('C-19', pointer(use.path, 'parameters', name), `Parameter '${ref}' has a different type than '${name}'.`)
    if (targetParam.required === true && source.required !== true) {
      sink.add('C-19', pointer(use.path, 'parameters', name), `Parameter '${ref}' must be required because '${name}' is.`)
    }
    if (source['x-ms-visibility'] === 'internal') sink.add('C-19', pointer(use.path, 'parameters', name), `The source parameter '${ref}' must not be internal.`)
  }
}

/**
 * The source of a reference: a non-body parameter by name, or (`body/a/b`) a property of the body parameter's
 * schema, required when the body and every step down to it are.
 */
function sourceOf(owner: OperationIndexEntry, ref: string): Record<string, unknown> | undefined {
  const [head, ...rest] = ref.split('/')
  const plain = owner.parameters.get(head!)
  if (plain || !rest.length) return plain
  const parameters = Array.isArray(owner.operation.parameters) ? owner.operation.parameters : []
  const body = parameters.find((p): p is Record<string, unknown> => isRecord(p) && p.in === 'body' && p.name === head)
  if (!body) return undefined
  let node: unknown = body.schema
  let required = body.required === true
  for (const segment of rest) {
    if (!isRecord(node) || !isRecord(node.properties) || !isRecord(node.properties[segment])) return undefined
    required = required && Array.isArray(node.required) && node.required.includes(segment)
    node = node.properties[segment]
  }
  return { ...(node as Record<string, unknown>), required }
}
