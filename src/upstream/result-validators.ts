/**
 * @module upstream/result-validators
 * The SDK's own result validator for a spec method, built once per wire codec and method instead of once per
 * request.
 *
 * Why: `Client.request(request, options)` first probes the era codec with `validateResult(method, undefined)` to
 * learn whether the method exists in the era (SDK `codecResultValidator`). That probe is a zod parse that always
 * fails, and the SDK then stringifies the ZodError: about 4 % of the main thread per tool call, on the critical
 * path before the request is sent. The outcome depends only on the codec and the method, so we do the same probe
 * once and hand `request()` the same Standard Schema adapter (`request(request, schema, options)`), which skips it.
 * Validation of every result is unchanged: the adapter calls the same `codec.validateResult` the SDK would.
 *
 * The codec is an SDK internal (`Client._resolveOutboundCodec`). When a future SDK drops it, {@link resultValidator}
 * returns undefined and callers use the public path. Upstream fix: cache `codecResultValidator` per
 * (codec, method) inside `Protocol.request` (typescript-sdk).
 */
import type { Client } from '@modelcontextprotocol/client'

type Outcome = { ok: true; value: unknown } | { ok: false; reason: 'not-in-era' | 'invalid'; message?: string }

/** The era codec surface used here (SDK internal). */
interface WireCodec {
  validateResult(method: string, value: unknown): Outcome
}

/** A Standard Schema v1 validator, the shape `Client.request` accepts in place of a result schema. */
export interface ResultValidator {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    validate(value: unknown): { value: unknown } | { issues: Array<{ message: string }> }
  }
}

/** Per codec (the SDK has one per era), per method: the adapter, or null when the method is not in that era. */
const cache = new WeakMap<object, Map<string, ResultValidator | null>>()

/** The same adapter as the SDK's `codecResultValidator`, built once. */
function build(codec: WireCodec, method: string): ResultValidator | null {
  const probe = codec.validateResult(method, undefined)
  if (!probe.ok && probe.reason === 'not-in-era') return null
  return {
    '~standard': {
      version: 1,
      vendor: 'mcp-wire-codec',
      validate(value: unknown) {
        const outcome = codec.validateResult(method, value)
        if (outcome.ok) return { value: outcome.value }
        return { issues: [{ message: outcome.reason === 'invalid' ? (outcome.message ?? 'invalid result') : `not-in-era: ${method}` }] }
      },
    },
  }
}

/**
 * The result validator `client.request()` would build for `method` on this connection's era, or undefined when
 * it cannot be had (SDK internals changed, or the method is not in the era: then the public path raises the
 * SDK's own error).
 */
export function resultValidator(client: Client, method: string): ResultValidator | undefined {
  const resolve = (client as unknown as { _resolveOutboundCodec?: (method: string) => WireCodec | undefined })._resolveOutboundCodec
  if (typeof resolve !== 'function') return undefined
  const codec = resolve.call(client, method)
  if (!codec || typeof codec.validateResult !== 'function') return undefined
  let byMethod = cache.get(codec)
  if (!byMethod) cache.set(codec, (byMethod = new Map()))
  let validator = byMethod.get(method)
  if (validator === undefined) byMethod.set(method, (validator = build(codec, method)))
  return validator ?? undefined
}
