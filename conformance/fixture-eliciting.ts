/**
 * @module conformance/fixture-eliciting
 * The fixture vendor's tools that ask the client something, named and shaped as the official server scenarios
 * require (`tools-call-elicitation`, `elicitation-sep1034-defaults`, `elicitation-sep1330-enums` at 2025-11-25;
 * the `input-required-result-*` scenarios at 2026-07-28 that concern elicitation). Each tool asks the 2025 way
 * (`elicitation/create` pushed during the call) on a 2025 connection and the 2026-07-28 way (`input_required`,
 * answered by a retry with `inputResponses`) on a 2026-07-28 request.
 *
 * Not implemented: the scenarios whose questions are sampling or roots requests (`basic-sampling`,
 * `basic-list-roots`, `multiple-input-requests`, `capability-check`) and the prompt one (`non-tool-request`): the
 * facade never declares sampling, answers roots from its configuration, and relays questions on tool calls only.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { inputRequired, type McpServer, type ServerContext } from '@modelcontextprotocol/server'
import { z } from 'zod'

type Json = Record<string, unknown>
const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] })

const USER_INFO = {
  type: 'object',
  properties: { username: { type: 'string', description: "User's response" }, email: { type: 'string', description: "User's email address" } },
  required: ['username', 'email'],
} as const
const SEP1034_DEFAULTS = {
  type: 'object',
  properties: {
    name: { type: 'string', default: 'John Doe' },
    age: { type: 'integer', default: 30 },
    score: { type: 'number', default: 95.5 },
    status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
    verified: { type: 'boolean', default: true },
  },
} as const
const SEP1330_ENUMS = {
  type: 'object',
  properties: {
    untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
    titledSingle: {
      type: 'string',
      oneOf: [
        { const: 'value1', title: 'First Option' },
        { const: 'value2', title: 'Second Option' },
        { const: 'value3', title: 'Third Option' },
      ],
    },
    legacyEnum: { type: 'string', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
    untitledMulti: { type: 'array', items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
    titledMulti: {
      type: 'array',
      items: {
        anyOf: [
          { const: 'value1', title: 'First Choice' },
          { const: 'value2', title: 'Second Choice' },
          { const: 'value3', title: 'Third Choice' },
        ],
      },
    },
  },
} as const
const NAME = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } as const
const OK = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } as const
const COLOR = { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] } as const

/** A 2026-07-28 request carries the per-request `_meta` envelope; a 2025 one does not. */
const isModern = (ctx: ServerContext) => ctx.mcpReq.envelope !== undefined

/** Integrity-protected request state (the tampered-state scenario expects a forged one refused). */
const KEY = randomBytes(32)
const sign = (payload: string) => `${Buffer.from(payload).toString('base64url')}.${createHmac('sha256', KEY).update(payload).digest('base64url')}`
/**
 * `ServerOptions.requestState.verify` of the fixture: a forged state is refused before any handler runs (the SDK
 * answers it with a JSON-RPC error); handlers read the verified payload from `ctx.mcpReq.requestState()`.
 */
