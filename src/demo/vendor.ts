/**
 * @module demo/vendor
 * The built-in demo vendor: a 2025-era Streamable HTTP MCP server at `/mcp` that behaves like the strict vendors
 * this product exists for. It issues `mcp-session-id` on `initialize`, refuses any later request without it
 * (403), answers unknown or expired ids with 404 -32001, expires idle sessions, and keeps per-session state
 * (a cart, created orders). `npm start` serves it in the facade's process when no upstream is configured (over
 * loopback HTTP, as any vendor); `tsx src/demo/main.ts` (or `node dist/demo-vendor.js` after a build) runs it as a
 * process of its own.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type Server as NodeHttpServer } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { z } from 'zod'
import {
  DEFAULT_MAX_REQUEST_BODY_SIZE,
  McpServer,
  ResourceNotFoundError,
  ResourceTemplate,
  WebStandardStreamableHTTPServerTransport,
  fromJsonSchema,
  hostHeaderValidationResponse,
  isInitializeRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from '@modelcontextprotocol/server'
import type { AddressInfo } from 'node:net'

/** The MCP endpoint path. */
export const DEMO_VENDOR_PATH = '/mcp'

/** Options of {@link startDemoVendor}. */
export interface DemoVendorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number
  /** Interface to bind; default `127.0.0.1`. */
  host?: string
  /** Sessions without a request for this long are forgotten (then 404); default 30 minutes. */
  sessionIdleMs?: number
}

/** A running demo vendor. */
export interface DemoVendor {
  /** The MCP endpoint, e.g. `http://127.0.0.1:43123/mcp`. */
  url: string
  /** Ends every session and stops listening. */
  close(): Promise<void>
  /** Number of live sessions (for diagnostics and tests). */
  sessionCount(): number
}

const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000

/** A 1×1 grey PNG, the smallest valid image for exercising image content blocks. */
const TINY_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='

const README = `# Demo vendor

A sample MCP server bundled with mcp-rest-facade. It is deliberately strict about sessions:

- \`initialize\` returns an \`mcp-session-id\` header; every later request must send it (otherwise 403).
- Unknown or expired session ids get 404 (\`-32001 Session not found\`); idle sessions expire.
- \`DELETE /mcp\` with the header ends the session.

Tools: get_weather, cart_add, cart_view, cart_clear, divide, slow_count, tiny_image, create_order.
Resources: demo://readme, demo://orders/{id}. Prompt: summarize.
`

/** Per-session state of the demo vendor; it dies with the session, which is the point of the demo. */
export interface DemoSessionState {
  cart: Map<string, number>
  orders: Map<string, Record<string, unknown>>
}

const cartItemSchema = z.object({ sku: z.string(), quantity: z.number().int().min(1) })
const cartSchema = z.object({
  items: z.array(cartItemSchema).describe('Cart lines, in the order they were first added'),
  total: z.number().int().min(0).describe('Total number of units in the cart'),
})

const unitsSchema = z.enum(['metric', 'imperial'])

/**
 * Hand-written on purpose (not derived from zod): `$defs` + `$ref` (one address definition used twice), an enum,
 * nested arrays of objects and `format: email`, so the facade's schema translation meets the constructs real
 * vendors send. `fromJsonSchema` keeps it byte-for-byte on the wire.
 */
const CREATE_ORDER_INPUT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: {
      type: 'object',
      description: 'A postal address',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 100 },
        street: { type: 'string', minLength: 1, maxLength: 200 },
        city: { type: 'string', minLength: 1, maxLength: 100 },
        postalCode: { type: 'string', pattern: '^[A-Za-z0-9 -]{3,10}$' },
        country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code, e.g. "FR"' },
      },
      required: ['name', 'street', 'city', 'postalCode', 'country'],
      additionalProperties: false,
    },
    lineItem: {
      type: 'object',
      properties: {
        sku: { type: 'string', pattern: '^[A-Z0-9-]{3,32}$' },
        quantity: { type: 'integer', minimum: 1, maximum: 999 },
        unitPrice: { type: 'number', exclusiveMinimum: 0, description: 'Price per unit in EUR' },
        options: {
          type: 'object',
          properties: {
            giftWrap: { type: 'boolean' },
            engraving: { type: 'string', maxLength: 40 },
          },
          additionalProperties: false,
        },
      },
      required: ['sku', 'quantity', 'unitPrice'],
      additionalProperties: false,
    },
  },
  properties: {
    customerEmail: { type: 'string', format: 'email' },
    priority: { type: 'string', enum: ['low', 'normal', 'high', 'urgent'], default: 'normal' },
    items: { type: 'array', items: { $ref: '#/$defs/lineItem' }, minItems: 1, maxItems: 50 },
    shippingAddress: { $ref: '#/$defs/address' },
    billingAddress: { $ref: '#/$defs/address', description: 'Defaults to the shipping address' },
    notes: { type: ['string', 'null'], maxLength: 500 },
  },
  required: ['customerEmail', 'items', 'shippingAddress'],
  additionalProperties: false,
} as const

