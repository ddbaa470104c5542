/**
 * @module test/contract/conformance
 * Checks real answers against the served documents, with Ajv on the documents' own schemas:
 * - OpenAPI 3.1: the status is declared (shared `#/components/responses` resolved), the media type is one of the
 *   declared ones, the body validates (JSON Schema 2020-12), and every header a caller relies on that the facade
 *   sent is declared for that answer (with a value of the declared type).
 * - Swagger 2.0: the status is declared (`#/responses` resolved), the success body validates against its schema
 *   (draft-04 read as draft-07: `x-nullable` becomes a `null` type, boolean exclusive bounds become numbers), and
 *   the 202 carries its declared headers.
 */
import { Ajv, type ValidateFunction } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: unknown) => void

type Json = Record<string, any>

/** An answer as received. */
export interface Answer {
  status: number
  headers: Headers
  contentType: string
  body: unknown
}

/** Reads a response into an {@link Answer}. */
export async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text()
  let body: unknown = undefined
  if (text !== '') {
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
  }
  return { status: res.status, headers: res.headers, contentType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(), body }
}

/** Headers callers rely on: when the facade sends one, the document must declare it for that answer. */
const RELIED_HEADERS = ['x-request-id', 'x-session-id', 'location', 'retry-after', 'preference-applied', 'www-authenticate', 'etag']

const OPENAPI_ID = 'https://contract.test/openapi.json'
const SWAGGER_ID = 'https://contract.test/swagger.json'

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1')

/** Finds the operation by method and path template. */
function operation(doc: Json, method: string, template: string): Json {
  const op = doc.paths?.[template]?.[method.toLowerCase()]
  if (!op) throw new Error(`${method} ${template} is not in the document`)
  return op
}

/**
 * The declared response of `method template` for an answer's status, with the JSON pointer of where it lives
 * (a shared response behind `$ref` is followed: `refPrefix` is `#/components/responses/` in 3.1, `#/responses/` in
 * 2.0), or a mismatch message when there is none.
 */
function declaredResponse(doc: Json, method: string, template: string, status: number, refPrefix: string): { response: Json; pointer: string; where: string } | { mismatch: string } {
  const op = operation(doc, method, template)
  const where = `${method} ${template} → ${status}`
  const own = op.responses?.[String(status)]
  if (!own) return { mismatch: `${where}: status not declared (declared: ${Object.keys(op.responses ?? {}).join(', ')})` }
  if (!own.$ref) return { response: own, pointer: `/paths/${escape(template)}/${method.toLowerCase()}/responses/${status}`, where }
  const name = String(own.$ref).replace(refPrefix, '')
  const path = refPrefix.replace(/^#\//, '').replace(/\/$/, '').split('/')
  const shared = path.reduce<Json | undefined>((node, key) => node?.[key], doc)?.[name]
  if (!shared) return { mismatch: `${where}: ${name} does not resolve` }
  return { response: shared, pointer: `/${path.join('/')}/${escape(name)}`, where }
}

/** OpenAPI 3.1 conformance of answers. */
export class OpenApiConformance {
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, validateFormats: true })
  readonly #compiled = new Map<string, ValidateFunction>()
  constructor(readonly doc: Json) {
    addFormats(this.#ajv)
    // An $id gives the document's own `#/components/…` references a base to resolve against.
    this.#ajv.addSchema({ ...doc, $id: OPENAPI_ID })
  }

  #validator(pointer: string): ValidateFunction {
    let v = this.#compiled.get(pointer)
    if (!v) {
      v = this.#ajv.compile({ $ref: `${OPENAPI_ID}#${pointer}` })
      this.#compiled.set(pointer, v)
    }
    return v
  }

  /** The mismatches of an answer to `method template` (empty when it conforms). */
  check(method: string, template: string, answer: Answer): string[] {
    const found = declaredResponse(this.doc, method, template, answer.status, '#/components/responses/')
    if ('mismatch' in found) return [found.mismatch]
    const { response, pointer, where } = found
    const problems: string[] = []
    const content = response.content as Json | undefined
    if (answer.body !== undefined) {
      if (!content?.[answer.contentType]) problems.push(`${where}: media type ${answer.contentType} not declared (${Object.keys(content ?? {}).join(', ') || 'no content'})`)
      else {
        const validate = this.#validator(`${pointer}/content/${escape(answer.contentType)}/schema`)
        if (!validate(answer.body)) problems.push(`${where}: body does not match: ${this.#ajv.errorsText(validate.errors)}`)
      }
    } else if (content && answer.status !== 204) problems.push(`${where}: declared a body, got none`)
    const declared = new Map<string, Json>()
    for (const [name, h] of Object.entries<Json>(response.headers ?? {})) {
      const header = h.$ref ? this.doc.components?.headers?.[String(h.$ref).replace('#/components/headers/', '')] : h
      declared.set(name.toLowerCase(), header)
    }
    for (const name of RELIED_HEADERS) {
      const value = answer.headers.get(name)
      if (value === null) continue
      const header = declared.get(name)
      if (!header) problems.push(`${where}: header ${name} sent but not declared`)
      else if (header.schema?.type === 'integer' && !/^\d+$/.test(value)) problems.push(`${where}: header ${name} is not an integer`)
    }
    return problems
  }
}

/** Draft-04 Swagger schemas as Ajv (draft-07) reads them. */
function downlevelForAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(downlevelForAjv)
  if (!node || typeof node !== 'object') return node
  const out: Json = {}
  for (const [k, v] of Object.entries(node as Json)) out[k] = downlevelForAjv(v)
  if (out['x-nullable'] === true && typeof out.type === 'string') out.type = [out.type, 'null']
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] && typeof out[bound] === 'number') {
        out[flag] = out[bound]
        delete out[bound]
      } else delete out[flag]
    }
  }
  return out
}

/** Swagger 2.0 conformance of answers (paths relative to `basePath`). */
export class SwaggerConformance {
  readonly #ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false })
  readonly #compiled = new Map<string, ValidateFunction>()
  constructor(readonly doc: Json) {
    addFormats(this.#ajv)
    this.#ajv.addSchema({ ...(downlevelForAjv(doc) as Json), $id: SWAGGER_ID })
  }

  /** The mismatches of an answer (empty when it conforms). */
  check(method: string, template: string, answer: Answer): string[] {
    const found = declaredResponse(this.doc, method, template, answer.status, '#/responses/')
    if ('mismatch' in found) return [found.mismatch]
    const { response, pointer, where } = found
    const problems: string[] = []
    if (response.schema && answer.status < 300) {
      let v = this.#compiled.get(pointer)
      if (!v) this.#compiled.set(pointer, (v = this.#ajv.compile({ $ref: `${SWAGGER_ID}#${pointer}/schema` })))
      if (!v(answer.body)) problems.push(`${where}: body does not match: ${this.#ajv.errorsText(v.errors)}`)
    }
    for (const name of Object.keys(response.headers ?? {})) if (answer.headers.get(name) === null) problems.push(`${where}: declared header ${name} missing`)
    return problems
  }
}
