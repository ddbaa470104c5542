/**
 * @module limits/rate-limiter-modules
 * Types of the three `rate-limiter-flexible` files limits/quota imports one by one. The package's index requires all
 * of its ~25 limiters (MongoDB, DynamoDB, cluster, …) and, through the cluster one, Node's `cluster` module: some
 * 0.3 MB and a few ms of every start, for classes never used here. The package ships types for its index only.
 */
declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  export { RateLimiterMemory as default } from 'rate-limiter-flexible'
}
declare module 'rate-limiter-flexible/lib/RateLimiterRedis.js' {
  export { RateLimiterRedis as default } from 'rate-limiter-flexible'
}
declare module 'rate-limiter-flexible/lib/RateLimiterRes.js' {
  export { RateLimiterRes as default } from 'rate-limiter-flexible'
}