interface OrderAddress {
  name: string
  street: string
  city: string
  postalCode: string
  country: string
}

interface CreateOrderInput {
  customerEmail: string
  priority?: 'low' | 'normal' | 'high' | 'urgent'
  items: Array<{ sku: string; quantity: number; unitPrice: number; options?: { giftWrap?: boolean; engraving?: string } }>
  shippingAddress: OrderAddress
  billingAddress?: OrderAddress
  notes?: string | null
}

/**
 * The create_order input schema as the SDK validates it: with its own `fromJsonSchema` (Ajv), shared by every
 * session's server. Building that creates an Ajv engine and compiles a validator (about 30 ms on a cold process),
 * so it is built on the first create_order call, not while the first `initialize` waits: `tools/list` reads only
 * the JSON Schema, which is at hand.
 */
let createOrderValidator: ReturnType<typeof fromJsonSchema<CreateOrderInput>> | undefined
const createOrderInputSchema: ReturnType<typeof fromJsonSchema<CreateOrderInput>> = {
  '~standard': {
    version: 1,
    vendor: 'mcp',
    jsonSchema: { input: () => CREATE_ORDER_INPUT_SCHEMA, output: () => CREATE_ORDER_INPUT_SCHEMA },
    validate: (data) => (createOrderValidator ??= fromJsonSchema<CreateOrderInput>(CREATE_ORDER_INPUT_SCHEMA))['~standard'].validate(data),
  },
}

const orderConfirmationSchema = z.object({
  orderId: z.string(),
  status: z.literal('confirmed'),
  priority: z.enum(['low', 'normal', 'high', 'urgent']),
  customerEmail: z.string(),
  itemCount: z.number().int(),
  subtotal: z.number(),
  shippingCost: z.number(),
  total: z.number(),
  currency: z.literal('EUR'),
  estimatedDelivery: z.string().describe('ISO date'),
  shipTo: z.object({ city: z.string(), country: z.string() }),
  billTo: z.object({ city: z.string(), country: z.string() }),
})

/** Small stable hash so the fake weather is deterministic per city (tests can rely on it). */
function hashString(value: string): number {
  let hash = 2166136261
  for (const ch of value.toLowerCase()) hash = Math.imul(hash ^ ch.codePointAt(0)!, 16777619) >>> 0
  return hash
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits

const textBlock = (text: string) => ({ type: 'text' as const, text })

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    }, { once: true })
  })

function cartView(state: DemoSessionState) {
  const items = [...state.cart].map(([sku, quantity]) => ({ sku, quantity }))
  return { items, total: items.reduce((sum, item) => sum + item.quantity, 0) }
}

/**
 * Builds the demo `McpServer` for one session. Exported so tests can also run it in-process
 * (e.g. over `InMemoryTransport`) without HTTP.
 */
