/**
 * @module mcp-endpoint/param-header-check
 * SEP-2243 on the server side of `/mcp`: when the tools the endpoint lists keep their `x-mcp-header` annotations
 * (`mcpEndpoint.copilotSafeSchemas: false` lists the vendor's schemas as they are), a 2026-07-28 caller mirrors
 * those arguments into `Mcp-Param-{Name}` headers, and the server MUST check them against the body: a value in
 * the body needs its header, the header must decode to the same value, and a `=?base64?…?=` value must be
 * canonical Base64 of UTF-8. A null or absent body value expects no header (a present one is ignored). The
 * answer to a disagreement is HTTP 400 with JSON-RPC error `-32020` (HeaderMismatch), the shape the SDK uses for
 * the standard headers.
 */
import { PARAM_HEADER_PREFIX, type ParamHeader } from '../catalog/param-headers.js'

/** JSON-RPC error code of a header/body disagreement (SEP-2243 HeaderMismatch). */
export const HEADER_MISMATCH = -32020

const SENTINEL = /^=\?base64\?(.*)\?=$/s
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const DECIMAL = /^-?(?:0|[1-9]\d*)$/

/** The header's text: the Base64 payload decoded, else the value itself; undefined when the payload is invalid. */
export function decodeParamHeader(value: string): string | undefined {
  const wrapped = SENTINEL.exec(value)
  if (!wrapped) return value
  const payload = wrapped[1]!
  if (!CANONICAL_BASE64.test(payload)) return undefined
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(payload, 'base64'))
  } catch {
    return undefined
  }
}

function valueAt(args: unknown, path: readonly string[]): unknown {
  let node = args
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

/**
 * Checks a call's `Mcp-Param-*` headers against its arguments.
 * @returns undefined when they agree, else the header and what is wrong (no header value is quoted: it could be
 *   a secret argument)
 */
export function paramHeaderMismatch(annotations: readonly ParamHeader[], args: unknown, headers: Headers): { header: string; message: string } | undefined {
  for (const annotation of annotations) {
    const header = PARAM_HEADER_PREFIX + annotation.name
    const body = valueAt(args, annotation.path)
    if (body === undefined || body === null) continue
    if (typeof body !== 'string' && typeof body !== 'number' && typeof body !== 'boolean') continue // the schema check answers
    const sent = headers.get(header)
    if (sent === null) return { header, message: `the body carries /${annotation.path.join('/')} but the ${header} header is absent` }
    const decoded = decodeParamHeader(sent.trim())
    if (decoded === undefined) return { header, message: `the ${header} header carries an invalid Base64 value` }
    const same = typeof body === 'number' ? DECIMAL.test(decoded) && Number(decoded) === body : decoded === String(body)
    if (!same) return { header, message: `the ${header} header does not match /${annotation.path.join('/')} in the body` }
  }
  return undefined
}
