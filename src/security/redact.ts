/**
 * @module security/redact
 * Removes credentials from text that came back from a vendor (error bodies, JSON-RPC error messages) before it
 * can reach a problem body or a log line. Vendors do echo what they received: a 401 page that prints the
 * `Authorization` header, a 500 stack trace with the request dump. Two passes:
 * 1. every value the facade sent (static and forwarded header values, the OAuth token), and the credential part
 *    after an auth scheme (`Bearer abc` → `abc`), wherever it appears;
 * 2. anything that looks like an HTTP credential (`Bearer …`, `Basic …`, `token=…`), because the vendor may echo a
 *    credential we do not know (an old token, a header of another hop).
 */

/** What replaces a secret. */
export const REDACTED = '[redacted]'

/** Shorter values are not treated as secrets: redacting `1` or `en` would garble every message. */
const MIN_SECRET_LENGTH = 6

/**
 * The strings to hide for a set of header values: each value and, for `Scheme credential` values, the credential.
 * @example secretsOf(['Bearer abc123xyz']) // ['Bearer abc123xyz', 'abc123xyz']
 */
export function secretsOf(values: Iterable<string | undefined>): string[] {
  const out = new Set<string>()
  for (const v of values) {
    if (!v) continue
    const m = /^[A-Za-z][\w-]*[ \t]+(\S.*)$/.exec(v)
    for (const s of m?.[1] ? [v, m[1].trim()] : [v]) {
      out.add(s)
      // A vendor echoing it inside JSON escapes quotes and backslashes.
      out.add(JSON.stringify(s).slice(1, -1))
    }
  }
  return [...out].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length)
}

const CREDENTIAL_PATTERNS: [RegExp, string][] = [
  [/\b(Bearer|Basic|DPoP|Token|ApiKey)([ \t]+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1$2${REDACTED}`],
  [/\b((?:access|refresh|id)_token|client_secret|client_assertion|api[_-]?key|password)(["']?\s*[:=]\s*["']?)[^"'\s&,}]{4,}/gi, `$1$2${REDACTED}`],
]

/**
 * Redacts known secrets and credential-looking fragments.
 * @param text untrusted text (a vendor response, an error message)
 * @param secrets from {@link secretsOf}, longest first
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED)
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement)
  return out
}