export function createDemoServer(state: DemoSessionState = { cart: new Map(), orders: new Map() }): McpServer {
  const server = new McpServer(
    { name: 'demo-vendor', title: 'Demo vendor', version: '1.0.0', description: 'Demo MCP server bundled with mcp-rest-facade: fake weather, a per-session cart and orders.' },
    {
      capabilities: { tools: { listChanged: true } },
      instructions: 'Use get_weather for forecasts; cart tools keep their state in the MCP session, so open one per shopper.',
    },
  )

  server.registerTool(
    'get_weather',
    {
      title: 'Get weather',
      description: 'Current weather for a city (deterministic fake data). Returns structured content and the same JSON as text.',
      inputSchema: z.object({
        city: z.string().min(1).max(100).describe('City name, e.g. "Paris"'),
        units: unitsSchema.optional().describe('Unit system; defaults to metric (°C)'),
      }),
      outputSchema: z.object({
        city: z.string(),
        temperature: z.number().describe('°C for metric, °F for imperial'),
        conditions: z.string(),
        humidity: z.number().int().min(0).max(100).describe('Relative humidity in percent'),
        units: unitsSchema,
      }),
      annotations: { title: 'Get weather', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ city, units = 'metric' }) => {
      const hash = hashString(city)
      const celsius = (hash % 40) - 5
      const conditions = ['sunny', 'cloudy', 'rainy', 'windy', 'foggy', 'snowy'][hash % 6]!
      const weather = {
        city,
        temperature: units === 'metric' ? celsius : round((celsius * 9) / 5 + 32, 1),
        conditions,
        humidity: 30 + (hash % 61),
        units,
      }
      return { content: [textBlock(JSON.stringify(weather))], structuredContent: weather }
    },
  )

  server.registerTool(
    'cart_add',
    {
      title: 'Add to cart',
      description: 'Adds units of a SKU to this session\'s cart and returns the cart. The cart lives as long as the MCP session.',
      inputSchema: z.object({
        sku: z.string().regex(/^[A-Z0-9-]{3,32}$/).describe('Product SKU, e.g. "BOOK-42"'),
        quantity: z.number().int().min(1).max(99).default(1).describe('Units to add'),
      }),
      outputSchema: cartSchema,
      annotations: { title: 'Add to cart', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ sku, quantity }) => {
      state.cart.set(sku, (state.cart.get(sku) ?? 0) + quantity)
      const cart = cartView(state)
      return { content: [textBlock(JSON.stringify(cart))], structuredContent: cart }
    },
  )

  server.registerTool(
    'cart_view',
    {
      title: 'View cart',
      description: 'Returns this session\'s cart: its lines and the total number of units.',
      outputSchema: cartSchema,
      annotations: { title: 'View cart', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      const cart = cartView(state)
      return { content: [textBlock(JSON.stringify(cart))], structuredContent: cart }
    },
  )

  server.registerTool(
    'cart_clear',
    {
      title: 'Clear cart',
      description: 'Removes every line from this session\'s cart and returns the (empty) cart.',
      outputSchema: cartSchema,
      annotations: { title: 'Clear cart', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      state.cart.clear()
      const cart = cartView(state)
      return { content: [textBlock(JSON.stringify(cart))], structuredContent: cart }
    },
  )

  server.registerTool(
    'divide',
    {
      title: 'Divide',
      description: 'Divides a by b. Division by zero is reported as a tool error (isError: true), not a protocol error.',
      inputSchema: z.object({ a: z.number().describe('Dividend'), b: z.number().describe('Divisor') }),
      outputSchema: z.object({ result: z.number() }),
      annotations: { title: 'Divide', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ a, b }) => {
      if (b === 0) return { content: [textBlock('Division by zero: b must not be 0')], isError: true }
      const result = { result: a / b }
      return { content: [textBlock(JSON.stringify(result))], structuredContent: result }
    },
  )

  server.registerTool(
    'slow_count',
    {
      title: 'Slow count',
      description: 'Counts from 1 to `steps`, waiting `delayMs` per step and sending a progress notification per step when the request carries a progressToken.',
      inputSchema: z.object({
        steps: z.number().int().min(1).max(50).describe('How far to count'),
        delayMs: z.number().int().min(0).max(5000).default(200).describe('Delay per step in milliseconds'),
      }),
      outputSchema: z.object({ count: z.number().int() }),
      annotations: { title: 'Slow count', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ steps, delayMs }, ctx) => {
      const token = ctx.mcpReq._meta?.progressToken
      let count = 0
      while (count < steps && !ctx.mcpReq.signal.aborted) {
        await sleep(delayMs, ctx.mcpReq.signal)
        count++
        if (token !== undefined) {
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken: token, progress: count, total: steps, message: `Counted ${count} of ${steps}` },
          })
        }
      }
      return { content: [textBlock(`Counted to ${count}`)], structuredContent: { count } }
    },
  )

  server.registerTool(
    'confirm_action',
    {
      title: 'Confirm action',
      description:
        'Asks the user to confirm an action (elicitation) when the client can answer questions; through the REST facade, call it with `Prefer: input-required`. Without that, nothing is confirmed.',
      inputSchema: z.object({ action: z.string().min(1).describe('What to confirm') }),
      outputSchema: z.object({ confirmed: z.boolean(), note: z.string() }),
      annotations: { title: 'Confirm action', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ action }, ctx) => {
      if (!server.server.getClientCapabilities()?.elicitation) {
        const result = { confirmed: false, note: 'This client cannot answer questions: nothing was confirmed.' }
        return { content: [textBlock(result.note)], structuredContent: result }
      }
      const reply = await ctx.mcpReq.elicitInput({
        message: `Confirm: ${action}?`,
        requestedSchema: {
          type: 'object',
          properties: { confirm: { type: 'boolean', title: 'Confirm', default: false }, note: { type: 'string', title: 'Note', default: '' } },
          required: ['confirm'],
        },
      })
      const content = (reply.content ?? {}) as { confirm?: boolean; note?: string }
      const result = { confirmed: reply.action === 'accept' && content.confirm === true, note: reply.action === 'accept' ? String(content.note ?? '') : reply.action }
      return { content: [textBlock(JSON.stringify(result))], structuredContent: result }
    },
  )

  server.registerTool(
    'tiny_image',
    {
      title: 'Tiny image',
      description: 'Returns a 1×1 PNG as an image content block, plus a text block describing it.',
      annotations: { title: 'Tiny image', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async () => ({
      content: [
        { type: 'image', data: TINY_PNG_BASE64, mimeType: 'image/png' },
        textBlock('A 1×1 pixel grey PNG image.'),
      ],
    }),
  )

  server.registerTool(
    'create_order',
    {
      title: 'Create order',
      description:
        'Places an order for one customer: line items with optional gift options, a shipping address and an optional billing address (defaults to shipping). Returns the confirmation; the order is then readable as demo://orders/{orderId} in this session.',
      inputSchema: createOrderInputSchema,
      outputSchema: orderConfirmationSchema,
      annotations: { title: 'Create order', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (input) => {
      const subtotal = round(input.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0), 2)
      const priority = input.priority ?? 'normal'
      const shippingCost = subtotal >= 50 ? 0 : 4.9
      const billing = input.billingAddress ?? input.shippingAddress
      const leadDays = { low: 7, normal: 4, high: 2, urgent: 1 }[priority]
      const confirmation = {
        orderId: `ord_${randomUUID().slice(0, 8)}`,
        status: 'confirmed' as const,
        priority,
        customerEmail: input.customerEmail,
        itemCount: input.items.reduce((sum, item) => sum + item.quantity, 0),
        subtotal,
        shippingCost,
        total: round(subtotal + shippingCost, 2),
        currency: 'EUR' as const,
        estimatedDelivery: new Date(Date.now() + leadDays * 86_400_000).toISOString().slice(0, 10),
        shipTo: { city: input.shippingAddress.city, country: input.shippingAddress.country },
        billTo: { city: billing.city, country: billing.country },
      }
      state.orders.set(confirmation.orderId, { ...confirmation, items: input.items, notes: input.notes ?? null })
      return { content: [textBlock(JSON.stringify(confirmation))], structuredContent: confirmation }
    },
  )

  server.registerResource(
    'readme',
    'demo://readme',
    { title: 'Demo vendor README', description: 'What this demo server does', mimeType: 'text/markdown' },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: README }] }),
  )

  server.registerResource(
    'order',
    new ResourceTemplate('demo://orders/{id}', {
      list: async () => ({
        resources: [...state.orders.keys()].map((id) => ({ uri: `demo://orders/${id}`, name: `Order ${id}`, mimeType: 'application/json' })),
      }),
    }),
    { title: 'Order', description: 'An order created with create_order in this session', mimeType: 'application/json' },
    async (uri, variables) => {
      const id = String(variables.id)
      const order = state.orders.get(id)
      if (!order) throw new ResourceNotFoundError(uri.href, `Order ${id} not found in this session`)
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(order) }] }
    },
  )

  server.registerPrompt(
    'summarize',
    {
      title: 'Summarize',
      description: 'Asks the model for a short summary of a topic.',
      argsSchema: z.object({ topic: z.string().min(1).describe('What to summarize') }),
    },
    async ({ topic }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: `Summarize the following topic in three sentences: ${topic}` } }],
    }),
  )

  return server
}

