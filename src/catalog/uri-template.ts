/**
 * @module catalog/uri-template
 * RFC 6570 URI templates as MCP resource templates use them (`weather://{city}`, `file:///{+path}`,
 * `search://q{?term,limit}`): the variables a template names, and its expansion from string values (levels 1–3;
 * the level-4 modifiers `:n` and `*` are accepted on a variable name and ignored, values being plain strings).
 * Pure, so the REST route, the documents and the connector agree on the variables of a template.
 */

/** One expression operator of RFC 6570 §3.2: prefix, separator, named, empty-if-empty, reserved characters allowed. */
interface Operator {
  first: string
  sep: string
  named: boolean
  ifEmpty: string
  reserved: boolean
}

const OPERATORS: Record<string, Operator> = {
  '': { first: '', sep: ',', named: false, ifEmpty: '', reserved: false },
  '+': { first: '', sep: ',', named: false, ifEmpty: '', reserved: true },
  '#': { first: '#', sep: ',', named: false, ifEmpty: '', reserved: true },
  '.': { first: '.', sep: '.', named: false, ifEmpty: '', reserved: false },
  '/': { first: '/', sep: '/', named: false, ifEmpty: '', reserved: false },
  ';': { first: ';', sep: ';', named: true, ifEmpty: '', reserved: false },
  '?': { first: '?', sep: '&', named: true, ifEmpty: '=', reserved: false },
  '&': { first: '&', sep: '&', named: true, ifEmpty: '=', reserved: false },
}

const EXPRESSION = /\{([+#./;?&]?)([^{}]+)\}/g

/** A variable of a template; `optional` for the query forms (`{?x}`, `{&x}`), which drop an absent value cleanly. */
export interface TemplateVariable {
  name: string
  optional: boolean
}

/** The variables a template names, in order, each once. */
export function templateVariables(template: string): TemplateVariable[] {
  const seen = new Map<string, TemplateVariable>()
  for (const [, op, list] of template.matchAll(EXPRESSION)) {
    for (const spec of list!.split(',')) {
      const name = spec.replace(/(\*|:\d+)$/, '').trim()
      if (name && !seen.has(name)) seen.set(name, { name, optional: op === '?' || op === '&' })
    }
  }
  return [...seen.values()]
}

/** Expands a template; absent variables expand to nothing (RFC 6570 §3.2.1: undefined values are ignored). */
export function expandTemplate(template: string, values: Record<string, string | undefined>): string {
  return template.replace(EXPRESSION, (_match, op: string, list: string) => {
    const operator = OPERATORS[op]!
    const parts: string[] = []
    for (const spec of list.split(',')) {
      const name = spec.replace(/(\*|:\d+)$/, '').trim()
      const value = values[name]
      if (value === undefined) continue
      const encoded = encode(value, operator.reserved)
      parts.push(operator.named ? (value === '' ? `${name}${operator.ifEmpty}` : `${name}=${encoded}`) : encoded)
    }
    return parts.length ? operator.first + parts.join(operator.sep) : ''
  })
}

/** Percent-encodes a value: unreserved characters stay, and reserved ones too for `+` and `#`. */
function encode(value: string, reserved: boolean): string {
  return reserved ? encodeURI(value).replace(/%25([0-9A-Fa-f]{2})/g, '%$1') : encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
