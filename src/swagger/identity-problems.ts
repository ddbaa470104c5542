/**
 * @module swagger/identity-problems
 * The identity problem codes in the connector's shared error responses: with validated tokens (`auth.mode: "jwt"`)
 * any call can answer `invalid_token` (401) and `idp_unavailable` (503); with delegation, `insufficient_claims` and
 * `delegation_failed` (401, or 403 when the identity provider refuses the facade itself) and `idp_unavailable` (502
 * or 503). Each affected description gets a sentence more, so the codes are named once per document, not per
 * operation (the size stays flat).
 */
import { errorResponseName } from './operations.js'
import type { Swagger2Response } from './types.js'

/**
 * What identity checks add to the error responses: validated tokens (`invalid_token`; `idp_unavailable` when the
 * issuer's keys cannot be fetched) and delegation (the identity provider's refusals and outages).
 */
export interface IdentityProblems {
  token?: boolean
  delegation?: boolean
}

/** What identity checks add to the shared error responses, by status: a sentence appended to each description. */
function identityNotes(p: IdentityProblems): Record<string, string> {
  const notes: Record<string, string[]> = {}
  const add = (status: string, note: string) => (notes[status] ??= []).push(note)
  if (p.token) add('401', 'Also invalid_token: the bearer token failed validation (an expired one: get a new token).')
  if (p.delegation) {
    add('401', 'Also insufficient_claims and delegation_failed: the identity provider asks the user to sign in again (WWW-Authenticate carries its claims challenge) or refused to exchange the token for the vendor.')
    add('403', 'Also delegation_failed: the identity provider refused to issue a token for the vendor.')
    add('502', 'Also idp_unavailable: the identity provider answered with something unusable.')
  }
  if (p.token || p.delegation) add('503', 'Also idp_unavailable: the identity provider cannot be reached; retry after Retry-After.')
  return Object.fromEntries(Object.entries(notes).map(([status, list]) => [status, list.join(' ')]))
}

/**
 * Names the identity codes in the shared error responses of a document: each affected description gets a sentence
 * more (headers and everything else stay as they are).
 */
export function addIdentityProblems(responses: Record<string, Swagger2Response>, identity: IdentityProblems): void {
  for (const [status, note] of Object.entries(identityNotes(identity))) {
    const name = errorResponseName(status)
    const response = name ? responses[name] : undefined
    if (name && response) responses[name] = { ...response, description: `${response.description} ${note}` }
  }
}