interface Session {
  server: McpServer
  transport: WebStandardStreamableHTTPServerTransport
  lastSeen: number
}

const jsonRpcError = (status: number, code: number, message: string) =>
  new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json' },
  })

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '::1'

/** A bind address as a URL host; wildcard binds are reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

/**
 * A POST's JSON body, read through @hono/node-server's direct path and handed to the SDK transport as `parsedBody`.
 * Left to the SDK, each request would become a web `Request` with a body stream for it to read: about 7 ms of the
 * facade's start in front of the demo, and part of every call (bench/README.md, start-up). A body that is too large
 * or not JSON gets the answer the SDK gives, under the SDK's own bound.
 */
async function readJsonBody(request: Request): Promise<{ body: unknown } | { error: Response }> {
  const tooLarge = () => ({ error: jsonRpcError(413, -32000, `Payload Too Large: Request body must not exceed ${DEFAULT_MAX_REQUEST_BODY_SIZE} bytes`) })
  if (Number(request.headers.get('content-length')) > DEFAULT_MAX_REQUEST_BODY_SIZE) return tooLarge()
  const text = await request.text()
  if (Buffer.byteLength(text) > DEFAULT_MAX_REQUEST_BODY_SIZE) return tooLarge()
  try {
    return { body: JSON.parse(text) as unknown }
  } catch {
    return { error: jsonRpcError(400, -32700, 'Parse error: Invalid JSON') }
  }
}

