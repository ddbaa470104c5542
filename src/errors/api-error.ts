/**
 * @module errors/api-error
 * The one error type handlers throw. The app's `onError` turns it into an RFC 9457 problem response.
 */
import { PROBLEMS, type ProblemCode } from './codes.js'

/** One failing input field. */
export interface FieldError {
  /** JSON pointer into the request body (RFC 6901), e.g. `/items/0/sku`; `''` for the body itself. */
  pointer: string
  message: string
}

/** Extra members of a problem document. */
export interface ApiErrorOptions {
  detail?: string
  errors?: FieldError[]
  /** Extra JSON members (e.g. `text`/`content` of a tool error). Never put secrets here. */
  extensions?: Record<string, unknown>
  headers?: Record<string, string>
  cause?: unknown
  /**
   * Another status than the code's usual one, for the few codes whose status follows an upstream party's verdict
   * (`delegation_failed`: 401 or 403 as the identity provider's error says; `idp_unavailable`: 502 or 503).
   */
  status?: 401 | 403 | 502 | 503
}

/** An error with a stable problem code. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  constructor(
    readonly code: ProblemCode,
    readonly options: ApiErrorOptions = {},
  ) {
    super(options.detail ?? PROBLEMS[code].title, { cause: options.cause })
    this.status = options.status ?? PROBLEMS[code].status
  }
}