export function verifyRequestState(state: unknown): string {
  const [body, mac] = typeof state === 'string' ? state.split('.') : []
  const payload = body === undefined ? '' : Buffer.from(body, 'base64url').toString()
  const expected = createHmac('sha256', KEY).update(payload).digest()
  const given = Buffer.from(mac ?? '', 'base64url')
  if (!body || given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('requestState failed its integrity check')
  return payload
}

/** The bare accepted content of an input response, when it is one. */
function accepted(ctx: ServerContext, key: string): Json | undefined {
  const r = ctx.mcpReq.inputResponses?.[key] as { action?: unknown; content?: unknown } | undefined
  return r?.action === 'accept' && r.content && typeof r.content === 'object' ? (r.content as Json) : undefined
}

/** Asks one form question in the era of the request: pushed (2025), or `input_required` under `key` (2026-07-28). */
async function ask(ctx: ServerContext, key: string, message: string, requestedSchema: Json): Promise<{ action: string; content?: Json } | ReturnType<typeof inputRequired>> {
  if (!isModern(ctx)) return (await ctx.mcpReq.elicitInput({ message, requestedSchema } as never)) as { action: string; content?: Json }
  const r = ctx.mcpReq.inputResponses?.[key] as { action?: string; content?: Json } | undefined
  if (r && typeof r.action === 'string') return { action: r.action, content: r.content }
  return inputRequired({ inputRequests: { [key]: inputRequired.elicit({ message, requestedSchema } as never) } })
}

const isQuestion = (v: unknown): v is ReturnType<typeof inputRequired> => (v as { resultType?: unknown })?.resultType === 'input_required'

/** Registers the eliciting tools on the fixture's server. */
export function registerElicitingTools(server: McpServer): void {
  server.registerTool('test_elicitation', { description: 'Asks the user for information', inputSchema: z.object({ message: z.string() }) }, async ({ message }, ctx) => {
    const reply = await ask(ctx, 'user_info', message, USER_INFO)
    if (isQuestion(reply)) return reply as never
    return text(`User response: action=${reply.action}, content=${JSON.stringify(reply.content ?? {})}`)
  })
  server.registerTool('test_elicitation_sep1034_defaults', { description: 'Asks with defaults for every primitive type (SEP-1034)', inputSchema: z.object({}) }, async (_args, ctx) => {
    const reply = await ask(ctx, 'defaults', 'Please review and update the form fields with defaults', SEP1034_DEFAULTS)
    if (isQuestion(reply)) return reply as never
    return text(`Elicitation completed: action=${reply.action}, content=${JSON.stringify(reply.content ?? {})}`)
  })
  server.registerTool('test_elicitation_sep1330_enums', { description: 'Asks with the five enum variants (SEP-1330)', inputSchema: z.object({}) }, async (_args, ctx) => {
    const reply = await ask(ctx, 'enums', 'Please select options from the enum fields', SEP1330_ENUMS)
    if (isQuestion(reply)) return reply as never
    return text(`Elicitation completed: action=${reply.action}, content=${JSON.stringify(reply.content ?? {})}`)
  })

  // SEP-2322 (2026-07-28; a 2025 request is asked the push way by the same code).
  server.registerTool('test_input_required_result_elicitation', { description: 'Asks for a name (SEP-2322)', inputSchema: z.object({}) }, async (_args, ctx) => {
    const reply = await ask(ctx, 'user_name', 'What is your name?', NAME)
    if (isQuestion(reply)) return reply as never
    const name = reply.action === 'accept' && typeof reply.content?.name === 'string' ? reply.content.name : undefined
    // Anything but a name is asked again, as SEP-2322 recommends for missing or unusable answers.
    if (name === undefined && isModern(ctx)) return inputRequired({ inputRequests: { user_name: inputRequired.elicit({ message: 'What is your name?', requestedSchema: NAME } as never) } }) as never
    return text(`Hello, ${name ?? 'nobody'}!`)
  })
  server.registerTool('test_input_required_result_request_state', { description: 'Round-trips requestState (SEP-2322)', inputSchema: z.object({}) }, (_args, ctx) => {
    const state = ctx.mcpReq.requestState<string>()
    if (state === 'confirm' && accepted(ctx, 'confirm')) return text('state-ok: confirmed')
    return inputRequired({ inputRequests: { confirm: inputRequired.elicit({ message: 'Please confirm', requestedSchema: OK } as never) }, requestState: sign('confirm') }) as never
  })
  server.registerTool('test_input_required_result_multi_round', { description: 'Two rounds with evolving requestState (SEP-2322)', inputSchema: z.object({}) }, (_args, ctx) => {
    const round = ctx.mcpReq.requestState<string>()
    const step1 = () => inputRequired({ inputRequests: { step1: inputRequired.elicit({ message: 'Step 1: What is your name?', requestedSchema: NAME } as never) }, requestState: sign('round-1') })
    if (round === undefined) return step1() as never
    if (round === 'round-1') {
      const name = accepted(ctx, 'step1')?.name
      if (typeof name !== 'string') return step1() as never
      return inputRequired({
        inputRequests: { step2: inputRequired.elicit({ message: 'Step 2: What is your favorite color?', requestedSchema: COLOR } as never) },
        requestState: sign(`round-2:${name}`),
      }) as never
    }
    const color = accepted(ctx, 'step2')?.color
    return text(`${round.slice('round-2:'.length)} likes ${String(color)}`)
  })
  server.registerTool('test_input_required_result_tampered_state', { description: 'Refuses a forged requestState (SEP-2322)', inputSchema: z.object({}) }, (_args, ctx) => {
    const state = ctx.mcpReq.requestState<string>()
    if (state === 'tamper-check') return text('state verified')
    return inputRequired({ inputRequests: { confirm: inputRequired.elicit({ message: 'Please confirm', requestedSchema: OK } as never) }, requestState: sign('tamper-check') }) as never
  })
}