/** The MCP endpoint URL of a listening server bound to `host`. */
function demoVendorUrl(server: NodeHttpServer, host: string): string {
  return `http://${urlHost(host)}:${(server.address() as AddressInfo).port}${DEMO_VENDOR_PATH}`
}

/**
 * Starts the demo vendor.
 * @example
 * const demo = await startDemoVendor()
 * console.log(demo.url) // http://127.0.0.1:<port>/mcp
 * await demo.close()
 */
export async function startDemoVendor(options: DemoVendorOptions = {}): Promise<DemoVendor> {
  const host = options.host ?? '127.0.0.1'
  const idleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS
  const sessions = new Map<string, Session>()

  const endSession = async (id: string) => {
    const session = sessions.get(id)
    if (!session) return
    sessions.delete(id)
    await session.server.close().catch(() => undefined)
  }

  const sweep = () => {
    const now = Date.now()
    for (const [id, session] of sessions) if (now - session.lastSeen > idleMs) void endSession(id)
  }
  // Sweeping only frees memory; lookups re-check idleness so expiry is exact even between sweeps.
  const sweeper = setInterval(sweep, Math.max(50, Math.min(idleMs / 2, 60_000)))
  sweeper.unref()

  const handle = async (request: Request): Promise<Response> => {
    if (new URL(request.url).pathname !== DEMO_VENDOR_PATH) return jsonRpcError(404, -32000, 'Not found')
    // DNS-rebinding protection: browsers send Origin; a loopback-bound server must also check Host.
    const rejected =
      originValidationResponse(request, localhostAllowedOrigins()) ??
      (isLoopback(host) ? hostHeaderValidationResponse(request, localhostAllowedHostnames()) : undefined)
    if (rejected) return rejected

    const sessionId = request.headers.get('mcp-session-id')
    if (sessionId === null) {
      if (request.method !== 'POST') return jsonRpcError(403, -32000, 'Forbidden: Mcp-Session-Id header is required')
      const read = await readJsonBody(request)
      if ('error' in read) return read.error
      const body = read.body
      if (!isInitializeRequest(body)) return jsonRpcError(403, -32000, 'Forbidden: Mcp-Session-Id header is required')
      const server = createDemoServer()
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, { server, transport, lastSeen: Date.now() })
        },
      })
      await server.connect(transport)
      const response = await transport.handleRequest(request, { parsedBody: body })
      if (transport.sessionId === undefined) await server.close()
      return response
    }

    const session = sessions.get(sessionId)
    if (!session || Date.now() - session.lastSeen > idleMs) {
      if (session) await endSession(sessionId)
      return jsonRpcError(404, -32001, 'Session not found')
    }
    session.lastSeen = Date.now()
    let options: { parsedBody: unknown } | undefined
    if (request.method === 'POST') {
      const read = await readJsonBody(request)
      if ('error' in read) return read.error
      options = { parsedBody: read.body }
    }
    const response = await session.transport.handleRequest(request, options)
    if (request.method === 'DELETE' && response.ok) await endSession(sessionId)
    return response
  }

  const httpServer = createServer(getRequestListener(handle, { hostname: host }))
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(options.port ?? 0, host, () => resolve())
  })

  let closing: Promise<void> | undefined
  return {
    url: demoVendorUrl(httpServer, host),
    sessionCount: () => sessions.size,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper)
        await Promise.all([...sessions.keys()].map(endSession))
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve())
          // Open GET streams and keep-alive sockets would otherwise hold close() open.
          httpServer.closeAllConnections()
        })
      })()
      return closing
    },
  }
}
