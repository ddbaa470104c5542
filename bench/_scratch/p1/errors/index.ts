/** @module errors */
export { PROBLEMS, statusOf } from './codes.js'
export type { ProblemCode } from './codes.js'
export { ApiError } from './api-error.js'
export type { FieldError, ApiErrorOptions } from './api-error.js'
export { toProblem, problemResponse, PROBLEM_CONTENT_TYPE } from './problem.js'
export type { ProblemDocument } from './problem.js'
export { fromUpstream } from './from-upstream.js'
