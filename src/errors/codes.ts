/**
 * @module errors/codes
 * The closed set of problem codes the facade answers with, and their HTTP status. Codes are stable API:
 * clients and flows branch on them. Add new ones; never rename or reuse one.
 */

/** Every problem code, with its HTTP status and a fixed human title. */
export const PROBLEMS = {
  invalid_json: { status: 400, title: 'Request body is not valid JSON' },
  invalid_arguments: { status: 400, title: 'Arguments do not match the tool input schema' },
  invalid_request: { status: 400, title: 'Invalid request' },
  invalid_header: { status: 400, title: 'A request header value is not acceptable' },
  bad_request: { status: 400, title: 'The request could not be parsed' },
  invalid_answer: { status: 400, title: 'The answer does not match the question' },
  unauthorized: { status: 401, title: 'Authentication required' },
  invalid_token: { status: 401, title: 'The bearer token is not valid' },
  insufficient_claims: { status: 401, title: 'The identity provider asks the user to sign in again' },
  delegation_failed: { status: 401, title: 'The identity provider refused to issue a token for the vendor' },
  vendor_unauthorized: { status: 401, title: 'The vendor rejected the credentials' },
  vendor_forbidden: { status: 403, title: 'The vendor refused access' },
  origin_forbidden: { status: 403, title: 'Requests from this Origin are not accepted' },
  tool_not_found: { status: 404, title: 'Unknown tool' },
  prompt_not_found: { status: 404, title: 'Unknown prompt' },
  resource_not_found: { status: 404, title: 'Unknown resource' },
  session_not_found: { status: 404, title: 'Unknown or expired session' },
  job_not_found: { status: 404, title: 'Unknown or expired job' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  question_not_pending: { status: 409, title: 'The question is not waiting for an answer' },
  job_cancelled: { status: 409, title: 'The job was cancelled' },
  job_finished: { status: 409, title: 'The job has already finished' },
  connector_not_exportable: { status: 409, title: 'The connector folder would not import' },
  request_timeout: { status: 408, title: 'The request was not received in time' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  expectation_failed: { status: 417, title: 'The Expect header cannot be met' },
  host_not_allowed: { status: 421, title: 'This host name is not served here' },
  too_many_sessions: { status: 429, title: 'Too many sessions for this caller or service' },
  rate_limited: { status: 429, title: 'Too many calls in this window; retry after the delay given' },
  too_many_requests: { status: 429, title: 'Too many calls at once; retry after the delay given' },
  vendor_rate_limited: { status: 429, title: 'The vendor is rate limiting; retry after the delay given' },
  headers_too_large: { status: 431, title: 'Request header fields too large' },
  tool_error: { status: 422, title: 'The tool reported an error' },
  idempotency_key_reused: { status: 422, title: 'This Idempotency-Key was used for a different request' },
  idempotency_key_in_use: { status: 409, title: 'A request with this Idempotency-Key is still running' },
  internal_error: { status: 500, title: 'Internal error' },
  vendor_unavailable: { status: 502, title: 'The vendor could not be reached' },
  vendor_interrupted: { status: 502, title: 'The connection to the vendor broke during the call' },
  vendor_bad_response: { status: 502, title: 'The vendor answered with an invalid response' },
  vendor_error: { status: 502, title: 'The vendor answered the request with an error' },
  vendor_bad_output: { status: 502, title: 'The vendor broke its own output schema' },
  idp_unavailable: { status: 503, title: 'The identity provider could not be reached' },
  not_ready: { status: 503, title: 'The vendor catalog is not loaded yet' },
  shutting_down: { status: 503, title: 'The service is shutting down' },
  store_unavailable: { status: 503, title: 'The shared state store cannot be reached' },
  vendor_busy: { status: 503, title: 'The vendor is overloaded or unavailable; retry after the delay given' },
  vendor_timeout: { status: 504, title: 'The vendor did not answer in time' },
} as const satisfies Record<string, { status: number; title: string }>

/** A stable problem code. */
export type ProblemCode = keyof typeof PROBLEMS

/** HTTP status of a problem code. */
export function statusOf(code: ProblemCode): number {
  return PROBLEMS[code].status
}
