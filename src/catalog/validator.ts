/**
 * @module catalog/validator
 * Validates tool arguments and structured results against the vendor's ORIGINAL JSON Schemas with Ajv, so the
 * facade is never laxer or stricter than the vendor. The dialect follows `$schema`: draft-07/06/04-ish schemas
 * use Ajv's draft-07 engine, 2019-09 uses Ajv2019, 2020-12 and schemas without `$schema` use Ajv2020
 * (the MCP 2025-11-25 spec makes 2020-12 the default dialect). Compiled once per catalog version.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import type { FieldError } from '../errors/api-error.js'
import type { JsonSchema } from './types.js'

// ajv-formats ships CJS with a default export; under NodeNext the callable is on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: unknown) => void

type Engine = 'draft-07' | '2019-09' | '2020-12'

function engineFor(schema: JsonSchema): Engine {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : ''
  if (/draft-0[4-7]/.test(declared)) return 'draft-07'
  if (/2019-09/.test(declared)) return '2019-09'
  return '2020-12'
}

function createEngine(kind: Engine) {
  const options = { strict: false, allErrors: true, validateSchema: false, validateFormats: true } as const
  const ajv = kind === 'draft-07' ? new Ajv(options) : kind === '2019-09' ? new Ajv2019(options) : new Ajv2020(options)
  addFormats(ajv)
  return ajv
}

/** Removes `$schema` ids Ajv would try to fetch (draft-04/06 meta schemas are not bundled). */
function prepare(schema: JsonSchema): JsonSchema {
  const { $schema, $id, id, ...rest } = schema as Record<string, unknown>
  void $schema
  void $id
  void id
  return rest
}

/** Converts Ajv errors to JSON-pointer field errors (a missing property points at the property itself). */
export function toFieldErrors(errors: ErrorObject[] | null | undefined): FieldError[] {
  const out: FieldError[] = []
  const seen = new Set<string>()
  for (const e of errors ?? []) {
    let pointer = e.instancePath
    let message = e.message ?? 'is invalid'
    if (e.keyword === 'required') {
      const prop = (e.params as { missingProperty: string }).missingProperty
      pointer = `${e.instancePath}/${prop.replace(/~/g, '~0').replace(/\//g, '~1')}`
      message = 'is required'
    } else if (e.keyword === 'additionalProperties') {
      const prop = (e.params as { additionalProperty: string }).additionalProperty
      pointer = `${e.instancePath}/${prop.replace(/~/g, '~0').replace(/\//g, '~1')}`
      message = 'is not allowed'
    } else if (e.keyword === 'enum') {
      message = `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`
    }
    const key = pointer + '|' + message
    if (!seen.has(key)) {
      seen.add(key)
      out.push({ pointer, message })
    }
  }
  return out
}

/** A compiled validator; `undefined` result means valid. */
export type Validator = (value: unknown) => FieldError[] | undefined

/** Compiles a schema; a schema Ajv cannot compile yields a validator that accepts everything but says why. */
export function compileSchema(schema: JsonSchema): { validate: Validator; compileError?: string } {
  let fn: ValidateFunction
  try {
    fn = createEngine(engineFor(schema)).compile(prepare(schema))
  } catch (error) {
    // The vendor will still validate; we must not block calls because our engine cannot read its schema.
    return { validate: () => undefined, compileError: (error as Error).message }
  }
  return { validate: (value) => (fn(value) ? undefined : toFieldErrors(fn.errors)) }
}

/** What counts as "left empty": which values on an optional property may mean "absent". */
export type EmptyRule = 'null' | 'connector'

/**
 * `null` means "not set" for every caller: code generators in common use (.NET, Java, openapi-generator) send
 * `null` for an optional property the program did not set. Power Automate also sends `""` and `[]` for inputs a
 * maker left empty; those count only for connector calls, since elsewhere they are real values a caller chose.
 */
const EMPTY: Record<EmptyRule, (v: unknown) => boolean> = {
  null: (v) => v === null,
  connector: (v) => v === '' || v === null || (Array.isArray(v) && v.length === 0),
}

/** Reads a JSON pointer. */
function parentOf(root: unknown, pointer: string): { parent: Record<string, unknown>; key: string } | undefined {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  const key = parts.pop()
  if (key === undefined) return undefined
  let node: unknown = root
  for (const p of parts) {
    if (!node || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[p]
  }
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined
  return { parent: node as Record<string, unknown>, key }
}

/**
 * Where an empty value (see {@link EMPTY}: `null`, and for the connector also `""`/`[]`) makes the vendor schema
 * fail, drop the property and validate again: on an optional property whose schema does not allow the value,
 * it means "absent". A schema that allows `null` keeps it (the vendor gets what it declared it accepts), and a
 * required property stays, so the caller is told it is required. Returns the cleaned arguments and the
 * remaining errors.
 */
export function validateDroppingEmpties(validate: Validator, args: Record<string, unknown>, rule: EmptyRule = 'connector'): { args: Record<string, unknown>; errors?: FieldError[] } {
  const isEmpty = EMPTY[rule]
  let current = args
  for (let round = 0; round < 20; round++) {
    const errors = validate(current)
    if (!errors) return { args: current }
    const droppable = errors
      .map((e) => ({ e, at: e.pointer ? parentOf(current, e.pointer) : undefined }))
      .filter((x) => x.at && x.at.key in x.at.parent && isEmpty(x.at.parent[x.at.key]))
    if (droppable.length === 0) return { args: current, errors }
    current = structuredClone(current)
    let dropped = false
    for (const { e } of droppable) {
      const at = parentOf(current, e.pointer)
      if (at && at.key in at.parent && isEmpty(at.parent[at.key])) {
        delete at.parent[at.key]
        dropped = true
      }
    }
    const after = validate(current)
    // Dropping turned the empty value into a missing required property: the empty value was the caller's choice.
    if (after?.some((e) => droppable.some((d) => d.e.pointer === e.pointer && e.message === 'is required')) || !dropped)
      return { args, errors: validate(args) }
  }
  return { args: current, errors: validate(current) }
}

/** Compiled validators of one catalog version. */
export class CatalogValidators {
  #input = new Map<string, ReturnType<typeof compileSchema>>()
  #output = new Map<string, ReturnType<typeof compileSchema>>()

  /** Input validator of a tool (compiled on first use, then cached for this catalog version). */
  input(name: string, schema: JsonSchema) {
    let v = this.#input.get(name)
    if (!v) this.#input.set(name, (v = compileSchema(schema)))
    return v
  }
  /** Output validator of a tool. */
  output(name: string, schema: JsonSchema) {
    let v = this.#output.get(name)
    if (!v) this.#output.set(name, (v = compileSchema(schema)))
    return v
  }
}
