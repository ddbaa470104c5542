/**
 * @module security/challenge
 * The facade's `WWW-Authenticate: Bearer` challenge (RFC 6750 §3, RFC 9110 §11.6.1). A pure formatter, kept below
 * auth/ and errors/ because both answer 401s with it: inbound authentication and a vendor's own 401 relayed to the
 * caller.
 */

/** The realm every challenge of the facade names. */
export const REALM = 'mcp-rest-facade'

/** Extra `WWW-Authenticate` parameters (RFC 9728 `resource_metadata` on the MCP endpoint). */
export type ChallengeParams = Record<string, string>

/** A `Bearer` challenge: realm, optional RFC 6750 error and description, then extra parameters. Values are quoted. */
export function bearerChallenge(error?: { code: string; description?: string }, extra: ChallengeParams = {}): string {
  const params: Array<[string, string]> = [['realm', REALM]]
  if (error) params.push(['error', error.code])
  if (error?.description) params.push(['error_description', error.description])
  params.push(...Object.entries(extra))
  // RFC 7235 quoted-string: backslash-escape quotes and backslashes.
  return 'Bearer ' + params.map(([k, v]) => `${k}="${v.replace(/["\\]/g, '\\$&')}"`).join(', ')
}
