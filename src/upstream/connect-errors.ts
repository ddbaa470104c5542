/**
 * @module upstream/connect-errors
 * Makes a failed connect say what an operator needs: which URL (without credentials), the errno, and a hint
 * (a TLS trust problem → `NODE_EXTRA_CA_CERTS`; 401 → configure headers or oauth). Applied once, where a connection
 * is opened, so the catalog error, the log line and the problem detail all carry it.
 */
import { redactUrl } from '../log.js'
import { causeChain, UpstreamError } from './errors.js'
import type { UpstreamTarget } from './types.js'

/** Certificate failures Node reports (OpenSSL verify codes and Node's own). */
const TLS_CODES = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|CERT_UNTRUSTED|ERR_SSL_[A-Z_]+|EPROTO)$/

/** The first network or TLS code in a cause chain (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT …), not the SDK's own codes. */
function codeIn(error: unknown): string | undefined {
  const isNetworkOrTls = (code: unknown): code is string => typeof code === 'string' && (/^E[A-Z]+$/.test(code) || TLS_CODES.test(code))
  return causeChain(error, 8).map((e) => e.code).find(isNetworkOrTls)
}

function hintFor(code: string | undefined, error: UpstreamError): string | undefined {
  if (code && TLS_CODES.test(code)) return "the vendor's TLS certificate is not trusted: add its CA bundle with NODE_EXTRA_CA_CERTS=/path/to/ca.pem"
  if (error.code === 'UNAUTHORIZED') return 'the vendor wants credentials: configure headers (e.g. Authorization) or oauth for this server'
  if (error.code === 'FORBIDDEN') return 'the vendor refused these credentials: check the headers or oauth scope configured for this server'
  switch (code) {
    case 'ECONNREFUSED':
      return 'nothing accepts connections there: check the host and port'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve: check the URL and DNS'
    case 'ETIMEDOUT':
      return 'no connection could be set up in time: check the host, port and any firewall in between'
    case 'ENOENT':
      return 'the command was not found: check command and PATH'
  }
  if (error.code === 'TIMEOUT') return 'no answer in time: check that the URL is an MCP endpoint and raise timeouts.connectMs if it is slow'
  if (error.details.httpStatus === 404) return 'no MCP endpoint at this path: check the URL (often it ends in /mcp)'
  return undefined
}

/**
 * Rewrites the message of an error from opening a connection; the code and details stay, except that a TLS trust
 * failure is UNAVAILABLE (the request never left this process).
 * @param raw the error as thrown underneath (for its cause chain)
 */
export function explainConnectFailure(error: UpstreamError, raw: unknown, target: UpstreamTarget): UpstreamError {
  const code = codeIn(raw)
  const where = target.kind === 'http' ? redactUrl(target.url) : `stdio command "${target.command}"`
  const hint = hintFor(code, error)
  const kind = code && TLS_CODES.test(code) ? 'UNAVAILABLE' : error.code
  // Some failures quote the URL as configured; the message goes to logs and problem details, so only the redacted form.
  const detail = target.kind === 'http' ? error.message.split(target.url).join(where) : error.message
  const message = `cannot connect to ${where}${code ? ` (${code})` : ''}: ${detail}${hint ? `; hint: ${hint}` : ''}`
  return new UpstreamError(kind, message, error.details)
}
